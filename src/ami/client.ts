/**
 * AMI client over node:net. One TCP connection at a time, supervised forever:
 * connect → banner → Login → booting → connected (keepalive Ping) → on any loss, backoff → connect again.
 *
 * "connected" means "Asterisk is fully booted", not "Login accepted": Asterisk 22 accepts AMI logins
 * before its modules are loaded (app_queue answers `Invalid/unknown command: QueueStatus` until
 * then), so a re-sync run at login time during a boot fails. After Login, Asterisk sends
 * `Event: FullyBooted` to the session at once when already booted, or to everybody when the boot
 * completes; only then do we report 'connected' and call the onConnected handlers. An AMI user
 * without `read=system` never gets that event: after `bootGraceMs` we warn and assume booted.
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
import type { BackoffOptions } from './backoff';
import { LinkSupervisor, type LinkSession } from '../net/link-supervisor';
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
  /**
   * How long to wait for `Event: FullyBooted` after Login before assuming Asterisk is booted
   * (default 10 s; the event needs read=system on the AMI user and events on).
   */
  bootGraceMs?: number;
}

/** Internal phases; the public `state` folds them into disconnected/connecting/connected. */
export const AMI_PHASES = ['idle', 'connecting', 'authenticating', 'booting', 'connected', 'backoff', 'stopping', 'stopped'] as const;
export type AmiPhase = (typeof AMI_PHASES)[number];

const TRANSITIONS: Record<AmiPhase, readonly AmiPhase[]> = {
  idle: ['connecting', 'stopped'],
  connecting: ['authenticating', 'backoff', 'stopping', 'stopped'],
  authenticating: ['booting', 'backoff', 'stopping', 'stopped'],
  // Logged in, waiting for FullyBooted (or the grace to pass).
  booting: ['connected', 'backoff', 'stopping', 'stopped'],
  connected: ['backoff', 'stopping', 'stopped'],
  backoff: ['connecting', 'stopped'],
  stopping: ['stopped'],
  stopped: ['connecting'],
};

const PUBLIC_STATE: Record<AmiPhase, AmiConnectionState> = {
  idle: 'disconnected',
  connecting: 'connecting',
  authenticating: 'connecting',
  booting: 'connecting',
  connected: 'connected',
  backoff: 'disconnected',
  stopping: 'disconnected',
  stopped: 'disconnected',
};

interface Session extends LinkSession {
  seq: number;
  socket: net.Socket;
  parser: AmiParser;
  pending: PendingActions;
  nextAction: number;
  handshakeTimer?: TimerHandle;
  /** Login accepted (so a Logoff is due on stop). */
  loggedIn: boolean;
  /** FullyBooted seen on this session (it may arrive in the same chunk as the Login response). */
  booted: boolean;
  bootTimer?: TimerHandle;
}

export function createAmiClient(opts: AmiClientOptions): AmiClient & { readonly info: LinkHealthInfo; readonly phase: AmiPhase } {
  return new TcpAmiClient(opts);
}

export class TcpAmiClient implements AmiClient {
  private sessionSeq = 0;
  private readonly link: LinkSupervisor<AmiPhase, Session, AmiEvent>;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly actionTimeoutMs: number;
  private readonly keepaliveMs: number;
  private readonly bootGraceMs: number;
  /** The no-FullyBooted warning is logged once per client (every reconnect would repeat it). */
  private warnedNoBoot = false;
  /** Per-client prefix so ActionIDs from two daemons on one Asterisk never collide. */
  private readonly idPrefix = Math.random().toString(36).slice(2, 8);

