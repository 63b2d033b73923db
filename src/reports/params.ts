/**
 * Report parameters as people type them (CLI options, API query strings): validated once here, with
 * the same messages for both (CcError 'invalid' names the field: exit 2 / HTTP 400).
 */
import { parseSince } from '../history/repo';
import { invalid } from '../util/errors';
import { GROUP_BYS, REPORT_FORMATS, REPORT_KINDS, type DetailedPage, type GroupBy, type ReportFormat, type ReportKind, type ReportQuery } from './model';

export interface RawReportParams {
  from?: string;
  to?: string;
  queue?: string;
  agent?: string;
  by?: string;
  limit?: string | number;
  after?: string;
}

/** A year and a day: longer periods are several reports. */
const MAX_RANGE_MS = 366 * 86_400_000;
export const DETAILED_DEFAULT_LIMIT = 500;
export const DETAILED_MAX_LIMIT = 10_000;

export function parseKind(v: string): ReportKind {
  if ((REPORT_KINDS as readonly string[]).includes(v)) return v as ReportKind;
  throw invalid(`report must be one of ${REPORT_KINDS.join(', ')} (got ${JSON.stringify(v)})`, { field: 'kind' });
}

export function parseFormat(v: string): ReportFormat {
  if ((REPORT_FORMATS as readonly string[]).includes(v)) return v as ReportFormat;
  throw invalid(`format must be one of ${REPORT_FORMATS.join(', ')} (got ${JSON.stringify(v)})`, { field: 'format' });
}

/** Local midnight of the day `now` falls in. */
export function startOfDay(now: number): number {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

function time(field: 'from' | 'to', v: string, now: number): number {
  if (v.trim() === 'now') return now;
  try {
    return parseSince(v, now);
  } catch {
    throw invalid(`${field} must be a date (2026-11-21[T08:00]), a duration back from now (30m, 2h, 7d), ms since epoch or "now" (got ${JSON.stringify(v)})`, { field });
  }
}

/** --from (default: today 00:00 local) and --to (default: now), --queue, --agent, --by. */
export function parseReportQuery(p: RawReportParams, now: number): ReportQuery {
  const from = p.from !== undefined && p.from !== '' ? time('from', p.from, now) : startOfDay(now);
  const to = p.to !== undefined && p.to !== '' ? time('to', p.to, now) : now;
  if (!(to > from)) throw invalid('to must be after from', { field: 'to' });
  if (to - from > MAX_RANGE_MS) throw invalid('a report covers at most 366 days', { field: 'to' });
  const q: ReportQuery = { from, to };
  if (p.queue !== undefined && p.queue !== '') {
    if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(p.queue)) throw invalid(`queue must be a queue name (got ${JSON.stringify(p.queue)})`, { field: 'queue' });
    q.queue = p.queue;
  }
  if (p.agent !== undefined && p.agent !== '') {
    if (!/^\d{4,5}$/.test(p.agent)) throw invalid('agent must be an extension of 4 or 5 digits', { field: 'agent' });
    q.agent = p.agent;
  }
  if (p.by !== undefined && p.by !== '') {
    if (!(GROUP_BYS as readonly string[]).includes(p.by)) throw invalid(`by must be one of ${GROUP_BYS.join(', ')} (got ${JSON.stringify(p.by)})`, { field: 'by' });
    q.by = p.by as GroupBy;
  }
  return q;
}

export function parsePage(p: RawReportParams): DetailedPage {
  const page: DetailedPage = {};
  if (p.limit !== undefined && p.limit !== '') {
    const n = typeof p.limit === 'number' ? p.limit : /^\d+$/.test(p.limit.trim()) ? Number(p.limit) : NaN;
    if (!Number.isInteger(n) || n < 1 || n > DETAILED_MAX_LIMIT) throw invalid(`limit must be a whole number from 1 to ${DETAILED_MAX_LIMIT}`, { field: 'limit' });
    page.limit = n;
  }
  if (p.after !== undefined && p.after !== '') {
    if (!/^\d{1,15}\.[01]\.\d{1,15}$/.test(p.after)) throw invalid('after must be the next cursor of a previous page', { field: 'after' });
    page.after = p.after;
  }
  return page;
}
