/**
 * Thin ARI client: REST (resources.ts) over the event WebSocket when Asterisk can (ws-rest.ts) or
 * node:http (rest.ts), and the Stasis event WebSocket kept up
 * forever by a supervisor: connect → open (app registered) → ping/pong watch → on loss, backoff →
 * connect again. A 401 on the upgrade is logged as a credentials problem and retried slowly; it never
 * throws out of the loop (the npm ari-client, measured 2026-12-06: a 401 on the upgrade is retried 11 times, then it gives
 * up for good after ~43 s with an unhandled promise rejection; see README "Dependencies").
 *
 * Credentials travel only in the Authorization header, never in the URL, so logged URLs are safe.
 */
import WebSocket from 'ws';
import type { IncomingMessage, ClientRequest } from 'node:http';
import type { Logger } from '../log/logger';
import { systemClock, type Clock } from '../util/clock';
import { invalid } from '../util/errors';
import type { BackoffOptions } from '../ami/backoff';
import { LinkSupervisor, type LinkSession } from '../net/link-supervisor';
import type { AmiConnectionState } from '../ami/types';
import { AriRest, resolveAriUrls, seg, type AriEndpointInfo } from './rest';
import { createResources } from './resources';
import { AriWsRest, type AriRestCounts, type AriRestRoute, type AriRestTransport, type AriWsLink } from './ws-rest';
import type { AriClient, AriEvent, AriOnDemandEvent, LinkHealthInfo } from './types';

/**
 * Largest event frame we accept on the ARI WebSocket. ARI events are small (a channel snapshot is
 * ~1 KB); the big answers (channel/bridge lists) come over REST, not this socket. ws's default
 * (100 MiB) would let a broken or hostile peer make us buffer that much before parsing; over this
 * limit ws closes the link with 1009 as soon as it reads the frame header, and the supervisor
 * reconnects. 4 MiB leaves room for an event carrying a large variable or a big bridge.
 */
export const ARI_MAX_EVENT_BYTES = 4 * 1024 * 1024;

/**
 * The event types some part of the daemon reads: the app's `allowed` event filter on every connect
 * (PUT /applications/{app}/eventFilter), so Asterisk never builds, serializes or sends the others.
 * Measured with the SIP bench (README "Performance"): a queue call brought 39 ARI events, 18 after
 * switching off ChannelVarset & co. ("disallowed"), and fewer again with this whitelist (Bridge
 * created/attended-transfer, ChannelHold, Playback*... are never read). A module that starts reading
 * a new type adds it here: test/daemon/app.test.ts checks both lists are the same.
 */
export const ARI_READ_EVENTS = [
  'StasisStart',
  'StasisEnd',
  'ChannelStateChange',
  'ChannelDestroyed',
  'ChannelDtmfReceived',
  'RecordingFinished',
  'RecordingFailed',
] as const;

/** Defined beside the client interface (src/ari/types.ts); exported here too, next to ARI_READ_EVENTS. */
export { ARI_ON_DEMAND_EVENTS } from './types';

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
  /** asterisk.ari.rest_transport (default auto: the event socket once it answered a probe). */
  restTransport?: AriRestTransport;
}

/** Link health plus where REST goes and how many requests went each way. */
export interface AriLinkInfo extends LinkHealthInfo {
  restTransport: AriRestRoute;
  restRequests: AriRestCounts;
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

interface Session extends LinkSession {
  ws: WebSocket;
  pongSeen: boolean;
  /** REST's hold on this socket (set once open). */
  restLink?: AriWsLink;
}

export type AriClientImpl = AriClient & { readonly info: AriLinkInfo; readonly phase: AriPhase; demandEvents: NonNullable<AriClient['demandEvents']> };

export function createAriClient(opts: AriClientOptions): AriClientImpl {
  return new WsAriClient(opts);
}

export class WsAriClient implements AriClient {
  readonly app: string;
  readonly channels: AriClient['channels'];
  readonly bridges: AriClient['bridges'];
  readonly recordings: AriClient['recordings'];
  readonly applications: AriClient['applications'];
  readonly deviceStates: AriClient['deviceStates'];
  readonly endpoints: AriClient['endpoints'];
  readonly asterisk: AriClient['asterisk'];

