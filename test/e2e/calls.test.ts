/**
 * Issue 4 end to end (whole daemon on the simulator): queue call bridging, device cancel when the
 * leg ends, hangups in both directions, hold/unhold privacy, mute, DTMF, history and recent calls.
 */
import { AGENT_1000, bootEach, type E2E, until } from './helpers';

jest.setTimeout(30000);

describe('e2e: queue calls', () => {
  const boot = bootEach();

  /** A queue call answered by agent 1000; returns the sim handle and the daemon's call view. */
  async function answered(x: E2E, callerNumber: string) {
    const h = x.sim.placeQueueCall({ queue: 'support', callerNumber });
    await until(() => x.sim.queueCall(h).state === 'connected', 5000, 'sim queue call connected');
    const call = await until(async () => (await x.calls()).find((c) => c.number === callerNumber && c.state === 'connected'), 5000, 'daemon call connected');
    return { h, call };
  }

  it('answered queue call is bridged both ways; customer hangs up → device hung up; history rows', async () => {
    const x = await boot();
    const { h, call } = await answered(x, '5550201');
    expect(call).toMatchObject({ queue: 'support', agent: '1000', direction: 'inbound', kind: 'inbound' });
    const customer = h.channelId;
    const device = call.channels.agent;
    expect(x.sim.canHear(device, customer)).toBe(true);
    expect(x.sim.canHear(customer, device)).toBe(true);
    x.sim.customerHangup(h);
    await until(() => !x.sim.channel(device), 3000, 'device hung up');
    await until(async () => (await x.calls()).length === 0, 3000, 'no live call');
    const shown = await x.cli(['call', 'show', call.id, '--json']);
    expect(JSON.parse(shown.stdout)).toMatchObject({ id: call.id, state: 'ended', endReason: 'customer-hangup' });
    const hist = await x.api('GET', '/history?agent=1000');
    expect(hist.body.calls[0]).toMatchObject({ id: call.id, number: '5550201', queue: 'support', endReason: 'customer-hangup' });
    const recent = await x.api('GET', '/agents/1000/recent-calls', undefined, AGENT_1000);
    expect(recent.status).toBe(200);
    expect(JSON.stringify(recent.body.calls[0])).toContain('5550201');
    expect((await x.cli(['history', '--agent', '1000', '--recent'])).stdout).toContain('5550201');
  });

  it('device never answers → app_queue gives up → device cancelled, no channel left ringing', async () => {
    const x = await boot({ policy: { max_no_answer: 0 } });
    x.sim.setDevice('PJSIP/1000', { answer: 'never' });
    const h = x.sim.placeQueueCall({ queue: 'support', callerNumber: '5550202' });
    const dev = await until(() => x.sim.channels().find((c) => c.device === 'PJSIP/1000'), 3000, 'device ringing');
    await until(() => !x.sim.channel(dev.id), 4000, 'first device ring cancelled');
    const rows = await until(() => {
      const r = x.rows("SELECT * FROM calls WHERE customer_number = '5550202' AND end_reason IS NOT NULL");
      return r.length ? r : undefined;
    }, 3000);
    expect(rows[0]).toMatchObject({ end_reason: 'not-answered', answered_at: null });
    x.sim.customerHangup(h);
    await until(() => !x.sim.channels().some((c) => c.device === 'PJSIP/1000'), 3000, 'no device channel left');
    expect((await x.agent('1000')).state).toBe('available');
    const missed = await x.api('GET', '/agents/1000/recent-calls');
    expect(JSON.stringify(missed.body.calls)).toMatch(/missed/);
  });

  it('agent hangs up → customer released; hold: MOH and privacy; unhold; mute; DTMF', async () => {
    const x = await boot();
    const { h, call } = await answered(x, '5550203');
    const customer = h.channelId;
    const device = call.channels.agent;
    const hold = await x.cli(['call', 'hold', call.id], AGENT_1000);
    expect(hold).toMatchObject({ code: 0, stdout: `call ${call.id}: on hold\n` });
    expect(x.sim.isHearingMoh(customer)).toBe(true);
    expect(x.sim.canHear(device, customer)).toBe(false);
    expect(x.sim.canHear(customer, device)).toBe(false);
    expect((await x.cli(['call', 'hold', call.id])).code).toBe(3);
    expect((await x.cli(['call', 'unhold', call.id])).code).toBe(0);
    expect(x.sim.isHearingMoh(customer)).toBe(false);
    expect(x.sim.canHear(device, customer)).toBe(true);
    expect(x.sim.canHear(customer, device)).toBe(true);

    expect((await x.cli(['call', 'mute', call.id], AGENT_1000)).code).toBe(0);
    expect(x.sim.canHear(customer, device)).toBe(false);
    expect(x.sim.canHear(device, customer)).toBe(true);
    expect((await x.api('GET', `/calls/${call.id}`)).body.muted).toBe(true);
    expect((await x.cli(['call', 'unmute', call.id])).code).toBe(0);
    expect(x.sim.canHear(customer, device)).toBe(true);

    expect((await x.cli(['call', 'dtmf', call.id, '12#'], AGENT_1000)).code).toBe(0);
    expect(x.sim.channel(call.channels.customer)?.dtmfSent.join('')).toBe('12#');
    expect((await x.cli(['call', 'dtmf', call.id, '1;x'])).code).toBe(2);

    x.sim.hangupDevice(device);
    await until(() => x.sim.queueCall(h).state === 'ended', 3000, 'customer released');
    await until(() => x.rows('SELECT end_reason FROM calls WHERE id = ?', call.id)[0]?.end_reason === 'agent-hangup', 3000);
    const types = x.rows('SELECT type FROM call_events WHERE call_id = ? ORDER BY id', call.id).map((r: any) => r.type);
    expect(types).toEqual(expect.arrayContaining(['hold', 'unhold', 'mute', 'unmute', 'dtmf']));
    await x.waitAgentState('1000', 'wrap-up');
  });

  it('max call duration ends the call with the reason recorded', async () => {
    const x = await boot({ queueSettings: { support: { callTimeoutSeconds: 1 } } });
    const { h, call } = await answered(x, '5550204');
    await until(() => x.sim.queueCall(h).state === 'ended', 4000, 'call ended by timeout');
    await until(() => x.rows('SELECT end_reason FROM calls WHERE id = ?', call.id)[0]?.end_reason === 'timeout', 3000, 'reason timeout');
    expect(x.sim.channel(call.channels.agent)).toBeUndefined();
    expect(x.rows("SELECT type FROM call_events WHERE call_id = ? AND type = 'timeout'", call.id)).toHaveLength(1);
    await x.waitAgentState('1000', 'wrap-up');
  });

  it('device becomes unreachable → agent inactive and its calls ended; reachable again → back', async () => {
    const x = await boot();
    const { h, call } = await answered(x, '5550205');
    x.sim.setDevice('PJSIP/1000', { registered: false });
    await x.waitAgentState('1000', 'inactive');
    await until(() => x.sim.queueCall(h).state === 'ended', 3000, 'customer side ended');
    await until(() => x.rows('SELECT end_reason FROM calls WHERE id = ?', call.id)[0]?.end_reason === 'device unreachable', 3000, 'reason recorded');
    expect(x.sim.channels().filter((c) => c.device === 'PJSIP/1000')).toHaveLength(0);
    x.sim.setDevice('PJSIP/1000', { registered: true });
    const st = await until(async () => {
      const a = await x.agent('1000');
      return a.state !== 'inactive' ? a : undefined;
    }, 3000, 'agent reachable');
    expect(['wrap-up', 'available']).toContain(st.state);
  });

  it('daemon restart mid-call: the call is re-adopted and can be held and hung up', async () => {
    const x = await boot();
    const { h, call } = await answered(x, '5550206');
    await x.restartDaemon();
    const again = await until(async () => (await x.calls()).find((c) => c.id === call.id), 5000, 'call re-adopted');
    expect(again).toMatchObject({ state: 'connected', agent: '1000', number: '5550206' });
    expect((await x.agent('1000')).state).toBe('on-call');
    expect((await x.cli(['call', 'hold', call.id])).code).toBe(0);
    expect(x.sim.isHearingMoh(h.channelId)).toBe(true);
    expect(x.sim.canHear(call.channels.agent, h.channelId)).toBe(false);
    expect((await x.cli(['call', 'hangup', call.id])).code).toBe(0);
    await until(() => x.sim.queueCall(h).state === 'ended', 3000, 'customer ended');
    await until(() => !x.sim.channel(call.channels.agent), 3000, 'device ended');
    await x.waitAgentState('1000', 'wrap-up');
    // No orphan bridge left behind.
    await until(() => x.sim.bridges().every((b) => b.app !== x.sim.app), 3000, 'daemon bridges destroyed');
  });
});
