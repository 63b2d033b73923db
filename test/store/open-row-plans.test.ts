/**
 * Lookups of open rows that run per call or per reconnect must read only open rows, not the whole
 * history (migration 014). Checked on the statements the repositories really prepare, with SQLite's
 * EXPLAIN QUERY PLAN: each must go through a partial index (one with a WHERE clause).
 */
import { RecordingRepository } from '../../src/recordings/repository';
import { StaysRepo } from '../../src/reports/stays-repo';
import { openDatabase, type Db } from '../../src/store/db';
import { WrapupRepository } from '../../src/wrapup/repository';

function capturePrepared(db: Db): string[] {
  const seen: string[] = [];
  const prepare = db.prepare.bind(db);
  (db as { prepare: Db['prepare'] }).prepare = ((sql: string) => {
    seen.push(sql);
    return prepare(sql);
  }) as Db['prepare'];
  return seen;
}

function plan(db: Db, sql: string): string {
  const args = Array((sql.match(/\?/g) ?? []).length).fill(null);
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail).join(' | ');
}

describe('open-row lookups use partial indexes', () => {
  let db: Db;
  beforeEach(() => {
    db = openDatabase(':memory:');
  });
  afterEach(() => db.close());

  const partialIndexes = () =>
    new Set(
      (db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").all() as { name: string; sql: string }[])
        .filter((i) => / WHERE /i.test(i.sql))
        .map((i) => i.name),
    );

  it.each([
    ['wrap-up of an agent', (d: Db) => new WrapupRepository(d).openOf('1000'), 'wrapups_open_ext'],
    ['open recordings', (d: Db) => new RecordingRepository(d).open(), 'recordings_open_id'],
    ['waiting queue stays', (d: Db) => new StaysRepo(d).open(), 'queue_stays_waiting'],
  ])('%s', (_what, lookup, index) => {
    const seen = capturePrepared(db);
    lookup(db);
    const selects = seen.filter((s) => /^\s*SELECT/i.test(s) && !/recording_pauses/.test(s));
    expect(selects.length).toBeGreaterThan(0);
    for (const sql of selects) {
      const p = plan(db, sql);
      expect(p).toContain(`INDEX ${index}`);
      expect(partialIndexes().has(index)).toBe(true);
      expect(p).not.toMatch(/TEMP B-TREE/);
    }
  });
});
