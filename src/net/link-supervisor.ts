/**
 * Supervision shared by the AMI (TCP) and ARI (WebSocket) clients: one transport session at a time,
 * kept up forever (connect → connected → on any loss, backoff with jitter → connect again), the
 * phase state machine, link health bookkeeping, the onConnected/onDisconnected/event handler sets
 * with guarded invocation, and session-scoped timers (handshake, half-open detection).
 *
 * The transport stays in the client: it opens a session (`connect`), tears it down (`teardown`) and
 * tells the supervisor what happened (`markConnected`, `end`, `closed`). Every callback checks that
 * its session is still the current one, so a late event from a dead session can never disturb its
 * successor.
 */
import type { Logger } from '../log/logger';
import type { Clock, TimerHandle } from '../util/clock';
import { Backoff, type BackoffOptions } from '../ami/backoff';
import type { AmiConnectionState, LinkHealthInfo } from '../ami/types';

/** Phases every link has; a client may add its own (AMI adds 'authenticating'). */
export type LinkPhase = 'idle' | 'connecting' | 'connected' | 'backoff' | 'stopping' | 'stopped';

/** What the supervisor keeps in each transport session. */
export interface LinkSession {
  closed: boolean;
  /** Why the session is ending, when we decided it (first reason wins over the transport's own). */
  endReason?: string;
  /** Credentials refused or bad config: fast retries will not fix it, so retry at the slowest pace. */
  retrySlowly: boolean;
  /** Timers of this session only; all cleared when it ends. */
  timers: Set<TimerHandle>;
}

export interface LinkSupervisorOptions<P extends string, S extends LinkSession> {
  /** 'AMI' or 'ARI': prefixes log lines and errors. */
  name: string;
  transitions: Record<P, readonly P[]> & Record<LinkPhase, readonly P[]>;
  publicState: Record<P, AmiConnectionState>;
  clock: Clock;
  log: Logger;
  reconnect?: BackoffOptions;
  random?: () => number;
  /** Opens a new transport session (the supervisor has already moved to 'connecting'). */
  connect: () => S;
  /** Releases the transport of an ending session (destroy the socket, reject pending requests). */
  teardown: (s: S) => void;
  /** Reason given when the transport closed without one. */
  closedReason: string;
  /** Warning logged when a session is lost, and fields added to it (e.g. host and port). */
  lostMessage: string;
  lostFields?: Record<string, unknown>;
}

export class LinkSupervisor<P extends string, S extends LinkSession, E> {
  private phaseNow = 'idle' as P;
  private session?: S;
  private reconnectTimer?: TimerHandle;
  private sessions = 0;
  private stopWaiters: Array<() => void> = [];
  private readonly backoff: Backoff;
  private readonly health: LinkHealthInfo = { state: 'disconnected', reconnects: 0, eventsReceived: 0 };
  private readonly eventHandlers = new Map<string, Set<(e: E) => void>>();
  private readonly connectedHandlers = new Set<() => void>();
  private readonly disconnectedHandlers = new Set<(reason: string) => void>();

  constructor(private readonly opts: LinkSupervisorOptions<P, S>) {
    this.backoff = new Backoff(opts.reconnect, opts.random);
  }

  get phase(): P {
    return this.phaseNow;
  }

  get state(): AmiConnectionState {
    return this.opts.publicState[this.phaseNow];
  }

  get info(): LinkHealthInfo {
    return { ...this.health, state: this.state };
  }

  /** The live session, if any. */
  get current(): S | undefined {
    return this.session;
  }

  isCurrent(s: S): boolean {
    return this.session === s && !s.closed;
  }

  moveTo(next: P): void {
    if (!this.opts.transitions[this.phaseNow].includes(next)) {
      throw new Error(`${this.opts.name} client: illegal transition ${this.phaseNow} -> ${next}`);
    }
    this.phaseNow = next;
  }

  start(): void {
    if (this.phaseNow !== 'idle' && this.phaseNow !== 'stopped') return;
    this.open();
  }

  /**
   * No more reconnects. Resolves once stopped; `close` is asked (once) to end the live session,
   * which must eventually reach `end`/`closed`.
   */
  stop(close: (s: S, wasConnected: boolean) => void): Promise<void> {
    if (this.reconnectTimer) this.opts.clock.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const s = this.session;
    if (!s || s.closed) {
      if (this.phaseNow !== 'stopped') this.moveTo('stopped' as P);
      return Promise.resolve();
    }
    const done = new Promise<void>((resolve) => this.stopWaiters.push(resolve));
    if (this.phaseNow === 'stopping') return done;
    const wasConnected = this.phaseNow === 'connected';
    this.moveTo('stopping' as P);
    close(s, wasConnected);
    return done;
  }

