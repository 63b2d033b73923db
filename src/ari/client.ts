/**
 * Thin ARI client: REST through fetch (rest.ts/resources.ts) and the Stasis event WebSocket kept up
 * forever by a supervisor: connect → open (app registered) → ping/pong watch → on loss, backoff →
 * connect again. A 401 on the upgrade is logged as a credentials problem and retried slowly; it never
 * throws out of the loop (the npm ari-client crashes the process there and gives up after ~44 s).
 *
 * Credentials travel only in the Authorization header, never in the URL, so logged URLs are safe.
 */
import WebSocket from 'ws';
import type { IncomingMessage, ClientRequest } from 'node:http';
import type { Logger } from '../log/logger';
import { systemClock, type Clock, type TimerHandle } from '../util/clock';
import { invalid } from '../util/errors';
import { Backoff, type BackoffOptions } from '../ami/backoff';
import type { AmiConnectionState } from '../ami/types';
import { AriRest, resolveAriUrls, type AriEndpointInfo } from './rest';
import { createResources } from './resources';
import type { AriClient, AriEvent, LinkHealthInfo } from './types';

export interface AriClientOptions {
  /** http(s)://host:port, with or without the /ari suffix. */
  url: string;
  username: string;
  password: string;
  app: string;
  log: Logger;
  requestTimeoutMs?: number;
  pingIntervalMs?: number;
  reconnect?: BackoffOptions;
  clock?: Clock;
  random?: () => number;
}

export const ARI_PHASES = ['idle', 'connecting', 'connected', 'backoff', 'stopping', 'stopped'] as const;
export type AriPhase = (typeof ARI_PHASES)[number];

const TRANSITIONS: Record<AriPhase, readonly AriPhase[]> = {
  idle: ['connecting', 'stopped'],
  connecting: ['connected', 'backoff', 'stopping'],
  connected: ['backoff', 'stopping'],
  backoff: ['connecting', 'stopped'],
  stopping: ['stopped'],
  stopped: ['connecting'],
};

const PUBLIC_STATE: Record<AriPhase, AmiConnectionState> = {
  idle: 'disconnected',
  connecting: 'connecting',
  connected: 'connected',
  backoff: 'disconnected',
  stopping: 'disconnected',
  stopped: 'disconnected',
};

interface Session {
  ws: WebSocket;
  closed: boolean;
  authFailed: boolean;
  endReason?: string;
  pongSeen: boolean;
  pingTimer?: TimerHandle;
}

export type AriClientImpl = AriClient & { readonly info: LinkHealthInfo; readonly phase: AriPhase };

export function createAriClient(opts: AriClientOptions): AriClientImpl {
  return new WsAriClient(opts);
}

export class WsAriClient implements AriClient {
  readonly app: string;
  readonly channels: AriClient['channels'];
  readonly bridges: AriClient['bridges'];
  readonly applications: AriClient['applications'];
  readonly deviceStates: AriClient['deviceStates'];
  readonly endpoints: AriClient['endpoints'];
  readonly asterisk: AriClient['asterisk'];

  private phaseNow: AriPhase = 'idle';
  private session?: Session;
  private reconnectTimer?: TimerHandle;
  private opens = 0;
  private stopWaiters: Array<() => void> = [];
  private readonly endpoint: AriEndpointInfo;
  private readonly backoff: Backoff;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly requestTimeoutMs: number;
  private readonly pingIntervalMs: number;
  private readonly eventHandlers = new Map<string, Set<(e: AriEvent) => void>>();
  private readonly connectedHandlers = new Set<() => void>();
  private readonly disconnectedHandlers = new Set<(reason: string) => void>();
  private health: LinkHealthInfo = { state: 'disconnected', reconnects: 0, eventsReceived: 0 };

  constructor(private readonly opts: AriClientOptions) {
    if (!opts.username) throw invalid('ARI username is required', { field: 'asterisk.ari.username' });
    if (!/^[A-Za-z0-9_-]+$/.test(opts.app ?? '')) {
      throw invalid(`ARI app name must be letters, digits, _ and - (got ${JSON.stringify(opts.app)})`, { field: 'asterisk.ari.app' });
    }
    this.app = opts.app;
    this.endpoint = resolveAriUrls(opts.url, opts.username, opts.password, opts.app);
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log;
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 10000;
    this.pingIntervalMs = opts.pingIntervalMs ?? 15000;
    this.backoff = new Backoff(opts.reconnect, opts.random);
    const res = createResources(new AriRest(this.endpoint, this.clock, this.requestTimeoutMs, this.log), this.app);
    this.channels = res.channels;
    this.bridges = res.bridges;
    this.applications = res.applications;
    this.deviceStates = res.deviceStates;
    this.endpoints = res.endpoints;
    this.asterisk = res.asterisk;
  }

  get connected(): boolean {
    return this.phaseNow === 'connected';
  }

  get phase(): AriPhase {
    return this.phaseNow;
  }

  get info(): LinkHealthInfo {
    return { ...this.health, state: PUBLIC_STATE[this.phaseNow] };
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
    if (this.phaseNow !== 'stopping') {
      this.moveTo('stopping');
      s.endReason = 'stopped';
      if (s.ws.readyState === WebSocket.OPEN) {
        // Polite close; a peer that never answers the close frame gets terminated.
        s.ws.close(1000, 'daemon stopping');
        this.clock.setTimeout(() => this.endSession(s, 'stopped'), Math.min(this.requestTimeoutMs, 1000));
      } else {
        this.endSession(s, 'stopped');
      }
    }
    return done;
  }

