/**
 * Quantitative report: how many calls of each kind and what became of them (definitions in
 * metrics.ts). Queue stays and call parts are counted in SQL, one pass each, grouped by the
 * requested key; day/hour slots are merged into local buckets here.
 */
import { callStatusSql } from '../history/status';
import type { Db } from '../store/db';
import { envelopeHead, type GroupKey, type ReportEnvelope, type ReportQuery, type ReportSettings } from './model';
import { accumulate, groupKey, keyExpr, orderedKeys, percent, scan, sqlWhere, type SourceCols } from './sql';

export const STAY_COLS: SourceCols = { table: 'queue_stays', alias: 's', time: 's.joined_at', queue: 's.queue', agent: 's.agent_ext', disposition: 'c.disposition' };
export const PART_COLS: SourceCols = { table: 'calls', alias: 'c', time: 'c.started_at', queue: 'c.queue', agent: 'c.agent_ext', disposition: 'c.disposition' };

/** Counts from the stays (s) and from the parts (c). */
export interface QuantAcc {
  offered: number;
  answered: number;
  abandoned: number;
  shortAbandoned: number;
  timedOut: number;
  left: number;
  callbackRequests: number;
  blocked: number;
  lost: number;
  waiting: number;
  handled: number;
  transferred: number;
  rings: number;
  missedRings: number;
  callbacks: number;
  callbackConnects: number;
  outbound: number;
  outboundConnects: number;
}

const FIELDS: (keyof QuantAcc)[] = [
  'offered', 'answered', 'abandoned', 'shortAbandoned', 'timedOut', 'left', 'callbackRequests', 'blocked', 'lost', 'waiting',
  'handled', 'transferred', 'rings', 'missedRings', 'callbacks', 'callbackConnects', 'outbound', 'outboundConnects',
];

const zero = (): QuantAcc => Object.fromEntries(FIELDS.map((f) => [f, 0])) as unknown as QuantAcc;
const merge = (into: QuantAcc, part: Partial<QuantAcc>) => {
  for (const f of FIELDS) into[f] += Number(part[f] ?? 0);
};

export interface QuantitativeRow extends QuantAcc {
  key: GroupKey;
  answeredPct: number | null;
  abandonedPct: number | null;
  shortAbandonedPct: number | null;
  timedOutPct: number | null;
  leftPct: number | null;
  callbackRequestsPct: number | null;
  transferredPct: number | null;
  missedRingsPct: number | null;
  callbackConnectsPct: number | null;
  outboundConnectsPct: number | null;
}

/** Handled: an ended part where an agent talked with the customer (not the added agent of a conference). */
export const HANDLED_SQL = `(c.answered_at IS NOT NULL AND c.ended_at IS NOT NULL AND c.kind <> 'conference')`;

export function quantitative(db: Db, q: ReportQuery, settings: ReportSettings, now: number): ReportEnvelope<QuantitativeRow> {
  const groups = new Map<GroupKey, QuantAcc>();
  const shortMs = settings.shortAbandonSeconds * 1000;

  const { from: stayFrom, w: sw } = scan(q, STAY_COLS);
  const joinCalls = q.by === 'disposition' ? 'LEFT JOIN calls c ON c.id = s.call_id' : '';
  const stays = db
    .prepare(
      `SELECT ${keyExpr(q.by, STAY_COLS)} AS k, COUNT(*) AS offered,
         SUM(s.outcome = 'answered') AS answered,
         SUM(s.outcome = 'abandoned' AND s.left_at - s.joined_at >= ?) AS abandoned,
         SUM(s.outcome = 'abandoned' AND s.left_at - s.joined_at < ?) AS shortAbandoned,
         SUM(s.outcome = 'timeout') AS timedOut, SUM(s.outcome = 'left') AS "left",
         SUM(s.outcome = 'callback') AS callbackRequests, SUM(s.outcome = 'blocked') AS blocked,
         SUM(s.outcome = 'lost') AS lost, SUM(s.outcome = 'waiting') AS waiting
       FROM ${stayFrom} ${joinCalls} ${sqlWhere(sw)} GROUP BY 1`,
    )
    .all(shortMs, shortMs, ...sw.params) as (Partial<QuantAcc> & { k: unknown })[];
  for (const r of stays) accumulate(groups, groupKey(q.by, r.k), zero, r, merge);

  const { from: partFrom, w: cw } = scan(q, PART_COLS);
  const parts = db
    .prepare(
      `SELECT ${keyExpr(q.by, PART_COLS)} AS k,
         SUM(${HANDLED_SQL}) AS handled,
         SUM(${HANDLED_SQL} AND c.end_reason = 'transferred') AS transferred,
         SUM(c.agent_ext IS NOT NULL AND c.kind IN ('inbound', 'transfer', 'conference')) AS rings,
         SUM(c.agent_ext IS NOT NULL AND c.kind IN ('inbound', 'transfer', 'conference') AND (${callStatusSql('c')}) = 'missed') AS missedRings,
         SUM(c.kind = 'callback') AS callbacks, SUM(c.kind = 'callback' AND c.answered_at IS NOT NULL) AS callbackConnects,
         SUM(c.kind = 'outbound') AS outbound, SUM(c.kind = 'outbound' AND c.answered_at IS NOT NULL) AS outboundConnects
       FROM ${partFrom} ${sqlWhere(cw)} GROUP BY 1`,
    )
    .all(...cw.params) as (Partial<QuantAcc> & { k: unknown })[];
  for (const r of parts) accumulate(groups, groupKey(q.by, r.k), zero, r, merge);

  const total = zero();
  for (const acc of groups.values()) merge(total, acc);
  return {
    ...envelopeHead('quantitative', q, now, settings),
    rows: q.by ? orderedKeys(groups).map((k) => quantRow(k, groups.get(k)!)) : [],
    total: quantRow(null, total),
  };
}

function quantRow(key: GroupKey, a: QuantAcc): QuantitativeRow {
  return {
    key,
    ...a,
    answeredPct: percent(a.answered, a.offered),
    abandonedPct: percent(a.abandoned, a.offered),
    shortAbandonedPct: percent(a.shortAbandoned, a.offered),
    timedOutPct: percent(a.timedOut, a.offered),
    leftPct: percent(a.left, a.offered),
    callbackRequestsPct: percent(a.callbackRequests, a.offered),
    transferredPct: percent(a.transferred, a.handled),
    missedRingsPct: percent(a.missedRings, a.rings),
    callbackConnectsPct: percent(a.callbackConnects, a.callbacks),
    outboundConnectsPct: percent(a.outboundConnects, a.outbound),
  };
}
