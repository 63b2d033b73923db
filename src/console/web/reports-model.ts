/**
 * The reports tab's logic, pure (no DOM) so jest tests it. Written against the reports API
 * contract (`GET /reports/{quantitative|summary|detailed}?from=&to=&queue=&agent=&by=`, JSON, or
 * CSV with `Accept: text/csv`); the exact JSON shape is read tolerantly: the rows are the answer
 * itself when it is an array, else its first array field (`rows`, `items`, `data`... in that
 * order), and the chart series are found by the field names below. Aligning the charts with the
 * API's final names is a change to the NAME lists here only.
 */

export const REPORT_KINDS = ['quantitative', 'summary', 'detailed'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];
export const REPORT_BY = ['queue', 'agent', 'day', 'hour', 'disposition'] as const;

export interface ReportFilters {
  from?: string;
  to?: string;
  queue?: string;
  agent?: string;
  by?: string;
}

/** The report's URL path and query; empty filters are left out. */
export function reportPath(kind: ReportKind, f: ReportFilters): string {
  const q = new URLSearchParams();
  for (const k of ['from', 'to', 'queue', 'agent', 'by'] as const) {
    const v = f[k]?.trim();
    if (v) q.set(k, v);
  }
  const qs = q.toString();
  return `/reports/${kind}${qs ? `?${qs}` : ''}`;
}

/** "callcenterd-summary-2026-12-01_2026-12-06-by-queue.csv" (only safe characters). */
export function csvFileName(kind: ReportKind, f: ReportFilters): string {
  const parts = ['callcenterd', kind, f.from || 'start', f.to || 'now', ...(f.queue ? [f.queue] : []), ...(f.agent ? [f.agent] : []), ...(f.by ? [`by-${f.by}`] : [])];
  return `${parts.join('-').replace(/[^A-Za-z0-9_.-]+/g, '_')}.csv`;
}

type Row = Record<string, unknown>;
const isObj = (v: unknown): v is Row => !!v && typeof v === 'object' && !Array.isArray(v);
const ROW_FIELDS = ['rows', 'items', 'data', 'report', 'buckets', 'groups', 'results', 'entries'];

/** The rows of a report answer (see the header). */
export function extractRows(body: unknown): Row[] {
  if (Array.isArray(body)) return body.filter(isObj);
  if (!isObj(body)) return [];
  for (const k of ROW_FIELDS) if (Array.isArray(body[k])) return (body[k] as unknown[]).filter(isObj);
  const first = Object.values(body).find(Array.isArray);
  return first ? first.filter(isObj) : [];
}

/** A row flattened one level ({sla: {pct: 80}} → "sla.pct"); arrays shown as their length. */
export function flatten(row: Row): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) {
    if (isObj(v)) for (const [k2, v2] of Object.entries(v)) out[`${k}.${k2}`] = isObj(v2) ? JSON.stringify(v2) : v2;
    else out[k] = v;
  }
  return out;
}

/** Table columns: every key of the flattened rows, in the order they first appear. */
export function tableColumns(rows: Row[]): string[] {
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(flatten(r))) seen.add(k);
  return [...seen];
}

/** A cell as text (numbers in the page's language; nothing is ever interpreted as markup). */
export function cellText(v: unknown, lang: string): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? new Intl.NumberFormat(lang, { maximumFractionDigits: 2 }).format(v) : '';
  if (typeof v === 'boolean') return v ? '✓' : '✗';
  if (Array.isArray(v)) return String(v.length);
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

const HOUR = ['hour', 'bucket', 'key', 'period', 'start', 'time', 'label', 'at'];
const CALLS = ['calls', 'offered', 'total', 'received', 'entered', 'count'];
const ANSWERED = ['answered', 'handled'];
const ABANDONED = ['abandoned', 'abandons'];
const SERVICE_LEVEL = ['serviceLevel', 'service_level', 'serviceLevelPct', 'serviceLevelPercent', 'sla', 'sl'];
const ABANDON_RATE = ['abandonRate', 'abandonmentRate', 'abandon_rate', 'abandonment_rate', 'abandonedPct', 'abandonedPercent', 'abandonRatePct'];
const QUEUE = ['queue', 'key', 'name', 'group'];

/** The first of `names` a row has as a finite number (case-insensitive; nested one level). */
export function pickNumber(row: Row, names: readonly string[]): number | null {
  const flat = flatten(row);
  const keys = Object.keys(flat);
  for (const n of names) {
    const k = keys.find((x) => x.toLowerCase() === n.toLowerCase() || x.toLowerCase().endsWith(`.${n.toLowerCase()}`));
    const v = k === undefined ? undefined : flat[k];
    const num = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
    if (typeof num === 'number' && Number.isFinite(num)) return num;
  }
  return null;
}

