/**
 * The reports tab's logic, pure (no DOM) so jest tests it. Reads the reports API
 * (`GET /reports/{quantitative|summary|detailed}?from=&to=&queue=&agent=&by=`, JSON, or CSV with
 * `Accept: text/csv`; src/reports/routes.ts and schema.ts, definitions in README "Reports"):
 * quantitative and summary answer `{kind, from, to, by, filters, settings, rows, total}` with one
 * row per group (`key`: queue, extension, "YYYY-MM-DD", "YYYY-MM-DD HH:00" local, or disposition)
 * and the total; detailed answers `{kind, contacts, next}`.
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

/** "2026-12-06" → "2026-12-07" (other values as they are). */
export function dayAfter(v: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + 1)).toISOString().slice(0, 10) : v;
}

/**
 * The report's URL path and query; empty filters are left out. The form's `to` day is included,
 * the API's `to` is exclusive: a plain date is sent as the day after (its 00:00).
 */
export function reportPath(kind: ReportKind, f: ReportFilters): string {
  const q = new URLSearchParams();
  for (const k of ['from', 'to', 'queue', 'agent', 'by'] as const) {
    const v = f[k]?.trim();
    if (v) q.set(k, k === 'to' ? dayAfter(v) : v);
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
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** A daemon older than the reports API answers 404 "no such endpoint": not an error of the filters. */
export function isMissingRoute(err: unknown): boolean {
  return isObj(err) && err.status === 404 && typeof err.message === 'string' && /no such endpoint/i.test(err.message);
}

/**
 * The table rows of a report answer. Aggregates: one per group, the `key` column named after the
 * grouping (as in the CSV), then the total (key "TOTAL"). Detailed: one per contact, with its first
 * queue stay and its call parts counted.
 */
export function extractRows(body: unknown): Row[] {
  if (!isObj(body)) return [];
  if (body.kind === 'detailed') {
    const contacts = Array.isArray(body.contacts) ? body.contacts.filter(isObj) : [];
    return contacts.map((c) => {
      const stay = Array.isArray(c.stays) && isObj(c.stays[0]) ? c.stays[0] : null;
      return {
        contact: c.contact,
        startedAt: typeof c.startedAt === 'number' ? new Date(c.startedAt).toISOString() : null,
        number: c.number,
        queue: stay?.queue ?? null,
        outcome: stay?.outcome ?? null,
        waitSeconds: stay?.waitSeconds ?? null,
        parts: Array.isArray(c.parts) ? c.parts.length : 0,
      };
    });
  }
  const keyName = typeof body.by === 'string' ? body.by : 'key';
  const rows = Array.isArray(body.rows) ? body.rows.filter(isObj) : [];
  const all = isObj(body.total) ? [...rows, { ...body.total, key: 'TOTAL' }] : rows;
  return all.map(({ key, ...rest }) => ({ [keyName]: key ?? '(none)', ...rest }));
}

/** A row flattened one level (dispositions: {Venda: 1} → "dispositions.Venda"). */
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

/** Hour of day 0-23 of a `by=hour` key ("2026-12-06 14:00", the daemon's local time). */
export function hourOf(key: unknown): number | null {
  const m = typeof key === 'string' ? /^\d{4}-\d{2}-\d{2} (\d{2}):00$/.exec(key) : null;
  return m && Number(m[1]) <= 23 ? Number(m[1]) : null;
}

const groupRows = (body: unknown): Row[] => (isObj(body) && Array.isArray(body.rows) ? body.rows.filter(isObj) : []);
const pct = (n: number, base: number) => (base > 0 ? Math.round((n / base) * 1000) / 10 : null);

export interface HourlySeries {
  hours: number[];
  calls: (number | null)[];
  serviceLevel: (number | null)[];
  abandonment: (number | null)[];
}

/**
 * Per hour of day (0-23, every hour present: gaps are null) the calls offered, service level % and
 * abandonment % from `quantitative?by=hour` and `summary?by=hour`. Rows of the same hour (several
 * days) are added up and the percentages recomputed with the README definitions
 * (abandoned ÷ offered; answeredInServiceLevel ÷ (offered − shortAbandoned − waiting)).
 * Null when no row has an hour.
 */
export function hourlySeries(quantitative: unknown, summary: unknown): HourlySeries | null {
  const acc = new Map<number, { offered: number; abandoned: number; inSl: number; slBase: number }>();
  const at = (h: number) => acc.get(h) ?? acc.set(h, { offered: 0, abandoned: 0, inSl: 0, slBase: 0 }).get(h)!;
  for (const r of groupRows(quantitative)) {
    const h = hourOf(r.key);
    if (h === null) continue;
    const a = at(h);
    a.offered += num(r.offered);
    a.abandoned += num(r.abandoned);
  }
  for (const r of groupRows(summary)) {
    const h = hourOf(r.key);
    if (h === null) continue;
    const a = at(h);
    a.inSl += num(r.answeredInServiceLevel);
    a.slBase += num(r.offered) - num(r.shortAbandoned) - num(r.waiting);
  }
  if (!acc.size) return null;
  const hours = Array.from({ length: 24 }, (_, i) => i);
  return {
    hours,
    calls: hours.map((h) => acc.get(h)?.offered ?? null),
    serviceLevel: hours.map((h) => (acc.has(h) ? pct(acc.get(h)!.inSl, acc.get(h)!.slBase) : null)),
    abandonment: hours.map((h) => (acc.has(h) ? pct(acc.get(h)!.abandoned, acc.get(h)!.offered) : null)),
  };
}

/** Service level % per queue from a `summary?by=queue` answer (queues without one are left out). */
export function serviceLevelByQueue(body: unknown): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of groupRows(body)) if (typeof r.key === 'string' && typeof r.serviceLevelPct === 'number') out.set(r.key, r.serviceLevelPct);
  return out;
}
