/**
 * Reports as text: a table for people (metrics down, groups across, the total last), CSV for
 * spreadsheets (one line per group, `key` columns as in JSON and README). CSV cells that a
 * spreadsheet would run as a formula (= + - @ first) are prefixed with ' : caller numbers and
 * catalogue names are not ours to trust.
 */
import { localDate, localTime } from '../history/repo';
import { escapeUnprintable } from '../util/printable';
import type { DetailedContact, DetailedReport } from './detailed';
import { metricsOf, type MetricDef } from './metrics';
import type { GroupKey, ReportEnvelope, ReportKind } from './model';

type AnyRow = { key: GroupKey } & Record<string, unknown>;

const NONE = '(none)';
const TOTAL = 'TOTAL';
const MAPS: Record<string, string> = { pauseByReason: 'pause', dispositions: 'disposition' };

const when = (ms: number | null | undefined) => (ms ? `${localDate(ms)} ${localTime(ms)}` : '');
const iso = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString() : '');

/** 75 s → "1:15", 3725 s → "1:02:05", 12.5 → "12.5 s". */
export function duration(s: number | null): string {
  if (s === null) return '-';
  if (s < 60) return `${s} s`;
  const t = Math.round(s);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = String(t % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

function value(m: MetricDef, v: unknown): string {
  if (v === null || v === undefined) return '-';
  if (m.key.endsWith('Pct')) return `${Number(v).toFixed(1)}%`;
  if (m.key.endsWith('Seconds')) return duration(Number(v));
  return String(v);
}

/** Header line: what, when, filters. */
function title(r: { kind: ReportKind; from: number; to: number; filters: { queue: string | null; agent: string | null } }, by?: string | null): string {
  const f = [r.filters.queue && `queue ${r.filters.queue}`, r.filters.agent && `agent ${r.filters.agent}`, by && `by ${by}`].filter(Boolean);
  return `${r.kind} report ${when(r.from)} → ${when(r.to)}${f.length ? ` (${f.join(', ')})` : ''}`;
}

function alignColumns(lines: string[][]): string {
  const widths = lines[0].map((_, i) => Math.max(...lines.map((l) => (l[i] ?? '').length)));
  return lines.map((l) => l.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd()).join('\n');
}

/** Metrics as lines, one column per group then TOTAL; a count and its percentage share a line. */
export function reportTable(r: ReportEnvelope<AnyRow>): string {
  const defs = metricsOf(r.kind);
  const cols = [...r.rows, r.total];
  const header = ['', ...r.rows.map((x) => escapeUnprintable(x.key ?? NONE)), TOTAL];
  const lines: string[][] = [header];
  for (let i = 0; i < defs.length; i++) {
    const m = defs[i];
    if (MAPS[m.key]) {
      const names = [...new Set(cols.flatMap((c) => Object.keys((c[m.key] as Record<string, number> | null) ?? {})))].sort();
      if (cols.every((c) => c[m.key] === null)) lines.push([m.label, ...cols.map(() => '-')]);
      for (const n of names) {
        const unit = m.key === 'pauseByReason' ? (s: unknown) => duration(s === undefined ? 0 : Number(s)) : (x: unknown) => String(x ?? 0);
        lines.push([`${MAPS[m.key]}: ${escapeUnprintable(n)}`, ...cols.map((c) => (c[m.key] === null ? '-' : unit((c[m.key] as Record<string, number>)[n])))]);
      }
      continue;
    }
    const pct = defs[i + 1]?.key === `${m.key}Pct` ? defs[++i] : undefined;
    lines.push([
      m.label,
      ...cols.map((c) => {
        const v = value(m, c[m.key]);
        return pct && c[pct.key] !== null ? `${v} (${value(pct, c[pct.key])})` : v;
      }),
    ]);
  }
  return `${title(r, r.by)}\n${alignColumns(lines)}\n`;
}

/** RFC 4180 cell; text that a spreadsheet would evaluate gets a leading '. */
const CSV_SPECIAL = /^[=+\-@\t\r]|[",\r\n]/;

export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return String(v);
  let s = String(v);
  if (!CSV_SPECIAL.test(s)) return s; // most cells: one test
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const csvLine = (cells: unknown[]) => cells.map(csvCell).join(',');

/** One line per group and a TOTAL line; maps become `pause:<reason>` / `disposition:<tag>` columns. */
export function reportCsv(r: ReportEnvelope<AnyRow>): string {
  const defs = metricsOf(r.kind);
  const all = [...r.rows, r.total];
  const columns: { name: string; get: (row: AnyRow) => unknown }[] = [];
  for (const m of defs) {
    if (!MAPS[m.key]) {
      columns.push({ name: m.key, get: (row) => row[m.key] });
      continue;
    }
    const names = [...new Set(all.flatMap((c) => Object.keys((c[m.key] as Record<string, number> | null) ?? {})))].sort();
    for (const n of names) columns.push({ name: `${MAPS[m.key]}:${n}`, get: (row) => (row[m.key] === null ? null : ((row[m.key] as Record<string, number>)[n] ?? 0)) });
  }
  const lines = [csvLine([r.by ?? 'key', ...columns.map((c) => c.name)])];
  for (const row of r.rows) lines.push(csvLine([row.key ?? NONE, ...columns.map((c) => c.get(row))]));
  lines.push(csvLine([TOTAL, ...columns.map((c) => c.get(r.total))]));
  return lines.join('\r\n') + '\r\n';
}

const DETAILED_COLUMNS = [
  'contact', 'linkedid', 'contactStartedAt', 'number', 'stays', 'stayQueue', 'stayOutcome', 'stayWaitSeconds',
  'part', 'parentId', 'kind', 'direction', 'queue', 'agent', 'startedAt', 'answeredAt', 'endedAt', 'status', 'endReason',
  'talkSeconds', 'holdSeconds', 'wrapupSeconds', 'disposition', 'recordings', 'surveyScore',
] as const;

/** One line per call part (a contact without parts: one line with its stay), in DETAILED_COLUMNS order. */
function detailedLines(c: DetailedContact): string[] {
  const stay = c.stays[0];
  const head = csvLine([c.contact, c.linkedid, iso(c.startedAt), c.number, c.stays.length, stay?.queue, stay?.outcome, stay?.waitSeconds]);
  if (!c.parts.length) return [head + ','.repeat(DETAILED_COLUMNS.length - 8)];
  return c.parts.map(
    (p) =>
      `${head},${csvLine([
        p.id, p.parentId, p.kind, p.direction, p.queue, p.agent, iso(p.startedAt), iso(p.answeredAt), iso(p.endedAt), p.status, p.endReason,
        p.talkSeconds, p.holdSeconds, p.wrapupSeconds, p.disposition, p.recordings.map((x) => x.file).join(';') || null, p.surveyScore,
      ])}`,
  );
}

export function detailedCsv(r: DetailedReport): string {
  const lines = [csvLine([...DETAILED_COLUMNS])];
  for (const c of r.contacts) lines.push(...detailedLines(c));
  return lines.join('\r\n') + '\r\n';
}

export function detailedTable(r: DetailedReport): string {
  const lines: string[][] = [['CONTACT', 'STARTED', 'NUMBER', 'QUEUE', 'WAIT', 'OUTCOME', 'PART', 'KIND', 'AGENT', 'STATUS', 'TALK', 'HOLD', 'WRAPUP', 'DISPOSITION', 'REC', 'SURVEY']];
  for (const c of r.contacts) {
    const stay = c.stays[0];
    const parts = c.parts.length ? c.parts : [undefined];
    parts.forEach((p, i) => {
      lines.push([
        i === 0 ? c.contact : '',
        i === 0 ? when(c.startedAt) : '',
        i === 0 ? escapeUnprintable(c.number ?? '') : '',
        i === 0 ? (stay?.queue ?? '') : '',
        i === 0 && stay ? duration(stay.waitSeconds) : '',
        i === 0 ? (stay?.outcome ?? '') : '',
        p?.id ?? '',
        p ? (p.parentId ? `${p.kind}<${p.parentId}` : p.kind) : '',
        p?.agent ?? '',
        p?.status ?? '',
        p ? duration(p.talkSeconds) : '',
        p ? duration(p.holdSeconds) : '',
        p ? duration(p.wrapupSeconds) : '',
        escapeUnprintable(p?.disposition ?? ''),
        p ? String(p.recordings.length) : '',
        p?.surveyScore !== undefined && p?.surveyScore !== null ? String(p.surveyScore) : '',
      ]);
    });
  }
  const widths = lines[0].map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  const text = lines.map((l) => l.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
  const more = r.next ? `\nmore: --after ${r.next}` : '';
  return `${title(r)}\n${r.contacts.length ? text : '(no calls)'}${more}\n`;
}
