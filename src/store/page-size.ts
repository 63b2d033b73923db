/**
 * Changing the page size of an existing database (`callcenterd db page-size <bytes>`). New files get
 * NEW_DATABASE_PAGE_SIZE (src/store/db.ts); a file created by an older callcenterd keeps SQLite's 4096
 * until converted. SQLite fixes the page size while a file is in WAL mode, so the conversion leaves WAL,
 * rebuilds the file with VACUUM and returns to WAL. That needs the file to itself: it refuses while the
 * daemon or another command has it open, and the file is never left outside WAL mode.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import { CcError, invalid } from '../util/errors';

/** SQLite's limits: a power of two from 512 to 65536. */
export function checkPageSize(value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(n >= 512 && n <= 65536 && (n & (n - 1)) === 0)) {
    throw invalid(`page size must be a power of two from 512 to 65536 (bytes), got "${value}"`);
  }
  return n;
}

export interface PageSizeChange {
  file: string;
  before: number;
  after: number;
  /** File size in bytes before and after (WAL checkpointed first, so the main file holds everything). */
  bytesBefore: number;
  bytesAfter: number;
  changed: boolean;
}

const inUse = (file: string) =>
  new CcError('refused', `database ${file} is in use: stop the daemon (and other callcenterd commands on it) first`, { path: file });

export function changePageSize(file: string, size: number): PageSizeChange {
  if (!fs.existsSync(file)) throw new CcError('not_found', `database ${file} does not exist`, { path: file });
  let db: Database.Database;
  try {
    db = new Database(file, { fileMustExist: true });
  } catch (err) {
    throw new CcError('unavailable', `cannot open database ${file}: ${(err as Error).message}`, { path: file });
  }
  try {
    // No waiting: another connection means a running daemon, which must not see its file rebuilt.
    db.pragma('busy_timeout = 0');
    const before = db.pragma('page_size', { simple: true }) as number;
    const bytesBefore = fileBytes(db, file);
    if (before === size) return { file, before, after: size, bytesBefore, bytesAfter: bytesBefore, changed: false };
    try {
      // Leaving WAL needs an exclusive lock: SQLITE_BUSY while anyone else has the file open.
      const mode = db.pragma('journal_mode = DELETE', { simple: true });
      if (mode !== 'delete') throw inUse(file);
    } catch (err) {
      if (err instanceof CcError) throw err;
      if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY')) throw inUse(file);
      // A read-only file or directory, an I/O error: said in one line, nothing changed.
      throw new CcError('unavailable', `cannot change database ${file}: ${(err as Error).message} (unchanged)`, { path: file });
    }
    try {
      db.pragma(`page_size = ${size}`);
      db.exec('VACUUM'); // a full copy: needs free space for one more file of this size
    } catch (err) {
      throw new CcError('unavailable', `cannot rebuild database ${file}: ${(err as Error).message} (unchanged)`, { path: file });
    } finally {
      db.pragma('journal_mode = WAL');
    }
    const after = db.pragma('page_size', { simple: true }) as number;
    return { file, before, after, bytesBefore, bytesAfter: fs.statSync(file).size, changed: after !== before };
  } finally {
    db.close();
  }
}

function fileBytes(db: Database.Database, file: string): number {
  if (db.pragma('journal_mode', { simple: true }) === 'wal') {
    try {
      db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // Busy: the size is only informative; the conversion itself checks who else has the file.
    }
  }
  return fs.statSync(file).size;
}
