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

/** The two tables, for tests that check every raw reason. */
export const STATUS_TABLES: { readonly fixed: Readonly<Record<string, CallStatus>>; readonly unanswered: Readonly<Record<string, CallStatus>> } = {
  fixed: FIXED,
  unanswered: UNANSWERED,
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

/** SQL text literal. */
const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

/**
 * callStatus() as an SQL expression over a `calls` row (alias `a`), built from the same tables, so
 * reports can count statuses in SQL without a second definition (test/history/status.test.ts
 * checks both agree).
 */
export function callStatusSql(a: string): string {
  const c = (col: string) => `${a}.${col}`;
  const cases = (table: Record<string, CallStatus>, value: (s: CallStatus) => string) =>
    Object.entries(table)
      .map(([reason, status]) => `WHEN ${lit(reason)} THEN ${value(status)}`)
      .join(' ');
  const keys = (table: Record<string, CallStatus>) => Object.keys(table).map(lit).join(', ');
  const missedOrAbandoned = `CASE WHEN ${c('agent_ext')} IS NULL THEN 'abandoned' ELSE 'missed' END`;
  return `CASE
    WHEN ${c('ended_at')} IS NULL THEN 'in-progress'
    WHEN ${c('end_reason')} IN (${keys(FIXED)}) THEN CASE ${c('end_reason')} ${cases(FIXED, lit)} END
    WHEN ${c('answered_at')} IS NOT NULL THEN CASE WHEN ${c('end_reason')} = 'timeout' THEN 'timeout' ELSE 'answered' END
    WHEN ${c('direction')} = 'outbound' AND ${c('end_reason')} = 'agent-no-answer' THEN 'no-answer'
    WHEN ${c('end_reason')} IN (${keys(UNANSWERED)}) THEN CASE ${c('end_reason')} ${cases(UNANSWERED, (s) => (s === 'missed' ? missedOrAbandoned : lit(s)))} END
    WHEN ${c('agent_ext')} IS NOT NULL AND ${c('direction')} <> 'outbound' THEN 'missed'
    ELSE 'failed' END`;
}
