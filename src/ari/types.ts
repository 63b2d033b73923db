/**
 * ARI contract used by the rest of the daemon. The concrete client (src/ari/client.ts) does REST
 * over the event WebSocket or node:http and events over that WebSocket; domain code depends only
 * on this interface.
 * JSON shapes as Asterisk 22 sends them (see ../shared/asterisk-captures/*.ari.jsonl).
 */
import type { LinkHealthInfo } from '../ami/types';

export type { LinkHealthInfo } from '../ami/types';

export interface AriCallerId {
  name: string;
  number: string;
}

export interface AriDialplanCep {
  context: string;
  exten: string;
  priority: number;
  app_name?: string;
  /** e.g. "callcenter,agent-leg,1000,<linkedid>" for a member leg in Stasis. */
  app_data?: string;
}

export interface AriChannel {
  id: string;
  name: string;
  /** Down | Rsrvd | OffHook | Dialing | Ring | Ringing | Up | Busy | Dialing Offhook | Pre-ring | Unknown */
  state: string;
  protocol_id?: string;
  caller: AriCallerId;
  connected: AriCallerId;
  accountcode?: string;
  dialplan: AriDialplanCep;
  creationtime: string;
  language: string;
  channelvars?: Record<string, string>;
}

export interface AriBridge {
  id: string;
  technology: string;
  bridge_type: string;
  bridge_class: string;
  creator: string;
  name: string;
  channels: string[];
  creationtime?: string;
  video_mode?: string;
}

export interface AriApplication {
  name: string;
  channel_ids: string[];
  bridge_ids: string[];
  endpoint_ids: string[];
  device_names: string[];
  events_allowed?: unknown[];
  events_disallowed?: unknown[];
}

export interface AriEndpoint {
  technology: string;
  resource: string;
  /** unknown | offline | online */
  state?: string;
  channel_ids: string[];
}

export interface AriDeviceState {
  name: string;
  /** NOT_INUSE | INUSE | BUSY | INVALID | UNAVAILABLE | RINGING | RINGINUSE | ONHOLD | UNKNOWN */
  state: string;
}

export interface AriEventBase {
  type: string;
  application: string;
  timestamp: string;
  asterisk_id?: string;
}

export interface StasisStartEvent extends AriEventBase {
  type: 'StasisStart';
  args: string[];
  channel: AriChannel;
  replace_channel?: AriChannel;
}
export interface StasisEndEvent extends AriEventBase {
  type: 'StasisEnd';
  channel: AriChannel;
}
export interface ChannelStateChangeEvent extends AriEventBase {
  type: 'ChannelStateChange';
  channel: AriChannel;
}
export interface ChannelDestroyedEvent extends AriEventBase {
  type: 'ChannelDestroyed';
  channel: AriChannel;
  cause: number;
  cause_txt: string;
}
export interface ChannelHangupRequestEvent extends AriEventBase {
  type: 'ChannelHangupRequest';
  channel: AriChannel;
  cause?: number;
  soft?: boolean;
}
export interface ChannelDtmfReceivedEvent extends AriEventBase {
  type: 'ChannelDtmfReceived';
  channel: AriChannel;
  digit: string;
  duration_ms: number;
}
export interface ChannelEnteredBridgeEvent extends AriEventBase {
  type: 'ChannelEnteredBridge';
  bridge: AriBridge;
  channel: AriChannel;
}
export interface ChannelLeftBridgeEvent extends AriEventBase {
  type: 'ChannelLeftBridge';
  bridge: AriBridge;
  channel: AriChannel;
}
export interface BridgeDestroyedEvent extends AriEventBase {
  type: 'BridgeDestroyed';
  bridge: AriBridge;
}
export interface DialEvent extends AriEventBase {
  type: 'Dial';
  caller?: AriChannel;
  peer: AriChannel;
  dialstring?: string;
  /** "" while ringing, then ANSWER | BUSY | NOANSWER | CANCEL | CONGESTION | CHANUNAVAIL ... */
  dialstatus: string;
}
export interface DeviceStateChangedEvent extends AriEventBase {
  type: 'DeviceStateChanged';
  device_state: AriDeviceState;
}

