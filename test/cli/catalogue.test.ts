import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { cleanupTmpDirs, runCli, writeConfig } from '../helpers/tmp';

afterAll(cleanupTmpDirs);

describe('admin CLI (no daemon)', () => {
  let config: string;
  const cli = (...args: string[]) => runCli([...args, '--config', config]);
  beforeEach(() => {
    config = writeConfig();
  });

  it('queue add/list/remove', async () => {
    expect(await cli('queue', 'add', 'support', '--wrapup-seconds', '15', '--caller-id', '4830000000')).toEqual({
      code: 0,
      stdout: 'queue support added\n',
      stderr: '',
    });
    await cli('queue', 'add', 'sales', '--max-no-answer', '0', '--survey-extension', '900', '--call-timeout', '3600', '--wrapup-limit', 'off', '--service-level-seconds', '30');
    const table = await cli('queue', 'list');
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME\s+WRAPUP\s+MAX_NO_ANSWER\s+CALLER_ID\s+SURVEY\s+CALL_TIMEOUT\s+RECORD\s+WRAPUP_LIMIT\s+SERVICE_LEVEL$/);
    expect(table.stdout).toMatch(/support\s+15\s+4830000000.*\son\s*\n/);
    expect(table.stdout).toMatch(/sales\s+.*\soff\s+30\n/);
    const json = JSON.parse((await cli('queue', 'list', '--json')).stdout);
    expect(json.map((q: { name: string }) => q.name)).toEqual(['sales', 'support']);
    expect(json[0]).toMatchObject({ maxNoAnswer: 0, surveyExtension: '900', callTimeoutSeconds: 3600, wrapupLimit: false, serviceLevelSeconds: 30 });
    expect(await cli('queue', 'update', 'sales', '--wrapup-limit', 'maybe')).toMatchObject({ code: 2, stderr: 'callcenterd: --wrapup-limit: must be on or off (got "maybe")\n' });
    expect(await cli('queue', 'update', 'sales', '--wrapup-limit', 'on')).toMatchObject({ code: 0 });
    expect(JSON.parse((await cli('queue', 'list', '--json')).stdout)[0].wrapupLimit).toBe(true);
    expect(await cli('queue', 'update', 'support', '--wrapup-seconds', '')).toMatchObject({ code: 0 });
    expect(JSON.parse((await cli('queue', 'list', '--json')).stdout)[1].wrapupSeconds).toBeNull();
    expect(await cli('queue', 'remove', 'sales')).toMatchObject({ code: 0, stdout: 'queue sales removed\n' });
    expect(await cli('queue', 'remove', 'sales')).toEqual({ code: 3, stdout: '', stderr: 'callcenterd: queue sales does not exist\n' });
  });

  it('bad input: one line on stderr, exit 2, nothing written', async () => {
    const cases: [string[], string][] = [
      [['queue', 'add', 'Sales Team'], 'callcenterd: name: must be 1-64 lower-case letters, digits, _ or -, starting with a letter or digit\n'],
      [['queue', 'add', 'sales', '--wrapup-seconds', 'ten'], 'callcenterd: --wrapup-seconds: must be a whole number\n'],
      [['agent', 'add', '123', '--name', 'A', '--device', 'PJSIP/123'], 'callcenterd: extension: must be exactly 4 or 5 digits\n'],
      [['agent', 'add', '1000', '--name', 'A', '--device', 'PJSIP/1000&PJSIP/1001'], 'callcenterd: device: must be a single dial string (no "&" or ",")\n'],
      [['agent', 'add', '1000', '--device', 'PJSIP/1000'], "callcenterd: required option '--name <name>' not specified\n"],
      [['agent', 'add', '1000', '--name', 'A', '--device', 'PJSIP/1000', '--queues', 'nope'], 'callcenterd: queues: queue nope does not exist (add it with `callcenterd queue add nope`)\n'],
      [['pause-reason', 'add', 'Almoço', '--status-id', 'x'], 'callcenterd: status_id: must be a whole number\n'],
      [['pause-reason', 'add', 'Almoço'], "callcenterd: required option '--status-id <n>' not specified\n"],
      [['disposition', 'add', ' '], 'callcenterd: tag: must not be empty\n'],
    ];
    for (const [args, stderr] of cases) {
      expect({ args, ...(await cli(...args)) }).toEqual({ args, code: 2, stdout: '', stderr });
    }
    for (const what of ['queue', 'agent', 'pause-reason', 'disposition']) {
      expect((await cli(what, 'list', '--json')).stdout).toBe('[]\n');
    }
  });

  it('agent add with queues and penalties, duplicate refused, remove', async () => {
    await cli('queue', 'add', 'support');
    await cli('queue', 'add', 'sales');
    const r = await cli('agent', 'add', '1000', '--name', 'Ana Souza', '--device', 'PJSIP/1000', '--queues', 'support,sales:2', '--penalty', '1');
    expect(r).toEqual({ code: 0, stdout: 'agent 1000 added\n', stderr: '' });
    expect((await cli('agent', 'list')).stdout).toMatch(/1000\s+Ana Souza\s+PJSIP\/1000\s+sales:2,support:1/);
    const json = JSON.parse((await cli('agent', 'list', '--json')).stdout);
    expect(json[0].queues).toEqual([
      { queue: 'sales', penalty: 2 },
      { queue: 'support', penalty: 1 },
    ]);
    expect(await cli('agent', 'add', '1000', '--name', 'X', '--device', 'PJSIP/1009')).toMatchObject({
      code: 2,
      stderr: 'callcenterd: agent 1000 already exists\n',
    });
    expect(await cli('queue', 'remove', 'sales')).toMatchObject({ code: 3, stderr: expect.stringMatching(/assigned to 1 agent.*--force/) });
    expect(await cli('queue', 'remove', 'sales', '--force')).toMatchObject({ code: 0, stdout: 'queue sales removed (and from 1 agent(s))\n' });
    expect(await cli('agent', 'remove', '1000')).toMatchObject({ code: 0 });
    expect(await cli('agent', 'remove', '1000')).toMatchObject({ code: 3, stderr: 'callcenterd: agent 1000 does not exist\n' });
  });

  it('pause-reason and disposition add/list/remove', async () => {
    expect(await cli('pause-reason', 'add', 'Almoço', '--status-id', '7')).toMatchObject({ code: 0 });
    expect(await cli('pause-reason', 'add', 'Almoço', '--status-id', '8')).toMatchObject({ code: 2, stderr: 'callcenterd: pause reason "Almoço" already exists\n' });
    expect((await cli('pause-reason', 'list')).stdout).toBe('NAME    STATUS_ID\nAlmoço  7\n');
    expect(await cli('pause-reason', 'remove', 'Almoço')).toMatchObject({ code: 0 });
    expect((await cli('pause-reason', 'list')).stdout).toBe('no pause reasons\n');
    expect(await cli('disposition', 'add', 'sale', '--description', 'Closed a sale')).toMatchObject({ code: 0 });
    expect(JSON.parse((await cli('disposition', 'list', '--json')).stdout)).toEqual([
      { tag: 'sale', description: 'Closed a sale', createdAt: expect.any(Number) },
    ]);
    expect(await cli('disposition', 'remove', 'nope')).toMatchObject({ code: 3 });
  });
});

describe('real binary (bin/callcenterd.js)', () => {
  const root = path.resolve(__dirname, '../..');
  const bin = path.join(root, 'bin', 'callcenterd.js');
  const built = fs.existsSync(path.join(root, 'dist', 'cli', 'main.js'));
  const run = async (args: string[], env: NodeJS.ProcessEnv = {}) => {
    try {
      const r = await promisify(execFile)(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH, ...env } });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
  };

  (built ? it : it.skip)('exit codes through the real process (needs `npm run build`)', async () => {
    const config = writeConfig();
    expect(await run(['queue', 'add', 'support', '--config', config])).toMatchObject({ code: 0, stdout: 'queue support added\n' });
    expect(await run(['queue', 'add', 'Bad!'], { CALLCENTERD_CONFIG: config })).toMatchObject({ code: 2, stderr: expect.stringMatching(/^callcenterd: name: /) });
    expect(await run(['queue', 'remove', 'nope', '--config', config])).toMatchObject({ code: 3 });
    const bad = writeConfig({ asterisk: { ami: { port: 99999 } } });
    expect(await run(['config', 'check', '--config', bad])).toMatchObject({ code: 2 });
  });
});
