/**
 * Routes through the real API server + the CLI commands (call, history, blocklist) end to end,
 * on a FakeAri-backed CallService.
 */
import path from 'node:path';
import { ApiServer } from '../../src/api/server';
import { callRoutes } from '../../src/calls/routes';
import { HistoryRepo } from '../../src/history/repo';
import { silentLogger } from '../../src/log/logger';
import { openDatabase } from '../../src/store/db';
import { apiRequest } from '../helpers/api';
import { cleanupTmpDirs, makeTmpDir, runCli, TEST_ADMIN_TOKEN, TEST_AGENT_TOKEN, writeConfig } from '../helpers/tmp';
import { flush } from './fake-ari';
import { makeHarness, type Harness } from './harness';

describe('calls API and CLI', () => {
  let h: Harness;
  let server: ApiServer;
  let url: string;
  let cfg: string;
  // The CLI shares the harness's fake clock: it reads blocks and history straight from the DB.
  const cli = (args: string[], token = TEST_ADMIN_TOKEN) =>
    runCli([...args, '--config', cfg, '--api', url, '--token', token], { now: () => h.clock.now() });

  async function queueCall(ext: string, linkedid: string, number: string) {
    h.ari.enterStasis(['agent-leg', ext, linkedid], { number });
    await flush();
    const dev = h.ari.originated('agent').find((c) => !c.inStasis)!;
    h.ari.answer(dev.id);
    await flush();
    return h.svc.callsOfAgent(ext)[0];
  }

  beforeEach(async () => {
    const dir = makeTmpDir();
    cfg = writeConfig({ database: { path: path.join(dir, 'cc.db') } }, dir);
    h = makeHarness({ db: openDatabase(path.join(dir, 'cc.db')) });
    h.agents.add('1000');
    h.agents.add('1001');
    h.svc.start();
    const tokens = [
      { token: TEST_ADMIN_TOKEN, role: 'admin' as const, name: 'ops' },
      { token: TEST_AGENT_TOKEN, role: 'agent' as const, agent: '1000' },
    ];
    server = new ApiServer({
      listen: '127.0.0.1:0',
      tokens,
      routes: callRoutes(h.svc, new HistoryRepo({ db: h.db, now: () => h.clock.now() })),
      health: () => ({ status: 'ok' }),
      log: silentLogger(),
    });
    url = await server.start();
  });
  afterEach(async () => {
    h.svc.stop();
    await server.stop();
    h.db.close();
  });
  afterAll(cleanupTmpDirs);

  it('an agent acts only on its own calls (403 otherwise); admins on all', async () => {
    const mine = await queueCall('1000', 'lk-a', '5550101');
    const other = await queueCall('1001', 'lk-b', '5550102');
    const list = await cli(['call', 'list', '--json'], TEST_AGENT_TOKEN);
    expect(JSON.parse(list.stdout).map((c: { id: string }) => c.id)).toEqual([mine.id]);
    const denied = await cli(['call', 'hold', other.id], TEST_AGENT_TOKEN);
    expect(denied.code).toBe(3);
    expect(denied.stderr).toContain('this token acts only for agent 1000');
    expect(other.state).toBe('connected');
    expect(await cli(['call', 'hold', mine.id], TEST_AGENT_TOKEN)).toMatchObject({ code: 0, stdout: `call ${mine.id}: on hold\n` });
    expect(mine.state).toBe('on-hold');
    const again = await cli(['call', 'hold', mine.id], TEST_AGENT_TOKEN);
    expect(again).toMatchObject({ code: 3, stderr: 'callcenterd: cannot hold a call that is on-hold\n' });
    expect((await cli(['call', 'dial', '1001', '11987654321'], TEST_AGENT_TOKEN)).code).toBe(3);
    expect(await cli(['call', 'dtmf', other.id, '9#'])).toMatchObject({ code: 0 });
    expect((await cli(['call', 'dtmf', other.id, '9x'])).code).toBe(2);
    expect((await cli(['call', 'show', 'nope'])).code).toBe(2);
    // `call show` covers past calls too: not "no live call".
    expect(await cli(['call', 'show', '20991231-000001'])).toMatchObject({ code: 3, stderr: 'callcenterd: no call 20991231-000001\n' });
  });

  it('dial validation errors exit 2 and dial nothing; dial starts the call', async () => {
    const bad = await cli(['call', 'dial', '1000', '1198765432']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/mobile .* 11 digits/);
    const intl = await cli(['call', 'dial', '1000', '2025550123', '--ddi', '1']);
    expect(intl.code).toBe(3);
    expect(h.ari.log.filter((l) => l.startsWith('originate'))).toEqual([]);
    const ok = await cli(['call', 'dial', '1000', '11987654321']);
    expect(ok.stdout).toMatch(/^call \d{8}-\d{6}: dialing-agent \(agent 1000 → 11987654321\)\n$/);
  });

  it('E.164 numbers: the +DDI goes through the international policy (exit 3 / 409 when off), dials when allowed', async () => {
    const off = await cli(['call', 'dial', '1000', '+14155550100']);
    expect(off).toMatchObject({ code: 3, stderr: 'callcenterd: international calls are disabled: only DDI 55 is allowed\n' });
    const api = await apiRequest(url, 'POST', '/calls/dial', TEST_ADMIN_TOKEN, { agent: '1000', number: '001 (415) 555-0100' });
    expect(api).toMatchObject({ status: 409, body: { error: { code: 'refused', message: expect.stringMatching(/only DDI 55/) } } });
    expect(h.ari.log.filter((l) => l.startsWith('originate'))).toEqual([]);

    // The daemon reads the policy at each dial: international on, DDI 1 allowed.
    Object.assign(h.config.policy, { international_calls: true, allowed_country_codes: ['1'] });
    const clash = await cli(['call', 'dial', '1000', '+14155550100', '--ddi', '55']);
    expect(clash).toMatchObject({ code: 2, stderr: expect.stringMatching(/has DDI 1 but ddi 55 was given/) });
    expect((await cli(['call', 'dial', '1000', '+44 7911 123456'])).code).toBe(3); // DDI 44 not allowed
    const ok = await cli(['call', 'dial', '1000', '+14155550100']);
    expect(ok).toMatchObject({ code: 0, stdout: expect.stringMatching(/^call \d{8}-\d{6}: dialing-agent \(agent 1000 → 14155550100\)\n$/) });
    h.ari.answer(h.ari.originated('agent')[0].id);
    await flush();
    expect(h.ari.log).toContainEqual(expect.stringMatching(/^originate PJSIP\/14155550100@trunk /));
  });

  it('blocklist add: every way of writing a number stores one canonical number', async () => {
    expect(await cli(['blocklist', 'add', '+1 415 555 0100'])).toMatchObject({ code: 0, stdout: 'blocked 14155550100 with no expiry\n' });
    expect(await cli(['blocklist', 'add', '0014155550100'])).toMatchObject({ code: 0, stdout: 'blocked 14155550100 with no expiry\n' });
    expect(await cli(['blocklist', 'add', '+55 (011) 98765-4321'])).toMatchObject({ code: 0, stdout: 'blocked 5511987654321 with no expiry\n' });
    expect(await cli(['blocklist', 'add', '0 15 11 98765-4321'])).toMatchObject({ code: 0, stdout: 'blocked 5511987654321 with no expiry\n' });
    expect((await cli(['blocklist', 'add', '+1415555&0100'])).code).toBe(2);
    const list = JSON.parse((await cli(['blocklist', 'list', '--json'])).stdout) as { number: string }[];
    expect(list.map((e) => e.number).sort()).toEqual(['14155550100', '5511987654321']);
  });

  it('prank via CLI blocks the number; blocklist and history commands read the DB', async () => {
    const c = await queueCall('1000', 'lk-p', '5550177');
    const p = await cli(['call', 'prank', c.id]);
    expect(p.code).toBe(0);
    expect(p.stdout).toMatch(/5550177 blocked until/);
    const bl = await cli(['blocklist', 'list', '--json']);
    expect(JSON.parse(bl.stdout)).toEqual([expect.objectContaining({ number: '5550177', reason: 'prank', callId: c.id })]);
    expect((await cli(['blocklist', 'add', '1000'])).code).toBe(2);
    expect((await cli(['blocklist', 'add', '11912345678', '--minutes', '5'])).code).toBe(0);
    // Re-blocking without --minutes makes the block permanent: said so, not "until never".
    expect((await cli(['blocklist', 'add', '11912345678'])).stdout).toBe('blocked 5511912345678 with no expiry\n');
    expect((await cli(['blocklist', 'remove', '5550177'])).stdout).toBe('unblocked 5550177\n');
    expect((await cli(['blocklist', 'remove', '5550177'])).code).toBe(3);
    const hist = await cli(['history', '--agent', '1000', '--json']);
    expect(JSON.parse(hist.stdout)).toEqual([expect.objectContaining({ id: c.id, endReason: 'prank' })]);
    const recent = await cli(['history', '--agent', '1000', '--recent', '--json']);
    expect(JSON.parse(recent.stdout)[0]).toMatchObject({ category: 'incoming', number: '5550177', status: 'answered', endReason: 'prank' });
    expect((await cli(['history', '--since', 'yesterday'])).code).toBe(2);
  });

  it('prank on a withheld caller ID hangs up and says nothing was blocked', async () => {
    const c = await queueCall('1000', 'lk-w', 'anonymous');
    const p = await cli(['call', 'prank', c.id]);
    expect(p).toMatchObject({ code: 0, stdout: `call ${c.id}: hung up; "anonymous" not blocked (the caller ID is withheld: nothing to block)\n` });
    expect(h.svc.activeCallIds('1000')).toEqual([]);
    const show = await cli(['call', 'show', c.id, '--json']);
    expect(JSON.parse(show.stdout).events).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'prank', data: expect.objectContaining({ blocked: false, notBlocked: 'withheld' }) })]));
  });
});
