/**
 * SQLite access. WAL + busy timeout so the daemon and CLI commands can use the same file at once.
 * Migrations are versioned (PRAGMA user_version) and applied in order inside one transaction each.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { CcError } from '../util/errors';
import { MIGRATIONS } from './migrations';

export type Db = Database.Database;

/**
 * Page size of a database this opens for the first time (SQLite's default is 4096). Every commit
 * appends each page it changed to the WAL, checksummed and copied whole, and a queue call's ~8 commits
 * change ~72 pages, mostly for one small row each. With 2 KiB pages the commits cost ~0.75× the CPU
 * (all SQLite work ~0.9×) and the WAL takes half the bytes; 1 KiB pages saved no more and made month
 * reports ~1.3× slower (README "Performance", round 6).
 * Existing files keep theirs (WAL fixes it); `callcenterd db page-size` converts one offline.
 */
export const NEW_DATABASE_PAGE_SIZE = 2048;

export interface OpenOptions {
  /** Apply pending migrations (the daemon and `db migrate` do; read-only CLI commands also may). */
  migrate?: boolean;
  readonly?: boolean;
  /** Page size if the file is new (no table yet); default NEW_DATABASE_PAGE_SIZE. Existing files keep theirs. */
  pageSize?: number;
}

export function openDatabase(file: string, opts: OpenOptions = {}): Db {
  let db: Db;
  try {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    db = new Database(file, { readonly: opts.readonly ?? false });
    db.pragma('busy_timeout = 5000');
    if (!opts.readonly) {
      // Only takes effect on a file with no table yet; must precede WAL, which fixes the page size.
      db.pragma(`page_size = ${opts.pageSize ?? NEW_DATABASE_PAGE_SIZE}`);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
    }
    db.pragma('foreign_keys = ON');
  } catch (err) {
    // Permissions, missing volume, not a database: an operator problem, said in one line.
    throw new CcError('unavailable', `cannot open database ${file}: ${(err as Error).message}`, { path: file });
  }
  try {
    // A file written by a newer callcenterd: refuse rather than run on a schema we do not know.
    if (schemaVersion(db) > latestSchemaVersion()) {
      throw new CcError(
        'unavailable',
        `database ${file} has schema version ${schemaVersion(db)}, newer than this callcenterd knows (${latestSchemaVersion()})`,
        { path: file },
      );
    }
    if (opts.migrate ?? true) migrate(db);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Applies pending migrations; returns the versions applied. Safe to run concurrently (IMMEDIATE tx). */
export function migrate(db: Db): number[] {
  const applied: number[] = [];
  for (const m of MIGRATIONS) {
    const tx = db.transaction(() => {
      if (schemaVersion(db) >= m.version) return false;
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
      return true;
    });
    if (tx.immediate()) applied.push(m.version);
  }
  return applied;
}

export function latestSchemaVersion(): number {
  return MIGRATIONS.length ? MIGRATIONS[MIGRATIONS.length - 1].version : 0;
}
