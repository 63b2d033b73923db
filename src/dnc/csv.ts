/**
 * The CSV files do-not-call lists arrive in (CRM exports, spreadsheets): RFC 4180 records with a
 * header line. Every record keeps the line it starts on, so a bad row is reported where the
 * operator will look for it. What is accepted beyond the RFC, because spreadsheets write it:
 *   - a UTF-8 byte order mark (Excel "CSV UTF-8");
 *   - ';' as the separator when the header has ';' and no ',' (spreadsheets in locales whose decimal
 *     separator is ',' write that, Brazil's among them);
 *   - LF or CRLF line ends; blank lines (skipped, still counted for line numbers).
 * Pure: no I/O, no knowledge of what the columns mean (src/dnc/list.ts decides that).
 */
import { invalid } from '../util/errors';

export interface CsvRecord {
  /** 1-based line of the file where this record starts (the header is line 1). */
  line: number;
  /** Cells by lower-cased, trimmed header name. */
  cells: Record<string, string>;
  /** How many cells the record had (a mismatch with the header is reported by the caller). */
  count: number;
}

export interface CsvTable {
  header: string[];
  records: CsvRecord[];
}

/** Splits `text` into records of raw cells, each with the line it starts on. */
function records(text: string, sep: string): { line: number; cells: string[] }[] {
  const out: { line: number; cells: string[] }[] = [];
  let line = 1;
  let start = 1;
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let wasQuoted = false;
  const endRecord = () => {
    cells.push(cell);
    // A line with nothing on it is not a record (trailing newline, spacing between blocks).
    if (!(cells.length === 1 && cells[0].trim() === '' && !wasQuoted)) out.push({ line: start, cells });
    cells = [];
    cell = '';
    wasQuoted = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        if (c === '\n') line++;
        cell += c;
      }
      continue;
    }
    if (c === '"' && cell.trim() === '') {
      quoted = true;
      wasQuoted = true;
      cell = '';
    } else if (c === sep) {
      cells.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else {
      cell += c;
    }
  }
  if (quoted) throw invalid(`line ${start}: a quoted field is never closed (missing ")`, { line: start });
  if (cell !== '' || cells.length > 0 || wasQuoted) endRecord();
  return out;
}

/**
 * Parses a CSV text with a header. Header names are trimmed and lower-cased; an empty or repeated
 * header name is bad input (the file cannot be read unambiguously).
 */
export function parseCsv(input: string): CsvTable {
  const text = input.replace(/^\uFEFF/, '');
  const firstLine = /^[^\r\n]*/.exec(text)?.[0] ?? '';
  const sep = firstLine.includes(';') && !firstLine.includes(',') ? ';' : ',';
  const all = records(text, sep);
  if (all.length === 0) throw invalid('the file is empty: expected a header line such as "number,queue,reason"', { line: 1 });
  const [head, ...rest] = all;
  const header = head.cells.map((h) => h.trim().toLowerCase());
  header.forEach((h, i) => {
    if (h === '') throw invalid(`line ${head.line}: column ${i + 1} of the header has no name`, { line: head.line });
    if (header.indexOf(h) !== i) throw invalid(`line ${head.line}: column "${h}" appears twice in the header`, { line: head.line });
  });
  return {
    header,
    records: rest.map((r) => ({
      line: r.line,
      count: r.cells.length,
      cells: Object.fromEntries(header.map((h, i) => [h, (r.cells[i] ?? '').trim()])),
    })),
  };
}
