/**
 * Issue 4 end to end (whole daemon on the simulator): outbound dial states and refusals (bad number,
 * international, paused with block_dialing_in_pause, dial-string injection), prank + blocklist.
 */
import { AGENT_1000, bootEach, type E2E, memberIface, until } from './helpers';

jest.setTimeout(30000);

describe('e2e: outbound calls and prank', () => {
  const boot = bootEach();

  const originates = (x: E2E) => x.sim.actions.filter((a) => a.route === 'POST /channels' || a.route === 'POST /channels/{id}');

  it('dial: dialing-agent → dialing/ringing-customer → connected, bridged; agent on-call; history outgoing', async () => {
    const x = await boot();
    x.sim.setDevice('PJSIP/1000', { answer: 'never' });
    x.sim.setRemote(/11987654321/, { answer: 'never' });
    const r = await x.cli(['call', 'dial', '1000', '(11) 98765-4321'], AGENT_1000);
    expect(r.code).toBe(0);
    const id = /(\d{8}-\d{6})/.exec(r.stdout)?.[1];
    expect(id).toBeDefined();
    const state = async () => (await x.api('GET', `/calls/${id}`)).body.state;
    expect(await state()).toBe('dialing-agent');
    const dev = await until(() => x.sim.channels().find((c) => c.device === 'PJSIP/1000'), 3000, 'agent device ringing');
    x.sim.answerDevice(dev.id);
    await until(async () => (await state()) === 'ringing-customer', 3000, 'ringing-customer');
    const cust = await until(() => x.sim.channels().find((c) => c.kind === 'remote'), 3000, 'customer channel');
    // The dial template got the validated national number only.
    const orig = x.sim.actions.filter((a) => a.route === 'POST /channels' || a.route === 'POST /channels/{id}').map((a) => a.params.endpoint);
    expect(orig).toEqual(['PJSIP/1000', 'PJSIP/11987654321@trunk']);
    x.sim.answerDevice(cust.id);
    await until(async () => (await state()) === 'connected', 3000, 'connected');
    expect(x.sim.canHear(dev.id, cust.id) && x.sim.canHear(cust.id, dev.id)).toBe(true);
    expect((await x.agent('1000')).state).toBe('on-call');
    expect((await x.cli(['call', 'hangup', id!], AGENT_1000)).code).toBe(0);
    await until(() => !x.sim.channel(cust.id) && !x.sim.channel(dev.id), 3000, 'both sides hung up');
    const row = x.rows('SELECT * FROM calls WHERE id = ?', id)[0];
    expect(row).toMatchObject({ direction: 'outbound', agent_ext: '1000', customer_number: '11987654321' });
    expect(row.answered_at).not.toBeNull();
    const recent = await x.api('GET', '/agents/1000/recent-calls', undefined, AGENT_1000);
    expect(recent.body.calls[0]).toMatchObject({ id, category: 'outgoing' });
    expect(JSON.stringify(recent.body.calls[0])).toMatch(/outgoing/);
  });

  it('dial refusals: bad number 400/exit 2, international 409/exit 3, injection 400; nothing dialled', async () => {
    const x = await boot();
    const before = originates(x).length;
    const bad = await x.api('POST', '/calls/dial', { agent: '1000', number: '1198765' });
    expect(bad.status).toBe(400);
    expect((await x.cli(['call', 'dial', '1000', '1198765'])).code).toBe(2);
    const intl = await x.api('POST', '/calls/dial', { agent: '1000', number: '2025550123', ddi: '1' });
    expect(intl.status).toBe(409);
    const intlCli = await x.cli(['call', 'dial', '1000', '2025550123', '--ddi', '1']);
    expect(intlCli.code).toBe(3);
    expect(intlCli.stderr).toMatch(/international/i);
    for (const number of ['11987654321&PJSIP/666', '11987654321,tT', '${EXTEN}', '11987654321\nAction: Originate', 'PJSIP/11987654321']) {
      const r = await x.api('POST', '/calls/dial', { agent: '1000', number });
      expect(r.status).toBe(400);
    }
    const ddiInjection = await x.api('POST', '/calls/dial', { agent: '1000', number: '11987654321', ddi: '55&1' });
    expect(ddiInjection.status).toBe(400);
    expect(originates(x).length).toBe(before);
    expect(x.rows('SELECT COUNT(*) AS n FROM calls')[0].n).toBe(0);
  });

  it('paused agent with block_dialing_in_pause: refused naming the pause', async () => {
    const x = await boot({ policy: { block_dialing_in_pause: true } });
    expect((await x.cli(['agent', 'pause', '1000', '--reason', 'Almoço'])).code).toBe(0);
    const api = await x.api('POST', '/calls/dial', { agent: '1000', number: '11987654321' }, AGENT_1000);
    expect(api.status).toBe(409);
    expect(JSON.stringify(api.body)).toContain('Almoço');
    const cli = await x.cli(['call', 'dial', '1000', '11987654321'], AGENT_1000);
    expect(cli.code).toBe(3);
    expect(cli.stderr).toContain('Almoço');
    expect(x.rows('SELECT COUNT(*) AS n FROM calls')[0].n).toBe(0);
    // Unpaused, the same dial goes through.
    expect((await x.cli(['agent', 'unpause', '1000'])).code).toBe(0);
    expect((await x.cli(['call', 'dial', '1000', '11987654321'], AGENT_1000)).code).toBe(0);
  });

  it('a paused agent may dial when not blocked; after the call and wrap-up the pause is back', async () => {
    const x = await boot();
    expect((await x.cli(['agent', 'pause', '1000', '--reason', 'Almoço'])).code).toBe(0);
    const r = await x.api('POST', '/calls/dial', { agent: '1000', number: '11987654321' }, AGENT_1000);
    expect(r.status).toBe(201);
    await until(async () => (await x.api('GET', `/calls/${r.body.id}`)).body.state === 'connected', 5000, 'connected');
    expect(await x.agent('1000')).toMatchObject({ state: 'on-call' });
    expect(x.sim.member('support', memberIface('1000'))).toMatchObject({ paused: true, pausedReason: 'Almoço' });
    expect((await x.cli(['call', 'hangup', r.body.id], AGENT_1000)).code).toBe(0);
    await x.waitAgentState('1000', 'wrap-up');
    expect((await x.cli(['wrapup', 'set', '1000', '--disposition', 'Venda'], AGENT_1000)).code).toBe(0);
    expect(await x.agent('1000')).toMatchObject({ state: 'paused', pauseReason: 'Almoço', pauseStatusId: 2 });
    expect(x.sim.member('support', memberIface('1000'))).toMatchObject({ paused: true, pausedReason: 'Almoço' });
    await until(() => x.sim.deviceState('Custom:agent-1000') === 'NOT_INUSE', 3000, 'custom state released');
  });

  it('prank: customer hung up, number blocked with expiry, next call from it rejected', async () => {
    const x = await boot({ policy: { prank_block_minutes: 30 } });
    const h = x.sim.placeQueueCall({ queue: 'support', callerNumber: '5550301' });
    const call = await until(async () => (await x.calls()).find((c) => c.state === 'connected'), 5000, 'connected');
    const r = await x.cli(['call', 'prank', call.id], AGENT_1000);
    expect(r.code).toBe(0);
    await until(() => x.sim.queueCall(h).state === 'ended', 3000, 'customer hung up');
    await until(() => !x.sim.channel(call.channels.agent), 3000, 'device released');
    const list = await x.cli(['blocklist', 'list', '--json']);
    const [entry] = JSON.parse(list.stdout);
    expect(entry.number).toBe('5550301');
    expect(entry.expiresAt - Date.now()).toBeGreaterThan(29 * 60_000);
    expect(entry.expiresAt - Date.now()).toBeLessThanOrEqual(30 * 60_000);
    expect((await x.cli(['blocklist', 'list'])).stdout).toMatch(/5550301.*\d{4}-\d{2}-\d{2}/);
    expect(x.rows('SELECT end_reason FROM calls WHERE id = ?', call.id)[0].end_reason).toBe('prank');
    await x.waitAgentState('1000', 'wrap-up');
    expect((await x.cli(['wrapup', 'set', '1000', '--disposition', 'Resolvido'], AGENT_1000)).code).toBe(0);

    const mark = x.sim.mark();
    const h2 = x.sim.placeQueueCall({ queue: 'support', callerNumber: '5550301' });
    await until(() => x.sim.queueCall(h2).state === 'ended', 5000, 'blocked caller rejected');
    expect(x.sim.actions.some((a) => a.seq > mark && a.route === 'POST /channels')).toBe(false);
    expect((await x.agent('1000')).state).toBe('available');
    const blocked = x.rows("SELECT end_reason FROM calls WHERE customer_number = '5550301' ORDER BY started_at");
    expect(blocked.map((b: any) => b.end_reason)).toEqual(['prank', 'blocked']);
  });
});
