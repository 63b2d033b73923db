import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiClient } from '../../src/cli/api-client';
import { CliError } from '../../src/cli/errors';
import { exitQuietlyOnEpipe } from '../../src/cli/main';
import { formatRows } from '../../src/cli/output';
import { latestSchemaVersion, NEW_DATABASE_PAGE_SIZE, openDatabase } from '../../src/store/db';
import { cleanupTmpDirs, runCli, TEST_ADMIN_TOKEN, writeConfig } from '../helpers/tmp';

afterAll(cleanupTmpDirs);

describe('CLI framework', () => {
  it('--help lists the subcommands and exits 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/config/);
    expect(r.stdout).toMatch(/db/);
  });

  it('accepts --config before or after the subcommand, and CALLCENTERD_CONFIG', async () => {
    const file = writeConfig();
    for (const args of [['--config', file, 'config', 'check'], ['config', 'check', '--config', file]]) {
      const r = await runCli(args);
      expect(r).toEqual({ code: 0, stdout: `config OK: ${file}\n`, stderr: '' });
    }
    const r = await runCli(['config', 'check'], { env: { CALLCENTERD_CONFIG: file } });
    expect(r.code).toBe(0);
  });

  it('config check prints every problem and exits 2; config show masks secrets', async () => {
    const bad = writeConfig({ asterisk: { ami: { port: 0 } }, log: { level: 'x' } });
    const r = await runCli(['config', 'check', '--config', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('asterisk.ami.port: must be a number between 1 and 65535');
    expect(r.stderr).toContain('log.level: must be one of');
    expect(r.stderr.trim().split('\n').pop()).toBe(`callcenterd: config ${bad}: 2 problems`);

    const good = writeConfig();
    const s = await runCli(['config', 'show', '--config', good]);
    expect(s.code).toBe(0);
    expect(s.stdout).toContain('password: "***"');
    expect(s.stdout).not.toMatch(/SECRET|admin-token/);
  });

  it('config check, config show and run refuse an ARI url with credentials alike (systemd runs config check first)', async () => {
    const file = writeConfig({ asterisk: { ari: { url: 'http://ariuser:Hunter2pw@127.0.0.1:8088' } } });
    const problem = 'asterisk.ari.url: must not embed credentials (user:password@): set asterisk.ari.username and asterisk.ari.password';
    const check = await runCli(['config', 'check', '--config', file]);
    expect(check).toMatchObject({ code: 2, stdout: '' });
    expect(check.stderr).toContain(problem);
    // show printed the url, password included (secret masking only knows secret keys).
    const show = await runCli(['config', 'show', '--config', file]);
    expect(show).toMatchObject({ code: 2, stdout: '' });
    expect(show.stderr).toContain(problem);
    const run = await runCli(['run', '--config', file]);
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toContain(problem);
    for (const r of [check, show, run]) expect(r.stderr).not.toContain('Hunter2pw');
  });

  it('config check and run refuse a placeholder secret left from the example', async () => {
    const file = writeConfig({ asterisk: { ari: { password: 'change-me-ari' } } });
    const problem = 'asterisk.ari.password: still the example placeholder "change-me-..."; set a real secret';
    for (const args of [['config', 'check'], ['run']]) {
      const r = await runCli([...args, '--config', file]);
      expect(r).toMatchObject({ code: 2, stdout: '' });
      expect(r.stderr).toContain(problem);
    }
  });

  it('a command on an invalid config prints one line naming the key, exit 2', async () => {
    const bad = writeConfig({ asterisk: { ami: { port: 'x' } } });
    const r = await runCli(['db', 'migrate', '--config', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('asterisk.ami.port: must be a number between 1 and 65535');
  });

  it('unknown commands and options: one line, exit 2', async () => {
    const a = await runCli(['frobnicate']);
    expect(a.code).toBe(2);
    expect(a.stderr).toBe("callcenterd: unknown command 'frobnicate'\n");
    const b = await runCli(['config', 'check', '--nope']);
    expect(b.code).toBe(2);
    expect(b.stderr).toBe("callcenterd: unknown option '--nope'\n");
  });

  it('db migrate applies migrations once, then says up to date', async () => {
    const file = writeConfig();
    const first = await runCli(['db', 'migrate', '--config', file]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/applied 001 core catalogue/);
    const again = await runCli(['db', 'migrate', '--config', file]);
    expect(again.stdout).toMatch(/up to date/);
  });

  it('db status shows the page size; db page-size rebuilds the file, refuses bad sizes and a file in use', async () => {
    const file = writeConfig();
    await runCli(['db', 'migrate', '--config', file]);
    const status = async () => JSON.parse((await runCli(['db', 'status', '--json', '--config', file])).stdout);
    expect(await status()).toMatchObject({ pageSize: NEW_DATABASE_PAGE_SIZE, pending: 0 });
    const same = await runCli(['db', 'page-size', String(NEW_DATABASE_PAGE_SIZE), '--config', file]);
    expect(same).toMatchObject({ code: 0, stdout: expect.stringMatching(/already uses \d+-byte pages\n$/) });
    const to4k = await runCli(['db', 'page-size', '4096', '--config', file]);
    expect(to4k).toMatchObject({ code: 0, stderr: '' });
    expect(to4k.stdout).toMatch(new RegExp(`: pages ${NEW_DATABASE_PAGE_SIZE} → 4096 bytes, [0-9.]+ MB → [0-9.]+ MB\n$`));
    expect(await status()).toMatchObject({ pageSize: 4096, version: latestSchemaVersion() });
    const bad = await runCli(['db', 'page-size', '3000', '--config', file]);
    expect(bad).toEqual({ code: 2, stdout: '', stderr: 'callcenterd: page size must be a power of two from 512 to 65536 (bytes), got "3000"\n' });
    const daemon = openDatabase(String((await status()).path));
    const busy = await runCli(['db', 'page-size', '2048', '--config', file]);
    daemon.close();
    expect(busy.code).toBe(3);
    expect(busy.stderr).toMatch(/is in use: stop the daemon/);
    expect(await status()).toMatchObject({ pageSize: 4096 });
  });

  it('formats tables and JSON', () => {
    const rows = [{ name: 'support', n: 1 }, { name: 'sales-long', n: null }];
    expect(formatRows(rows, { columns: ['name', { key: 'n', header: 'count' }] })).toBe(
      'NAME        COUNT\nsupport     1\nsales-long\n',
    );
    expect(JSON.parse(formatRows(rows, { json: true }))).toEqual(rows);
    expect(formatRows([], { empty: 'no queues' })).toBe('no queues\n');
  });

  it('tables show control characters escaped: a stored caller id cannot drive the terminal', () => {
    // A row stored before caller ids were sanitised (or any free text): NUL, ESC, CR/LF, C1 CSI, bidi.
    const rows = [
      { number: '5550101\x00', name: 'Eve"\r\n<sip:evil>\x00\x1b[31m', data: { cid: 'x\x9b2J\u202e' } },
      { number: '5550102', name: 'Ana', data: null },
    ];
    const out = formatRows(rows);
    expect(out).toBe(
      [
        `NUMBER       NAME${' '.repeat(32)}DATA`,
        '5550101\\x00  Eve"\\x0d\\x0a<sip:evil>\\x00\\x1b[31m  {"cid":"x\\x9b2J\\u202e"}',
        '5550102      Ana',
        '',
      ].join('\n'),
    );
    expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
    // --json keeps the data (a script gets the same values back) with nothing raw for a terminal.
    const json = formatRows(rows, { json: true });
    expect(JSON.parse(json)).toEqual(rows);
    expect(json).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
  });
});

describe('closed stdout (`callcenterd monitor --watch | head`)', () => {
  it('EPIPE exits 0 quietly; other stream errors still throw; installed once', () => {
    const stream = new EventEmitter();
    const exits: number[] = [];
    exitQuietlyOnEpipe(stream, (c) => exits.push(c));
    exitQuietlyOnEpipe(stream, (c) => exits.push(c));
    expect(stream.listenerCount('error')).toBe(1);
    stream.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    expect(exits).toEqual([0]);
    expect(() => stream.emit('error', Object.assign(new Error('write EIO'), { code: 'EIO' }))).toThrow('write EIO');
  });

  it('a real process writing into a pipe whose reader left exits 0 without a stack trace', async () => {
    // The guard's own compiled code runs in a child whose stdout reader is closed at once.
    const script = `const guard = ${exitQuietlyOnEpipe.toString()};
guard(process.stdout, (c) => process.exit(c));
setInterval(() => process.stdout.write('x'.repeat(65536) + '\\n'), 1);`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  });
});

describe('ApiClient', () => {
  let server: http.Server;
  let base: string;
  let lastAuth: string | undefined;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      lastAuth = req.headers.authorization;
      const status = Number(req.url?.slice(1)) || 200;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status === 200 ? { ok: true } : { error: { code: 'x', message: `failed ${status}` } }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('returns parsed JSON and sends the bearer token', async () => {
    const c = new ApiClient({ baseUrl: base, token: TEST_ADMIN_TOKEN });
    await expect(c.request('GET', '/')).resolves.toEqual({ ok: true });
    expect(lastAuth).toBe(`Bearer ${TEST_ADMIN_TOKEN}`);
  });

  it.each([
    [400, 2],
    [403, 3],
    [404, 3],
    [409, 3],
    [503, 4],
  ])('maps HTTP %i to exit %i with the server message', async (status, exit) => {
    const c = new ApiClient({ baseUrl: base, token: 't' });
    const err = await c.request('POST', `/${status}`, {}).catch((e) => e);
    expect(err).toBeInstanceOf(CliError);
    expect(err).toMatchObject({ exitCode: exit, message: `failed ${status}` });
  });

  it('connection refused → exit 4 "daemon not reachable"', async () => {
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const c = new ApiClient({ baseUrl: `http://127.0.0.1:${port}`, token: 't', timeoutMs: 500 });
    await expect(c.request('GET', '/x')).rejects.toMatchObject({
      exitCode: 4,
      message: `daemon not reachable at http://127.0.0.1:${port}`,
    });
  });
});

describe('CliContext.api()', () => {
  const { buildProgram } = jest.requireActual('../../src/cli/main') as typeof import('../../src/cli/main');
  const ctxFor = (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const { program, ctx } = buildProgram({ stdout: () => undefined, stderr: () => undefined, env, cwd: '/', now: () => Date.now() });
    program.parseOptions(args); // sets the global options as a real invocation would
    return ctx;
  };

  it('defaults to http://<api.listen> (wildcard → loopback) and the first admin token', () => {
    const file = writeConfig({ api: { listen: '0.0.0.0:8600' } });
    expect(ctxFor([], { CALLCENTERD_CONFIG: file }).api().baseUrl).toBe('http://127.0.0.1:8600');
    expect(ctxFor(['--api', 'http://h:1', '--token', 'x'], { CALLCENTERD_CONFIG: file }).api().baseUrl).toBe('http://h:1');
    expect(() => ctxFor(['--api', 'h:1'], { CALLCENTERD_CONFIG: file }).api()).toThrow(/--api must be an http\(s\) URL/);
  });

  it('--api / CALLCENTERD_API win; no token anywhere is a clear exit-2 error', () => {
    const noTokens = writeConfig({ api: { tokens: [] } });
    const ctx = ctxFor([], { CALLCENTERD_CONFIG: noTokens, CALLCENTERD_API: 'http://10.1.1.1:9000' });
    expect(() => ctx.api()).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringMatching(/^no API token/) }));
    const withToken = ctxFor([], { CALLCENTERD_CONFIG: noTokens, CALLCENTERD_API: 'http://10.1.1.1:9000/', CALLCENTERD_TOKEN: 't' });
    expect(withToken.api().baseUrl).toBe('http://10.1.1.1:9000');
  });
});
