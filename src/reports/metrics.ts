/**
 * Every number the reports give, with its ONE definition. README "Reports" is generated from this
 * list (test/reports/readme-definitions.test.ts checks it); tables and CSV use the same keys.
 */
import type { ReportKind } from './model';

export interface MetricDef {
  key: string;
  /** What tables print (CSV and JSON use `key`). */
  label: string;
  reports: ReportKind[];
  definition: string;
}

const Q: ReportKind[] = ['quantitative'];
const S: ReportKind[] = ['summary'];
const QS: ReportKind[] = ['quantitative', 'summary'];

const pct = (num: string, base: string) => `${num} ÷ ${base} × 100 (empty when ${base} is 0).`;

export const METRICS: readonly MetricDef[] = [
  { key: 'offered', label: 'offered', reports: QS, definition: 'Queue stays that began in the period: a caller joined a queue (AMI QueueCallerJoin, or found waiting by QueueStatus after a reconnect). A caller who enters a second queue is offered twice.' },
  { key: 'answered', label: 'answered', reports: QS, definition: 'Offered stays an agent answered (AMI AgentConnect).' },
  { key: 'answeredPct', label: 'answered %', reports: Q, definition: pct('answered', 'offered') },
  { key: 'abandoned', label: 'abandoned', reports: Q, definition: 'Offered stays the caller hung up after waiting `reports.short_abandon_seconds` (default 5) or longer.' },
  { key: 'abandonedPct', label: 'abandoned %', reports: Q, definition: pct('abandoned', 'offered') },
  { key: 'shortAbandoned', label: 'short abandoned', reports: QS, definition: 'Offered stays the caller hung up within less than `reports.short_abandon_seconds`: counted apart, not in abandoned.' },
  { key: 'shortAbandonedPct', label: 'short abandoned %', reports: Q, definition: pct('shortAbandoned', 'offered') },
  { key: 'timedOut', label: 'timed out', reports: Q, definition: "Offered stays that reached the queue's wait limit (Queue() timeout: QUEUESTATUS TIMEOUT)." },
  { key: 'timedOutPct', label: 'timed out %', reports: Q, definition: pct('timedOut', 'offered') },
  { key: 'left', label: 'left', reports: Q, definition: 'Offered stays that left the queue unanswered for somewhere else: an exit key to a service, or another QUEUESTATUS (LEAVEEMPTY, WITHDRAW...). A callback request is not in it.' },
  { key: 'leftPct', label: 'left %', reports: Q, definition: pct('left', 'offered') },
  { key: 'callbackRequests', label: 'callback requested', reports: Q, definition: "Offered stays the caller ended by pressing the callback key (asterisk-conf [cc-queue-callback]) and the daemon accepted: neither answered nor abandoned; the callback itself is counted in callbacks when it is dialled." },
  { key: 'callbackRequestsPct', label: 'callback requested %', reports: Q, definition: pct('callbackRequests', 'offered') },
  { key: 'blocked', label: 'blocked', reports: Q, definition: 'Offered stays of callers the blocklist refused (the daemon hung them up).' },
  { key: 'lost', label: 'lost', reports: Q, definition: 'Offered stays whose end the daemon did not see: gone after an AMI reconnect (Asterisk restart, or ended while disconnected) with no answered call part.' },
  { key: 'waiting', label: 'still waiting', reports: QS, definition: 'Offered stays still in the queue when the report was made.' },
  { key: 'handled', label: 'handled', reports: QS, definition: 'Ended call parts that began in the period in which an agent talked with the customer (answered; the added agent of a 3-way conference excluded).' },
  { key: 'transferred', label: 'transferred', reports: Q, definition: 'Handled parts their agent handed over with a completed transfer (to an agent, a number or a service).' },
  { key: 'transferredPct', label: 'transferred %', reports: Q, definition: pct('transferred', 'handled') },
  { key: 'rings', label: 'rings', reports: Q, definition: 'Call parts that began in the period by ringing an agent: queue member legs, direct calls, transfer and conference targets.' },
  { key: 'missedRings', label: 'missed rings', reports: Q, definition: 'Rings the agent did not answer (history status missed); a ring the caller hung up on, or one a colleague answered first (ringall), is not missed.' },
  { key: 'missedRingsPct', label: 'missed rings %', reports: Q, definition: pct('missedRings', 'rings') },
  { key: 'callbacks', label: 'callbacks', reports: Q, definition: 'Callback call parts (a scheduled callback or a queue callback request dialled) that began in the period.' },
  { key: 'callbackConnects', label: 'callback connects', reports: Q, definition: 'Callbacks the customer answered.' },
  { key: 'callbackConnectsPct', label: 'callback connects %', reports: Q, definition: pct('callbackConnects', 'callbacks') },
  { key: 'outbound', label: 'outbound', reports: Q, definition: 'Outbound call parts (`call dial`) that began in the period.' },
  { key: 'outboundConnects', label: 'outbound connects', reports: Q, definition: 'Outbound calls the customer answered.' },
  { key: 'outboundConnectsPct', label: 'outbound connects %', reports: Q, definition: pct('outboundConnects', 'outbound') },
  { key: 'answeredInServiceLevel', label: 'answered in service level', reports: S, definition: "Answered stays whose wait was at most their queue's service level (`queue --service-level-seconds`, else `reports.service_level_seconds`, default 20)." },
  { key: 'serviceLevelPct', label: 'service level %', reports: S, definition: pct('answeredInServiceLevel', '(offered − shortAbandoned − waiting)') },
  { key: 'asaSeconds', label: 'ASA', reports: S, definition: 'Average speed of answer: mean wait (join → answer) of the answered stays, in seconds.' },
  { key: 'avgWaitSeconds', label: 'average wait', reports: S, definition: 'Mean wait (join → leaving the queue) of the offered stays that ended, whatever the outcome (lost excluded), in seconds.' },
  { key: 'longestWaitSeconds', label: 'longest wait', reports: S, definition: 'Longest of those waits, in seconds.' },
  { key: 'avgTalkSeconds', label: 'average talk', reports: S, definition: 'Talk time ÷ handled: a handled part talks from its answer to its end, minus its hold time.' },
  { key: 'avgHoldSeconds', label: 'average hold', reports: S, definition: 'Hold time ÷ handled: the customer on hold, transfer consultations included.' },
  { key: 'avgWrapupSeconds', label: 'average wrap-up', reports: S, definition: "Wrap-up time ÷ handled: the handled parts' closed wrap-ups, from start to disposition." },
  { key: 'ahtSeconds', label: 'AHT', reports: S, definition: 'Average handle time: (talk + hold + wrap-up time of the handled parts) ÷ handled.' },
  { key: 'loginSeconds', label: 'login time', reports: S, definition: 'Agent time logged in (any state but offline) that falls in the period.' },
  { key: 'availableSeconds', label: 'available time', reports: S, definition: 'Agent time available: logged in, not paused, no call, no wrap-up.' },
  { key: 'busySeconds', label: 'busy time', reports: S, definition: 'Agent time ringing, on a call or in wrap-up.' },
  { key: 'occupancyPct', label: 'occupancy %', reports: S, definition: pct('busySeconds', '(availableSeconds + busySeconds)') },
  { key: 'pauseSeconds', label: 'pause time', reports: S, definition: 'Agent time paused, all reasons.' },
  { key: 'pauseByReason', label: 'pause time by reason', reports: S, definition: 'Agent time paused per pause reason (CSV: one `pause:<reason>` column each).' },
  { key: 'surveys', label: 'survey answers', reports: S, definition: 'After-call survey answers (1-5) given in the period.' },
  { key: 'surveyAverage', label: 'survey average', reports: S, definition: 'Mean score of those answers.' },
  { key: 'dispositions', label: 'dispositions', reports: S, definition: 'Handled parts per disposition (CSV: one `disposition:<tag>` column each).' },
];

export function metricsOf(kind: ReportKind): MetricDef[] {
  return METRICS.filter((m) => m.reports.includes(kind));
}

/**
 * How rows are placed in the period and in groups: written once here, shown in README under the
 * definitions table.
 */
export const ATTRIBUTION: readonly string[] = [
  'A queue stay counts in the period it began (join time), in its queue, for the agent who answered it (unanswered stays belong to no agent) and with the disposition of the answered part.',
  'A call part counts in the period it began, in its queue (outbound calls: the agent\'s queue they were made for), for its agent, with its disposition.',
  'Agent time counts the part of each state that falls inside the period (a state still going on counts up to when the report is made). It belongs to the agent: with `--queue` or `--by queue` it covers the agents assigned to that queue in the catalogue; with `--by disposition` it is empty.',
  'A survey answer counts when it was given, for the queue, agent and disposition of the part it rates.',
  '`--by day` and `--by hour` are local time of the host that makes the report. Agent time is kept per UTC hour: in a time zone whose offset is not a whole number of hours, an hour\'s agent time is counted in the local hour it starts in.',
];
