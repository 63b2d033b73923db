/**
 * Live events over WebSocket (`GET /events`, upgraded). The API server authenticates the token
 * (Authorization: Bearer on the upgrade, or `?token=` for browsers, which cannot set headers; the
 * query string is never logged) and hands us the principal.
 *
 * Protocol (server → client, JSON text frames):
 *   1. `{type:'snapshot', seq, at, agents:[...], calls:[...], queues:[...]}` — the state as of bus
 *      event `seq`;
 *   2. every later DomainEvent as `{type, seq, at, agent?, queue?, callId?, data}`, in bus order,
 *      strictly increasing seq, none missing, none already reflected in the snapshot.
 * A client that reconnects simply gets a new snapshot. Agent tokens see only their own agent, its
 * calls (events naming it in `agent` or in `agents`, e.g. a transfer to it), and the queues it is
 * logged into, never live monitoring (monitor.*); supervisors and admins see everything, except
 * internal chat (chat.message), which only its sender and recipients see (src/chat/identity.ts).
 *
 * Ordering: we subscribe to the bus BEFORE building the snapshot and buffer what arrives; after the
 * snapshot is sent the buffer is flushed, dropping events whose seq <= the snapshot's seq. So an event
 * published while the snapshot is built (or while the handshake completes) is neither lost nor sent
 * twice.
 *
 * Memory (clients that never read): each event is serialised once and the same Buffer is queued for
 * every client, so a stalled client costs its queue bookkeeping, not a copy of the stream. A client
 * whose queue passes maxBufferedBytes is closed with 1013; a token may hold at most
 * maxConnectionsPerToken sockets (the next upgrade gets HTTP 429). Both are api.* config keys.
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { chatEventVisible } from '../chat/identity';
import type { DomainEvent, EventBus } from '../events/bus';
import type { Logger } from '../log/logger';
import type { Clock, TimerHandle } from '../util/clock';
import type { UpgradeHandler } from './server';
import type { Principal, RouteScope } from './types';

/** Minimal shapes the stream needs to scope the snapshot; the domains' views carry more fields (all sent). */
export interface LiveAgent {
  extension: string;
  queues: string[];
}
export interface LiveCall {
  agent: string | null;
  queue?: string | null;
}
export interface LiveQueue {
  queue: string;
}

/** Where the snapshot comes from (all synchronous: a snapshot is one consistent instant). */
export interface LiveState {
  agents(): LiveAgent[];
  calls(): LiveCall[];
  queues(): LiveQueue[];
}

export interface Snapshot {
  type: 'snapshot';
  seq: number;
  at: number;
  agents: LiveAgent[];
  calls: LiveCall[];
  queues: LiveQueue[];
}

type SeqEvent = DomainEvent & { seq?: number };

export interface EventsHubOptions {
  bus: EventBus;
  state: LiveState;
  clock: Clock;
  log: Logger;
  /** Ping period; a client that missed the previous pong is dropped (half-open TCP). Default 30 s. */
  pingIntervalMs?: number;
  /**
   * A client this far behind is closed (1013) and must reconnect for a fresh snapshot. Counted as
   * ws bufferedAmount plus QUEUED_MESSAGE_OVERHEAD per queued message (estimated from the client's
   * average message size). Default 1 MiB.
   */
  maxBufferedBytes?: number;
  /** Open sockets one token may hold (closing ones included); the next upgrade gets 429. Default 10. */
  maxConnectionsPerToken?: number;
  /** Monitoring-group limits of a supervisor token (src/supervision/scope.ts); null = none. */
  scopeOf?: (p: Principal) => RouteScope | null;
  /** At stop(), how long to wait for clients to answer the 1001 close before cutting them off. Default 1 s. */
  closeGraceMs?: number;
}

/** Queues an agent is logged into, read fresh for each decision (membership changes over time). */
function agentQueues(state: LiveState, ext: string | undefined): Set<string> {
  const me = state.agents().find((a) => a.extension === ext);
  return new Set(me?.queues ?? []);
}

const MONITOR_EVENTS: ReadonlySet<string> = new Set(['monitor.started', 'monitor.changed', 'monitor.ended']);

