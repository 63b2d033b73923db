/**
 * What the calls domain tells us about an agent's calls (AgentDirectory hooks). Calls taken and
 * talk time are counted here, from the daemon's own view of the call, because app_queue credits
 * the wrong agent after an ARI-side transfer (DESIGN.md "Count your own statistics").
 * Agents who are not logged in may still take direct calls: those change no agent state.
 * A call taken = the agent talked to a customer as the handling agent: a 'handling' part connected
 * (queue, direct, outbound, callback), or a completed transfer's target (callTaken). Consult legs
 * (cancelled or not yet completed) and conference participations are not calls taken.
 * Wrap-up = after-call work for a customer the agent talked to: a handling part, a completed
 * transfer's target, a conference participant. A consult leg that ends before the transfer completed
 * (cancelled) never had the customer: the target goes straight back to available (or its pending
 * pause), with no wrap-up window.
 */
import type { CallDirection, CallDirectory, CallPart } from '../daemon/ports';
import type { WrapupService } from '../wrapup/service';
import type { AgentCore } from './core';
import type { RuntimePatch } from './repository';

export interface CallInfo {
  callId: string;
  queue?: string;
  direction: CallDirection;
  /** Omitted = 'handling'. */
  part?: CallPart;
}

export class CallHooks {
  /**
   * ext → call id of the consult part the agent is on and has not taken over (no callTaken yet).
   * In memory: after a daemon restart call recovery re-announces a consult leg it finds
   * (callConnected with part 'consult' for the call the agent is already on) before ending it.
   */
  private readonly openConsults = new Map<string, string>();

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
    if (sameCall) {
      // Re-announced after a restart: only the consult mark (memory) was lost, the state is right.
      if (call.part === 'consult') this.openConsults.set(ext, call.callId);
      return;
    }
    if (call.part === 'consult') this.openConsults.set(ext, call.callId);
    else this.openConsults.delete(ext);
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
    if (this.openConsults.get(ext) === call.callId) this.openConsults.delete(ext);
    if (!li) return;
    this.core.deps.repo.patchRuntime(ext, { callsTaken: li.runtime.callsTaken + 1 });
    this.core.deps.log.debug('call taken over by transfer', { agent: ext, callId: call.callId, queue: call.queue });
  }

  callEnded(ext: string, call: { callId: string; queue?: string; answered: boolean }): void {
    // Talk time, the wrap-up row and the state change commit once, with the call's end when it
    // runs inside that step (src/calls/core.ts end()).
    this.core.deps.repo.transaction(() => this.recordCallEnded(ext, call));
  }

  private recordCallEnded(ext: string, call: { callId: string; queue?: string; answered: boolean }): void {
    const untakenConsult = this.openConsults.get(ext) === call.callId;
    if (untakenConsult) this.openConsults.delete(ext);
    const li = this.core.loggedIn(ext);
    if (!li) return;
    const rt = li.runtime;
    const isCurrent = !rt.currentCallId || rt.currentCallId === call.callId;
    if (call.answered) {
      // Talk time goes into the state change's own UPDATE (one statement, not two).
      const talk: RuntimePatch =
        rt.connectedAt !== null && isCurrent ? { talkMs: rt.talkMs + Math.max(0, this.core.now() - rt.connectedAt) } : {};
      if (untakenConsult) {
        if (rt.state === 'on-call' && isCurrent) this.leaveWithoutWrapup(ext, call.callId, talk);
        else this.core.deps.repo.patchRuntime(ext, talk);
        return;
      }
      // Only the call the agent is on opens a window (a consult leg ending keeps the agent on-call).
      if ((rt.state === 'on-call' && isCurrent) || rt.state === 'inactive') {
        this.wrapups.start(ext, { callId: call.callId, queue: call.queue ?? rt.currentQueue }, talk);
      } else {
        this.core.deps.repo.patchRuntime(ext, talk);
      }
      return;
    }
    if (rt.state === 'ringing' && isCurrent) {
      this.core.enterRest(ext, rt, { reason: 'not answered', callId: call.callId, patch: { currentCallId: null, currentQueue: null } });
    }
  }

  /** ext → current call id found not live at the previous sweep (two strikes before acting). */
  private stale = new Map<string, string>();

  /**
   * Agents on a call (or ringing) whose call is no longer live: the call's end never reached this
   * domain (the process was killed between the call's end and the agent's, or the write failed on
   * a locked or full database). Acted on when seen twice in a row, so a call that is ending right
   * now (its end still on its way here) is left to the normal path. Returns the agents freed.
   */
  reconcile(calls: CallDirectory): string[] {
    if (!calls.callsKnown()) return [];
    const seen = new Map<string, string>();
    const freed: string[] = [];
    for (const s of this.core.deps.repo.openSessions()) {
      const rt = this.core.deps.repo.runtime(s.extension);
      if (!rt || (rt.state !== 'on-call' && rt.state !== 'ringing') || !rt.currentCallId) continue;
      if (calls.activeCallIds(s.extension).includes(rt.currentCallId)) continue;
      if (this.stale.get(s.extension) !== rt.currentCallId) {
        seen.set(s.extension, rt.currentCallId);
        continue;
      }
      const callId = rt.currentCallId;
      this.core.deps.log.warn('agent freed: its call is no longer live and its end never reached the agent', { agent: s.extension, callId, state: rt.state });
      this.callEnded(s.extension, { callId, queue: rt.currentQueue ?? undefined, answered: rt.state === 'on-call' });
      freed.push(s.extension);
    }
    this.stale = seen;
    return freed;
  }

  /** A consult leg ended without the customer: free the agent now, as a wrap-up end would. */
  private leaveWithoutWrapup(ext: string, callId: string, patch: RuntimePatch): void {
    const rt = this.core.enterRest(ext, this.core.loggedIn(ext)!.runtime, {
      reason: 'consult ended',
      callId,
      patch: { ...patch, currentCallId: null, currentQueue: null, connectedAt: null },
    });
    void this.core.setBusyBestEffort(ext, false);
    this.core.deps.log.debug('consult leg ended before the transfer completed: no wrap-up', { agent: ext, callId, state: rt.state });
  }
}
