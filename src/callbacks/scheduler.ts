/**
 * Fires scheduled callbacks at their due time. The database is the source of truth, so the
 * scheduler survives restarts: on start it re-reads pending callbacks (overdue ones fire at once)
 * and puts callbacks a dead daemon left `ringing` back to pending.
 *
 * One timer only, armed for the earliest pending `next_at` but never further than `rescanMs` away,
 * so callbacks written to the DB by another process (CLI) are still picked up.
 *
 * At due time: pick the agent (named, or the queue's longest-idle available one); nobody free →
 * try again in `waitRetryMs` until `giveUpAfterMs` past the due time. Then the dialer rings the
 * agent and dials the customer; a failed dial is retried after `retryDelayMs` up to `maxAttempts`.
 *
 * A number on the do-not-call list is final: checked when the callback comes due (before an agent
 * is rung) and by the dial itself; either way the callback is marked failed with the list's reason
 * and never retried.
 *
 * Queue requests (origin 'queue', a waiting caller pressed the callback key) have policy of their
 * own (`queue` options) and one more gate before an agent is picked: their turn (./queue-turn.ts),
 * re-checked every `queue.recheckMs` and at once when an agent becomes available (`poke`).
 *
 * Asterisk being unreachable is nobody's failed dial: with the ARI link given, nothing fires while
 * it is down (the daemon starts before ARI connects) and due callbacks fire when it (re)connects;
 * a dial refused as `unavailable` (link lost mid-dial) gives its attempt back and waits likewise.
 */
import { AriNotConnectedError } from '../ari/types';
import { isDncRefusal, type DncGuard } from '../dnc/guard';
import type { Logger } from '../log/logger';
import type { Clock, TimerHandle } from '../util/clock';
import { CcError } from '../util/errors';
import type { AgentPicker } from './agent-picker';
import type { Callback, CallbackDialer } from './model';
import type { Turn } from './queue-turn';
import type { CallbacksRepo } from './repo';

/** Retry policy of one origin of callbacks. */
export interface RetryPolicy {
  maxAttempts: number;
  retryDelayMs: number;
  /** Nobody free (or, for queue requests, not its turn yet): look again after this long. */
  waitRetryMs: number;
  /** Give up waiting this long after `at` (the due time; for a queue request, when it was made). */
  giveUpAfterMs: number;
}

export interface SchedulerOptions extends RetryPolicy {
  rescanMs: number;
  /** Queue requests (origin 'queue'). */
  queue: RetryPolicy;
}

/** Defaults = the defaults of config policy.callbacks (the module passes the configured values). */
export const DEFAULT_SCHEDULER_OPTIONS: SchedulerOptions = {
  maxAttempts: 3,
  retryDelayMs: 5 * 60_000,
  waitRetryMs: 60_000,
  giveUpAfterMs: 4 * 3_600_000,
  rescanMs: 60_000,
  queue: { maxAttempts: 3, retryDelayMs: 120_000, waitRetryMs: 5_000, giveUpAfterMs: 4 * 3_600_000 },
};

const MIN_TICK_GAP_MS = 1000;

export interface SchedulerDeps {
  repo: CallbacksRepo;
  picker: AgentPicker;
  dialer: CallbackDialer;
  clock: Clock;
  log: Logger;
  options?: Partial<SchedulerOptions>;
  /** The ARI link (AriClient). Absent (unit tests): Asterisk counts as always reachable. */
  link?: SchedulerLink;
  /** The do-not-call list. Absent: nothing is checked before the dial (the dial still checks). */
  dnc?: Pick<DncGuard, 'assertCallable'>;
  /** Whether a queue request is at the head of its queue. Absent: always (no live callers known). */
  turn?: (c: Callback) => Turn;
}

export interface SchedulerLink {
  readonly connected: boolean;
  onConnected(handler: () => void): () => void;
}

/** True when a dial failed because Asterisk could not be reached, not because of the agent/customer. */
export function isUnreachable(err: unknown): boolean {
  return (err instanceof CcError && err.kind === 'unavailable') || err instanceof AriNotConnectedError;
}