  onEvent(type: string, handler: (event: AriEvent) => void): () => void {
    let set = this.eventHandlers.get(type);
    if (!set) this.eventHandlers.set(type, (set = new Set()));
    set.add(handler);
    return () => {
      set.delete(handler);
      if (set.size === 0 && this.eventHandlers.get(type) === set) this.eventHandlers.delete(type);
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

  // ---- event socket supervisor ----------------------------------------------------------------

  private moveTo(next: AriPhase): void {
    if (!TRANSITIONS[this.phaseNow].includes(next)) throw new Error(`ARI client: illegal transition ${this.phaseNow} -> ${next}`);
    this.phaseNow = next;
  }

  private connect(): void {
    this.reconnectTimer = undefined;
    this.moveTo('connecting');
    const ws = new WebSocket(this.endpoint.eventsUrl, {
      headers: { Authorization: this.endpoint.authorization },
      handshakeTimeout: this.requestTimeoutMs,
      perMessageDeflate: false,
    });
    const s: Session = { ws, closed: false, authFailed: false, pongSeen: true };
    this.session = s;
    this.log.debug('ARI connecting', { url: this.endpoint.eventsUrl });

    // With this listener ws does not emit 'error' for a non-101 answer: we read the status ourselves.
    ws.on('unexpected-response', (_req: ClientRequest, res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      res.resume();
      if (status === 401 || status === 403) {
        s.authFailed = true;
        s.endReason = `ARI authentication failed for user ${this.opts.username}: check asterisk.ari.username/password`;
      } else {
        s.endReason = `ARI event socket refused: HTTP ${status} on ${this.endpoint.eventsUrl}`;
      }
      this.endSession(s, s.endReason);
    });
    ws.on('error', (err: Error & { code?: string }) => {
      s.endReason ??= err.code ? `${err.code}: ${err.message}` : err.message;
    });
    ws.on('open', () => this.onOpen(s));
    ws.on('pong', () => {
      s.pongSeen = true;
    });
    ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      if (!isBinary) this.onMessage(s, data.toString());
    });
    ws.on('close', (code: number) => {
      s.endReason ??= `event socket closed (code ${code})`;
      this.onClosed(s);
    });
  }

  private onOpen(s: Session): void {
    if (this.session !== s || s.closed || this.phaseNow !== 'connecting') return;
    this.moveTo('connected');
    this.backoff.reset();
    this.opens++;
    if (this.opens > 1) this.health.reconnects++;
    this.health.connectedSince = this.clock.now();
    this.health.lastError = undefined;
    this.log.info('ARI connected', { url: this.endpoint.eventsUrl, app: this.app });
    this.schedulePing(s);
    for (const h of [...this.connectedHandlers]) this.safely('onConnected', () => h());
  }

  /** Half-open detection: a ping per interval; no pong by the next tick means the link is dead. */
  private schedulePing(s: Session): void {
    s.pingTimer = this.clock.setTimeout(() => {
      if (s.closed || this.session !== s) return;
      if (!s.pongSeen) {
        this.endSession(s, `no pong within ${this.pingIntervalMs} ms (half-open socket)`);
        return;
      }
      s.pongSeen = false;
      try {
        s.ws.ping();
      } catch (err) {
        this.endSession(s, `ping failed: ${(err as Error).message}`);
        return;
      }
      this.schedulePing(s);
    }, this.pingIntervalMs);
  }

  private endSession(s: Session, reason: string): void {
    if (s.closed) return;
    s.endReason ??= reason;
    s.ws.terminate();
    this.onClosed(s);
  }

  private onClosed(s: Session): void {
    if (s.closed) return;
    s.closed = true;
    if (s.pingTimer) this.clock.clearTimeout(s.pingTimer);
    if (s.ws.readyState !== WebSocket.CLOSED) s.ws.terminate();
    if (this.session !== s) return;
    this.session = undefined;
    const reason = s.endReason ?? 'event socket closed';
    const wasConnected = this.health.connectedSince !== undefined;
    this.health.connectedSince = undefined;
    if (this.phaseNow === 'stopping') {
      this.moveTo('stopped');
      this.log.info('ARI stopped');
    } else {
      this.health.lastError = reason;
      this.moveTo('backoff');
      const delay = s.authFailed ? this.backoff.slow() : this.backoff.next();
      if (s.authFailed) this.log.error(reason, { retryInMs: delay });
      else this.log.warn('ARI event socket lost', { reason, retryInMs: delay });
      this.reconnectTimer = this.clock.setTimeout(() => this.connect(), delay);
    }
    if (wasConnected) for (const h of [...this.disconnectedHandlers]) this.safely('onDisconnected', () => h(reason));
    if (this.phaseNow === 'stopped') {
      const waiters = this.stopWaiters;
      this.stopWaiters = [];
      for (const w of waiters) w();
    }
  }

  private onMessage(s: Session, text: string): void {
    if (this.session !== s || s.closed) return;
    let event: AriEvent;
    try {
      event = JSON.parse(text) as AriEvent;
    } catch {
      this.log.warn('ARI sent a non-JSON event frame', { sample: text.slice(0, 100) });
      return;
    }
    if (!event || typeof event.type !== 'string') return;
    this.health.eventsReceived++;
    this.dispatch(this.eventHandlers.get(event.type), event);
    this.dispatch(this.eventHandlers.get('*'), event);
  }

  private dispatch(set: Set<(e: AriEvent) => void> | undefined, event: AriEvent): void {
    if (!set) return;
    for (const h of set) this.safely(`event ${event.type}`, () => h(event));
  }

  /** A subscriber's bug must never kill the socket loop or other subscribers. */
  private safely(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error('ARI handler threw', { what, error: (err as Error)?.stack ?? String(err) });
    }
  }
}
