/**
 * app_queue data as the simulator keeps it, plus the AMI field blocks built from it
 * (QueueMember* events and the QueueStatus list items, whose key names differ).
 */
import type { TimerHandle } from '../util/clock';
import type { AmiFieldList } from './ami-codec';
import type { SimChannel } from './model';
import { amiChannelFields } from './shapes';

export type QueueStrategy = 'rrmemory' | 'ringall';
export const QUEUE_STRATEGIES: readonly QueueStrategy[] = ['rrmemory', 'ringall'];

export interface QueueOptions {
  strategy?: QueueStrategy;
  /** Ring time per member attempt (app_queue `timeout`). */
  timeoutMs?: number;
  /** Pause between attempts (app_queue `retry`). */
  retryMs?: number;
  /** app_queue `wrapuptime`: no new call within this long after the last one. */
  wrapupMs?: number;
  /**
   * app_queue `autofill`. yes: as many waiting callers as there are free members are offered at
   * once. no (Asterisk's default): only the caller at the head of the queue is offered; the others
   * wait, re-checking every second, until they are at the head.
   */
  autofill?: boolean;
  /**
   * Queue() timeout argument (`Queue(name,,,,<seconds>)`): a caller still not answered after this
   * long leaves with QUEUESTATUS=TIMEOUT. Undefined = waits forever (the shipped [cc-queues]).
   */
  maxWaitMs?: number;
  /**
   * app_queue `context` (exit keys): a waiting caller who presses a single digit that is an
   * extension of this context leaves the queue for <exitContext>,<key> (src/sim/queue-callback.ts
   * knows the shipped contexts' keys; in any other context every single key counts).
   */
  exitContext?: string;
  /** Static members from queues.conf: they survive an Asterisk restart. */
  members?: Array<{ interface: string; memberName?: string; stateInterface?: string; penalty?: number }>;
}

export interface SimMember {
  queue: string;
  interface: string;
  memberName: string;
  stateInterface: string;
  membership: 'dynamic' | 'static';
  penalty: number;
  paused: boolean;
  pausedReason: string;
  callsTaken: number;
  /** Epoch seconds, 0 = never (as AMI shows it). */
  lastCall: number;
  lastCallMs: number;
  lastPause: number;
  loginTime: number;
  incall: boolean;
  /** Device state number (see DEVICE_STATE_NUM). */
  status: number;
  /** Answered call not yet counted: app_queue counts it when the state interface goes idle. */
  pendingCredit: boolean;
}

export interface SimQueue {
  name: string;
  strategy: QueueStrategy;
  timeoutMs: number;
  retryMs: number;
  wrapupMs: number;
  autofill: boolean;
  maxWaitMs?: number;
  exitContext?: string;
  isStatic: boolean;
  staticMembers: NonNullable<QueueOptions['members']>;
  members: SimMember[];
  rrNext: number;
  completed: number;
  abandoned: number;
  holdSecTotal: number;
  talkSecTotal: number;
}

export type QueueCallState = 'waiting' | 'ringing' | 'connected' | 'ended';
export const QUEUE_CALL_STATES: readonly QueueCallState[] = ['waiting', 'ringing', 'connected', 'ended'];
/**
 * waiting → ringing (members offered) → connected (a leg answered) → ended.
 * ringing → waiting after a no-answer; waiting/ringing → ended on abandon or restart.
 */
export const QUEUE_CALL_TRANSITIONS: Record<QueueCallState, readonly QueueCallState[]> = {
  waiting: ['ringing', 'ended'],
  ringing: ['waiting', 'connected', 'ended'],
  connected: ['ended'],
  ended: [],
};

/**
 * One member being rung. Member-leg (Local) members: `;1` and `;2` of the pair. Device members
 * (queue-native.ts): both ids are the device channel app_queue dialled.
 */
export interface RingAttempt {
  member: SimMember;
  leg1Id: string;
  leg2Id: string;
  startedAt: number;
}