function pickString(row: Row, names: readonly string[]): string | null {
  for (const n of names) {
    const k = Object.keys(row).find((x) => x.toLowerCase() === n.toLowerCase());
    if (k !== undefined && (typeof row[k] === 'string' || typeof row[k] === 'number')) return String(row[k]);
  }
  return null;
}

/** Hour of day 0-23 of a bucket: 8, "08", "08:00", an ISO time, or epoch ms (local time). */
export function hourOf(v: unknown): number | null {
  if (typeof v === 'number') {
    if (Number.isInteger(v) && v >= 0 && v <= 23) return v;
    if (v > 1e11) return new Date(v).getHours();
    return null;
  }
  if (typeof v !== 'string') return null;
  const s = v.trim();
  let m = /^(\d{1,2})(?::\d{2})?(?::\d{2})?$/.exec(s);
  if (m && Number(m[1]) <= 23) return Number(m[1]);
  m = /^\d{4}-\d{2}-\d{2}[T ](\d{2}):\d{2}/.exec(s);
  if (m) {
    // With a zone (Z, +hh:mm) the API means an instant: show it in local time; without, as written.
    if (/(Z|[+-]\d{2}:?\d{2})$/.test(s)) {
      const t = Date.parse(s);
      return Number.isNaN(t) ? null : new Date(t).getHours();
    }
    return Number(m[1]);
  }
  return null;
}

/** A rate as a percentage: fractions (all ≤ 1) are scaled to 0-100. */
function asPercent(values: (number | null)[]): (number | null)[] {
  const known = values.filter((v): v is number => v !== null);
  const fractions = known.length > 0 && known.every((v) => v >= 0 && v <= 1);
  return fractions ? values.map((v) => (v === null ? null : Math.round(v * 1000) / 10)) : values;
}

export interface HourlySeries {
  hours: number[];
  calls: (number | null)[];
  serviceLevel: (number | null)[];
  abandonment: (number | null)[];
}

/**
 * Per hour of day (0-23, every hour present: gaps are null) the calls, service level % and
 * abandonment % of a `by=hour` report. Rows of the same hour (several days) are added up; rates
 * are then averaged weighted by calls. Null when no row has a recognisable hour.
 */
export function hourlySeries(rows: Row[]): HourlySeries | null {
  const acc = new Map<number, { calls: number; hasCalls: boolean; slSum: number; slW: number; abSum: number; abW: number }>();
  for (const r of rows) {
    const hourKey = Object.keys(r).find((k) => HOUR.includes(k) || HOUR.includes(k.toLowerCase()));
    const h = hourKey === undefined ? null : hourOf(r[hourKey]);
    if (h === null) continue;
    const a = acc.get(h) ?? { calls: 0, hasCalls: false, slSum: 0, slW: 0, abSum: 0, abW: 0 };
    const calls = pickNumber(r, CALLS);
    const answered = pickNumber(r, ANSWERED);
    const abandoned = pickNumber(r, ABANDONED);
    const total = calls ?? (answered !== null || abandoned !== null ? (answered ?? 0) + (abandoned ?? 0) : null);
    if (total !== null) {
      a.calls += total;
      a.hasCalls = true;
    }
    const w = total ?? 1;
    const sl = pickNumber(r, SERVICE_LEVEL);
    if (sl !== null) {
      a.slSum += sl * w;
      a.slW += w;
    }
    let ab = pickNumber(r, ABANDON_RATE);
    if (ab === null && abandoned !== null && total) ab = abandoned / total;
    if (ab !== null) {
      a.abSum += ab * w;
      a.abW += w;
    }
    acc.set(h, a);
  }
  if (!acc.size) return null;
  const hours = Array.from({ length: 24 }, (_, i) => i);
  const get = (h: number) => acc.get(h);
  return {
    hours,
    calls: hours.map((h) => (get(h)?.hasCalls ? get(h)!.calls : null)),
    serviceLevel: asPercent(hours.map((h) => (get(h)?.slW ? get(h)!.slSum / get(h)!.slW : null))),
    abandonment: asPercent(hours.map((h) => (get(h)?.abW ? get(h)!.abSum / get(h)!.abW : null))),
  };
}

/** Service level % per queue from a `summary?by=queue` answer (empty when it has none). */
export function serviceLevelByQueue(body: unknown): Map<string, number> {
  const rows = extractRows(body);
  const queues = rows.map((r) => pickString(r, QUEUE));
  const levels = asPercent(rows.map((r) => pickNumber(r, SERVICE_LEVEL)));
  const out = new Map<string, number>();
  rows.forEach((_, i) => {
    const q = queues[i];
    const sl = levels[i];
    if (q !== null && sl !== null) out.set(q, sl);
  });
  return out;
}
