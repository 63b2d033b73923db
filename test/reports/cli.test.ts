/**
 * `callcenterd report ...` on the database, without a daemon: bad input is one line and exit 2,
 * an empty period prints a table of zeros (and "(no calls)" for detailed), JSON parses.
 */
import { cleanupTmpDirs, runCli, writeConfig } from '../helpers/tmp';

afterAll(cleanupTmpDirs);

const now = Date.UTC(2026, 10, 21, 12, 0);
const cli = (cfg: string, ...args: string[]) => runCli([...args, '--config', cfg], { now: () => now });

describe('report CLI', () => {
  it('bad input: exit 2, one line naming the option', async () => {
    const cfg = writeConfig({ database: { path: './cc.db' } });
    expect(await cli(cfg, 'report', 'summary', '--by', 'week')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'callcenterd: by must be one of queue, agent, day, hour, disposition (got "week")\n',
    });
    expect((await cli(cfg, 'report', 'quantitative', '--from', 'yesterday')).stderr).toMatch(/^callcenterd: from must be a date/);
    expect((await cli(cfg, 'report', 'detailed', '--format', 'xml')).stderr).toBe('callcenterd: format must be one of table, csv, json (got "xml")\n');
    expect((await cli(cfg, 'report', 'detailed', '--limit', '0')).code).toBe(2);
    expect((await cli(cfg, 'report', 'weekly')).code).not.toBe(0);
  });

  it('an empty period: zeros, dashes for ratios without a base; JSON and CSV', async () => {
    const cfg = writeConfig({ database: { path: './cc.db' } });
    const table = await cli(cfg, 'report', 'quantitative', '--from', '2h');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^quantitative report 2026-11-21 \d\d:00:00 → 2026-11-21 \d\d:00:00$/m);
    expect(table.stdout).toMatch(/^offered\s+0$/m);
    expect(table.stdout).toMatch(/^answered\s+0$/m); // no percentage of nothing
    const json = JSON.parse((await cli(cfg, 'report', 'summary', '--from', '2h', '--format', 'json')).stdout);
    expect(json).toMatchObject({ kind: 'summary', from: now - 7_200_000, to: now, by: null, rows: [], total: { offered: 0, serviceLevelPct: null, loginSeconds: 0 } });
    const csv = (await cli(cfg, 'report', 'summary', '--format', 'csv')).stdout.split('\r\n');
    expect(csv[0].startsWith('key,offered,answered,')).toBe(true);
    expect(csv[1].startsWith('TOTAL,0,0,')).toBe(true);
    expect((await cli(cfg, 'report', 'detailed')).stdout).toMatch(/\(no calls\)/);
  });
});
