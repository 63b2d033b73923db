/**
 * Summary report: service level, waits, handle times, agent time, surveys, dispositions (definitions
 * in metrics.ts). Each source is one grouped SQL pass (stays, handled parts, dispositions, surveys)
 * plus agent time (agent-time.ts); additive partials are merged per group, ratios computed last.
 */
import type { Db } from '../store/db';
import { type AgentTimeAcc, agentTimeTotals, mergeAgentTime, zeroAgentTime } from './agent-time';
import { envelopeHead, type GroupKey, type ReportEnvelope, type ReportQuery, type ReportSettings } from './model';
import { HANDLED_SQL, PART_COLS, STAY_COLS } from './quantitative';
import { accumulate, groupKey, keyExpr, meanSeconds, orderedKeys, percent, scan, seconds, sqlWhere, type SourceCols } from './sql';

const SURVEY_COLS: SourceCols = { table: 'call_surveys', alias: 'v', time: 'v.at', queue: 'v.queue', agent: 'v.agent_ext', disposition: 'c.disposition' };

interface SummaryAcc {
  offered: number;
  answered: number;
  shortAbandoned: number;
  waiting: number;
  answeredInServiceLevel: number;
  answeredWaitMs: number;
  endedStays: number;
  endedWaitMs: number;
  longestWaitMs: number;
  handled: number;
  talkMs: number;
  holdMs: number;
  wrapupMs: number;
  surveys: number;
  surveyScoreSum: number;
  dispositions: Record<string, number>;
  agents: AgentTimeAcc | null;
}

const SUMS = [
  'offered', 'answered', 'shortAbandoned', 'waiting', 'answeredInServiceLevel', 'answeredWaitMs', 'endedStays', 'endedWaitMs',
  'handled', 'talkMs', 'holdMs', 'wrapupMs', 'surveys', 'surveyScoreSum',
] as const;

const zero = (): SummaryAcc => ({
  ...(Object.fromEntries(SUMS.map((f) => [f, 0])) as Record<(typeof SUMS)[number], number>),
  longestWaitMs: 0,
  dispositions: {},
  agents: null,
});

function merge(into: SummaryAcc, part: Partial<SummaryAcc>): void {
  for (const f of SUMS) into[f] += Number(part[f] ?? 0);
  into.longestWaitMs = Math.max(into.longestWaitMs, Number(part.longestWaitMs ?? 0));
  for (const [d, n] of Object.entries(part.dispositions ?? {})) into.dispositions[d] = (into.dispositions[d] ?? 0) + n;
  if (part.agents) mergeAgentTime((into.agents ??= zeroAgentTime()), part.agents);
}

export interface SummaryRow {
  key: GroupKey;
  offered: number;
  answered: number;
  shortAbandoned: number;
  waiting: number;
  answeredInServiceLevel: number;
  serviceLevelPct: number | null;
  asaSeconds: number | null;
  avgWaitSeconds: number | null;
  longestWaitSeconds: number | null;
  handled: number;
  avgTalkSeconds: number | null;
  avgHoldSeconds: number | null;
  avgWrapupSeconds: number | null;
  ahtSeconds: number | null;
  loginSeconds: number | null;
  availableSeconds: number | null;
  busySeconds: number | null;
  occupancyPct: number | null;
  pauseSeconds: number | null;
  pauseByReason: Record<string, number> | null;
  surveys: number;
  surveyAverage: number | null;
  dispositions: Record<string, number>;
}

