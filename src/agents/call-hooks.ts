/**
 * What the calls domain tells us about an agent's calls (AgentDirectory hooks). Calls taken and
 * talk time are counted here, from the daemon's own view of the call, because app_queue credits
 * the wrong agent after an ARI-side transfer (DESIGN.md "Count your own statistics").
 * Agents who are not logged in may still take direct calls: those change no agent state.
 * A call taken = the agent talked to a customer as the handling agent: a 'handling' part connected
 * (queue, direct, outbound, callback), or a completed transfer's target (callTaken). Consult legs
 * (cancelled or not yet completed) and conference participations are not calls taken.
 */
import type { CallDirection, CallPart } from '../daemon/ports';
import type { WrapupService } from '../wrapup/service';
import type { AgentCore } from './core';

export interface CallInfo {
  callId: string;
  queue?: string;
  direction: CallDirection;
  /** Omitted = 'handling'. */
  part?: CallPart;
}

export class CallHooks {
  constructor(
    private readonly core: AgentCore,
    private readonly wrapups: WrapupService,
  ) {}

  callRinging(ext: string, call: CallInfo): void {
    const li = this.core.loggedIn(ext);
    if (!li) return;
    const { state } = li.runtime;
    // on-call: a second leg (consult/conference) rings the same agent; inactive: stays inactive.
    if (state === 'on-call' || state === 'inactive') return;
    this.core.transition(ext, 'ringing', {
      callId: call.callId,
      detail: call.queue ? `queue ${call.queue}` : call.direction,
      patch: { currentCallId: call.callId, currentQueue: call.queue ?? null },
    });
  }

  callConnected(ext: string, call: CallInfo): void {
    const li = this.core.loggedIn(ext);
    if (!li) return;
    const rt = li.runtime;
    if (rt.state === 'inactive') return;
    const sameCall = rt.state === 'on-call' && rt.currentCallId === call.callId;
    if (sameCall) return;
    this.core.transition(ext, 'on-call', {
      callId: call.callId,
      detail: call.queue ? `queue ${call.queue}` : call.direction,
      patch: {
        currentCallId: call.callId,
        currentQueue: call.queue ?? null,
        connectedAt: this.core.now(),
        ...((call.part ?? 'handling') === 'handling' ? { callsTaken: rt.callsTaken + 1 } : {}),
      },
    });
    // Busy for app_queue across all queues, also on outbound/direct calls (DESIGN.md hint rule).
    void this.core.setBusyBestEffort(ext, true);
  }

  /** A completed transfer's target now handles the customer: one more call taken. */
  callTaken(ext: string, call: { callId: string; queue?: string }): void {
    const li = this.core.loggedIn(ext);
    if (!li) return;
    this.core.deps.repo.patchRuntime(ext, { callsTaken: li.runtime.callsTaken + 1 });
    this.core.deps.log.debug('call taken over by transfer', { agent: ext, callId: call.callId, queue: call.queue });
  }

  callEnded(ext: string, call: { callId: string; queue?: string; answered: boolean }): void {
    // Talk time, the wrap-up row and the state change commit once (three transactions before).
    this.core.deps.repo.transaction(() => this.recordCallEnded(ext, call));
  }

  private recordCallEnded(ext: string, call: { callId: string; queue?: string; answered: boolean }): void {
    const li = this.core.loggedIn(ext);
    if (!li) return;
    const rt = li.runtime;
    const isCurrent = !rt.currentCallId || rt.currentCallId === call.callId;
    if (call.answered) {
      if (rt.connectedAt !== null && isCurrent) {
        this.core.deps.repo.patchRuntime(ext, { talkMs: rt.talkMs + Math.max(0, this.core.now() - rt.connectedAt) });
      }
      // Only the call the agent is on opens a window (a consult leg ending keeps the agent on-call).
      if ((rt.state === 'on-call' && isCurrent) || rt.state === 'inactive') {
        this.wrapups.start(ext, { callId: call.callId, queue: call.queue ?? rt.currentQueue });
      }
      return;
    }
    if (rt.state === 'ringing' && isCurrent) {
      this.core.enterRest(ext, rt, { reason: 'not answered', callId: call.callId });
      this.core.deps.repo.patchRuntime(ext, { currentCallId: null, currentQueue: null });
    }
  }
}