/**
 * Whether `p` may see `e`. Agent tokens: own agent events, own calls, queue events of the queues in
 * `myQueues` (kept per client and refreshed only on the agent's own events, so a busy queue does not
 * cost an agent-list read per event per connected softphone).
 */
export function eventVisible(p: Principal, e: DomainEvent, myQueues: ReadonlySet<string>, scope: RouteScope | null = null): boolean {
  // Private by nature: not even an admin or an unscoped supervisor sees a chat it is not in.
  if (e.type === 'chat.message') return chatEventVisible(p, e);
  if (scope) return scopedEventVisible(scope, e);
  if (p.role !== 'agent') return true;
  // Live monitoring is for supervisors and admins: an agent is never told it is being listened to.
  if (MONITOR_EVENTS.has(e.type)) return false;
  if (e.agent !== undefined || e.agents !== undefined) {
    return p.agent !== undefined && (e.agent === p.agent || (e.agents ?? []).includes(p.agent));
  }
  if (e.type === 'queue.caller' && e.queue) return myQueues.has(e.queue);
  return false;
}

/**
 * A supervisor limited to monitoring groups: events of its queues and of the agents in them; link
 * and system events (no agent, no queue, no call) too.
 */
function scopedEventVisible(scope: RouteScope, e: DomainEvent): boolean {
  const agents = [...(e.agent ? [e.agent] : []), ...(e.agents ?? [])];
  if (e.queue) return scope.allowsQueue(e.queue) || agents.some((a) => scope.allowsAgent(a));
  if (agents.length) return agents.some((a) => scope.allowsAgent(a));
  return !e.callId;
}

/** The snapshot cut down to what `p` may see. */
export function scopedSnapshot(p: Principal, state: LiveState, seq: number, at: number, scope: RouteScope | null = null): Snapshot {
  const agents = state.agents();
  const calls = state.calls();
  const queues = state.queues();
  if (scope) {
    return {
      type: 'snapshot',
      seq,
      at,
      agents: agents.filter((a) => scope.allowsAgent(a.extension)),
      calls: calls.filter((c) => scope.allowsCall({ queue: c.queue ?? null, agentExt: c.agent })),
      queues: queues.filter((q) => scope.allowsQueue(q.queue)),
    };
  }
  if (p.role !== 'agent') return { type: 'snapshot', seq, at, agents, calls, queues };
  const me = agents.filter((a) => a.extension === p.agent);
  const mine = new Set(me.flatMap((a) => a.queues));
  return {
    type: 'snapshot',
    seq,
    at,
    agents: me,
    calls: calls.filter((c) => c.agent === p.agent),
    queues: queues.filter((q) => mine.has(q.queue)),
  };
}

interface Client {
  ws: WebSocket;
  principal: Principal;
  alive: boolean;
  unsubscribe: () => void;
  /** Totals sent, for the average message size (how many messages bufferedAmount holds). */
  sentBytes: number;
  sentMessages: number;
}

/** Defaults of the api.events_* config keys (the schema repeats them; a test keeps them equal). */
export const EVENTS_DEFAULTS = { maxBufferedBytes: 1 << 20, maxConnectionsPerToken: 10 } as const;

/**
 * Memory a queued message costs beyond its bytes: measured ~400 bytes of RSS per queued frame on a
 * stalled socket (ws frame header Buffer, two stream write requests; Node 20, ws 8). With events of
 * ~150 bytes that is most of a slow client's footprint, which bufferedAmount alone does not see.
 */
export const QUEUED_MESSAGE_OVERHEAD = 400;

/** The close a too-slow client gets (documented in the README and the OpenAPI /events entry). */
export const TOO_SLOW_CLOSE = { code: 1013, reason: 'too slow: reconnect for a fresh snapshot' } as const;

/** Counters for /metrics: clients closed for falling behind, upgrades refused by the per-token cap. */
export interface EventsLimitStats {
  tooSlow: number;
  refused: number;
}

/** Identity for the per-token cap: the configured token entry, never the secret itself. */
function tokenKey(p: Principal): string {
  return p.tokenId ?? `${p.role}:${p.agent ?? ''}:${p.name ?? ''}`;
}

