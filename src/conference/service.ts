/**
 * Conference (issue 4 item 5): add an agent to a call as a 3-way call. The added agent's device
 * rings; on answer it joins the call's mixing bridge (customer + first agent + added agent hear each
 * other, as validated on Asterisk 22 with a mixing bridge). The added agent gets its own call part
 * (new protocol number linked to the call) and dispositions it.
 *
 *   ringing ──answered──► joined ──added agent hangs up──► left
 *   ringing ──no answer / error──► failed      joined ──cancel──► removed
 *   ringing ──cancel──► cancelled              joined ──first agent hangs up──► handed-over
 * In `handed-over` the customer and the bridge belong to the added agent's call part, which goes
 * on as an ordinary call.
 */
import type { AriChannel } from '../ari/types';
import { assertAgentCanBeRung } from '../calls/agent-target';
import type { CallService } from '../calls/service';
import { isTalking, type CallActivity } from '../calls/state-machine';
import type { CallRecord } from '../calls/types';
import type { Logger } from '../log/logger';
import { formatCallerId } from '../util/caller-id';
import type { Clock } from '../util/clock';
import { CcError, invalid, notFound, refused, unavailable } from '../util/errors';

export const CONFERENCE_STATES = ['ringing', 'joined', 'failed', 'cancelled', 'left', 'removed', 'handed-over'] as const;
export type ConferenceState = (typeof CONFERENCE_STATES)[number];
export type ConferenceEvent = 'answered' | 'fail' | 'cancel' | 'leave' | 'hand-over';

export const CONFERENCE_TRANSITIONS: Readonly<Record<ConferenceState, Partial<Record<ConferenceEvent, ConferenceState>>>> = {
  ringing: { answered: 'joined', fail: 'failed', cancel: 'cancelled' },
  joined: { leave: 'left', cancel: 'removed', 'hand-over': 'handed-over' },
  failed: {},
  cancelled: {},
  left: {},
  removed: {},
  'handed-over': {},
};

export function nextConferenceState(from: ConferenceState, event: ConferenceEvent): ConferenceState {
  const to = CONFERENCE_TRANSITIONS[from][event];
  if (!to) throw new CcError('refused', `cannot ${event} a conference member that is ${from}`, { state: from, event });
  return to;
}

const LIVE: readonly ConferenceState[] = ['ringing', 'joined'];

export interface ConferenceMember {
  parentId: string;
  childId: string;
  /** The agent added to the call. */
  agent: string;
  /** The call's own agent (who added), kept for events after the parent ended. */
  fromAgent: string | null;
  queue: string | null;
  state: ConferenceState;
  channelId: string | null;
  startedAt: number;
  reason: string | null;
}

export interface ConferenceDeps {
  control: CallService;
  clock: Clock;
  log: Logger;
  ringTimeoutSec?: number;
}

export class ConferenceService {
  private readonly members = new Map<string, ConferenceMember>();

  constructor(private readonly deps: ConferenceDeps) {}

  install(): void {
    // The calls core's guard refuses hold/unhold/transfer/room/a second add meanwhile.
    this.deps.control.registerActivity((id) => this.activityOf(id));
    this.deps.control.onAgentHangup((call) => this.onParentAgentHangup(call));
    this.deps.control.onCallEnded((call) => this.onParentEnded(call));
  }

  get(callId: string): ConferenceMember | undefined {
    return this.members.get(callId);
  }

  isActive(callId: string): boolean {
    const m = this.members.get(callId);
    return !!m && LIVE.includes(m.state);
  }

  /** 'conference' for the call while an agent is being added or joined, and for that agent's part. */
  activityOf(callId: string): CallActivity | undefined {
    if (this.isActive(callId)) return 'conference';
    for (const m of this.members.values()) if (m.childId === callId && m.state === 'joined') return 'conference';
    return undefined;
  }

