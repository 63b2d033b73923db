/**
 * AMI contract used by the rest of the daemon. The concrete client (src/ami/client.ts) speaks the
 * wire protocol itself; domain code depends only on this interface so it can be tested with fakes.
 * Field names are exactly as Asterisk 22 sends them (see ../shared/asterisk-captures).
 */

/** One AMI message: keys as received ("Event", "ActionID", "Queue", ...), values as strings. */
export type AmiMessage = Record<string, string>;

/** An event: always has `Event`. Repeated keys (e.g. `Output`, `ChanVariable`) are joined with "\n". */
export type AmiEvent = AmiMessage & { Event: string };

/** A response to an action. `Response` is "Success", "Error" or "Follows"/"Goodbye". */
export type AmiResponse = AmiMessage & { Response: string; ActionID: string };

/** Values accepted in action fields; undefined fields are not sent, booleans become "true"/"false". */
/** An array repeats the key once per item (e.g. several `Variable:` lines in Originate). */
export type AmiFields = Record<string, string | number | boolean | undefined | readonly string[]>;

export interface AmiActionOptions {
  /** Rejects with AmiTimeoutError after this many ms (default from the client, 10 s). */
  timeoutMs?: number;
}

export type AmiConnectionState = 'disconnected' | 'connecting' | 'connected';

/** Health of a protocol link (AMI or ARI), for /healthz and `callcenterd status`. */
export interface LinkHealthInfo {
  state: AmiConnectionState;
  /** Last connection/login/protocol error, in words (never contains secrets). */
  lastError?: string;
  /** ms since epoch of the current session's start; undefined while down. */
  connectedSince?: number;
  /** Successful re-connections after the first one. */
  reconnects: number;
  eventsReceived: number;
}

export interface AmiClient {
  readonly state: AmiConnectionState;
  /** Link health. Optional only so existing fakes keep compiling; the real client always has it. */
  readonly info?: LinkHealthInfo;
  /** Starts connecting (and reconnecting forever with backoff). Idempotent. */
  start(): void;
  /** Logs off and closes; no more reconnects. */
  stop(): Promise<void>;
  /**
   * Sends an action. Resolves with the response when `Response: Success`; rejects with
   * AmiActionError (carrying the response) when `Response: Error`, AmiTimeoutError on timeout,
   * AmiNotConnectedError when not connected.
   */
  action(action: string, fields?: AmiFields, opts?: AmiActionOptions): Promise<AmiResponse>;
  /**
   * Sends a list action (QueueStatus, CoreShowChannels, ...) and collects the events carrying its
   * ActionID until the `...Complete` event (EventList: Complete). `events` excludes that final
   * event, which is returned as `complete` (it carries ListItems).
   */
  actionList(
    action: string,
    fields?: AmiFields,
    opts?: AmiActionOptions,
  ): Promise<{ response: AmiResponse; events: AmiEvent[]; complete?: AmiEvent }>;
  /** Subscribes to one event name, or '*' for all. Returns an unsubscribe function. */
  onEvent(name: string, handler: (event: AmiEvent) => void): () => void;
  /**
   * Called once per session when Asterisk is usable (first connect and every reconnect): re-sync
   * here. That is after Login AND `Event: FullyBooted` for this session, because Asterisk accepts
   * logins while still loading modules (app_queue actions fail until then); `state` stays
   * 'connecting' meanwhile. If FullyBooted never comes (AMI user without read=system), the real
   * client warns once and calls the handlers after a grace (asterisk.ami.boot_grace_ms, 10 s).
   */
  onConnected(handler: () => void): () => void;
  onDisconnected(handler: (reason: string) => void): () => void;
}

export class AmiActionError extends Error {
  constructor(
    public readonly action: string,
    public readonly response: AmiResponse,
  ) {
    super(`AMI ${action} failed: ${response.Message ?? 'error'}`);
    this.name = 'AmiActionError';
  }
}

export class AmiTimeoutError extends Error {
  constructor(public readonly action: string, timeoutMs: number) {
    super(`AMI ${action} timed out after ${timeoutMs} ms`);
    this.name = 'AmiTimeoutError';
  }
}

export class AmiNotConnectedError extends Error {
  constructor(public readonly action: string) {
    super(`AMI not connected (action ${action})`);
    this.name = 'AmiNotConnectedError';
  }
}
