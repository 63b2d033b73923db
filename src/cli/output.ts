/**
 * Table / JSON output for list commands. Tables are for people (aligned columns), --json for scripts
 * (the same rows, untouched).
 */
import { escapeUnprintable, jsonSafe } from '../util/printable';

export interface Column {
  key: string;
  header?: string;
}

export interface PrintOptions {
  json?: boolean;
  /** Column order and headers for the table; default: keys of the first row. */
  columns?: (string | Column)[];
  /** Printed instead of an empty table, e.g. "no queues". */
  empty?: string;
}

/**
 * Rows can hold text nobody vetted (caller ids stored before they were sanitised, free text from
 * the API). Printed raw, an ESC sequence would drive the operator's terminal (colours, cursor
 * moves, title/clipboard sequences) and CR/LF would forge rows: every control character is shown
 * escaped (`\x00`, `\x1b`), which also keeps one row per line whatever the data holds.
 */
function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(cell).join(',');
  if (typeof v === 'object') return escapeUnprintable(JSON.stringify(v));
  return escapeUnprintable(String(v));
}

export function formatRows(rows: Record<string, unknown>[], opts: PrintOptions = {}): string {
  // The same rows for scripts; the characters JSON leaves raw (DEL, C1...) as \u escapes for terminals.
  if (opts.json) return jsonSafe(JSON.stringify(rows, null, 2)) + '\n';
  if (rows.length === 0) return `${opts.empty ?? '(none)'}\n`;
  const cols: Column[] = (opts.columns ?? Object.keys(rows[0])).map((c) => (typeof c === 'string' ? { key: c } : c));
  const headers = cols.map((c) => escapeUnprintable((c.header ?? c.key).toUpperCase()));
  const body = rows.map((r) => cols.map((c) => cell(r[c.key])));
  const widths = headers.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(headers), ...body.map(line)].join('\n') + '\n';
}

/** A timestamp as the CLI tables show it: "2026-11-21 08:00:00" (UTC); `none` for null/absent. */
export function tableTime(ms: unknown, none = ''): string {
  return typeof ms === 'number' && ms > 0 ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) : none;
}