  private readonly link: LinkSupervisor<AriPhase, Session, AriEvent>;
  private readonly endpoint: AriEndpointInfo;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly requestTimeoutMs: number;
  private readonly pingIntervalMs: number;
  private readonly http: AriRest;
  private readonly rest: AriWsRest;
  /** ARI_ON_DEMAND_EVENTS types in the filter now, with how many demand each. */
  private readonly demanded = new Map<string, number>();
  private filterChain: Promise<void> = Promise.resolve();

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
    // 5 s: a half-open event socket is found within 10 s (fault bench, README 'Reliability').
    this.pingIntervalMs = opts.pingIntervalMs ?? 5000;
    this.link = new LinkSupervisor({
      name: 'ARI',
      transitions: TRANSITIONS,
      publicState: PUBLIC_STATE,
      clock: this.clock,
      log: this.log,
      reconnect: opts.reconnect,
      random: opts.random,
      connect: () => this.connect(),
      teardown: (s) => {
        if (s.restLink) this.rest.detach(s.endReason ?? 'event socket closed', s.restLink);
        if (s.ws.readyState !== WebSocket.CLOSED) s.ws.terminate();
      },
      closedReason: 'event socket closed',
      lostMessage: 'ARI event socket lost',
    });
    this.http = new AriRest(this.endpoint, this.clock, this.requestTimeoutMs, this.log);
    this.rest = new AriWsRest(this.http, opts.restTransport ?? 'auto', this.clock, this.requestTimeoutMs, this.log);
    const res = createResources(this.rest, this.app);
    this.channels = res.channels;
    this.bridges = res.bridges;
    this.recordings = res.recordings;
    this.applications = res.applications;
    this.deviceStates = res.deviceStates;
    this.endpoints = res.endpoints;
    this.asterisk = res.asterisk;
  }

  get connected(): boolean {
    return this.link.phase === 'connected';
  }

  get phase(): AriPhase {
    return this.link.phase;
  }

  get info(): AriLinkInfo {
    return { ...this.link.info, restTransport: this.rest.route, restRequests: { ...this.rest.counts } };
  }

  start(): void {
    this.link.start();
  }

  stop(): Promise<void> {
    // The REST keep-alive sockets are closed once the event socket is down: idle ones would
    // otherwise linger until their idle timeout, holding a connection on Asterisk (and keeping a
    // test or a restarting daemon waiting). The agent stays usable: a later request opens a new one.
    const stopped = this.link.stop((s) => {
      s.endReason = 'stopped';
      if (s.ws.readyState === WebSocket.OPEN) {
        // Polite close; a peer that never answers the close frame gets terminated.
        s.ws.close(1000, 'daemon stopping');
        this.link.after(s, Math.min(this.requestTimeoutMs, 1000), () => this.link.end(s, 'stopped'));
      } else {
        this.link.end(s, 'stopped');
      }
    });
    return stopped.finally(() => this.http.close());
  }

  onEvent(type: string, handler: (event: AriEvent) => void): () => void {
    return this.link.onEvent(type, handler);
  }

  onConnected(handler: () => void): () => void {
    return this.link.onConnected(handler);
  }

  onDisconnected(handler: (reason: string) => void): () => void {
    return this.link.onDisconnected(handler);
  }

  // ---- event socket session -------------------------------------------------------------------

  private connect(): Session {
    const ws = new WebSocket(this.endpoint.eventsUrl, {
      headers: { Authorization: this.endpoint.authorization },
      handshakeTimeout: this.requestTimeoutMs,
      perMessageDeflate: false,
      maxPayload: ARI_MAX_EVENT_BYTES,
    });
    const s: Session = { ws, closed: false, retrySlowly: false, pongSeen: true, timers: new Set() };
    this.log.debug('ARI connecting', { url: this.endpoint.eventsUrl });

    // With this listener ws does not emit 'error' for a non-101 answer: we read the status ourselves.
    ws.on('unexpected-response', (_req: ClientRequest, res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      res.resume();
      if (status === 401 || status === 403) {
        s.retrySlowly = true;
        s.endReason = `ARI authentication failed for user ${this.opts.username}: check asterisk.ari.username/password`;
      } else {
        s.endReason = `ARI event socket refused: HTTP ${status} on ${this.endpoint.eventsUrl}`;
      }
      this.link.end(s, s.endReason);
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
      this.link.closed(s);
    });
    return s;
  }

