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
 * logged into, never live monitoring (monitor.*); supervisors and admins see everything.
 *
 * Ordering: we subscribe to the bus BEFORE building the snapshot and buffer what arrives; after the
 * snapshot is sent the buffer is flushed, dropping events whose seq <= the snapshot's seq. So an event
 * published while the snapshot is built (or while the handshake completes) is neither lost nor sent
 * twice.
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { DomainEvent, EventBus } from '../events/bus';
import type { Logger } from '../log/logger';
import type { Clock, TimerHandle } from '../util/clock';
import type { UpgradeHandler } from './server';
import type { Principal } from './types';

/** Minimal shapes the stream needs to scope the snapshot; the domains' views carry more fields (all sent). */
export interface LiveAgent {
  extension: string;
  queues: string[];
}
export interface LiveCall {
  agent: string | null;
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
  /** A client this far behind is closed (1013) and must reconnect for a fresh snapshot. Default 4 MiB. */
  maxBufferedBytes?: number;
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
export function eventVisible(p: Principal, e: DomainEvent, myQueues: ReadonlySet<string>): boolean {
  if (p.role !== 'agent') return true;
  // Live monitoring is for supervisors and admins: an agent is never told it is being listened to.
  if (MONITOR_EVENTS.has(e.type)) return false;
  if (e.agent !== undefined || e.agents !== undefined) {
    return p.agent !== undefined && (e.agent === p.agent || (e.agents ?? []).includes(p.agent));
  }
  if (e.type === 'queue.caller' && e.queue) return myQueues.has(e.queue);
  return false;
}

/** The snapshot cut down to what `p` may see. */
export function scopedSnapshot(p: Principal, state: LiveState, seq: number, at: number): Snapshot {
  const agents = state.agents();
  const calls = state.calls();
  const queues = state.queues();
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
}

export class EventsHub {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  private readonly clients = new Set<Client>();
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
    const { bus, state } = this.opts;
    // Subscribe first: anything published from here on is either in the buffer or sent live.
    const buffer: SeqEvent[] = [];
    let client: Client | undefined;
    let myQueues = principal.role === 'agent' ? agentQueues(state, principal.agent) : new Set<string>();
    const unsubscribe = bus.subscribe((e) => {
      // Login/logout/state changes of this agent may change its queues: re-read them then only.
      if (principal.role === 'agent' && e.agent === principal.agent) myQueues = agentQueues(state, principal.agent);
      if (!eventVisible(principal, e, myQueues)) return;
      if (client) this.send(client, frame(e));
      else buffer.push(e);
    });
    try {
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        const c: Client = { ws, principal, alive: true, unsubscribe };
        ws.on('pong', () => (c.alive = true));
        ws.on('close', () => this.drop(c));
        ws.on('error', () => this.drop(c));
        // Clients have nothing to say; the socket is one-way. Ignore anything they send.
        ws.on('message', () => undefined);
        this.clients.add(c);
        const snap = scopedSnapshot(principal, state, bus.lastSeq, this.opts.clock.now());
        this.send(c, snap);
        for (const e of buffer.splice(0)) if ((e.seq ?? 0) > snap.seq) this.send(c, frame(e));
        client = c;
        this.opts.log.info('events client connected', { role: principal.role, agent: principal.agent, clients: this.clients.size });
        this.schedulePing();
      });
    } catch (err) {
      unsubscribe();
      throw err;
    }
  }

  private send(c: Client, msg: unknown): void {
    if (c.ws.readyState !== WebSocket.OPEN) return;
    if (c.ws.bufferedAmount > (this.opts.maxBufferedBytes ?? 4 << 20)) {
      // Skipping events would break the "none missing" promise: make the client start over instead.
      this.opts.log.warn('events client too slow, closing', { role: c.principal.role, agent: c.principal.agent });
      c.ws.close(1013, 'too slow: reconnect for a fresh snapshot');
      this.drop(c);
      return;
    }
    c.ws.send(JSON.stringify(msg));
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
