/**
 * Supervisor force: logout --force ends the agent's calls (history: forced-logout) then logs out;
 * pause --now pauses the queues at once during a call, which goes on. Agent tokens get 403.
 */
import { AGENT_1000, E2E, memberIface, startE2E, SUPERVISOR, until } from './helpers';

jest.setTimeout(30000);

describe('e2e: supervisor force logout / pause now', () => {
  let x: E2E | undefined;
  afterEach(async () => {
    await x?.stop();
    x = undefined;
  });

  const connected = async (e: E2E, callerNumber: string) => {
    const h = e.sim.placeQueueCall({ queue: 'support', callerNumber });
    const call = await until(async () => (await e.calls()).find((c) => c.state === 'connected'), 5000, 'connected');
    return { h, call };
  };

  it('logout --force: refused for an agent token (403), a supervisor ends the call and logs the agent out', async () => {
    const e = (x = await startE2E());
    await e.login('1000', ['support']);
    const { h, call } = await connected(e, '11912345678');
    expect((await e.cli(['agent', 'logout', '1000'], SUPERVISOR)).code).toBe(3);
    expect((await e.api('POST', '/agents/1000/logout', { force: true }, AGENT_1000)).status).toBe(403);
    const own = await e.cli(['agent', 'logout', '1000', '--force'], AGENT_1000);
    expect(own.code).toBe(3);
    expect(own.stderr).toMatch(/supervisor or admin/);
    expect((await e.agent('1000')).state).toBe('on-call');

    const r = await e.cli(['agent', 'logout', '1000', '--force'], SUPERVISOR);
    expect(r).toMatchObject({ code: 0 });
    expect(r.stdout).toContain(`agent 1000 logged out (calls ended: ${call.id})`);
    await until(() => e.sim.queueCall(h).state === 'ended', 3000, 'customer hung up');
    expect(await e.agent('1000')).toMatchObject({ state: 'offline' });
    expect(e.sim.member('support', memberIface('1000'))).toBeFalsy();
    expect(e.rows('SELECT end_reason FROM calls WHERE id = ?', call.id)[0].end_reason).toBe('forced-logout');
    expect(e.rows("SELECT logout_reason FROM agent_sessions WHERE extension = '1000'")[0].logout_reason).toBe('forced-logout');
    expect((await e.api('POST', '/agents/1000/logout', { force: true, extra: 1 })).status).toBe(400);
  });

  it('pause --now: queues paused at once, the call goes on, no new call offered; paused after wrap-up', async () => {
    const e = (x = await startE2E());
    await e.login('1000', ['support']);
    const { h, call } = await connected(e, '11912345679');
    expect((await e.api('POST', '/agents/1000/pause', { reason: 'Almoço', now: true }, AGENT_1000)).status).toBe(403);
    // Default semantics unchanged: after this call.
    const after = await e.cli(['agent', 'pause', '1000', '--reason', 'Banheiro'], SUPERVISOR);
    expect(after.stdout).toContain('will pause after the current call');
    const now = await e.cli(['agent', 'pause', '1000', '--reason', 'Almoço', '--now'], SUPERVISOR);
    expect(now).toMatchObject({ code: 0 });
    expect(now.stdout).toContain('agent 1000 paused now, its call goes on: Almoço');
    await until(() => e.sim.member('support', memberIface('1000'))?.pausedReason === 'Almoço', 3000, 'paused in Asterisk');
    expect(await e.agent('1000')).toMatchObject({ state: 'on-call', pauseReason: 'Almoço', pendingPause: null });
    expect(e.sim.queueCall(h).state).toBe('connected');
    const status = await e.cli(['agent', 'status', '1000'], SUPERVISOR);
    expect(status.stdout).toContain('paused during call: Almoço');
    // A second caller waits: the paused member is not offered.
    const mark = e.sim.mark();
    const h2 = e.sim.placeQueueCall({ queue: 'support', callerNumber: '11912345670' });
    await new Promise((r) => setTimeout(r, 300));
    expect(e.sim.queueCall(h2).state).toBe('waiting');
    expect(e.sim.actions.some((a) => a.seq > mark && a.route === 'POST /channels')).toBe(false);
    expect((await e.cli(['call', 'hangup', call.id], AGENT_1000)).code).toBe(0);
    await e.waitAgentState('1000', 'wrap-up');
    expect((await e.cli(['wrapup', 'set', '1000', '--disposition', 'Venda'], AGENT_1000)).code).toBe(0);
    expect(await e.agent('1000')).toMatchObject({ state: 'paused', pauseReason: 'Almoço', pauseStatusId: 2 });
    e.sim.customerHangup(h2);
  });
});
