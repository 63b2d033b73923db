/**
 * Agent-requested pauses: `QueuePause` with `Reason` in every queue of the session, reason taken
 * from the pause catalogue (name exactly as the dialer uses it; its status id travels with the
 * `agent.pause` event). During a call or its wrap-up a pause becomes "pause after this call": it
 * is stored and applied when the wrap-up ends (src/agents/core.ts enterRest).
 * `now` (supervisor/admin; the route checks the role) pauses at once even during a call: the member
 * is paused in every queue (no new calls offered) while the call goes on; the agent's state stays
 * on-call/ringing/wrap-up with pauseReason set (as for a call taken in pause), and it rests in that
 * pause when the call and its wrap-up are over (core.restState).
 */
import type { AgentCore } from '../agents/core';
import type { RuntimeRow } from '../agents/repository';
import { AmiActionError } from '../ami/types';
import { invalid, notFound, refused } from '../util/errors';

export interface PauseResult {
  extension: string;
  reason: string;
  statusId: number;
  /** true = stored as "pause after this call", not applied yet. */
  pending: boolean;
  /** true = paused in the queues now, during a call that goes on (`now`). */
  duringCall?: boolean;
}

export class PauseService {
  constructor(private readonly core: AgentCore) {}

  private reasonOf(reason: string): { name: string; statusId: number } {
    const name = (reason ?? '').trim();
    if (!name) throw invalid('a pause reason is required (--reason NAME)', { field: 'reason' });
    const found = this.core.deps.catalogue.pauseReason(name);
    if (!found) throw notFound(`unknown pause reason "${name}" (see pause-reason list)`, { reason: name });
    return found;
  }

  async pause(ext: string, reason: string, opts: { afterCall?: boolean; now?: boolean } = {}): Promise<PauseResult> {
    if (opts.afterCall && opts.now) throw invalid('choose either after the call or now, not both', { field: 'now' });
    const { session, runtime } = this.core.requireLoggedIn(ext);
    const pr = this.reasonOf(reason);
    const inCall = runtime.state === 'ringing' || runtime.state === 'on-call' || runtime.state === 'wrap-up';
    if (opts.afterCall && !inCall) {
      throw refused(`agent ${ext} has no call to pause after; pause it now instead`, { agent: ext });
    }
    if (inCall && opts.now) return this.pauseDuringCall(ext, session.queues, runtime, pr);
    if (inCall) return this.pauseAfterCall(ext, runtime, pr);

    await this.pauseAll(ext, session.queues, true, pr.name);
    if (runtime.state === 'inactive') {
      // Stays inactive (the device is unreachable); returns to this pause when it comes back.
      this.core.deps.repo.patchRuntime(ext, { pauseReason: pr.name, pauseStatusId: pr.statusId });
    } else if (!(runtime.state === 'paused' && runtime.pauseReason === pr.name)) {
      this.core.transition(ext, 'paused', {
        reason: pr.name,
        statusId: pr.statusId,
        patch: { pauseReason: pr.name, pauseStatusId: pr.statusId },
      });
    }
    this.core.publishPause(ext, pr.name, pr.statusId);
    return { extension: ext, reason: pr.name, statusId: pr.statusId, pending: false };
  }

  /** Asterisk refusing (member missing after a restart, ...) is a clear 409, not a crash. */
  private async pauseAll(ext: string, queues: string[], paused: boolean, reason?: string): Promise<void> {
    try {
      for (const q of queues) await this.core.deps.members.pause(q, ext, paused, reason);
    } catch (e) {
      if (e instanceof AmiActionError) {
        throw refused(`Asterisk refused the ${paused ? 'pause' : 'unpause'}: ${e.response.Message ?? e.message}`, {
          agent: ext,
        });
      }
      throw e;
    }
  }

  /** Paused in the queues now; the call goes on and the agent rests in this pause after it. */
  private async pauseDuringCall(
    ext: string,
    queues: string[],
    rt: RuntimeRow,
    pr: { name: string; statusId: number },
  ): Promise<PauseResult> {
    await this.pauseAll(ext, queues, true, pr.name);
    const at = this.core.now();
    const { repo } = this.core.deps;
    repo.transaction(() => {
      repo.patchRuntime(ext, { pauseReason: pr.name, pauseStatusId: pr.statusId, pendingPause: null, pendingStatusId: null });
      repo.logState({
        extension: ext,
        sessionId: rt.sessionId,
        at,
        previous: rt.state,
        state: rt.state,
        reason: pr.name,
        statusId: pr.statusId,
        callId: rt.currentCallId,
        detail: 'paused now, during the call',
      });
    });
    this.core.deps.bus.publish({
      type: 'agent.state',
      at,
      agent: ext,
      callId: rt.currentCallId ?? undefined,
      data: { state: rt.state, previous: rt.state, pauseReason: pr.name, statusId: pr.statusId, duringCall: true },
    });
    this.core.publishPause(ext, pr.name, pr.statusId, { duringCall: true });
    return { extension: ext, reason: pr.name, statusId: pr.statusId, pending: false, duringCall: true };
  }

  private pauseAfterCall(ext: string, rt: RuntimeRow, pr: { name: string; statusId: number }): PauseResult {
    this.core.deps.repo.patchRuntime(ext, { pendingPause: pr.name, pendingStatusId: pr.statusId });
    this.core.deps.bus.publish({
      type: 'agent.state',
      at: this.core.now(),
      agent: ext,
      callId: rt.currentCallId ?? undefined,
      data: { state: rt.state, previous: rt.state, pendingPause: pr.name, statusId: pr.statusId },
    });
    return { extension: ext, reason: pr.name, statusId: pr.statusId, pending: true };
  }

  async unpause(ext: string): Promise<{ extension: string; cancelledPending: boolean }> {
    const { session, runtime } = this.core.requireLoggedIn(ext);
    const { repo } = this.core.deps;
    if (runtime.pendingPause) {
      // Cancels "pause after this call" only; the call/wrap-up goes on.
      repo.patchRuntime(ext, { pendingPause: null, pendingStatusId: null });
      if (runtime.state !== 'paused') {
        this.core.deps.bus.publish({
          type: 'agent.state',
          at: this.core.now(),
          agent: ext,
          data: { state: runtime.state, previous: runtime.state, pendingPause: null },
        });
        return { extension: ext, cancelledPending: true };
      }
    }
    const pausedInactive = runtime.state === 'inactive' && runtime.pauseReason;
    // Paused during a call (pause --now, or a call taken in pause): unpause the queues, the call goes on.
    const pausedInCall = ['ringing', 'on-call', 'wrap-up'].includes(runtime.state) && runtime.pauseReason;
    if (runtime.state !== 'paused' && !pausedInactive && !pausedInCall) {
      throw refused(`agent ${ext} is not paused (state ${runtime.state})`, { agent: ext, state: runtime.state });
    }
    await this.pauseAll(ext, session.queues, false);
    const patch = { pauseReason: null, pauseStatusId: null, missesInRow: 0 };
    if (runtime.state === 'paused') {
      this.core.transition(ext, 'available', { reason: 'unpause', detail: `was ${runtime.pauseReason}`, patch });
    } else {
      repo.patchRuntime(ext, patch);
    }
    this.core.deps.bus.publish({
      type: 'agent.unpause',
      at: this.core.now(),
      agent: ext,
      data: { previousReason: runtime.pauseReason, previousStatusId: runtime.pauseStatusId },
    });
    return { extension: ext, cancelledPending: false };
  }
}
