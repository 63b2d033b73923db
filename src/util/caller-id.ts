/**
 * Caller ids are untrusted input: the trunk (or whoever calls it) chooses the caller name and
 * number. They reach the agent's phone display (originate callerId), transfer targets, conference
 * legs, SQLite, logs, the API and the operator's terminal. Control characters seen going out (NUL,
 * CR/LF, ESC sequences) could break the `"name" <number>` syntax Asterisk parses, inject terminal
 * escapes into `callcenterd` tables or split log lines.
 *
 * `sanitizeCallerId` runs ONCE, where a caller id enters the daemon (ARI StasisStart in the call
 * router, AMI CallerIDNum/CallerIDName in the waiting-callers tracker); everything after works on
 * the cleaned values. `formatCallerId` builds the originate `callerId` string.
 *
 * What is kept: every printable character, including non-ASCII letters (names are international)
 * and Asterisk's literal `anonymous` for a withheld number. What goes (src/util/printable.ts):
 *  - C0 controls U+0000-U+001F (NUL, TAB, CR, LF, ESC...), DEL U+007F and C1 controls
 *    U+0080-U+009F (U+009B is a one-byte CSI on some terminals);
 *  - Unicode line/paragraph separators U+2028/U+2029 and the bidirectional controls
 *    (U+200E/U+200F, U+202A-U+202E, U+2066-U+2069), which reorder or break what a terminal, a
 *    log viewer or a phone display shows;
 *  - leading/trailing spaces.
 * Lengths are capped (code points, never splitting a surrogate pair): CALLER_NAME_MAX = 64 for
 * the name (more than any phone display shows; SIP display names have no limit of their own) and
 * CALLER_NUMBER_MAX = 32 for the number (E.164 is at most 15 digits; 32 leaves room for prefixes,
 * extensions and SIP user parts without letting a caller store kilobytes per call).
 */

import { stripUnprintable } from './printable';

export const CALLER_NAME_MAX = 64;
export const CALLER_NUMBER_MAX = 32;

export interface CallerId {
  name: string;
  number: string;
}

/**
 * Characters that carry meaning in Asterisk's `"name" <number>` caller id syntax: a `"` ends the
 * quoted name early, `<`/`>` delimit the number, `\` escapes the next character.
 */
const CALLERID_SYNTAX = /["<>\\]/g;

/** Keeps the first `max` code points (a plain slice could cut a surrogate pair in half). */
function cap(s: string, max: number): string {
  if (s.length <= max) return s;
  return Array.from(s).slice(0, max).join('').trimEnd();
}

function printable(raw: unknown, max: number): string {
  if (raw === null || raw === undefined) return '';
  return cap(stripUnprintable(String(raw)).trim(), max);
}

/** The caller name as the daemon keeps it: printable, trimmed, at most CALLER_NAME_MAX code points. */
export function sanitizeCallerName(raw: unknown): string {
  return printable(raw, CALLER_NAME_MAX);
}

/**
 * The caller number as the daemon keeps it: printable, trimmed, at most CALLER_NUMBER_MAX code
 * points. Asterisk's `anonymous` (withheld number) is printable and short: it passes unchanged.
 */
export function sanitizeCallerNumber(raw: unknown): string {
  return printable(raw, CALLER_NUMBER_MAX);
}

/** Both parts of a caller id as the daemon keeps them (a missing caller id gives empty strings). */
export function sanitizeCallerId(raw: Partial<CallerId> | null | undefined): CallerId {
  return { name: sanitizeCallerName(raw?.name), number: sanitizeCallerNumber(raw?.number) };
}

/**
 * The `callerId` of an originate: `"<name>" <<number>>`, undefined without a number (Asterisk then
 * shows the channel's own). The name falls back to the number. Its input is normally sanitised
 * already; it is cleaned again here because the result must be safe whatever it is given (rows
 * stored before sanitising existed are re-adopted after a restart and can be transferred):
 * unprintable characters go, `"` in the name becomes `'` and `<`, `>`, `\` are dropped, so the
 * name cannot end the quotes or start a second number.
 */
export function formatCallerId(name: string | null | undefined, number: string | null | undefined): string | undefined {
  const num = sanitizeCallerNumber(number).replace(CALLERID_SYNTAX, '');
  if (!num) return undefined;
  const shown = sanitizeCallerName(name).replace(/"/g, "'").replace(CALLERID_SYNTAX, '').trim() || num;
  return `"${shown}" <${num}>`;
}
