/**
 * Field validators shared by the catalogue repositories. Each throws CcError('invalid') with one
 * line naming the field, and { field } in details so the API can point at it.
 */
import { invalid } from '../util/errors';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

export function hasControlChars(v: string): boolean {
  return CONTROL.test(v);
}

/** Trimmed non-empty text without control characters (CR/LF/tab/NUL would break AMI/ARI lines). */
export function text(field: string, value: unknown, max: number, opts: { allowEmpty?: boolean } = {}): string {
  if (typeof value !== 'string') throw invalid(`${field}: must be text`, { field });
  const v = value.trim();
  if (!v && !opts.allowEmpty) throw invalid(`${field}: must not be empty`, { field });
  if (v.length > max) throw invalid(`${field}: must be at most ${max} characters`, { field });
  if (hasControlChars(v)) throw invalid(`${field}: must not contain control characters (newline, tab, NUL...)`, { field });
  return v;
}

/** Optional text: undefined/null stay null; empty text becomes null too (clears the value). */
export function optionalText(field: string, value: unknown, max: number): string | null {
  if (value === undefined || value === null) return null;
  const v = text(field, value, max, { allowEmpty: true });
  return v === '' ? null : v;
}

export function int(field: string, value: unknown, min: number, max: number): number {
  const n = typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw invalid(`${field}: must be a whole number`, { field });
  if (n < min || n > max) throw invalid(`${field}: must be between ${min} and ${max}`, { field });
  return n;
}

export function optionalInt(field: string, value: unknown, min: number, max: number): number | null {
  return value === undefined || value === null ? null : int(field, value, min, max);
}

export function matches(field: string, value: unknown, re: RegExp, rule: string): string {
  if (typeof value !== 'string' || !re.test(value)) throw invalid(`${field}: ${rule}`, { field });
  return value;
}

/** SQLite's "UNIQUE constraint failed" → true (a concurrent writer may win the race after our check). */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

export function isForeignKeyViolation(err: unknown): boolean {
  return (err as { code?: string } | null)?.code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}
