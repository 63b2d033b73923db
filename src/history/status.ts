/**
 * User-facing call statuses: the one place raw end reasons (internal, e.g. 'hangup-requested',
 * 'not-answered', 'agent-device-failed') become what users read in history, recent calls and the
 * API. The raw reason stays available as `endReason`.
 *
 * Vocabulary (a call part = one history row, seen from its agent):
 *   in-progress  not ended yet
 *   answered     talked (ended by either side, prank, forced logout...)
 *   timeout      talked, then cut by the daemon at the max call duration (policy)
 *   transferred  talked, then handed to another agent, number, service or queue
 *   missed       an inbound/transfer part offered to the agent that the agent never answered
 *   abandoned    the caller hung up before anybody answered: no agent part, or the part of an
 *                agent whose phone was ringing then (AMI QueueCallerAbandon: 'caller-abandoned')
 *   rejected     refused by the blocklist
 *   busy         the agent (or the called number) was busy
 *   no-answer    an outbound call the called number (or the dialling agent's device) did not answer
 *   cancelled    stopped before an answer by the daemon's user (hang-up request, cancelled consult),
 *                or a group member's ringing stopped because another member answered
 *   failed       technical failure (originate/bridge failed, daemon restart or stop)
 */
import type { CallRecord } from '../calls/types';

export type CallStatus =
  | 'in-progress'
  | 'answered'
  | 'timeout'
  | 'transferred'
  | 'missed'
  | 'abandoned'
  | 'rejected'
  | 'busy'
  | 'no-answer'
  | 'cancelled'
  | 'failed';

export const CALL_STATUSES: readonly CallStatus[] = [
  'in-progress',
  'answered',
  'timeout',
  'transferred',
  'missed',
  'abandoned',
  'rejected',
  'busy',
  'no-answer',
  'cancelled',
  'failed',
];

/** Raw reasons whose status does not depend on whether the part was answered. */
const FIXED: Record<string, CallStatus> = {
  blocked: 'rejected',
  transferred: 'transferred',
  'handed-to-service': 'transferred',
  'handed-to-queue': 'transferred',
  'transfer-cancelled': 'cancelled',
  'agent-busy': 'busy',
};

/** Unanswered parts: what the raw reason means for the user. */
const UNANSWERED: Record<string, CallStatus> = {
  'not-answered': 'missed',
  'agent-no-answer': 'missed',
  'agent-unavailable': 'missed',
  'customer-no-answer': 'no-answer',
  'hangup-requested': 'cancelled',
  'answered-elsewhere': 'cancelled',
  'agent-hangup': 'cancelled',
  'forced-logout': 'cancelled',
  'customer-hangup': 'abandoned',
  'caller-abandoned': 'abandoned',
  'agent-device-failed': 'failed',
  'bridge-failed': 'failed',
  'dial-failed': 'failed',
  'service-transfer-failed': 'failed',
  'queue-transfer-failed': 'failed',
  'daemon-restart': 'failed',
  stopped: 'failed',
};

export function callStatus(c: Pick<CallRecord, 'endedAt' | 'answeredAt' | 'endReason' | 'kind' | 'direction' | 'agentExt'>): CallStatus {
  if (c.endedAt === null) return 'in-progress';
  const reason = c.endReason ?? '';
  if (FIXED[reason]) return FIXED[reason];
  if (c.answeredAt !== null) return reason === 'timeout' ? 'timeout' : 'answered';
  // An outbound call the agent's own device did not pick up: the call was never placed.
  if (c.direction === 'outbound' && reason === 'agent-no-answer') return 'no-answer';
  const mapped = UNANSWERED[reason];
  if (mapped) return mapped === 'missed' && !c.agentExt ? 'abandoned' : mapped;
  // Unknown reason on an unanswered part: the agent's part was missed, else it failed.
  return c.agentExt && c.direction !== 'outbound' ? 'missed' : 'failed';
}
