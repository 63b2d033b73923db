/** `callcenterd callback ...` through the real API server and CLI, on a real scheduler store. */
import path from 'node:path';
import { ApiServer } from '../../src/api/server';
import { CallbacksRepo } from '../../src/callbacks/repo';
import { callbackRoutes } from '../../src/callbacks/routes';
import { CallbackService } from '../../src/callbacks/service';
import { silentLogger } from '../../src/log/logger';
import { openDatabase, type Db } from '../../src/store/db';
import { FakeClock } from '../../src/util/clock';
import { cleanupTmpDirs, makeTmpDir, runCli, TEST_ADMIN_TOKEN, TEST_AGENT_TOKEN, writeConfig } from '../helpers/tmp';
import { testConfig } from './helpers';

describe('callback CLI', () => {
  let db: Db;
  let server: ApiServer;
  let url: string;
  let cfg: string;
  let rearms = 0;
  let clock: FakeClock;
  const cli = (args: string[], token = TEST_ADMIN_TOKEN) =>
    runCli([...args, '--config', cfg, '--api', url, '--token', token], { now: () => clock.now() });

  beforeEach(async () => {
    const dir = makeTmpDir();
    cfg = writeConfig({ database: { path: path.join(dir, 'cc.db') } }, dir);
    db = openDatabase(path.join(dir, 'cc.db'));
    db.prepare("INSERT INTO queues (name, created_at) VALUES ('support', 0)").run();
    for (const ext of ['1000', '1001']) {
      db.prepare('INSERT INTO agents (extension, name, device, created_at) VALUES (?, ?, ?, 0)').run(ext, `A ${ext}`, `PJSIP/${ext}`);
    }
    clock = new FakeClock(Date.parse('2026-11-21T12:00:00Z'));
    const service = new CallbackService({ db, repo: new CallbacksRepo(db, clock), clock, policy: testConfig().policy, onChange: () => rearms++ });
    server = new ApiServer({
      listen: '127.0.0.1:0',
      tokens: [
        { token: TEST_ADMIN_TOKEN, role: 'admin', name: 'ops' },
        { token: TEST_AGENT_TOKEN, role: 'agent', agent: '1000' },
      ],
      routes: callbackRoutes(service),
      health: () => ({ status: 'ok' }),
      log: silentLogger(),
    });
    url = await server.start();
  });
  afterEach(async () => {
    await server.stop();
    db.close();
  });
  afterAll(cleanupTmpDirs);

  it('add, list, cancel; bad input exits 2 and writes nothing', async () => {
    const add = await cli(['callback', 'add', '--agent', '1000', '--number', '(11) 98765-4321', '--at', '2026-11-21T15:30:00Z']);
    expect(add).toMatchObject({ code: 0, stdout: 'callback 1 scheduled for 2026-11-21T15:30:00.000Z (agent 1000 → 11987654321)\n' });
    await cli(['callback', 'add', '--queue', 'support', '--number', '1133334444', '--at', '2026-11-21T16:00:00-03:00']);
    const list = JSON.parse((await cli(['callback', 'list', '--json'])).stdout);
    expect(list.map((c: { id: number; status: string }) => [c.id, c.status])).toEqual([[1, 'pending'], [2, 'pending']]);
    expect(rearms).toBe(2);

    const bad = await cli(['callback', 'add', '--agent', '1000', '--number', '123', '--at', '2026-11-21T15:30:00Z']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/number too short/);
    expect((await cli(['callback', 'add', '--number', '11987654321', '--at', '2026-11-21T15:30:00Z'])).code).toBe(2);
    expect((await cli(['callback', 'add', '--agent', '1000', '--number', '11987654321', '--at', 'tomorrow'])).code).toBe(2);
    expect((await cli(['callback', 'add', '--queue', 'nope', '--number', '11987654321', '--at', '2026-11-21T15:30:00Z'])).code).toBe(3);

    // Agent tokens: only their own.
    const theirs = await cli(['callback', 'add', '--agent', '1001', '--number', '11987654321', '--at', '2026-11-21T15:30:00Z'], TEST_AGENT_TOKEN);
    expect(theirs.code).toBe(3);
    expect(JSON.parse((await cli(['callback', 'list', '--json'], TEST_AGENT_TOKEN)).stdout).map((c: { id: number }) => c.id)).toEqual([1]);
    expect((await cli(['callback', 'cancel', '2'], TEST_AGENT_TOKEN)).code).toBe(3);

    expect(await cli(['callback', 'cancel', '1'])).toMatchObject({ code: 0, stdout: 'callback 1 cancelled\n' });
    expect(await cli(['callback', 'cancel', '1'])).toMatchObject({ code: 3, stderr: 'callcenterd: callback 1 is already cancelled\n' });
    expect((await cli(['callback', 'cancel', '99'])).code).toBe(3);
    expect((await cli(['callback', 'cancel', 'x'])).code).toBe(2);
    const table = (await cli(['callback', 'list', '--status', 'pending'])).stdout;
    expect(table.split('\n')[0]).toMatch(/^ID\s+FOR\s+ORIGIN\s+NUMBER\s+AT\s+QUEUED\s+STATUS\s+NEXT\s+ATTEMPTS/);
    const next = JSON.parse((await cli(['callback', 'list', '--json'])).stdout).find((c: { id: number }) => c.id === 2).nextAtIso;
    expect(table).toMatch(new RegExp(`2\\s+queue support\\s+scheduled\\s+\\+55 1133334444\\s+\\S+\\s+pending\\s+${next.replace(/\./g, '\\.')}\\s+0`));
    expect(db.prepare('SELECT COUNT(*) AS n FROM callbacks').get()).toEqual({ n: 2 });
  });
});