/** ARI LiveRecording (recordings on a channel in Stasis, e.g. a snoop channel). */
export interface AriLiveRecording {
  name: string;
  format: string;
  /** queued | recording | paused | done | failed | canceled */
  state: string;
  target_uri?: string;
  /** Seconds, once known (RecordingFinished). */
  duration?: number;
  cause?: string;
}

export interface RecordingEvent extends AriEventBase {
  type: 'RecordingStarted' | 'RecordingFinished' | 'RecordingFailed';
  recording: AriLiveRecording;
}

/** POST /channels/{id}/snoop: spy = what is heard from the channel, whisper = what is injected into it. */
export interface SnoopParams {
  spy?: 'none' | 'in' | 'out' | 'both';
  whisper?: 'none' | 'in' | 'out' | 'both';
  /** Defaults to the client's app. */
  app?: string;
  appArgs?: string;
  /** Explicit id of the snoop channel (known before any event arrives). */
  snoopId?: string;
}

/** POST /channels/{id}/record. */
export interface RecordParams {
  /** Path below Asterisk's recording directory, without extension (sub-folders allowed). */
  name: string;
  format: string;
  maxDurationSeconds?: number;
  ifExists?: 'fail' | 'overwrite' | 'append';
  beep?: boolean;
  terminateOn?: 'none' | 'any' | '*' | '#';
}

export type AriEvent =
  | StasisStartEvent
  | RecordingEvent
  | StasisEndEvent
  | ChannelStateChangeEvent
  | ChannelDestroyedEvent
  | ChannelHangupRequestEvent
  | ChannelDtmfReceivedEvent
  | ChannelEnteredBridgeEvent
  | ChannelLeftBridgeEvent
  | BridgeDestroyedEvent
  | DialEvent
  | DeviceStateChangedEvent
  | (AriEventBase & Record<string, unknown>);

export interface OriginateParams {
  /** Dial string, e.g. "PJSIP/1000" or "Local/1000@agents". */
  endpoint: string;
  /** Explicit id so the daemon knows the channel before any event arrives (DESIGN.md). */
  channelId?: string;
  otherChannelId?: string;
  /** Defaults to the client's app. */
  app?: string;
  appArgs?: string;
  callerId?: string;
  /** Seconds; -1 = no timeout. */
  timeout?: number;
  variables?: Record<string, string>;
  originator?: string;
}

export type MuteDirection = 'in' | 'out' | 'both';

/** Snoop audio directions, seen from the snooped channel: in = what it sends, out = what it is sent. */
export type SnoopDirection = 'none' | 'in' | 'out' | 'both';

/**
 * POST /channels/{id}/snoop: a Snoop/... channel that enters `app` with `appArgs`. `spy` = what the
 * snoop channel hears of the snooped channel; `whisper` = where audio written to the snoop channel
 * goes (out = towards the snooped channel's own party, in = as if that party spoke). Validated on
 * Asterisk 22.10.1 (docs/CALL-TOPOLOGY.md "Live monitoring"). The StasisStart of the snoop channel
 * may arrive after the REST reply (~100 ms seen): wait for it before bridging the channel.
 */
export interface SnoopParams {
  /** Defaults to the client's app. */
  app?: string;
  appArgs?: string;
  spy?: SnoopDirection;
  whisper?: SnoopDirection;
  /** Explicit id of the snoop channel (known before any event, like originate's channelId). */
  snoopId?: string;
}

/**
 * Types a module reads only now and then: they join the app's event filter while some module demands
 * them (AriClient.demandEvents) and leave it after. Of a stand-in call's 29 events on the SIP bench, 7
 * were Dial, read only while a supervisor's device rings (live-monitor keeps its Dial status as a
 * failure reason), and 5 were bridge entries, exits and ends, read only while a `*<ext>` room is open.
 */
export const ARI_ON_DEMAND_EVENTS = ['Dial', 'ChannelEnteredBridge', 'ChannelLeftBridge', 'BridgeDestroyed'] as const;
export type AriOnDemandEvent = (typeof ARI_ON_DEMAND_EVENTS)[number];

