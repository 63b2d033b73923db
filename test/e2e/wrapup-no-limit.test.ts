/**
 * After-call work without a time limit, end to end (whole daemon on the simulator): a queue with
 * `--wrapup-limit off` keeps the agent in wrap-up past the queue's seconds, app_queue does not offer
 * it the next caller meanwhile, supervisors see how long it has been, `wrapup set` frees the agent
 * and the waiting caller is connected to it; the safety cap closes a forgotten one.
 */
import { AGENT_1000, bootEach, SUPERVISOR, until } from './helpers';

jest.setTimeout(30000);

describe('e2e: wrap-up without time limit', () => {
  const boot = bootEach({});

  it('stays open past the queue\'s seconds, the next caller waits, `wrapup set` frees the agent and the caller is connected', async () => {
    const x = await boot({ queueSettings: { support: { wrapupSeconds: 1 } } });
    expect((await x.cli(['queue', 'update', 'support', '--wrapup-limit', 'off'])).code).toBe(0);
    await x.login('1000', ['support']);
    const first = x.sim.placeQueueCall({ queue: 'support', callerNumber: '5511987650001' });
    const call = await until(async () => (await x.calls()).find((c) => c.state === 'connected'), 5000, 'first call connected');
    x.sim.customerHangup(first);
    await x.waitAgentState('1000', 'wrap-up');
    const started = x.rows('SELECT started_at, deadline, limited FROM wrapups WHERE call_id = ?', call.id)[0];
    expect(started).toMatchObject({ limited: 0 });
    expect(started.deadline - started.started_at).toBe(3600 * 1000); // the default cap

    // Past the queue's 1 s window: still in wrap-up, and a new caller is not offered to 1000.
    await new Promise((r) => setTimeout(r, 2200));
    const second = x.sim.placeQueueCall({ queue: 'support', callerNumber: '5511987650002' });
    await new Promise((r) => setTimeout(r, 800));
    expect(x.sim.queueCall(second).state).toBe('waiting');
    expect(x.sim.deviceState('Custom:agent-1000')).toBe('INUSE');
    const st = await x.agent('1000');
    expect(st).toMatchObject({ state: 'wrap-up', wrapup: { callId: call.id, limit: false, since: started.started_at } });
    expect(st.wrapup.elapsedSeconds).toBeGreaterThanOrEqual(2);
    const mon = (await x.api('GET', '/monitor', undefined, SUPERVISOR)).body;
    const a = mon.agents.find((m: any) => m.extension === '1000');
    expect(a).toMatchObject({ state: 'wrap-up', wrapupLimit: false, wrapupSince: started.started_at, wrapupUntil: started.deadline });
    expect(a.wrapupSeconds).toBeGreaterThanOrEqual(2);
    expect((await x.cli(['monitor'], SUPERVISOR)).stdout).toMatch(/1000\s+Ana\s+wrap-up\s+0:0\d\s+wrap-up without time limit/);
    expect((await x.cli(['agent', 'status', '1000'])).stdout).toMatch(/no limit \(\d+s so far\)/);

    expect((await x.cli(['wrapup', 'set', '1000', '--disposition', 'Venda'], AGENT_1000)).code).toBe(0);
    const next = await until(async () => (await x.calls()).find((c) => c.state === 'connected' && c.id !== call.id), 5000, 'second caller connected');
    expect(next).toMatchObject({ agent: '1000', number: '5511987650002' });
    expect(x.rows('SELECT disposition, auto, finished_by FROM wrapups WHERE call_id = ?', call.id)[0]).toEqual({
      disposition: 'Venda',
      auto: 0,
      finished_by: 'agent',
    });
  });

  it('the safety cap closes a forgotten one with the automatic disposition', async () => {
    const x = await boot({ policy: { wrapup_max_seconds: 1 }, queueSettings: { support: { wrapupLimit: false } } });
    await x.login('1000', ['support']);
    const h = x.sim.placeQueueCall({ queue: 'support', callerNumber: '5511987650003' });
    const call = await until(async () => (await x.calls()).find((c) => c.state === 'connected'), 5000, 'call connected');
    x.sim.customerHangup(h);
    await x.waitAgentState('1000', 'wrap-up');
    await x.waitAgentState('1000', 'available', 5000);
    expect(x.rows('SELECT disposition, auto, finished_by, limited FROM wrapups WHERE call_id = ?', call.id)[0]).toEqual({
      disposition: 'Tabulação automática',
      auto: 1,
      finished_by: 'cap',
      limited: 0,
    });
    expect(x.sim.deviceState('Custom:agent-1000')).toBe('NOT_INUSE');
  });
});
