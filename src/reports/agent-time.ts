/**
 * Agent time per state and pause reason over a period, from the agent state log: each log row is a
 * state from its `at` until the agent's next row. Whole UTC hours come from agent_state_hours (the
 * per-hour totals a trigger keeps as rows are logged: migration 012); the partial hours at both ends
 * of the period and the spans still open (each agent's latest row) come from the log itself.
 */
import type { Db } from '../store/db';
import type { GroupBy, GroupKey, ReportQuery } from './model';
import { addIn, groupKey, HOUR_MS, sqlWhere, where } from './sql';

export interface AgentTimeAcc {
  loginMs: number;
  availableMs: number;
  busyMs: number;
  pauseMs: number;
  pauseByReason: Record<string, number>;
}

export const zeroAgentTime = (): AgentTimeAcc => ({ loginMs: 0, availableMs: 0, busyMs: 0, pauseMs: 0, pauseByReason: {} });

const BUSY = new Set(['ringing', 'on-call', 'wrap-up']);
/** Pause reason of a paused span logged without one. */
export const NO_REASON = '(no reason)';

export function addState(acc: AgentTimeAcc, state: string, reason: string, ms: number): void {
  if (state === 'offline' || ms <= 0) return;
  acc.loginMs += ms;
  if (state === 'available') acc.availableMs += ms;
  else if (BUSY.has(state)) acc.busyMs += ms;
  else if (state === 'paused') {
    acc.pauseMs += ms;
    const r = reason || NO_REASON;
    acc.pauseByReason[r] = (acc.pauseByReason[r] ?? 0) + ms;
  }
}

export function mergeAgentTime(into: AgentTimeAcc, part: AgentTimeAcc): void {
  into.loginMs += part.loginMs;
  into.availableMs += part.availableMs;
  into.busyMs += part.busyMs;
  into.pauseMs += part.pauseMs;
  for (const [r, ms] of Object.entries(part.pauseByReason)) into.pauseByReason[r] = (into.pauseByReason[r] ?? 0) + ms;
}

interface LogRow {
  extension: string;
  at: number;
  state: string;
  reason: string | null;
}

/** Agents whose time the query covers, each with the group keys its time goes to (by queue: its queues). */
function agentsOf(db: Db, q: ReportQuery): Map<string, string[]> {
  const w = where();
  addIn(w, 'r.extension', q.agent ? [q.agent] : undefined);
  addIn(w, 'r.extension', q.scope?.agents);
  const queues = q.queue ? [q.queue] : undefined;
  const rows = db
    .prepare(`SELECT r.extension AS extension, aq.queue AS queue FROM agent_runtime r LEFT JOIN agent_queues aq ON aq.extension = r.extension ${sqlWhere(w)}`)
    .all(...w.params) as { extension: string; queue: string | null }[];
  const out = new Map<string, string[]>();
  const queueAllowed = (queue: string | null) =>
    queue !== null && (!queues || queues.includes(queue)) && (!q.scope?.queues || q.scope.queues.includes(queue));
  const restricted = queues !== undefined || q.scope?.queues !== undefined;
  for (const r of rows) {
    if (!out.has(r.extension)) out.set(r.extension, []);
    if (queueAllowed(r.queue)) out.get(r.extension)!.push(r.queue!);
  }
  // With a queue filter or a queue scope, only the agents assigned to those queues count.
  if (restricted) for (const [ext, qs] of out) if (qs.length === 0) out.delete(ext);
  return out;
}

/**
 * Time per group and in all (each agent once, also when by queue puts an agent in two groups).
 * `undefined` when agent time does not apply to the grouping (by disposition). `now`: states still
 * going on count up to here (and never past the period's end).
 */
export function agentTimeTotals(db: Db, q: ReportQuery, now: number): { groups: Map<GroupKey, AgentTimeAcc>; total: AgentTimeAcc } | undefined {
  if (q.by === 'disposition') return undefined;
  const total = zeroAgentTime();
  if (q.by !== 'queue') {
    const groups = agentTime(db, q, now)!;
    for (const acc of groups.values()) mergeAgentTime(total, acc);
    return { groups, total };
  }
  // Per agent once, then into each of its queues and once into the total.
  const queuesOf = agentsOf(db, q);
  const groups = new Map<GroupKey, AgentTimeAcc>();
  for (const [ext, acc] of agentTime(db, { ...q, by: 'agent' }, now, queuesOf)!) {
    mergeAgentTime(total, acc);
    for (const queue of queuesOf.get(ext as string) ?? []) {
      if (!groups.has(queue)) groups.set(queue, zeroAgentTime());
      mergeAgentTime(groups.get(queue)!, acc);
    }
  }
  return { groups, total };
}

/**
 * Time per group. `undefined` when agent time does not apply to the grouping (by disposition).
 * `now`: states still going on count up to here (and never past the period's end).
 */
