/** `callcenterd dnc ...` on the database (no daemon), as an operator runs it. */
import fs from 'node:fs';
import path from 'node:path';
import { DncGuard } from '../../src/dnc/guard';
import { openDatabase } from '../../src/store/db';
import { FakeClock } from '../../src/util/clock';
import { cleanupTmpDirs, makeTmpDir, runCli, writeConfig } from '../helpers/tmp';

afterAll(cleanupTmpDirs);

describe('dnc CLI', () => {
  const clock = new FakeClock(Date.parse('2026-12-06T10:00:00Z'));
  let dir: string;
  let cfg: string;
  let dbPath: string;
  const cli = (...args: string[]) => runCli([...args, '--config', cfg], { cwd: dir, now: () => clock.now() });

  beforeEach(() => {
    dir = makeTmpDir();
    dbPath = path.join(dir, 'cc.db');
    cfg = writeConfig({ database: { path: dbPath } }, dir);
    const db = openDatabase(dbPath);
    db.exec("INSERT INTO queues (name, created_at) VALUES ('support', 0), ('vendas', 0)");
    db.close();
  });

  it('add, list (table and JSON), list --queue, remove', async () => {
    expect(await cli('dnc', 'add', '(11) 98765-4321', '--reason', 'pediu por telefone')).toMatchObject({
      code: 0,
      stdout: '+5511987654321 added to the do-not-call list (global)\n',
    });
    expect((await cli('dnc', 'add', '11987650000', '--queue', 'vendas')).stdout).toBe('+5511987650000 added to the do-not-call list (queue vendas)\n');
    expect((await cli('dnc', 'add', '+55 11 98765-4321')).stdout).toBe(
      '+5511987654321 was already on the do-not-call list (global) since 2026-12-06\n',
    );
    const table = await cli('dnc', 'list');
    expect(table.stdout).toMatch(/^NUMBER\s+SCOPE\s+SINCE\s+REASON\s+BY\n/);
    expect(table.stdout).toMatch(/\+5511987654321\s+global\s+2026-12-06\s+pediu por telefone\s+cli/);
    expect(table.stdout).toMatch(/\+5511987650000\s+queue vendas/);
    const json = JSON.parse((await cli('dnc', 'list', '--json', '--queue', 'support')).stdout);
    expect(json).toEqual([{ number: '5511987654321', queue: null, reason: 'pediu por telefone', addedBy: 'cli', createdAt: clock.now() }]);
    expect(await cli('dnc', 'remove', '11987650000')).toMatchObject({ code: 3, stderr: 'callcenterd: +5511987650000 is not on the do-not-call list (global)\n' });
    expect((await cli('dnc', 'remove', '11987650000', '--queue', 'vendas')).stdout).toBe('+5511987650000 removed from the do-not-call list (queue vendas)\n');
    expect((await cli('dnc', 'list', '--queue', 'vendas')).stdout).not.toContain('5511987650000');
  });

  it('bad input is exit 2 and changes nothing', async () => {
    expect(await cli('dnc', 'add', '1198765')).toMatchObject({ code: 2, stderr: expect.stringMatching(/too short for DDI 55/) });
    expect(await cli('dnc', 'add', '11987654321', '--queue', 'nope')).toMatchObject({ code: 2, stderr: 'callcenterd: queue nope does not exist\n' });
    expect(await cli('dnc', 'add', '1000')).toMatchObject({ code: 2, stderr: expect.stringMatching(/internal number/) });
    expect((await cli('dnc', 'list')).stdout).toBe('the do-not-call list is empty\n');
  });

  it('import: counts; a bad row names its line and nothing is imported; a missing file is exit 2', async () => {
    fs.writeFileSync(path.join(dir, 'good.csv'), 'number,queue,reason\n11987650001,,pediu\n11987650002,vendas,\n(11) 98765-0001,,dup\n');
    expect(await cli('dnc', 'import', 'good.csv')).toMatchObject({
      code: 0,
      stdout: 'good.csv: 3 row(s): 2 added, 0 already listed, 1 duplicate(s) merged\n',
    });
    fs.writeFileSync(path.join(dir, 'bad.csv'), 'number\n11987650003\n11987650004\nabc\n');
    const bad = await cli('dnc', 'import', 'bad.csv', '--queue', 'support');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^callcenterd: bad\.csv: 1 bad row\(s\), nothing imported: line 4: number must contain digits only/);
    expect(JSON.parse((await cli('dnc', 'list', '--json')).stdout)).toHaveLength(2);
    // Fixed, the same file goes in whole, under --queue.
    fs.writeFileSync(path.join(dir, 'bad.csv'), 'number\n11987650003\n11987650004\n11987650001\n');
    expect((await cli('dnc', 'import', 'bad.csv', '--queue', 'support')).stdout).toBe('bad.csv: 3 row(s): 3 added, 0 already listed, 0 duplicate(s) merged\n');
    expect(JSON.parse((await cli('dnc', 'list', '--json', '--queue', 'support')).stdout)).toHaveLength(4);
    expect(await cli('dnc', 'import', 'missing.csv')).toMatchObject({ code: 2, stderr: 'callcenterd: cannot read missing.csv: ENOENT\n' });
  });

  it('refusals: who tried to call which listed number', async () => {
    const db = openDatabase(dbPath);
    const guard = new DncGuard({ db, clock });
    guard.list.add({ number: '11987654321', reason: 'pediu' });
    expect(() => guard.assertCallable({ number: '5511987654321', queue: 'support', action: 'dial', agent: '1000', by: 'sup' })).toThrow(/do-not-call/);
    db.close();
    const out = (await cli('dnc', 'refusals')).stdout;
    expect(out).toMatch(/^AT\s+NUMBER\s+ACTION\s+QUEUE\s+LISTED\s+AGENT\s+BY\s+CALL\n/);
    expect(out).toMatch(/2026-12-06 10:00:00\s+\+5511987654321\s+dial\s+support\s+global\s+1000\s+sup/);
    expect(JSON.parse((await cli('dnc', 'refusals', '--json', '--since', '1h')).stdout)).toHaveLength(1);
    expect((await cli('dnc', 'refusals', '--agent', '1001')).stdout).toBe('no refused calls\n');
  });
});