export function summary(db: Db, q: ReportQuery, settings: ReportSettings, now: number): ReportEnvelope<SummaryRow> {
  const groups = new Map<GroupKey, SummaryAcc>();
  const put = (raw: unknown, part: Partial<SummaryAcc>) => accumulate(groups, groupKey(q.by, raw), zero, part, merge);
  const shortMs = settings.shortAbandonSeconds * 1000;

  const { from: stayFrom, w: sw } = scan(q, STAY_COLS);
  const wait = 's.left_at - s.joined_at';
  // Each queue's threshold inlined (a join to queues per stay cost a tenth of the query).
  const own = db.prepare('SELECT name, service_level_seconds AS s FROM queues WHERE service_level_seconds IS NOT NULL').all() as { name: string; s: number }[];
  const slMs = `CASE s.queue ${own.map(() => 'WHEN ? THEN ?').join(' ')} ELSE ? END`;
  const slParams = [...own.flatMap((x) => [x.name, x.s * 1000]), settings.serviceLevelSeconds * 1000];
  const ended = "s.outcome NOT IN ('waiting', 'lost')";
  const stayRows = db
    .prepare(
      `SELECT ${keyExpr(q.by, STAY_COLS)} AS k, COUNT(*) AS offered, SUM(s.outcome = 'answered') AS answered,
         SUM(s.outcome = 'abandoned' AND ${wait} < ?) AS shortAbandoned, SUM(s.outcome = 'waiting') AS waiting,
         SUM(s.outcome = 'answered' AND ${wait} <= ${own.length ? slMs : '?'}) AS answeredInServiceLevel,
         SUM(CASE WHEN s.outcome = 'answered' THEN ${wait} END) AS answeredWaitMs,
         SUM(${ended}) AS endedStays, SUM(CASE WHEN ${ended} THEN ${wait} END) AS endedWaitMs,
         MAX(CASE WHEN ${ended} THEN ${wait} END) AS longestWaitMs
       FROM ${stayFrom} ${q.by === 'disposition' ? 'LEFT JOIN calls c ON c.id = s.call_id' : ''}
       ${sqlWhere(sw)} GROUP BY 1`,
    )
    .all(shortMs, ...(own.length ? slParams : [settings.serviceLevelSeconds * 1000]), ...sw.params) as (Partial<SummaryAcc> & { k: unknown })[];
  for (const r of stayRows) put(r.k, r);

  // Handled parts per group and disposition in one pass: the group's totals are the sum of its lines.
  const { from: partFrom, w: cw } = scan(q, PART_COLS);
  cw.clauses.push(HANDLED_SQL);
  const partRows = db
    .prepare(
      `SELECT ${keyExpr(q.by, PART_COLS)} AS k, c.disposition AS d, COUNT(*) AS handled,
         SUM(c.ended_at - c.answered_at - c.hold_ms) AS talkMs, SUM(c.hold_ms) AS holdMs, SUM(COALESCE(c.wrapup_ms, 0)) AS wrapupMs
       FROM ${partFrom} ${sqlWhere(cw)} GROUP BY 1, 2`,
    )
    .all(...cw.params) as (Partial<SummaryAcc> & { k: unknown; d: string | null })[];
  for (const { d, ...r } of partRows) put(r.k, d === null ? r : { ...r, dispositions: { [d]: r.handled ?? 0 } });

  const { from: surveyFrom, w: vw } = scan(q, SURVEY_COLS);
  const surveyRows = db
    .prepare(
      `SELECT ${keyExpr(q.by, SURVEY_COLS)} AS k, COUNT(*) AS surveys, SUM(v.score) AS surveyScoreSum
       FROM ${surveyFrom} ${q.by === 'disposition' ? 'LEFT JOIN calls c ON c.id = v.call_id' : ''} ${sqlWhere(vw)} GROUP BY 1`,
    )
    .all(...vw.params) as (Partial<SummaryAcc> & { k: unknown })[];
  for (const r of surveyRows) put(r.k, r);

  const time = agentTimeTotals(db, q, now);
  if (time) for (const [k, acc] of time.groups) accumulate(groups, k, zero, { agents: acc }, merge);

  const total = zero();
  for (const acc of groups.values()) merge(total, { ...acc, agents: null });
  // By queue an agent of two queues is in both rows; the total counts each agent once.
  if (time) merge(total, { agents: time.total });
  // Agent time applies (null only by disposition): a group without any shows zeros, not blanks.
  const withAgents = (a: SummaryAcc) => (time && !a.agents ? { ...a, agents: zeroAgentTime() } : a);
  return {
    ...envelopeHead('summary', q, now, settings),
    rows: q.by ? orderedKeys(groups).map((k) => summaryRow(k, withAgents(groups.get(k)!))) : [],
    total: summaryRow(null, withAgents(total)),
  };
}

function summaryRow(key: GroupKey, a: SummaryAcc): SummaryRow {
  const t = a.agents;
  const reasons = t ? Object.fromEntries(Object.entries(t.pauseByReason).sort(([x], [y]) => x.localeCompare(y)).map(([r, ms]) => [r, seconds(ms)])) : null;
  return {
    key,
    offered: a.offered,
    answered: a.answered,
    shortAbandoned: a.shortAbandoned,
    waiting: a.waiting,
    answeredInServiceLevel: a.answeredInServiceLevel,
    serviceLevelPct: percent(a.answeredInServiceLevel, a.offered - a.shortAbandoned - a.waiting),
    asaSeconds: meanSeconds(a.answeredWaitMs, a.answered),
    avgWaitSeconds: meanSeconds(a.endedWaitMs, a.endedStays),
    longestWaitSeconds: a.endedStays > 0 ? seconds(a.longestWaitMs) : null,
    handled: a.handled,
    avgTalkSeconds: meanSeconds(a.talkMs, a.handled),
    avgHoldSeconds: meanSeconds(a.holdMs, a.handled),
    avgWrapupSeconds: meanSeconds(a.wrapupMs, a.handled),
    ahtSeconds: meanSeconds(a.talkMs + a.holdMs + a.wrapupMs, a.handled),
    loginSeconds: t ? seconds(t.loginMs) : null,
    availableSeconds: t ? seconds(t.availableMs) : null,
    busySeconds: t ? seconds(t.busyMs) : null,
    occupancyPct: t ? percent(t.busyMs, t.availableMs + t.busyMs) : null,
    pauseSeconds: t ? seconds(t.pauseMs) : null,
    pauseByReason: reasons,
    surveys: a.surveys,
    surveyAverage: a.surveys > 0 ? Math.round((a.surveyScoreSum / a.surveys) * 100) / 100 : null,
    dispositions: Object.fromEntries(Object.entries(a.dispositions).sort(([x], [y]) => x.localeCompare(y))),
  };
}
