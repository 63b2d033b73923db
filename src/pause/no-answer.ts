/**
 * Max no answer, done by the daemon because app_queue's autopause must stay off (DESIGN.md: with
 * the Stasis app absent every ring fails with RingTime=0 and autopause would pause everybody).
 * Misses are counted per agent across queues; the limit is the queue's (catalogue) or the policy's
 * (0 = off). At the limit the agent is paused in all its queues with the configured reason.
 * The count resets on AgentConnect and on unpause (src/pause/pause.ts), and on an answer the daemon
 * did not see live (AMI down) that app_queue's queue_log shows later (answeredUnseen): only when
 * every miss counted came before that answer.
 *
 * Only genuine misses count ("the agent's device rang and nobody answered"): app_queue also reports
 * AgentRingNoAnswer (RingTime > 0) for member legs the DAEMON ended for its own reasons (blocked
 * caller, agent unavailable for the daemon, device unreachable, recovery). The calls domain reports
 * those through AgentDirectory.callRejected(ext, {linkedid}); a miss of the same member (interface →
 * extension) and customer linkedid is then ignored. AMI and ARI are separate sockets, so either may
 * come first: a rejection is remembered (one token per rejected leg, REJECT_MEMORY_MS), and a miss is
 * held for `graceMs` before it counts, so a rejection arriving just after it still cancels it.
 */
import { num } from '../ami/events';
import type { AmiClient, AmiEvent } from '../ami/types';
import type { AgentCore } from '../agents/core';
import type { TimerHandle } from '../util/clock';

export interface NoAnswerOptions {
  /** How long a miss waits for a matching rejection before it counts (AMI may beat ARI). */
  graceMs?: number;
}

/**
 * Default grace 0 (the miss settles on the next timer turn): every rejection path in the calls
 * domain reports callRejected BEFORE it hangs the leg up, and app_queue's AgentRingNoAnswer is a
 * consequence of that hangup, so the rejection is always remembered first. A longer grace would
 * delay the auto-pause, and app_queue may ring the agent again inside it (an extra miss).
 * The pending path stays for callers that cannot order it that way (graceMs option).
 */
export const NO_ANSWER_GRACE_MS = 0;
/** A rejection waits this long for its AgentRingNoAnswer (app_queue sends it when the leg ends). */
const REJECT_MEMORY_MS = 60_000;

interface PendingMiss {
  linkedid: string | null;
  queue: string;
  ringMs: number;
  timer: TimerHandle;
}

const keyOf = (ext: string, linkedid: string) => `${ext}|${linkedid}`;

export class NoAnswerService {
  private unsubs: (() => void)[] = [];
  /** ext|linkedid → daemon rejections not yet matched by their AgentRingNoAnswer. */
  private readonly rejections = new Map<string, { count: number; at: number; reason: string }>();
  /** ext → misses waiting out the grace period. */
  private readonly pending = new Map<string, PendingMiss[]>();
  private readonly graceMs: number;

  constructor(
    private readonly core: AgentCore,
    opts: NoAnswerOptions = {},
  ) {
    this.graceMs = opts.graceMs ?? NO_ANSWER_GRACE_MS;
  }

  attach(ami: AmiClient): void {
    this.unsubs.push(
      ami.onEvent('AgentRingNoAnswer', (e) => this.onRingNoAnswer(e)),
      ami.onEvent('AgentConnect', (e) => this.onConnect(e)),
    );
  }

  detach(): void {
    for (const u of this.unsubs.splice(0)) u();
    for (const ext of [...this.pending.keys()]) this.dropPending(ext);
    this.rejections.clear();
  }

  /** The calls domain ended this member leg itself: its AgentRingNoAnswer is not a miss. */
  callRejected(ext: string, leg: { linkedid: string; reason: string; callId?: string }): void {
    if (!leg.linkedid) return;
    const { log } = this.core.deps;
    const list = this.pending.get(ext);
    const i = list ? list.findIndex((p) => p.linkedid === leg.linkedid) : -1;
    if (list && i >= 0) {
      // The AMI event came first: cancel the miss waiting out its grace.
      const [p] = list.splice(i, 1);
      this.core.deps.clock.clearTimeout(p.timer);
      if (!list.length) this.pending.delete(ext);
      log.debug('no-answer ignored: the daemon ended the leg', { agent: ext, linkedid: leg.linkedid, reason: leg.reason });
      return;
    }
    const now = this.core.now();
    for (const [k, r] of this.rejections) if (now - r.at > REJECT_MEMORY_MS) this.rejections.delete(k);
    const key = keyOf(ext, leg.linkedid);
    const prev = this.rejections.get(key);
    this.rejections.set(key, { count: (prev?.count ?? 0) + 1, at: now, reason: leg.reason });
  }