  constructor(private readonly opts: AmiClientOptions) {
    if (!opts.host) throw invalid('AMI host is required', { field: 'asterisk.ami.host' });
    if (!Number.isInteger(opts.port) || opts.port < 1 || opts.port > 65535) {
      throw invalid(`AMI port must be 1-65535 (got ${opts.port})`, { field: 'asterisk.ami.port' });
    }
    if (!opts.username) throw invalid('AMI username is required', { field: 'asterisk.ami.username' });
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log;
    this.actionTimeoutMs = opts.actionTimeoutMs ?? 10000;
    // 5 s: a half-open link (no close, no bytes) is found within 10 s (fault bench: with 20 s + the
    // 10 s action timeout, calls flowed again only 16 s after a 10 s outage ended).
    this.keepaliveMs = opts.keepaliveMs ?? 5000;
    this.bootGraceMs = opts.bootGraceMs ?? 10000;
    if (!(this.bootGraceMs > 0)) {
      throw invalid(`AMI boot grace must be > 0 ms (got ${this.bootGraceMs})`, { field: 'asterisk.ami.boot_grace_ms' });
    }
    this.link = new LinkSupervisor({
      name: 'AMI',
      transitions: TRANSITIONS,
      publicState: PUBLIC_STATE,
      clock: this.clock,
      log: this.log,
      reconnect: opts.reconnect,
      random: opts.random,
      connect: () => this.connect(),
      teardown: (s) => {
        s.socket.destroy();
        s.pending.rejectAll((action) => new AmiNotConnectedError(action));
      },
      closedReason: 'connection closed by Asterisk',
      lostMessage: 'AMI connection lost',
      lostFields: { host: opts.host, port: opts.port },
    });
  }

  get state(): AmiConnectionState {
    return this.link.state;
  }

  get phase(): AmiPhase {
    return this.link.phase;
  }

  get info(): LinkHealthInfo {
    return this.link.info;
  }

  start(): void {
    this.link.start();
  }

  stop(): Promise<void> {
    return this.link.stop(async (s) => {
      if (s.loggedIn) {
        // Polite Logoff so Asterisk logs a clean session end; never wait long for it.
        await this.send(s, 'Logoff', {}, Math.min(this.actionTimeoutMs, 2000), false).catch(() => undefined);
      }
      this.link.end(s, 'stopped');
    });
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
    return this.link.onEvent(name, handler);
  }

  onConnected(handler: () => void): () => void {
    return this.link.onConnected(handler);
  }

  onDisconnected(handler: (reason: string) => void): () => void {
    return this.link.onDisconnected(handler);
  }

  // ---- session: TCP connect, banner, Login, keepalive -----------------------------------------

