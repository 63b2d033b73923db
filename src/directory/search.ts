/**
 * Directory search: one query matched against names and numbers.
 *  - text: case- and accent-insensitive substring ("jose" finds "José", "SEGUNDA" finds "Segunda via");
 *  - numbers: when the query is a number as people write one (digits with spaces, dots, dashes,
 *    parentheses, a leading +), its digits are matched as a substring of the entry's numbers, so
 *    "(11) 3003-0000", "11 30030000" and "+55 11 3003" all find 551130030000.
 * An empty query matches everything.
 */

/** Lower case, accents (combining marks) removed, whitespace runs as one space. */
export function foldText(s: string): string {
  return s.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

const NUMBER_LIKE = /^\+?[\d\s().-]+$/;

export interface Query {
  text: string;
  /** The query's digits when it is written as a number; undefined otherwise. */
  digits?: string;
}

export function parseQuery(raw: string | undefined): Query {
  const q = (raw ?? '').trim();
  const digits = NUMBER_LIKE.test(q) ? q.replace(/\D/g, '') : '';
  return { text: foldText(q), digits: digits || undefined };
}

/** True when the query is empty, a text field contains it, or (number-like query) a number does. */
export function matches(q: Query, fields: { texts: (string | null | undefined)[]; numbers?: (string | null | undefined)[] }): boolean {
  if (!q.text) return true;
  if (fields.texts.some((t) => !!t && foldText(t).includes(q.text))) return true;
  const digits = q.digits;
  return !!digits && (fields.numbers ?? []).some((n) => !!n && n.replace(/\D/g, '').includes(digits));
}
