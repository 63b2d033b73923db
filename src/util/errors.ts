/**
 * Errors that carry their meaning to every edge: the API maps `kind` to an HTTP status, the CLI
 * to an exit code. Domain code throws these; anything else is a bug (500 / exit 1).
 */
export type ErrorKind =
  | 'invalid' // bad input: 400, CLI exit 2
  | 'not_found' // unknown agent/queue/call: 404, CLI exit 3
  | 'refused' // policy says no (paused, in use, calls in progress): 409, CLI exit 3
  | 'forbidden' // outside the token's role/scope: 403, CLI exit 3
  | 'unavailable'; // Asterisk not reachable right now: 503, CLI exit 4

export class CcError extends Error {
  constructor(
    public readonly kind: ErrorKind,
    message: string,
    /** Machine-readable detail, e.g. { field: 'number' } or { pause: 'Almoço' }. */
    public readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'CcError';
  }
}

export const invalid = (message: string, details?: Record<string, unknown>) => new CcError('invalid', message, details);
export const notFound = (message: string, details?: Record<string, unknown>) => new CcError('not_found', message, details);
export const refused = (message: string, details?: Record<string, unknown>) => new CcError('refused', message, details);
export const forbidden = (message: string, details?: Record<string, unknown>) => new CcError('forbidden', message, details);
export const unavailable = (message: string, details?: Record<string, unknown>) =>
  new CcError('unavailable', message, details);

/** Seconds a client should wait before retrying after a storage error (the API's Retry-After). */
export const STORAGE_RETRY_AFTER_S = 5;

const STORAGE_CAUSES: [prefix: string, what: string][] = [
  ['SQLITE_FULL', 'disk full'],
  ['SQLITE_BUSY', 'database busy'],
  ['SQLITE_LOCKED', 'database locked'],
  ['SQLITE_IOERR', 'I/O error'],
];

/**
 * A SQLite error of the temporary kind (full disk, locked or busy database, I/O error) as an
 * 'unavailable' CcError (503 / exit 4, with a retry hint); undefined for anything else (a bug).
 * better-sqlite3's SqliteError carries the extended code (SQLITE_IOERR_WRITE, SQLITE_BUSY_SNAPSHOT...).
 */
export function storageError(err: unknown): CcError | undefined {
  // By name, not instanceof: the native addon keeps the SqliteError class of the first realm that
  // loaded it (jest's per-file sandboxes), so instanceof Error can be false for a real one.
  if (typeof err !== 'object' || err === null) return undefined;
  const { name, code } = err as { name?: unknown; code?: unknown };
  if (name !== 'SqliteError' || typeof code !== 'string') return undefined;
  const hit = STORAGE_CAUSES.find(([p]) => code === p || code.startsWith(`${p}_`));
  if (!hit) return undefined;
  return unavailable(`storage unavailable: ${hit[1]}; retry later`, { code, retryAfterSeconds: STORAGE_RETRY_AFTER_S });
}

export const HTTP_STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  not_found: 404,
  refused: 409,
  forbidden: 403,
  unavailable: 503,
};