export class EventsHub {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  private readonly clients = new Set<Client>();
  /** Sockets per token, counted from the upgrade until the TCP socket is gone. */
  private readonly perToken = new Map<string, number>();
  /** Tokens already warned about while at the cap (a reconnect loop must not flood the log). */
  private readonly warnedTokens = new Set<string>();
  /** One serialisation per event, shared by every client's queue (see "Memory" above). */
  private readonly encoded = new WeakMap<object, Buffer>();
  readonly stats: EventsLimitStats = { tooSlow: 0, refused: 0 };
  private pingTimer?: TimerHandle;
  private stopped = false;
  private stopping?: Promise<void>;

  constructor(private readonly opts: EventsHubOptions) {}

  /** Mount with `api.onUpgrade('/events', hub.handler)`. */
  readonly handler: UpgradeHandler = (req, socket, head, principal) => this.accept(req, socket, head, principal);

  get clientCount(): number {
    return this.clients.size;
  }

  private accept(req: http.IncomingMessage, socket: Duplex, head: Buffer, principal: Principal): void {
    if (this.stopped) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (!this.reserve(principal, socket)) return;
    const { bus, state } = this.opts;
    // Subscribe first: anything published from here on is either in the buffer or sent live.
    const buffer: SeqEvent[] = [];
    let client: Client | undefined;
    let myQueues = principal.role === 'agent' ? agentQueues(state, principal.agent) : new Set<string>();
    let scope = this.opts.scopeOf?.(principal) ?? null;
    const unsubscribe = bus.subscribe((e) => {
      // Login/logout/state changes of this agent may change its queues: re-read them then only.
      if (principal.role === 'agent' && e.agent === principal.agent) myQueues = agentQueues(state, principal.agent);
      // A login may bring an agent into a scoped supervisor's queues.
      if (scope && (e.type === 'agent.login' || e.type === 'agent.logout')) scope = this.opts.scopeOf!(principal);
      if (!eventVisible(principal, e, myQueues, scope)) return;
      if (client) this.send(client, this.encode(e));
      else buffer.push(e);
    });
    try {
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        const c: Client = { ws, principal, alive: true, unsubscribe, sentBytes: 0, sentMessages: 0 };
        ws.on('pong', () => (c.alive = true));
        ws.on('close', () => this.drop(c));
        ws.on('error', () => this.drop(c));
        // Clients have nothing to say; the socket is one-way. Ignore anything they send.
        ws.on('message', () => undefined);
        this.clients.add(c);
        const snap = scopedSnapshot(principal, state, bus.lastSeq, this.opts.clock.now(), scope);
        this.send(c, snap);
        for (const e of buffer.splice(0)) if ((e.seq ?? 0) > snap.seq) this.send(c, this.encode(e));
        client = c;
        this.opts.log.info('events client connected', { role: principal.role, agent: principal.agent, clients: this.clients.size });
        this.schedulePing();
      });
    } catch (err) {
      unsubscribe();
      throw err;
    }
  }

  /**
   * Counts the socket against its token's cap, or answers 429 and returns false. Released when the
   * TCP socket closes, not when the WebSocket is dropped: a client closed for being too slow holds
   * its queue until the close handshake ends, so a reconnect loop must not multiply that memory.
   */
  private reserve(principal: Principal, socket: Duplex): boolean {
    const max = this.opts.maxConnectionsPerToken ?? EVENTS_DEFAULTS.maxConnectionsPerToken;
    const key = tokenKey(principal);
    const open = this.perToken.get(key) ?? 0;
    if (open >= max) {
      this.stats.refused++;
      const who = { role: principal.role, agent: principal.agent, token: principal.tokenId, name: principal.name, max };
      if (this.warnedTokens.has(key)) this.opts.log.debug('events connection refused: per-token limit', who);
      else this.opts.log.warn('events connection refused: token at api.events_max_connections_per_token', who);
      this.warnedTokens.add(key);
      const body = JSON.stringify({
        error: { code: 'too_many_connections', message: `this token already has ${max} /events connections (api.events_max_connections_per_token)` },
      });
      socket.end(
        `HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      return false;
    }
    if (socket.destroyed) return false; // the client gave up during authentication: nothing to count
    this.perToken.set(key, open + 1);
    socket.once('close', () => {
      const left = (this.perToken.get(key) ?? 1) - 1;
      if (left > 0) this.perToken.set(key, left);
      else this.perToken.delete(key);
      this.warnedTokens.delete(key);
    });
    return true;
  }

  private encode(e: SeqEvent): Buffer {
    let b = this.encoded.get(e);
    if (!b) this.encoded.set(e, (b = Buffer.from(JSON.stringify(frame(e)))));
    return b;
  }

  private send(c: Client, msg: Buffer | Snapshot): void {
    if (c.ws.readyState !== WebSocket.OPEN) return;
    // bufferedAmount is what sits in this process (what the kernel took is gone from it); the number
    // of messages in it is estimated from the average size, so a burst the kernel absorbs costs nothing.
    const buffered = c.ws.bufferedAmount;
    const pending = buffered + (buffered && (buffered * c.sentMessages * QUEUED_MESSAGE_OVERHEAD) / c.sentBytes);
    if (pending > (this.opts.maxBufferedBytes ?? EVENTS_DEFAULTS.maxBufferedBytes)) {
      // Skipping events would break the "none missing" promise: make the client start over instead.
      this.stats.tooSlow++;
      this.opts.log.warn('events client too slow, closing', { role: c.principal.role, agent: c.principal.agent, pendingBytes: Math.round(pending) });
      c.ws.close(TOO_SLOW_CLOSE.code, TOO_SLOW_CLOSE.reason);
      this.drop(c);
      return;
    }
    const data = Buffer.isBuffer(msg) ? msg : Buffer.from(JSON.stringify(msg));
    c.sentBytes += data.length;
    c.sentMessages++;
    // binary: false = a text frame, as before; a Buffer is sent as it is (not copied per client).
    c.ws.send(data, { binary: false });
  }

  private drop(c: Client): void {
    if (!this.clients.delete(c)) return;
    c.unsubscribe();
    this.opts.log.debug('events client gone', { role: c.principal.role, agent: c.principal.agent });
  }

  private schedulePing(): void {
    if (this.pingTimer || this.stopped) return;
    const { clock } = this.opts;
    this.pingTimer = clock.setTimeout(() => {
      this.pingTimer = undefined;
      for (const c of [...this.clients]) {
        if (!c.alive) {
          c.ws.terminate();
          this.drop(c);
          continue;
        }
        c.alive = false;
        c.ws.ping();
      }
      if (this.clients.size) this.schedulePing();
    }, this.opts.pingIntervalMs ?? 30_000);
  }

  /**
   * Closes every client (1001 going away) and refuses new ones. Waits for the closing handshakes
   * (bounded by closeGraceMs) so the caller may destroy the sockets afterwards without the clients
   * seeing 1006. Idempotent: the API's stop() and the live module's stop() both call it.
   */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    this.stopped = true;
    if (this.pingTimer) this.opts.clock.clearTimeout(this.pingTimer);
    this.pingTimer = undefined;
    const clients = [...this.clients];
    const closed = clients.map(
      (c) => new Promise<void>((resolve) => (c.ws.readyState === WebSocket.CLOSED ? resolve() : c.ws.once('close', () => resolve()))),
    );
    for (const c of clients) {
      c.ws.close(1001, 'daemon stopping');
      this.drop(c);
    }
    // A real timer, not the injected clock: this bounds socket I/O at shutdown, and a test's fake
    // clock nobody advances any more must not hang the daemon's stop().
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(closed),
      new Promise<void>((resolve) => (grace = setTimeout(resolve, this.opts.closeGraceMs ?? 1000))),
    ]);
    clearTimeout(grace);
    for (const c of clients) if (c.ws.readyState !== WebSocket.CLOSED) c.ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

function frame(e: SeqEvent): Record<string, unknown> {
  const f: Record<string, unknown> = { type: e.type, seq: e.seq, at: e.at, agent: e.agent, queue: e.queue, callId: e.callId, data: e.data };
  if (e.agents) f.agents = e.agents;
  return f;
}
