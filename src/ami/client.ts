/**
 * AMI client over node:net. One TCP connection at a time, supervised forever:
 * connect → banner → Login → connected (keepalive Ping) → on any loss, backoff → connect again.
 * We speak the protocol ourselves instead of the npm asterisk-manager package (no types, no action
 * timeouts, its keepConnected is broken).
 *
 * Every connection is a `Session`: callbacks check that their session is still the current one,
 * so a late event from a dead socket can never disturb its successor.
 */
import net from 'node:net';
import type { Logger } from '../log/logger';
import { systemClock, type Clock, type TimerHandle } from '../util/clock';
import { CcError, invalid } from '../util/errors';
import { Backoff, type BackoffOptions } from './backoff';
import { buildAction } from './action-frame';
import { AmiParser } from './parser';
import { PendingActions, type ActionResult } from './pending';
import {
  AmiActionError,
  AmiNotConnectedError,
  AmiTimeoutError,
  type AmiActionOptions,
  type AmiClient,
  type AmiConnectionState,
  type AmiEvent,
  type AmiFields,
  type AmiMessage,
  type AmiResponse,
  type LinkHealthInfo,
} from './types';

export interface AmiClientOptions {
  host: string;
  port: number;
  username: string;
  secret: string;
  log: Logger;
  actionTimeoutMs?: number;
  keepaliveMs?: number;
  reconnect?: BackoffOptions;
  /** `Events:` header of the Login: 'on' (default), 'off' or a class list such as "call,agent". */
  events?: 'on' | string;
  clock?: Clock;
  /** For deterministic jitter in tests. */
  random?: () => number;
}

/** Internal phases; the public `state` folds them into disconnected/connecting/connected. */
export const AMI_PHASES = ['idle', 'connecting', 'authenticating', 'connected', 'backoff', 'stopping', 'stopped'] as const;
export type AmiPhase = (typeof AMI_PHASES)[number];

const TRANSITIONS: Record<AmiPhase, readonly AmiPhase[]> = {
  idle: ['connecting', 'stopped'],
  connecting: ['authenticating', 'backoff', 'stopping', 'stopped'],
  authenticating: ['connected', 'backoff', 'stopping', 'stopped'],
  connected: ['backoff', 'stopping', 'stopped'],
  backoff: ['connecting', 'stopped'],
  stopping: ['stopped'],
  stopped: ['connecting'],
};

const PUBLIC_STATE: Record<AmiPhase, AmiConnectionState> = {
  idle: 'disconnected',
  connecting: 'connecting',
  authenticating: 'connecting',
  connected: 'connected',
  backoff: 'disconnected',
  stopping: 'disconnected',
  stopped: 'disconnected',
};

interface Session {
  seq: number;
  socket: net.Socket;
  parser: AmiParser;
  pending: PendingActions;
  nextAction: number;
  /** Why the session is ending, when we decided it (else the socket error, else "closed by peer"). */
  endReason?: string;
  loginRefused: boolean;
  handshakeTimer?: TimerHandle;
  keepaliveTimer?: TimerHandle;
  closed: boolean;
}

export function createAmiClient(opts: AmiClientOptions): AmiClient & { readonly info: LinkHealthInfo; readonly phase: AmiPhase } {
  return new TcpAmiClient(opts);
}

export class TcpAmiClient implements AmiClient {
  private phaseNow: AmiPhase = 'idle';
  private session?: Session;
  private sessionSeq = 0;
  private reconnectTimer?: TimerHandle;
  private readonly backoff: Backoff;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly actionTimeoutMs: number;
  private readonly keepaliveMs: number;
  /** Per-client prefix so ActionIDs from two daemons on one Asterisk never collide. */
  private readonly idPrefix = Math.random().toString(36).slice(2, 8);
  private readonly eventHandlers = new Map<string, Set<(e: AmiEvent) => void>>();
  private readonly connectedHandlers = new Set<() => void>();
  private readonly disconnectedHandlers = new Set<(reason: string) => void>();
  private stopWaiters: Array<() => void> = [];
  private logins = 0;
  private health: LinkHealthInfo = { state: 'disconnected', reconnects: 0, eventsReceived: 0 };

