/**
 * Registry of live calls + the only place their state changes. Every change goes through
 * `transition`/`update`/`end`, which persist the row, log a call event, publish on the bus and tell
 * the agents domain (callRinging / callConnected / callEnded), so no flow can forget one of them
 * and leave an agent stuck "on call".
 */
import type { Statement } from 'better-sqlite3';
import type { AriClient } from '../ari/types';
import type { Config } from '../config/schema';
import type { AgentDirectory } from '../daemon/ports';
import type { EventBus } from '../events/bus';
import type { Logger } from '../log/logger';
import type { Db } from '../store/db';
import type { Clock, TimerHandle } from '../util/clock';
import { notFound, refused } from '../util/errors';
import { ignoreGone } from './ari-util';
import { EndWriter } from './end-writer';
import type { Originations } from './originations';
import type { CallField, CallRepo } from './repo';
import { assertActionAllowed, type CallAction, type CallActivity, type CallEvent, isAnswered, isTalking, nextState } from './state-machine';
import { callPartOf, type CallKind, type CallRecord } from './types';
import { QueueTakers } from './queue-takers';

export interface CoreDeps {
  ari: AriClient;
  db: Db;
  bus: EventBus;
  clock: Clock;
  config: Config;
  log: Logger;
  agents: AgentDirectory;
  repo: CallRepo;
  originations: Originations;
}

export interface NewCall {
  kind: CallKind;
  direction: CallRecord['direction'];
  state: CallRecord['state'];
  parentId?: string | null;
  queue?: string | null;
  agentExt?: string | null;
  customerNumber?: string | null;
  callerId?: string | null;
  customerChannelId?: string | null;
  agentChannelId?: string | null;
  bridgeId?: string | null;
  linkedid?: string | null;
}

export interface EndOptions {
  /** Leave the customer side up (survey, blind transfer: someone else owns it now). */
  keepCustomer?: boolean;
  /** Leave the agent device up (it was handed to another call part). */
  keepAgent?: boolean;
  /** Leave the bridge (another call part still uses it). */
  keepBridge?: boolean;
  /**
   * A channel that already left (StasisEnd / ChannelDestroyed): no hangup request for it (it could
   * only answer 404: one wasted ARI request per call, ~1/8 of a queue call's REST work).
   */
  goneChannelId?: string | null;
  data?: Record<string, unknown>;
}

export interface ReshapeOptions {
  /**
   * The request moves the customer with AMI, which app_queue's bridge allows (a blind transfer into
   * the dialplan): a native call is not taken over first (takeover.ts).
   */
  leaveToAppQueue?: boolean;
}

/** Return true when the interceptor took care of the situation (the default handling is skipped). */
export type HangupInterceptor = (call: CallRecord) => boolean | Promise<boolean>;

/** A feature's activity on a call (see state-machine.ts), read from the feature's own state. */
export type ActivityProvider = (callId: string) => CallActivity | undefined;

type Patch = Partial<Omit<CallRecord, 'id' | 'state'>>;

export class CallCore {
  private readonly calls = new Map<string, CallRecord>();
  private readonly byChannel = new Map<string, string>();
  /** Queue parts whose leg is being or was answered (ringall: see queue-takers.ts). */
  readonly takers = new QueueTakers((id) => this.calls.get(id));
  private readonly timers = new Map<string, TimerHandle>();
  readonly agentHangupInterceptors: HangupInterceptor[] = [];
  readonly customerHangupInterceptors: HangupInterceptor[] = [];
  private readonly endListeners: ((call: CallRecord) => void)[] = [];
  /** Transfers, conference and rooms report what they are doing with a call (state-machine.ts). */
  readonly activityProviders: ActivityProvider[] = [];
  /**
   * Runs inside exclusive() before the request itself: the native topology takes a call over from
   * app_queue here (takeover.ts), so every reshaping feature finds the call in Stasis.
   */
  beforeReshape?: (call: CallRecord) => Promise<void>;
  /** Call id → the request reshaping it right now (hold, transfer...): one at a time per call. */
  private readonly inFlight = new Map<string, string>();
  /**
   * Set by stop(): ARI/AMI replies still in flight when the daemon stops must not touch the store
   * (it is closed right after the modules stop). The persisted rows stay as they were, and the
   * next daemon re-adopts or cleans up those calls through recovery.
   */
  private stopped = false;
  /** Prepared once (a prepare per answered call showed in the bench profile). */
  private timeoutStmt?: Statement;

