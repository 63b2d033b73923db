import Database from 'better-sqlite3';
import { describeError } from '../../src/cli/errors';
import { CcError, storageError } from '../../src/util/errors';

/** A real SqliteError with the given code, from better-sqlite3 itself. */
function sqliteError(code: string, message: string): Error {
  const Ctor = (Database as unknown as { SqliteError: new (m: string, c: string) => Error }).SqliteError;
  return new Ctor(message, code);
}

describe('storageError: temporary SQLite errors are "unavailable" (503 / exit 4)', () => {
  it.each([
    ['SQLITE_FULL', 'disk full'],
    ['SQLITE_BUSY', 'database busy'],
    ['SQLITE_BUSY_SNAPSHOT', 'database busy'],
    ['SQLITE_LOCKED', 'database locked'],
    ['SQLITE_IOERR', 'I/O error'],
    ['SQLITE_IOERR_WRITE', 'I/O error'],
  ])('%s → unavailable (%s)', (code, what) => {
    const e = storageError(sqliteError(code, 'x'));
    expect(e).toBeInstanceOf(CcError);
    expect(e).toMatchObject({ kind: 'unavailable', message: `storage unavailable: ${what}; retry later`, details: { code, retryAfterSeconds: 5 } });
  });

  it('other SQLite errors and non-SQLite errors are left alone (bugs stay bugs)', () => {
    expect(storageError(sqliteError('SQLITE_CONSTRAINT_UNIQUE', 'UNIQUE constraint failed'))).toBeUndefined();
    expect(storageError(sqliteError('SQLITE_ERROR', 'no such table'))).toBeUndefined();
    expect(storageError(Object.assign(new Error('disk'), { code: 'SQLITE_FULL' }))).toBeUndefined(); // not a SqliteError (name Error)
    expect(storageError(Object.assign(new Error('x'), { code: 'ENOSPC' }))).toBeUndefined();
    expect(storageError('SQLITE_FULL')).toBeUndefined();
  });

  it('a real SQLITE_FULL from a database that cannot grow', () => {
    const db = new Database(':memory:');
    try {
      db.exec('CREATE TABLE t (v TEXT)');
      db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
      let caught: unknown;
      try {
        db.prepare('INSERT INTO t VALUES (?)').run('x'.repeat(8192));
      } catch (e) {
        caught = e;
      }
      expect(storageError(caught)?.details).toEqual({ code: 'SQLITE_FULL', retryAfterSeconds: 5 });
    } finally {
      db.close();
    }
  });

  it('CLI: exit 4 (unavailable) with the storage message, not exit 1 "internal error"', () => {
    expect(describeError(sqliteError('SQLITE_BUSY', 'database is locked'))).toEqual({
      exitCode: 4,
      message: 'storage unavailable: database busy; retry later (SQLITE_BUSY)',
    });
    expect(describeError(sqliteError('SQLITE_ERROR', 'no such table: x')).exitCode).toBe(1);
  });
});