  constructor(private readonly opts: AmiClientOptions) {
    if (!opts.host) throw invalid('AMI host is required', { field: 'asterisk.ami.host' });
    if (!Number.isInteger(opts.port) || opts.port < 1 || opts.port > 65535) {
      throw invalid(`AMI port must be 1-65535 (got ${opts.port})`, { field: 'asterisk.ami.port' });
    }
    if (!opts.username) throw invalid('AMI username is required', { field: 'asterisk.ami.username' });
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log;
    this.actionTimeoutMs = opts.actionTimeoutMs ?? 10000;
    this.keepaliveMs = opts.keepaliveMs ?? 20000;
    this.backoff = new Backoff(opts.reconnect, opts.random);
  }

  get state(): AmiConnectionState {
    return PUBLIC_STATE[this.phaseNow];
  }

  get phase(): AmiPhase {
    return this.phaseNow;
  }

  get info(): LinkHealthInfo {
    return { ...this.health, state: this.state };
  }

  start(): void {
    if (this.phaseNow !== 'idle' && this.phaseNow !== 'stopped') return;
    this.connect();
  }

  async stop(): Promise<void> {
    if (this.reconnectTimer) this.clock.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const s = this.session;
    if (!s || s.closed) {
      if (this.phaseNow !== 'stopped') this.moveTo('stopped');
      return;
    }
    const done = new Promise<void>((resolve) => this.stopWaiters.push(resolve));
    if (this.phaseNow === 'stopping') return done;
    const wasConnected = this.phaseNow === 'connected';
    this.moveTo('stopping');
    if (wasConnected) {
      // Polite Logoff so Asterisk logs a clean session end; never wait long for it.
      await this.send(s, 'Logoff', {}, Math.min(this.actionTimeoutMs, 2000), false).catch(() => undefined);
    }
    this.endSession(s, 'stopped');
    return done;
  }

  action(action: string, fields: AmiFields = {}, opts: AmiActionOptions = {}): Promise<AmiResponse> {
    return this.userSend(action, fields, opts, false).then((r) => r.response);
  }

  actionList(
    action: string,
    fields: AmiFields = {},
    opts: AmiActionOptions = {},
  ): Promise<{ response: AmiResponse; events: AmiEvent[]; complete?: AmiEvent }> {
    return this.userSend(action, fields, opts, true);
  }

  onEvent(name: string, handler: (event: AmiEvent) => void): () => void {
    let set = this.eventHandlers.get(name);
    if (!set) this.eventHandlers.set(name, (set = new Set()));
    set.add(handler);
    return () => {
      set.delete(handler);
      if (set.size === 0 && this.eventHandlers.get(name) === set) this.eventHandlers.delete(name);
    };
  }

  onConnected(handler: () => void): () => void {
    this.connectedHandlers.add(handler);
    return () => this.connectedHandlers.delete(handler);
  }

  onDisconnected(handler: (reason: string) => void): () => void {
    this.disconnectedHandlers.add(handler);
    return () => this.disconnectedHandlers.delete(handler);
  }

  // ---- connection supervisor ------------------------------------------------------------------

  private moveTo(next: AmiPhase): void {
    if (!TRANSITIONS[this.phaseNow].includes(next)) {
      throw new Error(`AMI client: illegal transition ${this.phaseNow} -> ${next}`);
    }
    this.phaseNow = next;
  }