  async add(callId: string, rawAgent: string, by?: string): Promise<ConferenceMember> {
    if (typeof rawAgent !== 'string' || !/^\d{4,5}$/.test(rawAgent)) {
      throw invalid(`agent must be an extension of 4 or 5 digits (got "${String(rawAgent)}")`, { field: 'agent' });
    }
    const call = this.deps.control.require(callId);
    return this.deps.control.exclusive(callId, 'conference', () => this.doAdd(call, rawAgent, by));
  }

  private async doAdd(call: CallRecord, rawAgent: string, by?: string): Promise<ConferenceMember> {
    const { control, clock } = this.deps;
    const callId = call.id;
    // A second add, or one during a transfer or in a room: refused (409) by the one guard.
    control.guard(call, 'conference');
    if (call.state !== 'connected') throw refused(`cannot add an agent to a call that is ${call.state}`, { call: callId });
    if (!call.bridgeId || !call.customerChannelId || !call.agentChannelId) {
      throw refused(`call ${callId} has no bridge to add an agent to`, { call: callId });
    }
    this.assertFree(call, rawAgent);

    const child = control.createChildCall(callId, 'conference', {
      direction: call.direction,
      state: 'ringing-agent',
      queue: call.queue,
      agentExt: rawAgent,
      customerNumber: call.customerNumber,
      linkedid: call.linkedid,
    });
    const m: ConferenceMember = {
      parentId: callId,
      childId: child.id,
      agent: rawAgent,
      fromAgent: call.agentExt,
      queue: call.queue,
      state: 'ringing',
      channelId: null,
      startedAt: clock.now(),
      reason: null,
    };
    this.members.set(callId, m);
    this.publish(m, null);
    control.record(callId, 'conference', { agent: rawAgent, child: child.id, by });
    try {
      m.channelId = await control.originateAgentDevice(rawAgent, {
        callId: child.id,
        callerId: formatCallerId(`Conference ${call.customerNumber ?? ''}`, call.customerNumber),
        timeoutSec: this.deps.ringTimeoutSec ?? 30,
        onAnswer: (ch: AriChannel) => void this.answered(m, ch.id),
        onFail: (reason: string) => void this.failed(m, `agent ${rawAgent} did not answer (${reason})`),
        onHangup: (reason: string) => void this.memberHungUp(m, reason),
      });
      if (m.state === 'ringing') control.updateCall(child.id, { agentChannelId: m.channelId });
    } catch (err) {
      const reason = `cannot ring agent ${rawAgent}: ${(err as Error).message}`;
      await this.failed(m, reason);
      throw err instanceof CcError ? err : unavailable(reason);
    }
    return m;
  }

  async cancel(callId: string, by?: string): Promise<ConferenceMember> {
    const { control } = this.deps;
    control.require(callId);
    const m = this.members.get(callId);
    if (!m || !LIVE.includes(m.state)) throw refused(`call ${callId} has no agent being added or in conference`);
    this.move(m, 'cancel', `cancelled by ${by ?? 'request'}`);
    await control.endCall(m.childId, m.state === 'removed' ? 'removed-from-conference' : 'conference-cancelled', {
      data: { by },
    });
    if (m.channelId) await control.originations.cancel(m.channelId);
    control.record(callId, 'conference-cancelled', { agent: m.agent, child: m.childId, by });
    return m;
  }

  private assertFree(call: CallRecord, ext: string): void {
    const { control } = this.deps;
    if (ext === call.agentExt) throw invalid(`agent ${ext} is already on this call`, { field: 'agent' });
    assertAgentCanBeRung({ agents: control.core.deps.agents, callsOfAgent: (e) => control.callsOfAgent(e) }, ext);
  }

