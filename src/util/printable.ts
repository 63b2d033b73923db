/**
 * Characters that must never reach a terminal, a log line or a phone display raw: C0 controls
 * U+0000-U+001F (NUL, TAB, CR, LF, ESC...), DEL U+007F, C1 controls U+0080-U+009F (U+009B is a
 * one-byte CSI on some terminals), the line/paragraph separators U+2028/U+2029 and the bidi
 * controls U+200E/U+200F, U+202A-U+202E, U+2066-U+2069 (they reorder what is shown).
 * Used on input (caller ids: dropped) and on output (CLI tables: shown escaped).
 */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** Drops every unprintable character (see above). */
export function stripUnprintable(s: string): string {
  return s.replace(UNPRINTABLE, '');
}

/**
 * Shows every unprintable character visibly: `\x00`, `\x1b`, `\x9b` up to U+00FF, `\u202e` above.
 * Backslashes are left alone: this is for people reading a table, not a reversible encoding.
 */
export function escapeUnprintable(s: string): string {
  return s.replace(UNPRINTABLE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`;
  });
}

/** UNPRINTABLE without C0: JSON.stringify escapes C0 in strings, and its own layout uses LF. */
const UNPRINTABLE_JSON_LEAVES = /[\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * JSON.stringify output with the unprintable characters it leaves raw (DEL, C1, U+2028...) written
 * as `\u` escapes: the same JSON value once parsed, but safe to print to a terminal.
 */
export function jsonSafe(json: string): string {
  return json.replace(UNPRINTABLE_JSON_LEAVES, (c) => `\\u${hex(c.charCodeAt(0), 4)}`);
}
