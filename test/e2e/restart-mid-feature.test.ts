/**
 * Daemon restart in the middle of an attended-transfer consult, a ringing transfer target, a 3-way
 * conference and a call in a `*<ext>` room (issue 4 item 11): after the restart nothing stays
 * stuck. The customer is never left alone on hold music, no device keeps ringing, no channel or
 * bridge of ours is orphaned, agents are freed, the call can still be hung up through the API and
 * every history row is closed.
 */
import { AGENT_1000, E2E, startE2E, until } from './helpers';

jest.setTimeout(30000);

const openRows = (x: E2E) => x.rows<{ id: string; kind: string }>('SELECT id, kind FROM calls WHERE ended_at IS NULL ORDER BY id');

async function connectedCall(x: E2E): Promise<any> {
  await x.login('1000', ['support']);
  x.sim.placeQueueCall({ queue: 'support', callerNumber: '11912345678' });
  const call = await until(async () => (await x.calls()).find((c) => c.state === 'connected' && c.agent === '1000'), 5000, 'call connected');
  await x.login('1001', ['support']);
  return call;
}

/** The call is still under control after the restart: hung up through the API, everything goes. */
async function hangupAndCheckClean(x: E2E, callId: string): Promise<void> {
  const r = await x.api('POST', `/calls/${callId}/hangup`, {});
  expect(r.status).toBeLessThan(300);
  await until(async () => (await x.calls()).length === 0, 5000, 'no live call');
  await until(() => x.sim.channels().length === 0, 5000, () => `no channels (left: ${x.sim.channels().map((c) => c.name).join(', ')})`);
  await until(() => x.sim.bridges().length === 0, 5000, () => `no bridges (left: ${x.sim.bridges().map((b) => b.id).join(', ')})`);
  expect(openRows(x)).toEqual([]);
}