  private connect(): Session {
    const { host, port } = this.opts;
    const socket = net.createConnection({ host, port });
    socket.setNoDelay(true);
    const s: Session = {
      seq: ++this.sessionSeq,
      socket,
      pending: new PendingActions(this.clock),
      nextAction: 0,
      loggedIn: false,
      booted: false,
      retrySlowly: false,
      closed: false,
      timers: new Set(),
      parser: undefined as unknown as AmiParser,
    };
    // Covers TCP connect + banner; the Login action has its own timeout.
    s.handshakeTimer = this.link.after(
      s,
      this.actionTimeoutMs,
      () => this.link.end(s, `no AMI banner from ${host}:${port} within ${this.actionTimeoutMs} ms`),
    );
    s.parser = new AmiParser({
      onBanner: (banner) => this.onBanner(s, banner),
      onMessage: (msg) => this.onMessage(s, msg),
      wanted: (name) =>
        name === 'FullyBooted' ||
        s.pending.listsCollecting > 0 || this.link.hasEventHandlers(name) || this.link.hasEventHandlers('*'),
      onSkipped: () => this.link.countEvent(),
    });
    socket.on('data', (chunk: Buffer) => {
      if (s.closed) return;
      try {
        s.parser.push(chunk);
      } catch (err) {
        this.link.end(s, `AMI protocol error: ${(err as Error).message}`);
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      s.endReason ??= `${err.code ?? 'socket error'}: ${err.message}`;
    });
    socket.on('close', () => this.link.closed(s));
    this.log.debug('AMI connecting', { host, port });
    return s;
  }

  private onBanner(s: Session, banner: string): void {
    if (!this.link.isCurrent(s) || this.link.phase !== 'connecting') return;
    this.link.cancel(s, s.handshakeTimer);
    if (!banner.startsWith('Asterisk Call Manager/')) {
      this.link.end(s, `not an AMI server (banner: ${JSON.stringify(banner.slice(0, 60))})`);
      return;
    }
    this.link.moveTo('authenticating');
    const fields: AmiFields = { Username: this.opts.username, Secret: this.opts.secret, Events: this.opts.events ?? 'on' };
    this.send(s, 'Login', fields, this.actionTimeoutMs, false).then(
      () => this.onLoggedIn(s),
      (err: Error) => {
        if (!this.link.isCurrent(s)) return;
        if (err instanceof AmiActionError) {
          s.retrySlowly = true;
          this.link.end(s, `AMI login refused for user ${this.opts.username}: check asterisk.ami.username/secret`);
        } else if (err instanceof CcError) {
          s.retrySlowly = true; // bad config, retrying fast will not fix it
          this.link.end(s, `AMI login not sent: ${err.message}`);
        } else {
          this.link.end(s, `AMI login got no answer: ${err.message}`);
        }
      },
    );
  }

  private onLoggedIn(s: Session): void {
    if (!this.link.isCurrent(s) || this.link.phase !== 'authenticating') return;
    s.loggedIn = true;
    this.link.moveTo('booting');
    // A boot can take long: watch for a half-open link meanwhile (Ping works during boot).
    this.keepalive(s);
    if (s.booted) return this.onBooted(s);
    this.log.info('AMI logged in, waiting for Asterisk to be fully booted', { host: this.opts.host, port: this.opts.port });
    s.bootTimer = this.link.after(s, this.bootGraceMs, () => {
      if (this.link.phase !== 'booting') return;
      const msg = `no FullyBooted from Asterisk within ${this.bootGraceMs / 1000} s (does the AMI user have read=system?); assuming booted`;
      if (this.warnedNoBoot) this.log.debug(msg);
      else this.log.warn(msg, { username: this.opts.username });
      this.warnedNoBoot = true;
      this.onBooted(s);
    });
  }

  /** Asterisk is fully booted (or assumed so): the session is usable, subscribers may re-sync. */
  private onBooted(s: Session): void {
    if (!this.link.isCurrent(s) || this.link.phase !== 'booting') return;
    this.link.cancel(s, s.bootTimer);
    const { host, port, username } = this.opts;
    this.link.markConnected({ host, port, username });
  }

  /** Half-open detection: a Ping per interval; only silence (a timeout) means the link is dead. */
  private keepalive(s: Session): void {
    this.link.heartbeat(s, this.keepaliveMs, (again) => {
      if (this.link.phase !== 'connected' && this.link.phase !== 'booting') return;
      const limit = Math.min(this.actionTimeoutMs, Math.max(this.keepaliveMs, 1000));
      this.send(s, 'Ping', {}, limit, false).then(again, (err: Error) => {
        // An answer (even an error) proves the link is alive.
        if (err instanceof AmiTimeoutError) this.link.end(s, `keepalive: no answer to Ping within ${limit} ms`);
        else if (!(err instanceof AmiNotConnectedError)) again();
      });
    });
  }

  // ---- actions and messages -------------------------------------------------------------------

  private userSend(action: string, fields: AmiFields, opts: AmiActionOptions, list: boolean): Promise<ActionResult> {
    const s = this.link.current;
    if (!s || s.closed || this.link.phase !== 'connected') return Promise.reject(new AmiNotConnectedError(action));
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
    if (!this.link.isCurrent(s)) return;
    // Check Event first: OriginateResponse is an event that also carries a `Response` field.
    if (msg.Event === undefined) {
      if (msg.Response === undefined) return;
      if (msg.ActionID === undefined || !s.pending.onResponse(msg as AmiResponse)) {
        this.log.debug('AMI response for no pending action', { actionId: msg.ActionID, response: msg.Response });
      }
      return;
    }
    this.link.countEvent();
    const event = msg as AmiEvent;
    if (event.Event === 'FullyBooted') {
      // Also sent again to every session on a later boot/reload: only the first one matters here.
      s.booted = true;
      if (this.link.phase === 'booting') this.onBooted(s);
    }
    s.pending.onEvent(event);
    this.link.dispatch(event.Event, event);
  }
}