  /** The end step's write, retried until it lands (end-writer.ts). */
  private readonly ends: EndWriter;

  constructor(readonly deps: CoreDeps) {
    this.ends = new EndWriter(deps, () => this.stopped);
  }

  get(id: string): CallRecord | undefined {
    return this.calls.get(id);
  }

  require(id: string): CallRecord {
    const c = this.calls.get(id);
    if (!c) throw notFound(`no live call ${id}`, { call: id });
    return c;
  }

  list(): CallRecord[] {
    return [...this.calls.values()];
  }

  byAgent(ext: string): CallRecord[] {
    return this.list().filter((c) => c.agentExt === ext);
  }

  callOfChannel(channelId: string): CallRecord | undefined {
    const id = this.byChannel.get(channelId);
    return id ? this.calls.get(id) : undefined;
  }

  /** What the features are doing with this call right now (transfer, conference, room). */
  activitiesOf(callId: string): CallActivity[] {
    const out: CallActivity[] = [];
    for (const f of this.activityProviders) {
      const a = f(callId);
      if (a) out.push(a);
    }
    return out;
  }

  /** The one guard every call action passes: refused (409) when an activity forbids it. */
  guard(call: CallRecord, action: CallAction): void {
    assertActionAllowed(call.id, action, this.activitiesOf(call.id));
  }

  /**
   * Runs one request that reshapes a call (hold, unhold, mute, DTMF, transfer start/complete/cancel,
   * conference add, room move) alone: a second one meanwhile is refused, not interleaved, so two
   * clicks (or a hold racing a transfer) cannot move the same channels at once.
   */
  async exclusive<T>(callId: string, what: string, fn: () => Promise<T>, opts: ReshapeOptions = {}): Promise<T> {
    const other = this.inFlight.get(callId);
    if (other) throw refused(`another request (${other}) is in progress on call ${callId}`, { call: callId, busy: other });
    this.inFlight.set(callId, what);
    try {
      const call = this.calls.get(callId);
      if (call && this.beforeReshape && !opts.leaveToAppQueue) await this.beforeReshape(call);
      return await fn();
    } finally {
      this.inFlight.delete(callId);
    }
  }

  onEnded(fn: (call: CallRecord) => void): () => void {
    this.endListeners.push(fn);
    return () => this.endListeners.splice(this.endListeners.indexOf(fn) >>> 0, 1);
  }

  create(init: NewCall): CallRecord {
    // Number, row, 'created' event and the agent's move to ringing: one step, one transaction
    // (src/store/unit-of-work.ts). Nothing after insertNew throws (the bus and the agents domain
    // swallow their own errors); a storage error in the agent's write voids the whole step.
    let registered: CallRecord | undefined;
    try {
      return this.deps.repo.batch(() => {
        const call = this.insertNew(init);
        this.register((registered = call));
        this.publish('call.state', call, { state: call.state, previous: null });
        if (call.agentExt && !isTalking(call.state)) {
          this.deps.agents.callRinging(call.agentExt, { callId: call.id, queue: call.queue ?? undefined, direction: call.direction });
        }
        return call;
      });
    } catch (err) {
      // The COMMIT failed (disk full, database locked too long): the row is gone, so is the call.
      if (registered) this.unregister(registered);
      throw err;
    }
  }