export interface QueueCall {
  /** The customer's linkedid: the third Stasis argument of its agent legs. */
  handle: string;
  queue: string;
  customerId: string;
  state: QueueCallState;
  joinedAt: number;
  position: number;
  attempts: RingAttempt[];
  timer?: TimerHandle;
  /** Queue() timeout (maxWaitMs) of this caller. */
  waitTimer?: TimerHandle;
  member?: SimMember;
  ringStartedAt?: number;
  connectedAt?: number;
  /** The member channel in app_queue's bridge (`;1`, or the device for a device member) and its `;2` (= leg1Id for a device). */
  leg1Id?: string;
  leg2Id?: string;
  /** app_queue's own bridge (not an ARI/Stasis bridge): the caller and leg1. */
  basicBridgeId?: string;
  /** The leg was sent on in the dialplan: app_queue ends the call only when the customer hangs up. */
  continued: boolean;
  /**
   * AMI Redirect took the caller and/or the member channel out of app_queue's bridge (queue-native.ts):
   * app_queue still watches both and sends AgentComplete when either hangs up, but hangs up neither
   * and the caller's dialplan after Queue() does not run.
   */
  redirected?: boolean;
  location: { context: string; exten: string };
  endReason?: 'caller' | 'agent' | 'transfer' | 'abandon' | 'restart' | 'timeout' | 'exit' | 'redirect';
}

const sec = (ms: number) => String(Math.floor(ms / 1000));

/** Member state as both the QueueMember* events and the QueueStatus list items send it, in wire order. */
function memberStateFields(m: SimMember, inCall: string): AmiFieldList {
  return [
    ['StateInterface', m.stateInterface],
    ['Membership', m.membership],
    ['Penalty', String(m.penalty)],
    ['CallsTaken', String(m.callsTaken)],
    ['LastCall', String(m.lastCall)],
    ['LastPause', String(m.lastPause)],
    ['LoginTime', String(m.loginTime)],
    ['InCall', inCall],
    ['Status', String(m.status)],
    ['Paused', m.paused ? '1' : '0'],
    ['PausedReason', m.pausedReason],
  ];
}

/** QueueMemberAdded/Removed/Status/Pause/Penalty body. `InCall` is 0 in every event (DESIGN.md). */
export function memberEventFields(m: SimMember): AmiFieldList {
  return [
    ['Queue', m.queue],
    ['MemberName', m.memberName],
    ['Interface', m.interface],
    ...memberStateFields(m, '0'),
    ['Ringinuse', '0'],
    ['Wrapuptime', '0'],
  ];
}

/** QueueStatus list item: Name/Location instead of MemberName/Interface, real InCall, no Ringinuse. */
export function memberListFields(m: SimMember): AmiFieldList {
  return [
    ['Event', 'QueueMember'],
    ['Queue', m.queue],
    ['Name', m.memberName],
    ['Location', m.interface],
    ...memberStateFields(m, m.incall ? '1' : '0'),
    ['Wrapuptime', '0'],
  ];
}

export function queueParamsFields(q: SimQueue, waiting: number): AmiFieldList {
  const answered = q.completed;
  return [
    ['Event', 'QueueParams'],
    ['Queue', q.name],
    ['Max', '0'],
    ['Strategy', q.strategy],
    ['Calls', String(waiting)],
    ['Holdtime', answered ? String(Math.round(q.holdSecTotal / answered)) : '0'],
    ['TalkTime', answered ? String(Math.round(q.talkSecTotal / answered)) : '0'],
    ['Completed', String(q.completed)],
    ['Abandoned', String(q.abandoned)],
    ['ServiceLevel', '0'],
    ['ServicelevelPerf', '100.0'],
    ['ServicelevelPerf2', '100.0'],
    ['Weight', '0'],
  ];
}

/**
 * AgentCalled/Connect/RingNoAnswer/Complete head: customer channel, member channel (`;1`, or the
 * device for a device member) as Dest, member. A channel gone before AgentComplete leaves its block out.
 */
export function agentEventFields(customer: SimChannel | undefined, leg1: SimChannel | undefined, m: SimMember): AmiFieldList {
  return [
    ...(customer ? amiChannelFields(customer) : []),
    ...(leg1 ? amiChannelFields(leg1, 'Dest') : []),
    ['Queue', m.queue],
    ['Interface', m.interface],
    ['MemberName', m.memberName],
  ];
}

/** QueueCallerJoin/Leave body. */
export function callerPositionFields(customer: SimChannel, queue: string, position: number, count: number): AmiFieldList {
  return [...amiChannelFields(customer), ['Queue', queue], ['Position', String(position)], ['Count', String(count)]];
}

export { sec as msToSecString };
