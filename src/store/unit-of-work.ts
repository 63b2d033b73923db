/**
 * One SQLite transaction per step of work (a call's answer, its end, a wrap-up's close...), shared
 * by every repository the step writes through (calls, agents, wrap-ups, callbacks).
 *
 * Why not better-sqlite3's db.transaction everywhere: nested, it opens a SAVEPOINT and RELEASEs it
 * (two statements per domain per step, issue 12 measured 8 per queue call). Here the outermost
 * run() opens BEGIN … COMMIT and inner ones simply join it, so a step commits once and is atomic:
 * if any write of it fails, none of them lands.
 *
 * A joined part may fail while its caller swallows the error (the agents domain logs and goes on,
 * so a stale agent event never breaks a call). A storage error (SqliteError: disk full, locked,
 * I/O, a failing trigger) means the part may have written half of its rows, so the whole step is
 * then rolled back and its outermost run() throws that error: the caller's retry or error path
 * (call end retried until written, 503 on the API...) sees it as before. Other errors (a refused
 * transition) are thrown before anything is written by design; they only propagate.
 *
 * Memory kept in step with the rows (write-through caches) registers onRollback() to be dropped when
 * the step does not commit. A run() inside someone else's transaction (db.transaction) keeps
 * better-sqlite3's savepoint, as before.
 */
import type { Db } from './db';

/**
 * better-sqlite3's SqliteError, by name and code, not instanceof: its native part keeps the class
 * of the first realm that loaded it (jest runs test files in realms of one process).
 */
const isSqliteError = (err: unknown): boolean => {
  const e = err as { name?: unknown; code?: unknown } | null;
  return typeof e === 'object' && e !== null && e.name === 'SqliteError' && typeof e.code === 'string';
};

export class UnitOfWork {
  private depth = 0;
  /** The first storage error a joined part hid from the outermost run(). */
  private failure: unknown;
  private rollbackHooks: (() => void)[] = [];
  private readonly begin;
  private readonly commit;
  private readonly rollback;
  private readonly savepoint: (fn: () => unknown) => unknown;
  /** Transactions this unit committed (tests assert the commits of a step). */
  commits = 0;
  /** Number of the current (or last) step: a repository registers one rollback hook per step. */
  step = 0;

  constructor(private readonly db: Db) {
    this.begin = db.prepare('BEGIN');
    this.commit = db.prepare('COMMIT');
    this.rollback = db.prepare('ROLLBACK');
    this.savepoint = db.transaction((fn: () => unknown) => fn());
  }

  /** True while a step's transaction is open: writes made now commit with it. */
  get active(): boolean {
    return this.depth > 0;
  }

  run<T>(fn: () => T): T {
    if (this.depth > 0) return this.join(fn);
    if (this.db.inTransaction) return this.savepoint(fn) as T; // someone else's transaction
    this.begin.run();
    this.depth = 1;
    this.step++;
    try {
      const result = fn();
      if (this.failure !== undefined) throw this.failure;
      this.commit.run();
      this.commits++;
      this.settle(false);
      return result;
    } catch (err) {
      // SQLite may already have rolled back by itself (SQLITE_FULL, SQLITE_IOERR…).
      if (this.db.inTransaction) {
        try {
          this.rollback.run();
        } catch {
          // nothing more to undo
        }
      }
      this.settle(true);
      throw err;
    }
  }

  /** `fn` runs when the current step rolls back (now if none is open: nothing will commit it). */
  onRollback(fn: () => void): void {
    if (this.depth > 0) this.rollbackHooks.push(fn);
  }

  private join<T>(fn: () => T): T {
    this.depth++;
    try {
      return fn();
    } catch (err) {
      if (isSqliteError(err)) this.failure ??= err;
      throw err;
    } finally {
      this.depth--;
    }
  }

  private settle(rolledBack: boolean): void {
    this.depth = 0;
    this.failure = undefined;
    const hooks = this.rollbackHooks;
    this.rollbackHooks = [];
    if (!rolledBack) return;
    for (const h of hooks) {
      try {
        h();
      } catch {
        // a cache drop does not fail; never let one hide the step's own error
      }
    }
  }
}

const units = new WeakMap<Db, UnitOfWork>();

/** The unit of work of this connection (one per Db, shared by every repository on it). */
export function unitOfWork(db: Db): UnitOfWork {
  let u = units.get(db);
  if (!u) {
    u = new UnitOfWork(db);
    units.set(db, u);
  }
  return u;
}
