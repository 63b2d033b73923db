import fs from 'node:fs';
import path from 'node:path';
import { NEW_DATABASE_PAGE_SIZE, openDatabase } from '../../src/store/db';
import { changePageSize, checkPageSize } from '../../src/store/page-size';
import { QueueCatalogue } from '../../src/queues/catalogue';
import { cleanupTmpDirs, makeTmpDir } from '../helpers/tmp';

afterAll(cleanupTmpDirs);

/** A file as an older callcenterd left it: SQLite's default 4096-byte pages, WAL, a queue in it. */
function oldDatabase(): string {
  const file = path.join(makeTmpDir(), 'cc.db');
  const db = openDatabase(file, { pageSize: 4096 });
  new QueueCatalogue({ db }).add('support');
  db.close();
  return file;
}

describe('page size', () => {
  it('a new database gets NEW_DATABASE_PAGE_SIZE; an existing one keeps its own', () => {
    const db = openDatabase(path.join(makeTmpDir(), 'new.db'));
    expect(db.pragma('page_size', { simple: true })).toBe(NEW_DATABASE_PAGE_SIZE);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    const old = openDatabase(oldDatabase());
    expect(old.pragma('page_size', { simple: true })).toBe(4096);
    old.close();
  });

  it('changePageSize rebuilds an existing file in WAL mode with its rows', () => {
    const file = oldDatabase();
    const r = changePageSize(file, 2048);
    expect(r).toMatchObject({ file, before: 4096, after: 2048, changed: true });
    expect(r.bytesBefore).toBeGreaterThan(0);
    const db = openDatabase(file);
    expect(db.pragma('page_size', { simple: true })).toBe(2048);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(new QueueCatalogue({ db }).list().map((q) => q.name)).toEqual(['support']);
    db.close();
    expect(changePageSize(file, 2048)).toMatchObject({ before: 2048, after: 2048, changed: false });
  });

  it('refuses while another connection (the daemon) has the file open, and leaves it as it was', () => {
    const file = oldDatabase();
    const daemon = openDatabase(file);
    expect(() => changePageSize(file, 2048)).toThrow(/database .* is in use: stop the daemon/);
    // The daemon goes on writing, still in WAL mode, 4096-byte pages.
    new QueueCatalogue({ db: daemon }).add('sales');
    expect(daemon.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(daemon.pragma('page_size', { simple: true })).toBe(4096);
    daemon.close();
    const again = openDatabase(file);
    expect(new QueueCatalogue({ db: again }).list().map((q) => q.name)).toEqual(['sales', 'support']);
    again.close();
  });

  it('a missing file is not created', () => {
    const file = path.join(makeTmpDir(), 'absent.db');
    expect(() => changePageSize(file, 2048)).toThrow(`database ${file} does not exist`);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('checkPageSize accepts SQLite page sizes only', () => {
    expect(checkPageSize('512')).toBe(512);
    expect(checkPageSize('65536')).toBe(65536);
    for (const bad of ['0', '256', '1000', '131072', '2k', '', '-1024', '1024.0']) {
      expect(() => checkPageSize(bad)).toThrow(`page size must be a power of two from 512 to 65536 (bytes), got "${bad}"`);
    }
  });
});