export interface AriClient {
  readonly app: string;
  readonly connected: boolean;
  /** Event-socket health. Optional only so existing fakes keep compiling; the real client has it. */
  readonly info?: LinkHealthInfo;
  /** Connects the event WebSocket (registering the Stasis app) and keeps it up forever. Idempotent. */
  start(): void;
  stop(): Promise<void>;
  /** Subscribes to one event type, or '*' for all. Returns an unsubscribe function. */
  onEvent(type: string, handler: (event: AriEvent) => void): () => void;
  /** Called after every (re)connect of the event socket: rebuild state from /applications here. */
  onConnected(handler: () => void): () => void;
  onDisconnected(handler: (reason: string) => void): () => void;
  /**
   * Asks Asterisk for event types outside the standing filter (ARI_ON_DEMAND_EVENTS) until release() is
   * called. Optional so fakes that deliver every event need not filter.
   */
  demandEvents?(types: readonly AriOnDemandEvent[]): Promise<() => void>;

  channels: {
    originate(params: OriginateParams): Promise<AriChannel>;
    get(channelId: string): Promise<AriChannel>;
    list(): Promise<AriChannel[]>;
    answer(channelId: string): Promise<void>;
    ring(channelId: string): Promise<void>;
    hangup(channelId: string, reason?: string): Promise<void>;
    continueInDialplan(
      channelId: string,
      target: { context?: string; extension?: string; priority?: number; label?: string },
    ): Promise<void>;
    redirect(channelId: string, endpoint: string): Promise<void>;
    mute(channelId: string, direction?: MuteDirection): Promise<void>;
    unmute(channelId: string, direction?: MuteDirection): Promise<void>;
    sendDtmf(channelId: string, dtmf: string, opts?: { between?: number; duration?: number }): Promise<void>;
    startMoh(channelId: string, mohClass?: string): Promise<void>;
    stopMoh(channelId: string): Promise<void>;
    setVariable(channelId: string, variable: string, value: string): Promise<void>;
    getVariable(channelId: string, variable: string): Promise<string>;
    /** A snoop channel on `channelId`, in Stasis at once (what it hears/injects: SnoopParams). */
    snoop(channelId: string, params: SnoopParams): Promise<AriChannel>;
    record(channelId: string, params: RecordParams): Promise<AriLiveRecording>;
  };
  recordings: {
    getLive(name: string): Promise<AriLiveRecording>;
    stop(name: string): Promise<void>;
    /** Mute = silence written in place of the audio (the file keeps the call's timeline). */
    mute(name: string): Promise<void>;
    unmute(name: string): Promise<void>;
  };
  bridges: {
    create(params: { bridgeId?: string; type?: string; name?: string }): Promise<AriBridge>;
    get(bridgeId: string): Promise<AriBridge>;
    list(): Promise<AriBridge[]>;
    destroy(bridgeId: string): Promise<void>;
    addChannel(bridgeId: string, channelIds: string[], opts?: { role?: string }): Promise<void>;
    removeChannel(bridgeId: string, channelIds: string[]): Promise<void>;
    startMoh(bridgeId: string, mohClass?: string): Promise<void>;
    stopMoh(bridgeId: string): Promise<void>;
  };
  applications: {
    get(name?: string): Promise<AriApplication>;
  };
  deviceStates: {
    update(deviceName: string, state: string): Promise<void>;
    get(deviceName: string): Promise<AriDeviceState>;
  };
  endpoints: {
    get(tech: string, resource: string): Promise<AriEndpoint>;
    list(): Promise<AriEndpoint[]>;
  };
  asterisk: {
    info(): Promise<Record<string, unknown>>;
  };
}

/** REST error: `status` is the HTTP status (404 = channel/bridge gone, 409 = wrong state, ...). */
export class AriHttpError extends Error {
  constructor(
    public readonly method: string,
    public readonly path: string,
    public readonly status: number,
    public readonly body: string,
  ) {
    super(`ARI ${method} ${path} -> ${status}${body ? `: ${body.slice(0, 200)}` : ''}`);
    this.name = 'AriHttpError';
  }
}

export class AriNotConnectedError extends Error {
  constructor(what: string) {
    super(`ARI not reachable (${what})`);
    this.name = 'AriNotConnectedError';
  }
}
