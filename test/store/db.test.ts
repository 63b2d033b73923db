import path from 'node:path';
import { latestSchemaVersion, migrate, openDatabase, schemaVersion } from '../../src/store/db';
import { MIGRATIONS } from '../../src/store/migrations';
import { QueueCatalogue } from '../../src/queues/catalogue';
import { AgentCatalogueRepo } from '../../src/agents/catalogue';
import { cleanupTmpDirs, makeTmpDir } from '../helpers/tmp';

afterAll(cleanupTmpDirs);

describe('openDatabase / migrations', () => {
  it('applies every migration in order once, and reports nothing the second time', () => {
    const file = path.join(makeTmpDir(), 'nested', 'cc.db');
    const db = openDatabase(file, { migrate: false });
    expect(schemaVersion(db)).toBe(0);
    expect(migrate(db)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(schemaVersion(db)).toBe(latestSchemaVersion());
    expect(migrate(db)).toEqual([]);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type='table'").all() as { name: string }[]).map((r) => r.name);
    expect(tables).toEqual(expect.arrayContaining(['queues', 'agents', 'agent_queues', 'pause_reasons', 'dispositions']));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
  });

  it('two connections (daemon + CLI) migrate and write the same file concurrently', () => {
    const file = path.join(makeTmpDir(), 'cc.db');
    const daemon = openDatabase(file, { migrate: false });
    const cli = openDatabase(file, { migrate: false });
    // Both try to migrate: exactly one applies each version.
    const a = migrate(daemon);
    const b = migrate(cli);
    expect([...a, ...b].sort((p, q) => p - q)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(b).toEqual([]);

    const qDaemon = new QueueCatalogue({ db: daemon });
    const qCli = new QueueCatalogue({ db: cli });
    // The daemon holds a read transaction open while the CLI writes (WAL: readers never block writers).
    const read = daemon.transaction(() => {
      const before = qDaemon.list().length;
      qCli.add('support');
      return before;
    });
    expect(read()).toBe(0);
    expect(qDaemon.list().map((q) => q.name)).toEqual(['support']);

    // Multi-row write on one connection is immediately visible, whole, on the other.
    new AgentCatalogueRepo({ db: cli }).add({ extension: '1000', name: 'Ana', device: 'PJSIP/1000', queues: [{ queue: 'support', penalty: 0 }] });
    expect(new AgentCatalogueRepo({ db: daemon }).get('1000')?.queues).toEqual([{ queue: 'support', penalty: 0 }]);
    daemon.close();
    cli.close();
  });
});

describe('openDatabase errors', () => {
  it('an unopenable path is one clear CcError (unavailable)', () => {
    const dir = makeTmpDir();
    expect(() => openDatabase(dir)).toThrow(expect.objectContaining({ kind: 'unavailable', message: expect.stringMatching(/^cannot open database /) }));
  });

  it('refuses a database written by a newer callcenterd', () => {
    const file = path.join(makeTmpDir(), 'cc.db');
    const db = openDatabase(file);
    db.pragma(`user_version = ${latestSchemaVersion() + 1}`);
    db.close();
    expect(() => openDatabase(file)).toThrow(/newer than this callcenterd knows/);
  });
});
