/**
 * Max no answer, done by the daemon because app_queue's autopause must stay off (DESIGN.md: with
 * the Stasis app absent every ring fails with RingTime=0 and autopause would pause everybody).
 * Misses are counted per agent across queues; the limit is the queue's (catalogue) or the policy's
 * (0 = off). At the limit the agent is paused in all its queues with the configured reason.
 * The count resets on AgentConnect and on unpause (src/pause/pause.ts).
 */
import { num } from '../ami/events';
import type { AmiClient, AmiEvent } from '../ami/types';
import type { AgentCore } from '../agents/core';

export class NoAnswerService {
  private unsubs: (() => void)[] = [];

  constructor(private readonly core: AgentCore) {}

  attach(ami: AmiClient): void {
    this.unsubs.push(
      ami.onEvent('AgentRingNoAnswer', (e) => this.onRingNoAnswer(e)),
      ami.onEvent('AgentConnect', (e) => this.onConnect(e)),
    );
  }

  detach(): void {
    for (const u of this.unsubs.splice(0)) u();
  }

  onRingNoAnswer(e: AmiEvent): void {
    const ext = this.core.deps.members.extOf(e.Interface);
    if (!ext) return;
    // RingTime is MILLISECONDS here; 0 = Stasis() failed because the daemon's app was not registered.
    if (num(e.RingTime) <= 0) {
      this.core.deps.log.debug('AgentRingNoAnswer with RingTime=0 ignored (Stasis app absent)', { agent: ext, queue: e.Queue });
      return;
    }
    const li = this.core.loggedIn(ext);
    if (!li) return;
    const misses = li.runtime.missesInRow + 1;
    this.core.deps.repo.patchRuntime(ext, { missesInRow: misses });
    const limit = this.core.maxNoAnswer(e.Queue);
    this.core.deps.bus.publish({
      type: 'queue.member',
      at: this.core.now(),
      agent: ext,
      queue: e.Queue,
      data: { event: 'ring-no-answer', ringMs: num(e.RingTime), missesInRow: misses, limit },
    });
    if (limit <= 0 || misses < limit) return;
    this.autoPause(ext, misses, limit, e.Queue);
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
    const rt = this.core.deps.repo.runtime(ext);
    if (rt && rt.missesInRow !== 0) this.core.deps.repo.patchRuntime(ext, { missesInRow: 0 });
  }
}