  private insertNew(init: NewCall): CallRecord {
    const id = this.deps.repo.nextId();
    const parent = init.parentId ? (this.calls.get(init.parentId) ?? this.deps.repo.get(init.parentId)) : undefined;
    if (init.parentId && !parent) throw notFound(`no call ${init.parentId}`, { call: init.parentId });
    const call: CallRecord = {
      id,
      parentId: init.parentId ?? null,
      rootId: parent ? parent.rootId : id,
      kind: init.kind,
      direction: init.direction,
      queue: init.queue ?? null,
      agentExt: init.agentExt ?? null,
      customerNumber: init.customerNumber ?? null,
      callerId: init.callerId ?? null,
      state: init.state,
      startedAt: this.deps.clock.now(),
      answeredAt: null,
      endedAt: null,
      endReason: null,
      disposition: null,
      customerChannelId: init.customerChannelId ?? null,
      agentChannelId: init.agentChannelId ?? null,
      bridgeId: init.bridgeId ?? null,
      holdBridgeId: null,
      linkedid: init.linkedid ?? null,
      muted: false,
      timeoutAt: null,
    };
    this.deps.repo.insert(call);
    this.deps.repo.event(id, 'created', { kind: call.kind, state: call.state, parent: call.parentId });
    return call;
  }

  /** Puts a persisted call back in the registry (restart recovery). */
  adopt(call: CallRecord): void {
    this.register(call);
    if (call.timeoutAt) this.armTimeout(call, call.timeoutAt - this.deps.clock.now());
  }

  update(call: CallRecord, patch: Patch): void {
    for (const ch of [call.customerChannelId, call.agentChannelId]) {
      if (ch && this.byChannel.get(ch) === call.id) this.byChannel.delete(ch);
    }
    Object.assign(call, patch);
    this.index(call);
    if (this.calls.has(call.id) && !this.stopped) this.deps.repo.save(call, Object.keys(patch) as CallField[]);
  }

  transition(call: CallRecord, event: CallEvent, patch: Patch = {}): void {
    const previous = call.state;
    const next = nextState(previous, event); // throws (refused) before anything changes
    if (this.stopped) return;
    const now = this.deps.clock.now();
    const answering = isAnswered(next) && !isAnswered(previous);
    if (isAnswered(next) && !call.answeredAt) patch.answeredAt = now;
    // The max-duration deadline (0 = none) goes into the same UPDATE as the answer.
    const timeoutMs = answering ? this.timeoutSecondsFor(call) * 1000 : 0;
    if (timeoutMs > 0) patch.timeoutAt = now + timeoutMs;
    // One narrow UPDATE (the patch + state), the event row and, on answer, the agent's move to
    // on-call: one step, one transaction (src/store/unit-of-work.ts). Same order of bus events as
    // before; nothing after the update throws (see create()).
    this.deps.repo.batch(() => {
      this.update(call, { ...patch, state: next } as Patch);
      this.deps.repo.event(call.id, 'state', { state: next, previous, event });
      this.publish('call.state', call, { state: next, previous });
      if (answering && call.agentExt) {
        this.deps.agents.callConnected(call.agentExt, {
          callId: call.id,
          queue: call.queue ?? undefined,
          direction: call.direction,
          part: callPartOf(call.kind),
        });
      }
    });
    if (timeoutMs > 0) this.armTimeout(call, timeoutMs);
  }

  /** History helper: one call_events row. */
  record(callId: string, type: string, data: Record<string, unknown> = {}): void {
    if (this.stopped) return;
    this.deps.repo.event(callId, type, data);
  }

