/**
 * Callers waiting in each queue, as app_queue reports them over AMI: QueueCallerJoin adds a caller,
 * QueueCallerLeave removes it (answered, or after QueueCallerAbandon when the caller hung up), and on
 * every AMI (re)connect a QueueStatus list (QueueEntry items carry `Wait` in seconds) rebuilds the
 * picture, because joins/leaves that happened while we were disconnected are never replayed.
 *
 * Each change is published on the bus as `queue.caller` so /events and the monitor stay live.
 */
import type { AmiClient, AmiEvent } from '../ami/types';
import type { EventBus } from '../events/bus';
import type { Logger } from '../log/logger';
import { sanitizeCallerName, sanitizeCallerNumber } from '../util/caller-id';
import type { Clock } from '../util/clock';
import { invalid } from '../util/errors';
import { ResyncRetry } from '../net/resync-retry';

export interface WaitingCaller {
  /** Uniqueid of the caller's channel in the queue (stable key across events). */
  uniqueid: string;
  queue: string;
  channel: string;
  callerNumber: string;
  callerName: string;
  position: number;
  /** ms since epoch (for entries learned from QueueStatus: now - Wait). */
  joinedAt: number;
}

export interface QueueWaiting {
  queue: string;
  waiting: number;
  /** Seconds the longest-waiting caller has waited; 0 when nobody waits. */
  longestWaitSeconds: number;
  /** Callers that hung up while waiting, since the daemon started. */
  abandoned: number;
  callers: { number: string; name: string; position: number; waitSeconds: number }[];
}

type WaitingAmi = Pick<AmiClient, 'onEvent' | 'onConnected' | 'onDisconnected' | 'actionList'>;

export interface QueueWaitingDeps {
  ami: WaitingAmi;
  clock: Clock;
  log: Logger;
  bus?: EventBus;
}

/** Unknown/'unknown' caller ids are reported as '' (Asterisk fills the literal word in). */
const unknownAsEmpty = (v: string | undefined) => (!v || v === 'unknown' || v === '<unknown>' ? '' : v);

/**
 * QueueCallerJoin/QueueEntry are where the caller id of a waiting caller enters the daemon over AMI:
 * sanitised here, once (src/util/caller-id.ts), before the monitor, /events and the CLI show it.
 */
const callerNumber = (v: string | undefined) => sanitizeCallerNumber(unknownAsEmpty(v));
const callerName = (v: string | undefined) => sanitizeCallerName(unknownAsEmpty(v));

/** QueueCallerJoin and QueueStatus's QueueEntry carry the same caller fields. */
function waitingCaller(e: AmiEvent, joinedAt: number): WaitingCaller {
  return {
    uniqueid: e.Uniqueid,
    queue: e.Queue,
    channel: e.Channel ?? '',
    callerNumber: callerNumber(e.CallerIDNum),
    callerName: callerName(e.CallerIDName),
    position: Number(e.Position) || 0,
    joinedAt,
  };
}

export class QueueWaitingTracker {
  private readonly callers = new Map<string, WaitingCaller>();
  private readonly abandoned = new Map<string, number>();
  private unsubs: (() => void)[] = [];
  /** While a QueueStatus is in flight: what happened meanwhile, replayed over its result. */
  private inFlight?: { joined: Map<string, WaitingCaller>; left: Set<string> };

  constructor(private readonly deps: QueueWaitingDeps) {}

  start(): void {
    if (this.unsubs.length) return;
    const { ami } = this.deps;
    this.unsubs.push(
      ami.onEvent('QueueCallerJoin', (e) => this.onJoin(e)),
      ami.onEvent('QueueCallerLeave', (e) => this.onLeave(e)),
      ami.onEvent('QueueCallerAbandon', (e) => this.onAbandon(e)),
    );
    // On every (re)connect, retried while the link stays up (a failed QueueStatus would otherwise
    // leave the waiting list stale until the next reconnect).
    const retry = new ResyncRetry({
      name: 'queue waiting re-sync',
      link: ami,
      clock: this.deps.clock,
      log: this.deps.log,
      run: () => this.resync(),
    });
    retry.start();
    this.unsubs.push(() => retry.stop());
  }

  stop(): void {
    for (const u of this.unsubs.splice(0)) u();
  }