export function agentTime(db: Db, q: ReportQuery, now: number, known?: Map<string, string[]>): Map<GroupKey, AgentTimeAcc> | undefined {
  if (q.by === 'disposition') return undefined;
  const groups = new Map<GroupKey, AgentTimeAcc>();
  const agents = known ?? agentsOf(db, q);
  const end = Math.min(q.to, now);
  if (agents.size === 0 || end <= q.from) return groups;
  const keysOf = (ext: string, atMs: number): GroupKey[] => {
    if (q.by === 'agent') return [ext];
    if (q.by === 'queue') return agents.get(ext) ?? [];
    if (q.by === 'day' || q.by === 'hour') return [groupKey(q.by, atMs, 1)];
    return [null];
  };
  const put = (ext: string, atMs: number, state: string, reason: string, ms: number) => {
    for (const k of keysOf(ext, atMs)) {
      let acc = groups.get(k);
      if (!acc) groups.set(k, (acc = zeroAgentTime()));
      addState(acc, state, reason, ms);
    }
  };
  const hStart = Math.ceil(q.from / HOUR_MS);
  const hEnd = Math.floor(end / HOUR_MS);
  if (hStart < hEnd) {
    fromRollup(db, q.by, agents, hStart, hEnd, put);
    openSpans(db, agents, hStart * HOUR_MS, hEnd * HOUR_MS, put);
    fromLog(db, agents, q.from, hStart * HOUR_MS, put);
    fromLog(db, agents, hEnd * HOUR_MS, end, put);
  } else {
    fromLog(db, agents, q.from, end, put);
  }
  return groups;
}

type Put = (ext: string, atMs: number, state: string, reason: string, ms: number) => void;

/** Whole hours [hStart, hEnd) of closed spans, grouped in SQL as finely as the grouping needs. */
function fromRollup(db: Db, by: GroupBy | undefined, agents: Map<string, string[]>, hStart: number, hEnd: number, put: Put): void {
  const w = where();
  w.clauses.push('hour >= ?', 'hour < ?');
  w.params.push(hStart, hEnd);
  addIn(w, 'extension', [...agents.keys()]);
  const perHour = by === 'day' || by === 'hour';
  const perAgent = by === 'agent' || by === 'queue';
  // Without a per-agent grouping the agent list only filters: every agent's time goes to the same keys.
  const some = agents.keys().next().value as string;
  const rows = db
    .prepare(
      `SELECT ${perHour ? 'hour' : 'NULL'} AS hour, ${perAgent ? 'extension' : 'NULL'} AS extension, state, reason, SUM(ms) AS ms
       FROM agent_state_hours ${sqlWhere(w)} GROUP BY 1, 2, state, reason`,
    )
    .all(...w.params) as { hour: number | null; extension: string | null; state: string; reason: string; ms: number }[];
  for (const r of rows) put(r.extension ?? some, (r.hour ?? hStart) * HOUR_MS, r.state, r.reason, r.ms);
}

/** Each agent's latest log row is a span still open: not in the hourly totals yet. */
function openSpans(db: Db, agents: Map<string, string[]>, a: number, b: number, put: Put): void {
  const last = db.prepare('SELECT extension, at, state, reason FROM agent_state_log WHERE extension = ? ORDER BY at DESC, id DESC LIMIT 1');
  for (const ext of agents.keys()) {
    const r = last.get(ext) as LogRow | undefined;
    if (r) splitHours(ext, Math.max(r.at, a), b, r.state, reasonOf(r), put);
  }
}

/** Spans within [a, b) straight from the log: the state in force at `a`, then the rows logged before `b`. */
function fromLog(db: Db, agents: Map<string, string[]>, a: number, b: number, put: Put): void {
  if (b <= a) return;
  const before = db.prepare('SELECT extension, at, state, reason FROM agent_state_log WHERE extension = ? AND at < ? ORDER BY at DESC, id DESC LIMIT 1');
  const rows = db
    .prepare('SELECT extension, at, state, reason FROM agent_state_log WHERE at >= ? AND at < ? ORDER BY extension, at, id')
    .all(a, b) as LogRow[];
  const byExt = new Map<string, LogRow[]>();
  for (const r of rows) {
    if (!agents.has(r.extension)) continue;
    let list = byExt.get(r.extension);
    if (!list) byExt.set(r.extension, (list = []));
    list.push(r);
  }
  for (const ext of agents.keys()) {
    const first = before.get(ext, a) as LogRow | undefined;
    const list = [...(first ? [first] : []), ...(byExt.get(ext) ?? [])];
    list.forEach((r, i) => {
      const next = i + 1 < list.length ? list[i + 1].at : b;
      splitHours(ext, Math.max(r.at, a), Math.min(next, b), r.state, reasonOf(r), put);
    });
  }
}

const reasonOf = (r: LogRow) => (r.state === 'paused' ? (r.reason ?? '') : '');

/** A span cut at UTC hour boundaries (each piece goes to the group of the hour it starts in). */
function splitHours(ext: string, s: number, e: number, state: string, reason: string, put: Put): void {
  if (state === 'offline') return;
  for (let t = s; t < e; ) {
    const next = Math.min(e, (Math.floor(t / HOUR_MS) + 1) * HOUR_MS);
    put(ext, t, state, reason, next - t);
    t = next;
  }
}
