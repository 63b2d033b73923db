/**
 * Issue 3 end to end (whole daemon on the simulator): login/logout through the CLI, pause reasons,
 * `agent extensions`, `agent status --json`, logout refused during a call, Asterisk restart re-sync.
 */
import WebSocket from 'ws';
import { AGENT_1000, E2E, memberIface, startE2E, until } from './helpers';

jest.setTimeout(30000);

describe('e2e: agent login, pause, status', () => {
  let e: E2E;
  beforeEach(async () => {
    e = await startE2E();
  });
  afterEach(async () => {
    await e.stop();
  });

  it('login via CLI adds the member with Local interface, hint StateInterface and MemberName', async () => {
    const r = await e.cli(['agent', 'login', '1000', '--queues', 'support,vendas']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe('agent 1000 logged in: support (penalty 0), vendas (penalty 1)\n');
    const m = await until(() => e.sim.member('support', memberIface('1000')));
    expect(m).toMatchObject({ memberName: 'Ana', stateInterface: 'hint:1000@agent-hints', paused: false });
    expect(e.sim.member('vendas', memberIface('1000'))).toMatchObject({ memberName: 'Ana', penalty: 1 });
    const st = await e.agent('1000');
    expect(st).toMatchObject({ extension: '1000', state: 'available', queues: ['support', 'vendas'] });
    expect(e.rows('SELECT extension FROM agent_sessions WHERE logout_at IS NULL').map((x: any) => x.extension)).toEqual(['1000']);
  });

  it('login refusals exit 3 and change nothing', async () => {
    const unknownAgent = await e.cli(['agent', 'login', '1999', '--queues', 'support']);
    expect(unknownAgent.code).toBe(3);
    expect(unknownAgent.stderr).toMatch(/1999/);
    const unknownQueue = await e.cli(['agent', 'login', '1000', '--queues', 'nope']);
    expect(unknownQueue.code).toBe(3);
    expect(unknownQueue.stderr).toMatch(/nope/);
    const notAllowed = await e.cli(['agent', 'login', '1001', '--queues', 'vendas']);
    expect(notAllowed.code).toBe(3);
    expect(notAllowed.stderr).toMatch(/vendas/);
    expect(e.sim.actions.filter((a) => a.name === 'QueueAdd')).toHaveLength(0);
    await e.login('1000', ['support']);
    const again = await e.cli(['agent', 'login', '1000', '--queues', 'support']);
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/agent 1000 is already logged in \(queues: support\)/);
    expect(e.sim.actions.filter((a) => a.name === 'QueueAdd')).toHaveLength(1);
    // An agent token may not log another agent in.
    const other = await e.cli(['agent', 'login', '1001', '--queues', 'support'], AGENT_1000);
    expect(other.code).toBe(3);
  });

  it('agent extensions --queues support lists registered, free extensions bound to the queue', async () => {
    let r = await e.cli(['agent', 'extensions', '--queues', 'support', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).map((x: any) => x.extension)).toEqual(['1000', '1001']);
    e.sim.setDevice('PJSIP/1001', { registered: false });
    await e.login('1000', ['support']);
    r = await e.cli(['agent', 'extensions', '--queues', 'support', '--json']);
    expect(JSON.parse(r.stdout)).toEqual([]);
    r = await e.cli(['agent', 'extensions', '--queues', 'support']);
    expect(r).toMatchObject({ code: 0, stdout: 'no free registered extension for these queues\n' });
    expect((await e.cli(['agent', 'extensions', '--queues', ''])).code).toBe(2);
  });

  it('pause with a reason sets QueuePause reason in Asterisk and the status id; unknown reason refused', async () => {
    await e.login('1000', ['support', 'vendas']);
    // The agent's softphone watches /events: the pause arrives with the dialer status id.
    const frames: any[] = [];
    const ws = new WebSocket(`${e.apiUrl.replace(/^http/, 'ws')}/events`, { headers: { authorization: `Bearer ${AGENT_1000}` } });
    ws.on('message', (d) => frames.push(JSON.parse(String(d))));
    await until(() => frames.some((f) => f.type === 'snapshot'), 3000, 'snapshot');
    const bad = await e.cli(['agent', 'pause', '1000', '--reason', 'Férias']);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/Férias/);
    expect(e.sim.member('support', memberIface('1000'))?.paused).toBe(false);
    const r = await e.cli(['agent', 'pause', '1000', '--reason', 'Almoço']);
    expect(r).toMatchObject({ code: 0, stdout: 'agent 1000 paused: Almoço (status 2)\n' });
    for (const q of ['support', 'vendas']) {
      expect(e.sim.member(q, memberIface('1000'))).toMatchObject({ paused: true, pausedReason: 'Almoço' });
    }
    expect(await e.agent('1000')).toMatchObject({ state: 'paused', pauseReason: 'Almoço', pauseStatusId: 2 });
    const ev = await until(() => frames.find((f) => f.type === 'agent.pause'), 3000, 'agent.pause event');
    expect(ev).toMatchObject({ agent: '1000', data: { reason: 'Almoço', statusId: 2 } });
    ws.close();
    const un = await e.cli(['agent', 'unpause', '1000']);
    expect(un).toMatchObject({ code: 0, stdout: 'agent 1000 unpaused\n' });
    expect(e.sim.member('support', memberIface('1000'))).toMatchObject({ paused: false });
    expect(await e.agent('1000')).toMatchObject({ state: 'available', pauseReason: null });
  });

  it('agent status --json fields; logout removes the members', async () => {
    await e.login('1000', ['support']);
    const r = await e.cli(['agent', 'status', '1000', '--json']);
    expect(r.code).toBe(0);
    const [st] = JSON.parse(r.stdout);
    expect(Object.keys(st).sort()).toEqual(
      ['callsTaken', 'currentCallId', 'device', 'extension', 'loginAt', 'missesInRow', 'name', 'pauseReason', 'pauseStatusId', 'pendingPause', 'queues', 'since', 'state', 'talkSeconds', 'wrapup'].sort(),
    );
    expect(st).toMatchObject({ extension: '1000', name: 'Ana', device: 'PJSIP/1000', state: 'available', queues: ['support'], callsTaken: 0, missesInRow: 0 });
    const all = await e.cli(['agent', 'status']);
    expect(all.stdout).toMatch(/1000\s+Ana\s+available/);
    expect(all.stdout).toMatch(/1001\s+Bruno\s+offline/);
    const out = await e.cli(['agent', 'logout', '1000']);
    expect(out).toMatchObject({ code: 0, stdout: 'agent 1000 logged out\n' });
    expect(e.sim.member('support', memberIface('1000'))).toBeUndefined();
    expect((await e.agent('1000')).state).toBe('offline');
  });

  it('Asterisk restart: agents re-added with their pauses and reasons', async () => {
    await e.login('1000', ['support', 'vendas']);
    await e.login('1001', ['support']);
    expect((await e.cli(['agent', 'pause', '1000', '--reason', 'Almoço'])).code).toBe(0);
    await e.sim.restartAsterisk({ downMs: 50 });
    expect(e.sim.member('support', memberIface('1000'))).toBeUndefined();
    await until(() => e.sim.member('support', memberIface('1000')) && e.sim.member('vendas', memberIface('1000')) && e.sim.member('support', memberIface('1001')), 8000, 're-added members');
    for (const q of ['support', 'vendas']) {
      expect(e.sim.member(q, memberIface('1000'))).toMatchObject({ paused: true, pausedReason: 'Almoço', memberName: 'Ana', stateInterface: 'hint:1000@agent-hints' });
    }
    expect(e.sim.member('support', memberIface('1001'))).toMatchObject({ paused: false });
    expect(await e.agent('1000')).toMatchObject({ state: 'paused', pauseReason: 'Almoço' });
  });
});