  /** The session is up (logged in / event socket open): reset the backoff, tell the subscribers. */
  markConnected(logFields: Record<string, unknown>, beforeHandlers?: () => void): void {
    this.moveTo('connected' as P);
    this.backoff.reset();
    this.sessions++;
    if (this.sessions > 1) this.health.reconnects++;
    this.health.connectedSince = this.opts.clock.now();
    this.health.lastError = undefined;
    this.opts.log.info(`${this.opts.name} connected`, logFields);
    beforeHandlers?.();
    for (const h of [...this.connectedHandlers]) this.safely('onConnected', () => h());
  }

  /** A timer that runs only while `s` is the live session and is cleared when it ends. */
  after(s: S, ms: number, fn: () => void): TimerHandle | undefined {
    if (s.closed) return undefined;
    const handle = this.opts.clock.setTimeout(() => {
      s.timers.delete(handle);
      if (this.isCurrent(s)) fn();
    }, ms);
    s.timers.add(handle);
    return handle;
  }

  cancel(s: S, handle: TimerHandle | undefined): void {
    if (!handle) return;
    this.opts.clock.clearTimeout(handle);
    s.timers.delete(handle);
  }

  /**
   * Half-open detection: `beat` runs every `intervalMs` while `s` lives; it calls `again` to
   * schedule the next beat (right away, or once its probe was answered) or ends the session.
   */
  heartbeat(s: S, intervalMs: number, beat: (again: () => void) => void): void {
    const again = (): void => {
      this.after(s, intervalMs, () => beat(again));
    };
    again();
  }

  /** Ends the session now (idempotent); the transport's own close event finds it already closed. */
  end(s: S, reason: string): void {
    if (s.closed) return;
    s.endReason ??= reason;
    this.closed(s);
  }

  /** The transport of `s` is gone: clean up, then stop or schedule the next attempt. */
  closed(s: S): void {
    if (s.closed) return;
    s.closed = true;
    for (const t of s.timers) this.opts.clock.clearTimeout(t);
    s.timers.clear();
    this.opts.teardown(s);
    if (this.session !== s) return;
    this.session = undefined;
    const reason = s.endReason ?? this.opts.closedReason;
    const wasConnected = this.health.connectedSince !== undefined;
    this.health.connectedSince = undefined;
    if (this.phaseNow === 'stopping') {
      this.moveTo('stopped' as P);
      this.opts.log.info(`${this.opts.name} stopped`);
    } else {
      this.health.lastError = reason;
      this.moveTo('backoff' as P);
      const delay = s.retrySlowly ? this.backoff.slow() : this.backoff.next();
      if (s.retrySlowly) this.opts.log.error(reason, { retryInMs: delay });
      else this.opts.log.warn(this.opts.lostMessage, { reason, ...this.opts.lostFields, retryInMs: delay });
      this.reconnectTimer = this.opts.clock.setTimeout(() => this.open(), delay);
    }
    if (wasConnected) for (const h of [...this.disconnectedHandlers]) this.safely('onDisconnected', () => h(reason));
    if (this.phaseNow === 'stopped') {
      const waiters = this.stopWaiters;
      this.stopWaiters = [];
      for (const w of waiters) w();
    }
  }

  // ---- subscribers ----------------------------------------------------------------------------

  onEvent(key: string, handler: (event: E) => void): () => void {
    let set = this.eventHandlers.get(key);
    if (!set) this.eventHandlers.set(key, (set = new Set()));
    set.add(handler);
    return () => {
      set.delete(handler);
      if (set.size === 0 && this.eventHandlers.get(key) === set) this.eventHandlers.delete(key);
    };
  }

  hasEventHandlers(key: string): boolean {
    return this.eventHandlers.has(key);
  }

  onConnected(handler: () => void): () => void {
    this.connectedHandlers.add(handler);
    return () => this.connectedHandlers.delete(handler);
  }

  onDisconnected(handler: (reason: string) => void): () => void {
    this.disconnectedHandlers.add(handler);
    return () => this.disconnectedHandlers.delete(handler);
  }

  /** Counts a received event (including those no one subscribed to). */
  countEvent(): void {
    this.health.eventsReceived++;
  }

  /** Hands an event to the subscribers of `key`, then to those of '*'. */
  dispatch(key: string, event: E): void {
    this.deliver(this.eventHandlers.get(key), key, event);
    this.deliver(this.eventHandlers.get('*'), key, event);
  }

  private deliver(set: Set<(e: E) => void> | undefined, key: string, event: E): void {
    if (set) for (const h of set) this.safely(`event ${key}`, () => h(event));
  }

  /** A subscriber's bug must never break the socket loop or other subscribers. */
  private safely(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.opts.log.error(`${this.opts.name} handler threw`, { what, error: (err as Error)?.stack ?? String(err) });
    }
  }

  private open(): void {
    this.reconnectTimer = undefined;
    this.moveTo('connecting' as P);
    this.session = this.opts.connect();
  }
}