  onJoin(e: AmiEvent): void {
    if (!e.Queue || !e.Uniqueid) return;
    const c = waitingCaller(e, this.deps.clock.now());
    this.callers.set(c.uniqueid, c);
    this.inFlight?.joined.set(c.uniqueid, c);
    this.inFlight?.left.delete(c.uniqueid);
    this.publish('join', c);
  }

  onLeave(e: AmiEvent): void {
    this.remove(e, 'leave');
  }

  onAbandon(e: AmiEvent): void {
    if (!e.Queue) return;
    this.abandoned.set(e.Queue, (this.abandoned.get(e.Queue) ?? 0) + 1);
    // Asterisk follows with QueueCallerLeave; removing here too keeps us right if that is filtered out.
    this.remove(e, 'abandon');
  }

  private remove(e: AmiEvent, action: 'leave' | 'abandon'): void {
    if (!e.Uniqueid) return;
    const c = this.callers.get(e.Uniqueid);
    this.inFlight?.left.add(e.Uniqueid);
    this.inFlight?.joined.delete(e.Uniqueid);
    if (!c) return;
    this.callers.delete(e.Uniqueid);
    this.publish(action, c);
  }

  /** Rebuilds the waiting list from QueueStatus; events seen while it runs are applied on top. */
  async resync(): Promise<void> {
    if (this.inFlight) return;
    this.inFlight = { joined: new Map(), left: new Set() };
    try {
      const { events } = await this.deps.ami.actionList('QueueStatus');
      const now = this.deps.clock.now();
      const fresh = new Map<string, WaitingCaller>();
      for (const e of events) {
        if (e.Event !== 'QueueEntry' || !e.Uniqueid || !e.Queue) continue;
        fresh.set(e.Uniqueid, waitingCaller(e, now - (Number(e.Wait) || 0) * 1000));
      }
      for (const [id, c] of this.inFlight.joined) if (!fresh.has(id)) fresh.set(id, c);
      for (const id of this.inFlight.left) fresh.delete(id);
      this.callers.clear();
      for (const [id, c] of fresh) this.callers.set(id, c);
      this.deps.bus?.publish({ type: 'queue.caller', at: now, data: { action: 'resync', waiting: this.callers.size } });
    } finally {
      this.inFlight = undefined;
    }
  }

  /** Waiting summary per queue; `queues` lists queues to report even when nobody waits. */
  summary(queues: readonly string[] = []): QueueWaiting[] {
    const now = this.deps.clock.now();
    const names = new Set<string>(queues);
    for (const c of this.callers.values()) names.add(c.queue);
    for (const q of this.abandoned.keys()) names.add(q);
    return [...names].sort().map((q) => this.summaryOf(q, now));
  }

  queue(name: string): QueueWaiting {
    if (typeof name !== 'string' || !name) throw invalid('queue is required', { field: 'queue' });
    return this.summaryOf(name, this.deps.clock.now());
  }

  waitingCallers(queue: string): { uniqueid: string; joinedAt: number }[] {
    const out: { uniqueid: string; joinedAt: number }[] = [];
    for (const c of this.callers.values()) if (c.queue === queue) out.push({ uniqueid: c.uniqueid, joinedAt: c.joinedAt });
    return out;
  }

  waitingIn(queue: string): number {
    let n = 0;
    for (const c of this.callers.values()) if (c.queue === queue) n++;
    return n;
  }

  private summaryOf(queue: string, now: number): QueueWaiting {
    const list = [...this.callers.values()].filter((c) => c.queue === queue).sort((a, b) => a.joinedAt - b.joinedAt);
    const wait = (c: WaitingCaller) => Math.max(0, Math.floor((now - c.joinedAt) / 1000));
    return {
      queue,
      waiting: list.length,
      longestWaitSeconds: list.length ? wait(list[0]) : 0,
      abandoned: this.abandoned.get(queue) ?? 0,
      callers: list.map((c) => ({ number: c.callerNumber, name: c.callerName, position: c.position, waitSeconds: wait(c) })),
    };
  }

  private publish(action: 'join' | 'leave' | 'abandon', c: WaitingCaller): void {
    const now = this.deps.clock.now();
    this.deps.bus?.publish({
      type: 'queue.caller',
      at: now,
      queue: c.queue,
      data: {
        action,
        number: c.callerNumber,
        uniqueid: c.uniqueid,
        waitSeconds: Math.max(0, Math.floor((now - c.joinedAt) / 1000)),
        waiting: this.waitingIn(c.queue),
      },
    });
  }
}
