/**
 * The CLI reads time from one place (CliIo.now). Commands that read the DB directly (blocklist
 * expiries, history --since) must judge rows by that clock, so a test that writes rows under a fake
 * clock and runs the CLI with the same clock passes on any date (it failed once the wall clock ran
 * past the fake one: "prank via CLI blocks the number" in test/calls/api-cli.test.ts).
 */
import path from 'node:path';
import { Blocklist } from '../../src/prank/blocklist';
import { openDatabase } from '../../src/store/db';
import { FakeClock } from '../../src/util/clock';
import { testConfig } from '../calls/harness';
import { cleanupTmpDirs, makeTmpDir, runCli, writeConfig } from '../helpers/tmp';

afterAll(cleanupTmpDirs);

describe('CLI clock', () => {
  it('blocklist list judges expiry by the CLI clock, not the wall clock', async () => {
    const dir = makeTmpDir();
    const dbPath = path.join(dir, 'cc.db');
    const cfg = writeConfig({ database: { path: dbPath } }, dir);
    // Far in the past and far in the future of any wall clock the suite may run under.
    for (const start of [Date.UTC(2001, 0, 1), Date.UTC(2090, 0, 1)]) {
      const clock = new FakeClock(start);
      const db = openDatabase(dbPath);
      new Blocklist({ db, clock, config: testConfig() }).add({ number: '11987654321', minutes: 60, reason: 'prank' });
      db.close();
      const list = async () => JSON.parse((await runCli(['blocklist', 'list', '--json', '--config', cfg], { now: () => clock.now() })).stdout);
      expect(await list()).toEqual([expect.objectContaining({ number: '5511987654321', expiresAt: start + 3_600_000 })]);
      clock.advance(61 * 60_000);
      expect(await list()).toEqual([]);
    }
  });
});
