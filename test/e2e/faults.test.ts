/**
 * End to end, less common paths: Asterisk restart during a call, an outbound call the customer does
 * not answer, logout during wrap-up, agent tokens acting on another agent's call.
 */
import { AGENT_1000, AGENT_1001, bootEach, memberIface, until } from './helpers';

jest.setTimeout(30000);

describe('e2e: faults and edges', () => {
  const boot = bootEach();

  it('Asterisk restart during a call: the call is ended, the agent goes to wrap-up and is re-added', async () => {
    const x = await boot();
    const h = x.sim.placeQueueCall({ queue: 'support', callerNumber: '5550401' });
    const call = await until(async () => (await x.calls()).find((c) => c.state === 'connected'), 5000, 'connected');
    await x.sim.restartAsterisk({ downMs: 50 });
    await until(async () => (await x.calls()).length === 0, 8000, 'live call dropped');
    await until(() => x.rows('SELECT ended_at FROM calls WHERE id = ?', call.id)[0].ended_at !== null, 3000, 'call row ended');
    await until(() => x.sim.member('support', memberIface('1000')), 8000, 'member re-added');
    const st = await x.waitAgentState('1000', 'wrap-up');
    expect(st.wrapup).toMatchObject({ callId: call.id });
    expect(x.sim.queueCall(h).state).toBe('ended');
  });

  it('outbound call the customer does not answer: device hung up, agent available, history row unanswered', async () => {
    const x = await boot();
    x.sim.setRemote(/.*/, { answer: 'busy', answerDelayMs: 20 });
    const r = await x.api('POST', '/calls/dial', { agent: '1000', number: '11987654321' }, AGENT_1000);
    expect(r.status).toBe(201);
    const id = r.body.id;
    await until(() => x.rows('SELECT end_reason FROM calls WHERE id = ?', id)[0]?.end_reason, 5000, 'call ended');
    const row = x.rows('SELECT * FROM calls WHERE id = ?', id)[0];
    expect(row.answered_at).toBeNull();
    expect(row.end_reason).toMatch(/customer/);
    await until(() => !x.sim.channels().some((c) => c.device === 'PJSIP/1000'), 3000, 'device hung up');
    await x.waitAgentState('1000', 'available', 3000);
    expect(x.rows("SELECT COUNT(*) AS n FROM wrapups WHERE extension = '1000'")[0].n).toBe(0);
  });

  it('logout during wrap-up records the automatic disposition; agent tokens cannot touch other calls', async () => {
    const x = await boot();
    await x.login('1001', ['support']);
    const h = x.sim.placeQueueCall({ queue: 'support', callerNumber: '5550402' });
    const call = await until(async () => (await x.calls()).find((c) => c.state === 'connected'), 5000, 'connected');
    const owner = call.agent as string;
    const otherToken = owner === '1000' ? AGENT_1001 : AGENT_1000;
    const denied = await x.api('POST', `/calls/${call.id}/hangup`, undefined, otherToken);
    expect(denied.status).toBe(403);
    expect((await x.api('POST', `/calls/${call.id}/prank`, undefined, otherToken)).status).toBe(403);
    expect(x.sim.queueCall(h).state).toBe('connected');
    x.sim.customerHangup(h);
    await x.waitAgentState(owner, 'wrap-up');
    const out = await x.cli(['agent', 'logout', owner]);
    expect(out.code).toBe(0);
    expect(x.rows('SELECT disposition, auto, finished_by FROM wrapups WHERE call_id = ?', call.id)[0]).toEqual({
      disposition: 'Tabulação automática',
      auto: 1,
      finished_by: 'logout',
    });
    expect((await x.agent(owner)).state).toBe('offline');
    expect(x.sim.member('support', memberIface(owner))).toBeUndefined();
    await until(() => x.sim.deviceState(`Custom:agent-${owner}`) === 'NOT_INUSE', 3000, 'custom state released');
  });
});