export class CallbackScheduler {
  private readonly opts: SchedulerOptions;
  private timer?: TimerHandle;
  private running = false;
  /** Agents currently being rung for a callback: not offered a second one meanwhile. */
  private readonly busyAgents = new Set<string>();
  /**
   * Dials in progress (for idle() and health). A callback cannot be started twice: it leaves
   * `pending` synchronously when fired (ringing, postponed or failed).
   */
  private readonly inFlight = new Set<Promise<void>>();
  private offConnected?: () => void;

  constructor(private readonly deps: SchedulerDeps) {
    this.opts = { ...DEFAULT_SCHEDULER_OPTIONS, ...deps.options };
    this.opts.queue = { ...DEFAULT_SCHEDULER_OPTIONS.queue, ...deps.options?.queue };
  }

  /** An agent became available: queue requests waiting for one are looked at now, not at the next re-check. */
  poke(): void {
    if (!this.running) return;
    if (this.deps.repo.queueRequestsDueNow() > 0) this.rearm();
  }

  private policyOf(c: Callback): RetryPolicy {
    return c.origin === 'queue' ? this.opts.queue : this.opts;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    // Every (re)connect re-arms at once, so what came due while ARI was down fires now.
    this.offConnected = this.deps.link?.onConnected(() => this.rearm());
    for (const c of this.deps.repo.interrupted()) {
      // The daemon stopped while this one was ringing: whether the call happened is unknown, and a
      // second call is better than a promised callback never made. Try again now.
      this.deps.repo.transition(c.id, 'ringing', 'pending', {
        nextAt: this.deps.clock.now(),
        lastError: 'interrupted by a daemon restart',
      });
      this.deps.log.warn('callback interrupted by restart, retrying', { callbackId: c.id });
    }
    this.rearm();
  }

