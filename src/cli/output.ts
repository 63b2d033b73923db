/**
 * Table / JSON output for list commands. Tables are for people (aligned columns), --json for scripts
 * (the same rows, untouched).
 */
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

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(cell).join(',');
  if (typeof v === 'object') return JSON.stringify(v);
  // Keep one row per line whatever the data holds.
  return String(v).replace(/[\r\n\t]/g, ' ');
}

export function formatRows(rows: Record<string, unknown>[], opts: PrintOptions = {}): string {
  if (opts.json) return JSON.stringify(rows, null, 2) + '\n';
  if (rows.length === 0) return `${opts.empty ?? '(none)'}\n`;
  const cols: Column[] = (opts.columns ?? Object.keys(rows[0])).map((c) => (typeof c === 'string' ? { key: c } : c));
  const headers = cols.map((c) => (c.header ?? c.key).toUpperCase());
  const body = rows.map((r) => cols.map((c) => cell(r[c.key])));
  const widths = headers.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(headers), ...body.map(line)].join('\n') + '\n';
}
