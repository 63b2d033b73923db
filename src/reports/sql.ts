/**
 * SQL building blocks shared by the reports: the WHERE of a query (period, filters, scope) and the
 * grouping key per source table. Day and hour groups are queried as 15-minute UTC slots (every time
 * zone offset in use is a multiple of 15 minutes) and turned into local days/hours in JS
 * (buckets.ts), so SQL never needs the time zone and both sides agree on it.
 */
import { localDate } from '../history/repo';
import type { GroupBy, GroupKey, ReportQuery } from './model';

export const SLOT_MS = 15 * 60_000;
export const HOUR_MS = 3_600_000;

export interface Where {
  clauses: string[];
  params: unknown[];
}

export function where(): Where {
  return { clauses: [], params: [] };
}

export function add(w: Where, clause: string, ...params: unknown[]): void {
  w.clauses.push(clause);
  w.params.push(...params);
}

/** `col IN (...)`; an empty list matches nothing (a scope that allows nothing). */
export function addIn(w: Where, col: string, values: readonly string[] | undefined): void {
  if (values === undefined) return;
  if (values.length === 0) add(w, '0');
  else add(w, `${col} IN (${values.map(() => '?').join(', ')})`, ...values);
}

export function sqlWhere(w: Where): string {
  return w.clauses.length ? `WHERE ${w.clauses.join(' AND ')}` : '';
}

/** Columns of one source table the filters and groups use. */
export interface SourceCols {
  /** The table and its alias in the queries. */
  table: string;
  alias: string;
  /** Time column, qualified (`s.joined_at`). */
  time: string;
  queue: string;
  agent: string;
  /** Disposition column, possibly of a joined calls row. */
  disposition: string;
}

/** Period + --queue/--agent + scope on a source. */
export function filtered(q: ReportQuery, cols: SourceCols): Where {
  const w = where();
  add(w, `${cols.time} >= ?`, q.from);
  add(w, `${cols.time} < ?`, q.to);
  if (q.queue) add(w, `${cols.queue} = ?`, q.queue);
  if (q.agent) add(w, `${cols.agent} = ?`, q.agent);
  addIn(w, cols.queue, q.scope?.queues);
  addIn(w, cols.agent, q.scope?.agents);
  return w;
}

/**
 * FROM and WHERE of an aggregate over a source: its rows in the period, read as a rowid window.
 * Rows are written as things happen, so a table's rowids follow its time column; reading the
 * rowids between the first and the last row of the period (two index look-ups) is a sequential
 * scan of just that stretch. Through the time index instead, every row was a random look-up: 2-4
 * times slower on a month (bench/reports.ts). The time condition still decides which rows count,
 * so rows written out of order (a stay learned from QueueStatus) are never wrong, only read.
 */
export function scan(q: ReportQuery, cols: SourceCols): { from: string; w: Where } {
  const column = cols.time.slice(cols.time.indexOf('.') + 1);
  const w = where();
  const bound = (fn: 'MIN' | 'MAX') => `(SELECT ${fn}(rowid) FROM ${cols.table} WHERE ${column} >= ? AND ${column} < ?)`;
  add(w, `${cols.alias}.rowid BETWEEN ${bound('MIN')} AND ${bound('MAX')}`, q.from, q.to, q.from, q.to);
  const f = filtered(q, cols);
  w.clauses.push(...f.clauses);
  w.params.push(...f.params);
  return { from: `${cols.table} ${cols.alias} NOT INDEXED`, w };
}

/** The SQL grouping expression of a source for `by` (15-minute slots for day/hour). */
export function keyExpr(by: GroupBy | undefined, cols: SourceCols): string {
  switch (by) {
    case 'queue':
      return cols.queue;
    case 'agent':
      return cols.agent;
    case 'disposition':
      return cols.disposition;
    case 'day':
    case 'hour':
      return `${cols.time} / ${SLOT_MS}`;
    default:
      return 'NULL';
  }
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Local hour label "2026-11-21 09:00" of a time. */
export function hourLabel(ms: number): string {
  return `${localDate(ms)} ${pad(new Date(ms).getHours())}:00`;
}

/** A raw SQL key → the row's group key: slots become local day/hour labels; null stays null. */
export function groupKey(by: GroupBy | undefined, raw: unknown, slotMs = SLOT_MS): GroupKey {
  if (raw === null || raw === undefined) return null;
  if (by === 'day') return localDate(Number(raw) * slotMs);
  if (by === 'hour') return hourLabel(Number(raw) * slotMs);
  return String(raw);
}

/** Adds `part` into the accumulator of its group (creating it), with `merge`. */
export function accumulate<A>(groups: Map<GroupKey, A>, key: GroupKey, zero: () => A, part: Partial<A>, merge: (into: A, part: Partial<A>) => void): void {
  let acc = groups.get(key);
  if (!acc) groups.set(key, (acc = zero()));
  merge(acc, part);
}

/** Rows in a stable order: group keys ascending, the "none" group (null) last. */
export function orderedKeys<A>(groups: Map<GroupKey, A>): GroupKey[] {
  return [...groups.keys()].sort((a, b) => (a === null ? 1 : b === null ? -1 : a < b ? -1 : a > b ? 1 : 0));
}

/** x ÷ base × 100 with one decimal; null when the base is 0. */
export function percent(x: number, base: number): number | null {
  return base > 0 ? Math.round((x / base) * 1000) / 10 : null;
}

/** ms → seconds with one decimal. */
export function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}

/** Mean in seconds with one decimal; null when nothing was counted. */
export function meanSeconds(totalMs: number, n: number): number | null {
  return n > 0 ? seconds(totalMs / n) : null;
}