  /**
   * Ends a call part: idempotent, never throws. Hangs up what the daemon controls (unless told to
   * keep it), destroys the bridges, persists the reason and frees the agent.
   */
  async end(id: string, reason: string, opts: EndOptions = {}): Promise<void> {
    const call = this.calls.get(id);
    if (!call || call.state === 'ended' || this.stopped) return;
    const previous = call.state;
    const answered = call.answeredAt !== null;
    this.clearTimeout(id);
    call.state = 'ended';
    call.endedAt = this.deps.clock.now();
    call.endReason = reason;
    call.timeoutAt = null;
    this.calls.delete(id);
    this.takers.forget(id);
    for (const ch of [call.customerChannelId, call.agentChannelId]) {
      if (ch && this.byChannel.get(ch) === id) this.byChannel.delete(ch);
    }
    // The part's row and the agent's end (talk time, wrap-up, state) commit as one step, before
    // the channels are hung up (end-writer.ts retries the row if the database is unavailable).
    const agentExt = call.agentExt;
    this.ends.write(
      call,
      { reason, previous, ...(opts.data ?? {}) },
      agentExt ? () => this.deps.agents.callEnded(agentExt, { callId: id, queue: call.queue ?? undefined, answered }) : undefined,
    );
    // Right after the agent's wrap-up events, as when both followed the teardown (the bus order is unchanged).
    this.publish('call.ended', call, { reason, previous, answered });
    const { ari, log, originations } = this.deps;
    const work: Promise<void>[] = [];
    const gone = opts.goneChannelId ?? null;
    if (call.agentChannelId && !opts.keepAgent) {
      if (call.agentChannelId === gone) originations.forget(gone);
      else work.push(originations.cancel(call.agentChannelId, 'normal'));
    }
    if (call.customerChannelId && !opts.keepCustomer) {
      originations.forget(call.customerChannelId);
      if (call.customerChannelId !== gone) {
        work.push(ignoreGone(ari.channels.hangup(call.customerChannelId, 'normal'), log, 'hang up customer'));
      }
    }
    await Promise.all(work);
    if (call.holdBridgeId) await ignoreGone(ari.bridges.destroy(call.holdBridgeId), log, 'destroy hold bridge');
    if (call.bridgeId && !opts.keepBridge) await ignoreGone(ari.bridges.destroy(call.bridgeId), log, 'destroy bridge');
    for (const fn of [...this.endListeners]) {
      try {
        fn(call);
      } catch (err) {
        log.error('call end listener failed', { err: (err as Error).message });
      }
    }
  }

  /** True while the end of this (ended) part waits for its write to land (see end-writer.ts). */
  endPending(id: string): boolean {
    return this.ends.isPending(id);
  }

  /** (Re)opens the registry for work after a stop() (the service may be stopped and started again). */
  start(): void {
    this.stopped = false;
  }

  stop(): void {
    this.stopped = true;
    for (const id of [...this.timers.keys()]) this.clearTimeout(id);
  }

  // ---- timeouts (optional max duration: queue setting wins, 0 = off; set by transition()) ----

  private armTimeout(call: CallRecord, ms: number): void {
    this.clearTimeout(call.id);
    const handle = this.deps.clock.setTimeout(() => {
      this.timers.delete(call.id);
      if (!this.calls.has(call.id)) return;
      this.deps.log.info('call reached its max duration', { callId: call.id });
      this.record(call.id, 'timeout', { limitAt: call.timeoutAt });
      void this.end(call.id, 'timeout');
    }, Math.max(0, ms));
    this.timers.set(call.id, handle);
  }

  private clearTimeout(id: string): void {
    const h = this.timers.get(id);
    if (h) this.deps.clock.clearTimeout(h);
    this.timers.delete(id);
  }

  timeoutSecondsFor(call: CallRecord): number {
    if (call.queue) {
      this.timeoutStmt ??= this.deps.db.prepare('SELECT call_timeout_seconds AS s FROM queues WHERE name = ?');
      const row = this.timeoutStmt.get(call.queue) as
        | { s: number | null }
        | undefined;
      if (row && row.s !== null) return row.s;
    }
    return this.deps.config.policy.call_timeout_seconds;
  }

  private register(call: CallRecord): void {
    this.calls.set(call.id, call);
    this.index(call);
  }

  private unregister(call: CallRecord): void {
    this.calls.delete(call.id);
    for (const ch of [call.customerChannelId, call.agentChannelId]) {
      if (ch && this.byChannel.get(ch) === call.id) this.byChannel.delete(ch);
    }
  }

  private index(call: CallRecord): void {
    if (call.state === 'ended') return;
    for (const ch of [call.customerChannelId, call.agentChannelId]) if (ch) this.byChannel.set(ch, call.id);
  }

  private publish(type: 'call.state' | 'call.ended', call: CallRecord, data: Record<string, unknown>): void {
    this.deps.bus.publish({
      type,
      at: this.deps.clock.now(),
      agent: call.agentExt ?? undefined,
      queue: call.queue ?? undefined,
      callId: call.id,
      data: { ...data, kind: call.kind, direction: call.direction, number: call.customerNumber, rootId: call.rootId },
    });
  }
}