  private async answered(m: ConferenceMember, channelId: string): Promise<void> {
    const { control, log } = this.deps;
    const parent = control.get(m.parentId);
    if (m.state !== 'ringing' || !parent?.bridgeId || !isTalking(parent.state)) {
      await control.originations.cancel(channelId);
      return;
    }
    m.channelId = channelId;
    try {
      await control.core.deps.ari.bridges.addChannel(parent.bridgeId, [channelId]);
      const child = control.get(m.childId);
      if (child) {
        control.updateCall(child.id, { agentChannelId: channelId });
        if (child.state === 'ringing-agent') control.core.transition(child, 'agent-answered');
      }
      this.move(m, 'answered');
      control.record(m.parentId, 'conference-joined', { agent: m.agent, child: m.childId });
    } catch (err) {
      log.error('conference: cannot bridge the added agent', { callId: m.parentId, err: (err as Error).message });
      await this.failed(m, `cannot bridge agent ${m.agent}: ${(err as Error).message}`);
      await control.originations.cancel(channelId);
    }
  }

  private async failed(m: ConferenceMember, reason: string): Promise<void> {
    if (m.state !== 'ringing') return;
    this.move(m, 'fail', reason);
    await this.deps.control.endCall(m.childId, 'not-answered', { data: { reason } });
    this.deps.control.record(m.parentId, 'conference-failed', { agent: m.agent, reason });
  }

  private async memberHungUp(m: ConferenceMember, reason: string): Promise<void> {
    const { control } = this.deps;
    if (m.state === 'handed-over') {
      await control.hangups.agentHungUp(m.childId, reason);
    } else if (m.state === 'joined') {
      this.move(m, 'leave', reason);
      // The added agent's part ends; customer and first agent stay on the bridge (not the child's).
      await control.endCall(m.childId, 'agent-hangup', { data: { cause: reason } });
      control.record(m.parentId, 'conference-left', { agent: m.agent });
    } else if (m.state === 'ringing') {
      await this.failed(m, `agent ${m.agent} hung up`);
    }
  }

  /** First agent leaves a 3-way call: the customer goes on with the added agent. */
  private async onParentAgentHangup(call: CallRecord): Promise<boolean> {
    const m = this.members.get(call.id);
    if (!m || !LIVE.includes(m.state)) return false;
    const { control } = this.deps;
    if (m.state === 'ringing') {
      await this.cancel(call.id, 'first agent hung up');
      return false;
    }
    this.move(m, 'hand-over', 'first agent left');
    const { customerChannelId, bridgeId } = call;
    // Parent first: updating a call re-indexes its channels, the child must be indexed last.
    control.updateCall(call.id, { bridgeId: null });
    control.updateCall(m.childId, { customerChannelId, bridgeId });
    control.record(call.id, 'conference-handed-over', { agent: m.agent, child: m.childId });
    await control.endCall(call.id, 'agent-hangup', { keepCustomer: true, data: { conference: m.childId } });
    return true;
  }

  private onParentEnded(call: CallRecord): void {
    const m = this.members.get(call.id);
    if (!m) return;
    if (LIVE.includes(m.state)) {
      this.move(m, 'cancel', `call ended (${call.endReason ?? 'ended'})`);
      void this.deps.control.endCall(m.childId, 'conference-ended', { data: { parentReason: call.endReason } });
    }
    // The parent is gone: nothing can act on this entry any more.
    this.members.delete(call.id);
  }

  /** Every state change goes through here: validated by the table, then published (conference.state). */
  private move(m: ConferenceMember, event: ConferenceEvent, reason?: string): void {
    const previous = m.state;
    m.state = nextConferenceState(previous, event);
    if (reason) m.reason = reason;
    this.publish(m, previous);
  }

  /** `agent` = the call's agent, `agents` = the added agent: both softphones see it on /events. */
  private publish(m: ConferenceMember, previous: ConferenceState | null): void {
    const { control, clock } = this.deps;
    control.core.deps.bus.publish({
      type: 'conference.state',
      at: clock.now(),
      callId: m.parentId,
      agent: m.fromAgent ?? undefined,
      agents: [m.agent],
      queue: m.queue ?? undefined,
      data: { state: m.state, previous, addedAgent: m.agent, childCallId: m.childId, reason: m.reason },
    });
  }
}