  private onOpen(s: Session): void {
    if (!this.link.isCurrent(s) || this.link.phase !== 'connecting') return;
    // Before the onConnected handlers, so that with rest_transport websocket their re-sync uses it.
    s.restLink = { send: (text) => this.sendText(s, text) };
    this.rest.attach(s.restLink);
    this.link.markConnected({ url: this.endpoint.eventsUrl, app: this.app }, () => this.watchPongs(s));
    void this.filterEvents(s);
  }

  /**
   * Best effort: the app exists once the event socket is open (Asterisk creates it on the upgrade and
   * forgets its filter with it, so this runs on every connect). An older Asterisk without the
   * resource answers 404/405: the daemon then just gets, and skips, every event (as before).
   */
  private filterEvents(s: Session): Promise<void> {
    // One PUT at a time, each with the list as it is when it leaves: the last one sent is the one
    // Asterisk keeps, whatever the transport.
    const put = (): Promise<void> => {
      if (!this.link.isCurrent(s)) return Promise.resolve();
      // `disallowed: []` clears a list an older daemon left on the app (Asterisk keeps a list the body omits).
      // RESTResponse too: Asterisk passes its answers to REST over the event socket through this
      // filter like events (ari_websocket_send_event); without it they would be dropped.
      const allowed = [...ARI_READ_EVENTS, ...this.demanded.keys(), 'RESTResponse'];
      const body = { allowed: allowed.map((type) => ({ type })), disallowed: [] };
      return this.rest.request('PUT', `/applications/${seg(this.app, 'app')}/eventFilter`, undefined, body).then(
        () => undefined,
        (err: Error) => {
          if (this.link.isCurrent(s)) this.log.info('ARI event filter not set: the daemon receives every event of its app', { reason: err.message });
        },
      );
    };
    this.filterChain = this.filterChain.then(put);
    return this.filterChain;
  }

  /**
   * Adds ARI_ON_DEMAND_EVENTS types to the app's filter until the returned release() is called (counted:
   * the type stays while anyone still demands it). Resolves once Asterisk has the new filter (or it
   * refused it: the app then gets every event); with the link down, the next connect's filter has it.
   */
  async demandEvents(types: readonly AriOnDemandEvent[]): Promise<() => void> {
    let added = false;
    for (const t of types) {
      const n = this.demanded.get(t) ?? 0;
      this.demanded.set(t, n + 1);
      added ||= n === 0;
    }
    const s = this.link.current;
    if (added && s && this.link.phase === 'connected') await this.filterEvents(s);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      let removed = false;
      for (const t of types) {
        const n = (this.demanded.get(t) ?? 1) - 1;
        if (n > 0) this.demanded.set(t, n);
        else removed = this.demanded.delete(t) || removed;
      }
      const cur = this.link.current;
      if (removed && cur && this.link.phase === 'connected') void this.filterEvents(cur);
    };
  }

  /** One text frame on the session's socket; false when it is not open (the request goes over HTTP). */
  private sendText(s: Session, text: string): boolean {
    if (!this.link.isCurrent(s) || s.ws.readyState !== WebSocket.OPEN) return false;
    s.ws.send(text);
    return true;
  }

  /** Half-open detection: a ping per interval; no pong by the next tick means the link is dead. */
  private watchPongs(s: Session): void {
    this.link.heartbeat(s, this.pingIntervalMs, (again) => {
      if (!s.pongSeen) {
        this.link.end(s, `no pong within ${this.pingIntervalMs} ms (half-open socket)`);
        return;
      }
      s.pongSeen = false;
      try {
        s.ws.ping();
      } catch (err) {
        this.link.end(s, `ping failed: ${(err as Error).message}`);
        return;
      }
      again();
    });
  }

  private onMessage(s: Session, text: string): void {
    if (!this.link.isCurrent(s)) return;
    let event: AriEvent;
    try {
      event = JSON.parse(text) as AriEvent;
    } catch {
      this.log.warn('ARI sent a non-JSON event frame', { sample: text.slice(0, 100) });
      return;
    }
    if (!event || typeof event.type !== 'string') return;
    if (event.type === 'RESTResponse') return this.rest.handle(event as unknown as Parameters<AriWsRest['handle']>[0]);
    this.link.countEvent();
    this.link.dispatch(event.type, event);
  }
}