describe('e2e: daemon restart mid transfer / conference / room', () => {
  let e: E2E | undefined;
  afterEach(async () => {
    await e?.stop();
    e = undefined;
  });

  it('(a) during an attended consult: consult cancelled by the restart, customer back with the first agent', async () => {
    const x = (e = await startE2E());
    const call = await connectedCall(x);
    expect((await x.api('POST', `/calls/${call.id}/transfer`, { target: '1001', kind: 'attended' }, AGENT_1000)).status).toBe(202);
    const consult = await until(async () => (await x.calls()).find((c) => c.parentId === call.id && c.kind === 'transfer' && c.state === 'connected'), 5000, 'consulting');
    await until(() => x.sim.isHearingMoh(call.channels.customer), 3000, 'customer on hold music');
    expect(x.sim.canHear(consult.channels.agent, call.channels.agent)).toBe(true);

    await x.restartDaemon();

    // The customer is back with the first agent, the target's device is gone.
    await until(() => !x.sim.channel(consult.channels.agent), 5000, 'target device hung up');
    await until(() => x.sim.canHear(call.channels.agent, call.channels.customer), 5000, 'customer back with the first agent');
    expect(x.sim.isHearingMoh(call.channels.customer)).toBe(false);
    await until(() => x.rows('SELECT end_reason FROM calls WHERE id = ?', consult.id)[0]?.end_reason, 5000, 'consult row ended');
    expect(x.rows('SELECT end_reason FROM calls WHERE id = ?', consult.id)[0].end_reason).toBe('transfer-cancelled');
    // The sim shows the customer back in the agent bridge a moment before recovery records the
    // unhold (it waits for the ARI answers), so wait for the daemon's view too.
    const live = await until(
      async () => (await x.calls()).find((c) => c.id === call.id && c.state === 'connected' && c.holdBridgeId === null),
      5000,
      'call connected again, no holding bridge',
    );
    expect(live).toMatchObject({ state: 'connected', holdBridgeId: null });
    expect(x.rows("SELECT COUNT(*) AS n FROM call_events WHERE call_id = ? AND type = 'transfer-cancelled'", call.id)[0].n).toBe(1);
    await x.waitAgentState('1001', 'available');
    expect((await x.agent('1000')).state).toBe('on-call');

    // Still fully controllable: hold/unhold, then a new transfer, then hangup.
    expect((await x.api('POST', `/calls/${call.id}/hold`, {}, AGENT_1000)).status).toBeLessThan(300);
    await until(() => x.sim.isHearingMoh(call.channels.customer), 3000, 'held');
    expect((await x.api('POST', `/calls/${call.id}/unhold`, {}, AGENT_1000)).status).toBeLessThan(300);
    await until(() => x.sim.canHear(call.channels.agent, call.channels.customer), 3000, 'unheld');
    await hangupAndCheckClean(x, call.id);
    await x.waitAgentState('1000', 'wrap-up');
  });

  it('(b) while the transfer target rings: the ring is cancelled, the call goes on', async () => {
    const x = (e = await startE2E());
    const call = await connectedCall(x);
    x.sim.setDevice('PJSIP/1001', { answer: 'never' });
    expect((await x.api('POST', `/calls/${call.id}/transfer`, { target: '1001', kind: 'attended' }, AGENT_1000)).status).toBe(202);
    const ringing = await until(() => x.sim.channels().find((c) => c.device === 'PJSIP/1001'), 3000, 'target ringing');
    const child = await until(async () => (await x.calls()).find((c) => c.parentId === call.id && c.kind === 'transfer'), 3000, 'child');

    await x.restartDaemon();

    await until(() => !x.sim.channel(ringing.id), 5000, 'target no longer ringing');
    await until(() => x.rows('SELECT end_reason FROM calls WHERE id = ?', child.id)[0]?.end_reason, 5000, 'child row ended');
    expect(x.rows('SELECT end_reason FROM calls WHERE id = ?', child.id)[0].end_reason).toBe('transfer-cancelled');
    expect(x.sim.canHear(call.channels.agent, call.channels.customer)).toBe(true);
    expect(x.sim.isHearingMoh(call.channels.customer)).toBe(false);
    await x.waitAgentState('1001', 'available');
    expect((await x.agent('1000')).state).toBe('on-call');
    expect((await x.calls()).map((c) => c.id)).toEqual([call.id]);
    await hangupAndCheckClean(x, call.id);
  });

  it('(c) during a 3-way conference: the extra leg is ended cleanly, the call goes on', async () => {
    const x = (e = await startE2E());
    const call = await connectedCall(x);
    expect((await x.api('POST', `/calls/${call.id}/conference`, { agent: '1001' }, AGENT_1000)).status).toBe(202);
    const conf = await until(async () => (await x.calls()).find((c) => c.parentId === call.id && c.kind === 'conference' && c.state === 'connected'), 5000, 'joined');
    expect(x.sim.canHear(conf.channels.agent, call.channels.customer)).toBe(true);

    await x.restartDaemon();

    await until(() => !x.sim.channel(conf.channels.agent), 5000, 'added agent device hung up');
    await until(() => x.rows('SELECT end_reason FROM calls WHERE id = ?', conf.id)[0]?.end_reason, 5000, 'conference row ended');
    expect(x.sim.canHear(call.channels.agent, call.channels.customer)).toBe(true);
    // The added agent talked with the customer: its after-call work is due, then it is free.
    await until(async () => ['wrap-up', 'available'].includes((await x.agent('1001')).state), 5000, '1001 freed');
    expect((await x.agent('1000')).state).toBe('on-call');
    // The old conference is gone with the restart: nothing left to cancel.
    expect((await x.api('POST', `/calls/${call.id}/conference/cancel`, {}, AGENT_1000)).status).toBe(409);
    await hangupAndCheckClean(x, call.id);
  });

  it('(d) in a room: the call is still the room call (agent leaves, customer stays), hangup works', async () => {
    const x = (e = await startE2E());
    expect((await x.cli(['room', 'add', '1002'])).code).toBe(0);
    const call = await connectedCall(x);
    const moved = await x.api('POST', `/calls/${call.id}/room`, { extension: '1002' }, AGENT_1000);
    expect(moved.status).toBeLessThan(300);
    const bridgeId = moved.body.bridgeId as string;

    await x.restartDaemon();
    // Past the orphan grace period: the room bridge and its people are not orphans.
    await new Promise((r) => setTimeout(r, 2500));
    expect(x.sim.bridges().map((b) => b.id)).toContain(bridgeId);
    expect(x.sim.canHear(call.channels.agent, call.channels.customer)).toBe(true);
    expect((await x.calls()).map((c) => c.id)).toEqual([call.id]);
    expect((await x.agent('1000')).state).toBe('on-call');
    // Still a room call: hold is refused (it would take the customer out of the room).
    expect((await x.api('POST', `/calls/${call.id}/hold`, {}, AGENT_1000)).status).toBe(409);
    // The agent leaves: the customer stays in the room, the call part ends.
    x.sim.hangupDevice('PJSIP/1000');
    await until(async () => (await x.calls()).length === 0, 5000, 'agent part ended');
    expect(x.sim.channel(call.channels.customer)).toBeTruthy();
    expect(x.rows('SELECT end_reason FROM calls WHERE id = ?', call.id)[0].end_reason).toBe('agent-left-room');
    await x.waitAgentState('1000', 'wrap-up');
  });
});