  private connect(): void {
    this.reconnectTimer = undefined;
    this.moveTo('connecting');
    const { host, port } = this.opts;
    const socket = net.createConnection({ host, port });
    socket.setNoDelay(true);
    const s: Session = {
      seq: ++this.sessionSeq,
      socket,
      pending: new PendingActions(this.clock),
      nextAction: 0,
      loginRefused: false,
      closed: false,
      parser: undefined as unknown as AmiParser,
    };
    s.parser = new AmiParser({
      onBanner: (banner) => this.onBanner(s, banner),
      onMessage: (msg) => this.onMessage(s, msg),
      wanted: (name) => s.pending.listsCollecting > 0 || this.eventHandlers.has(name) || this.eventHandlers.has('*'),
      onSkipped: () => this.health.eventsReceived++,
    });
    this.session = s;
    // Covers TCP connect + banner; the Login action has its own timeout.
    s.handshakeTimer = this.clock.setTimeout(
      () => this.endSession(s, `no AMI banner from ${host}:${port} within ${this.actionTimeoutMs} ms`),
      this.actionTimeoutMs,
    );
    socket.on('data', (chunk: Buffer) => {
      if (s.closed) return;
      try {
        s.parser.push(chunk);
      } catch (err) {
        this.endSession(s, `AMI protocol error: ${(err as Error).message}`);
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      s.endReason ??= `${err.code ?? 'socket error'}: ${err.message}`;
    });
    socket.on('close', () => this.onClosed(s));
    this.log.debug('AMI connecting', { host, port });
  }

  private onBanner(s: Session, banner: string): void {
    if (this.session !== s || this.phaseNow !== 'connecting') return;
    if (s.handshakeTimer) this.clock.clearTimeout(s.handshakeTimer);
    if (!banner.startsWith('Asterisk Call Manager/')) {
      this.endSession(s, `not an AMI server (banner: ${JSON.stringify(banner.slice(0, 60))})`);
      return;
    }
    this.moveTo('authenticating');
    const fields: AmiFields = { Username: this.opts.username, Secret: this.opts.secret, Events: this.opts.events ?? 'on' };
    this.send(s, 'Login', fields, this.actionTimeoutMs, false).then(
      () => this.onLoggedIn(s),
      (err: Error) => {
        if (this.session !== s || s.closed) return;
        if (err instanceof AmiActionError) {
          s.loginRefused = true;
          this.endSession(s, `AMI login refused for user ${this.opts.username}: check asterisk.ami.username/secret`);
        } else if (err instanceof CcError) {
          s.loginRefused = true; // bad config, retrying fast will not fix it
          this.endSession(s, `AMI login not sent: ${err.message}`);
        } else {
          this.endSession(s, `AMI login got no answer: ${err.message}`);
        }
      },
    );
  }

  private onLoggedIn(s: Session): void {
    if (this.session !== s || s.closed || this.phaseNow !== 'authenticating') return;
    this.moveTo('connected');
    this.backoff.reset();
    this.logins++;
    if (this.logins > 1) this.health.reconnects++;
    this.health.connectedSince = this.clock.now();
    this.health.lastError = undefined;
    this.log.info('AMI connected', { host: this.opts.host, port: this.opts.port, username: this.opts.username });
    this.scheduleKeepalive(s);
    for (const h of [...this.connectedHandlers]) this.safely('onConnected', () => h());
  }

  private scheduleKeepalive(s: Session): void {
    s.keepaliveTimer = this.clock.setTimeout(() => {
      if (this.session !== s || s.closed || this.phaseNow !== 'connected') return;
      this.send(s, 'Ping', {}, this.actionTimeoutMs, false).then(
        () => this.scheduleKeepalive(s),
        (err: Error) => {
          // An answer (even an error) proves the link is alive; only silence means half-open.
          if (err instanceof AmiTimeoutError) this.endSession(s, `keepalive: no answer to Ping within ${this.actionTimeoutMs} ms`);
          else if (!(err instanceof AmiNotConnectedError)) this.scheduleKeepalive(s);
        },
      );
    }, this.keepaliveMs);
  }

  /** Ends the session now (idempotent); the socket's close event finishes the cleanup. */
  private endSession(s: Session, reason: string): void {
    if (s.closed) return;
    s.endReason ??= reason;
    s.socket.destroy();
    this.onClosed(s);
  }

  private onClosed(s: Session): void {
    if (s.closed) return;
    s.closed = true;
    if (s.handshakeTimer) this.clock.clearTimeout(s.handshakeTimer);
    if (s.keepaliveTimer) this.clock.clearTimeout(s.keepaliveTimer);
    s.socket.destroy();
    s.pending.rejectAll((action) => new AmiNotConnectedError(action));
    if (this.session !== s) return;
    this.session = undefined;
    const reason = s.endReason ?? 'connection closed by Asterisk';
    const wasConnected = this.phaseNow === 'connected' || (this.phaseNow === 'stopping' && this.health.connectedSince !== undefined);
    this.health.connectedSince = undefined;
    if (this.phaseNow === 'stopping' || reason === 'stopped') {
      this.moveTo('stopped');
      this.log.info('AMI stopped');
    } else {
      this.health.lastError = reason;
      this.moveTo('backoff');
      const delay = s.loginRefused ? this.backoff.slow() : this.backoff.next();
      if (s.loginRefused) this.log.error(reason, { retryInMs: delay });
      else this.log.warn('AMI connection lost', { reason, host: this.opts.host, port: this.opts.port, retryInMs: delay });
      this.reconnectTimer = this.clock.setTimeout(() => this.connect(), delay);
    }
    if (wasConnected) for (const h of [...this.disconnectedHandlers]) this.safely('onDisconnected', () => h(reason));
    if (this.phaseNow === 'stopped') {
      const waiters = this.stopWaiters;
      this.stopWaiters = [];
      for (const w of waiters) w();
    }
  }

  // ---- actions and messages -------------------------------------------------------------------

  private userSend(action: string, fields: AmiFields, opts: AmiActionOptions, list: boolean): Promise<ActionResult> {
    const s = this.session;
    if (!s || s.closed || this.phaseNow !== 'connected') return Promise.reject(new AmiNotConnectedError(action));
    const timeout = opts.timeoutMs ?? this.actionTimeoutMs;
    if (!(timeout > 0)) return Promise.reject(invalid(`AMI ${action}: timeoutMs must be > 0`, { field: 'timeoutMs' }));
    return this.send(s, action, fields, timeout, list);
  }

  private send(s: Session, action: string, fields: AmiFields, timeoutMs: number, list: boolean): Promise<ActionResult> {
    let frame: string;
    const id = `${this.idPrefix}-${s.seq}-${++s.nextAction}`;
    try {
      frame = buildAction(action, id, fields);
    } catch (err) {
      return Promise.reject(err);
    }
    const result = s.pending.add(id, action, list, timeoutMs);
    s.socket.write(frame);
    // Never log fields: Login carries the secret.
    this.log.debug('AMI action', { action, actionId: id });
    return result;
  }

  private onMessage(s: Session, msg: AmiMessage): void {
    if (this.session !== s || s.closed) return;
    // Check Event first: OriginateResponse is an event that also carries a `Response` field.
    if (msg.Event === undefined) {
      if (msg.Response === undefined) return;
      if (msg.ActionID === undefined || !s.pending.onResponse(msg as AmiResponse)) {
        this.log.debug('AMI response for no pending action', { actionId: msg.ActionID, response: msg.Response });
      }
      return;
    }
    this.health.eventsReceived++;
    const event = msg as AmiEvent;
    s.pending.onEvent(event);
    this.dispatch(this.eventHandlers.get(event.Event), event);
    this.dispatch(this.eventHandlers.get('*'), event);
  }

  private dispatch(set: Set<(e: AmiEvent) => void> | undefined, event: AmiEvent): void {
    if (!set) return;
    for (const h of set) this.safely(`event ${event.Event}`, () => h(event));
  }

  /** A subscriber's bug must never break the socket loop or other subscribers. */
  private safely(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error('AMI handler threw', { what, error: (err as Error)?.stack ?? String(err) });
    }
  }
}