  onRingNoAnswer(e: AmiEvent): void {
    const ext = this.core.deps.members.extOf(e.Interface);
    if (!ext) return;
    // RingTime is MILLISECONDS here; 0 = Stasis() failed because the daemon's app was not registered.
    if (num(e.RingTime) <= 0) {
      this.core.deps.log.debug('AgentRingNoAnswer with RingTime=0 ignored (Stasis app absent)', { agent: ext, queue: e.Queue });
      return;
    }
    const linkedid = e.Linkedid || e.DestLinkedid || null;
    if (linkedid && this.consumeRejection(ext, linkedid)) return;
    if (!this.core.loggedIn(ext)) return;
    const miss: PendingMiss = {
      linkedid,
      queue: e.Queue,
      ringMs: num(e.RingTime),
      timer: this.core.deps.clock.setTimeout(() => this.settle(ext, miss), this.graceMs),
    };
    const list = this.pending.get(ext) ?? [];
    list.push(miss);
    this.pending.set(ext, list);
  }

  private consumeRejection(ext: string, linkedid: string): boolean {
    const key = keyOf(ext, linkedid);
    const r = this.rejections.get(key);
    if (!r) return false;
    if (r.count <= 1) this.rejections.delete(key);
    else r.count -= 1;
    this.core.deps.log.debug('no-answer ignored: the daemon ended the leg', { agent: ext, linkedid, reason: r.reason });
    return true;
  }

  private settle(ext: string, miss: PendingMiss): void {
    const list = this.pending.get(ext);
    const i = list ? list.indexOf(miss) : -1;
    if (!list || i < 0) return;
    list.splice(i, 1);
    if (!list.length) this.pending.delete(ext);
    this.count(ext, miss.queue, miss.ringMs);
  }

  private dropPending(ext: string): void {
    for (const p of this.pending.get(ext) ?? []) this.core.deps.clock.clearTimeout(p.timer);
    this.pending.delete(ext);
  }

  /** A genuine miss: count it, pause at the limit. */
  private count(ext: string, queue: string, ringMs: number): void {
    const li = this.core.loggedIn(ext);
    if (!li) return;
    const misses = li.runtime.missesInRow + 1;
    this.core.deps.repo.patchRuntime(ext, { missesInRow: misses, lastMissAt: this.core.now() });
    const limit = this.core.maxNoAnswer(queue);
    this.core.deps.bus.publish({
      type: 'queue.member',
      at: this.core.now(),
      agent: ext,
      queue,
      data: { event: 'ring-no-answer', ringMs, missesInRow: misses, limit },
    });
    if (limit <= 0 || misses < limit) return;
    this.autoPause(ext, misses, limit, queue);
  }

  private autoPause(ext: string, misses: number, limit: number, queue: string): void {
    const li = this.core.loggedIn(ext);
    if (!li) return;
    const reason = this.core.policy.no_answer_pause_reason;
    const statusId = this.core.statusIdOf(reason);
    const detail = `max-no-answer: ${misses} unanswered queue calls in a row (limit ${limit}, last queue ${queue})`;
    const { state } = li.runtime;
    if (state === 'paused' || state === 'inactive') return;
    if (state === 'on-call' || state === 'wrap-up') {
      // Events crossed (the agent answered another call meanwhile): pause once that call is over.
      this.core.deps.repo.patchRuntime(ext, { pendingPause: reason, pendingStatusId: statusId });
      this.core.deps.log.info('max no answer reached during a call: pause after the call', { agent: ext, detail });
      return;
    }
    this.core.transition(ext, 'paused', {
      reason,
      statusId,
      detail,
      patch: { pauseReason: reason, pauseStatusId: statusId },
    });
    this.core.publishPause(ext, reason, statusId, { auto: true, missesInRow: misses, detail });
    void this.core.pauseInQueuesBestEffort(ext, li.session.queues, true, reason);
  }

  onConnect(e: AmiEvent): void {
    const ext = this.core.deps.members.extOf(e.Interface);
    if (!ext) return;
    // Misses still in their grace period happened before this answer: the reset wipes them too.
    this.dropPending(ext);
    const rt = this.core.deps.repo.runtime(ext);
    if (rt && rt.missesInRow !== 0) this.core.deps.repo.patchRuntime(ext, { missesInRow: 0 });
  }

  /**
   * The agent answered a queue call at `at` (a whole second: queue_log's) that the daemon did not see
   * live (AMI was down; found in app_queue's queue_log). The misses counted before that answer are
   * no longer in a row: reset, unless a miss was counted after it (AMI back and the agent missed
   * again), which keeps the count.
   */
  answeredUnseen(ext: string, answer: { at: number; queue: string; callId?: string }): void {
    const { at } = answer;
    const li = this.core.loggedIn(ext);
    const rt = li?.runtime;
    if (!rt || rt.missesInRow === 0) return;
    // queue_log times are whole seconds: `at` may be up to 999 ms before the real answer, so a miss
    // counted within that second was before it (a miss after an answer takes at least a ring).
    if (rt.lastMissAt !== null && rt.lastMissAt >= at + 1000) return;
    this.core.deps.repo.patchRuntime(ext, { missesInRow: 0 });
    this.core.deps.log.info('misses in a row reset: an answer found in queue_log came after them', { agent: ext, misses: rt.missesInRow, answeredAt: at, callId: answer.callId });
    this.core.deps.bus.publish({
      type: 'queue.member',
      at: this.core.now(),
      agent: ext,
      queue: answer.queue,
      callId: answer.callId,
      data: { event: 'misses-reset', source: 'queue_log', answeredAt: at, missesInRow: 0, before: rt.missesInRow },
    });
  }
}