  stop(): void {
    this.running = false;
    this.offConnected?.();
    this.offConnected = undefined;
    if (this.timer) this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * Call after a callback was added/cancelled so the timer matches the earliest due one.
   * `minDelayMs` > 0 after a tick: a row that somehow stayed due can then only be retried at that
   * pace, never in a zero-delay loop.
   */
  rearm(minDelayMs = 0): void {
    if (!this.running) return;
    if (this.timer) this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
    // Link down: no timer at all (a due row would otherwise spin); onConnected re-arms.
    if (!this.linkUp()) return;
    const now = this.deps.clock.now();
    const next = this.deps.repo.nextDue();
    const wanted = next === undefined ? this.opts.rescanMs : Math.min(Math.max(0, next - now), this.opts.rescanMs);
    const delay = Math.max(wanted, minDelayMs);
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = undefined;
      void this.tick();
    }, delay);
  }

  /** Fires everything due now; resolves when those attempts have finished (tests await it). */
  async tick(): Promise<void> {
    if (!this.linkUp()) return;
    const due = this.deps.repo.due(this.deps.clock.now());
    const runs = due.map((c) => this.track(c));
    this.rearm(MIN_TICK_GAP_MS);
    await Promise.all(runs);
  }

  /** Resolves when every callback being fired right now is settled. */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }

  health(): Record<string, unknown> {
    return { pending: this.deps.repo.list({ status: 'pending' }).length, ringing: this.inFlight.size };
  }

  private linkUp(): boolean {
    return this.deps.link?.connected ?? true;
  }

  private track(c: Callback): Promise<void> {
    const p = this.fire(c)
      .catch((err: unknown) => {
        // A bug or DB error: push the row back so it cannot spin in a zero-delay loop.
        this.deps.log.error('callback fire failed', { callbackId: c.id, error: String(err) });
        this.deps.repo.postpone(c.id, this.deps.clock.now() + this.opts.waitRetryMs, String(err));
      })
      .finally(() => {
        this.inFlight.delete(p);
        this.rearm();
      });
    this.inFlight.add(p);
    return p;
  }

  private async fire(c: Callback): Promise<void> {
    const { repo, picker, clock, log } = this.deps;
    const now = clock.now();
    // Listed since it was scheduled: no agent is rung for a call that may not be made.
    try {
      this.deps.dnc?.assertCallable({
        number: c.ddi + c.number,
        queue: c.queue ?? null,
        action: 'callback-dial',
        agent: c.agent ?? null,
        by: `callback ${c.id}`,
        callbackId: c.id,
      });
    } catch (err) {
      if (!isDncRefusal(err)) throw err;
      repo.transition(c.id, 'pending', 'failed', { lastError: (err as Error).message });
      log.warn('callback failed: number on the do-not-call list', { callbackId: c.id });
      return;
    }
    const policy = this.policyOf(c);
    const notYet = (reason: string): void => {
      if (now - c.at >= policy.giveUpAfterMs) {
        repo.transition(c.id, 'pending', 'failed', { lastError: `gave up: ${reason}` });
        log.warn('callback failed: nobody available in time', { callbackId: c.id, reason });
      } else {
        repo.postpone(c.id, now + policy.waitRetryMs, reason);
      }
    };
    if (c.origin === 'queue') {
      const turn = this.deps.turn?.(c) ?? { head: true };
      if (!turn.head) return notYet(turn.reason);
    }
    const pick = c.agent ? picker.pickAgent(c.agent, this.busyAgents) : picker.pickFromQueue(c.queue!, this.busyAgents);
    if (!pick.agent) return notYet(pick.reason);
    const ext = pick.agent.extension;
    const attempts = c.attempts + 1;
    // Only the row still pending may ring: a cancel that won the race stays cancelled.
    if (!repo.transition(c.id, 'pending', 'ringing', { attempts, lastError: null })) return;
    this.busyAgents.add(ext);
    log.info('callback ringing agent', { callbackId: c.id, agent: ext, attempt: attempts });
    try {
      const callId = await this.deps.dialer.dialForAgent(ext, c.number, c.ddi, {
        callbackId: c.id,
        queue: c.queue,
        origin: c.origin,
        linkedid: c.linkedid,
      });
      repo.transition(c.id, 'ringing', 'done', { callId });
      log.info('callback placed', { callbackId: c.id, agent: ext, callId });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      if (isUnreachable(err)) {
        this.unreachable(c, reason);
        return;
      }
      // The list of the queue the call would be recorded under (an agent callback: the agent's first queue).
      if (attempts >= policy.maxAttempts || isDncRefusal(err)) {
        repo.transition(c.id, 'ringing', 'failed', { lastError: reason });
        log.warn('callback failed', { callbackId: c.id, agent: ext, attempts, reason });
      } else {
        repo.transition(c.id, 'ringing', 'pending', { nextAt: clock.now() + policy.retryDelayMs, lastError: reason });
        log.info('callback dial failed, will retry', { callbackId: c.id, agent: ext, attempts, reason });
      }
    } finally {
      this.busyAgents.delete(ext);
    }
  }

  /**
   * Asterisk unreachable: the attempt is given back. Link known down → due again at once, which
   * fires on reconnect; otherwise (REST failed with the socket up) retried after `waitRetryMs`,
   * within the same `giveUpAfterMs` bound as waiting for an agent.
   */
  private unreachable(c: Callback, reason: string): void {
    const { repo, clock, log } = this.deps;
    const now = clock.now();
    const policy = this.policyOf(c);
    if (now - c.at >= policy.giveUpAfterMs) {
      repo.transition(c.id, 'ringing', 'failed', { attempts: c.attempts, lastError: `gave up: ${reason}` });
      log.warn('callback failed: Asterisk unreachable for too long', { callbackId: c.id, reason });
      return;
    }
    const nextAt = this.linkUp() ? now + policy.waitRetryMs : now;
    repo.transition(c.id, 'ringing', 'pending', { attempts: c.attempts, nextAt, lastError: reason });
    log.info('callback postponed: Asterisk unreachable', { callbackId: c.id, reason });
  }
}
