/**
 * Issue 13 (queue stalls after a daemon restart under load, on a real Asterisk): the agent device
 * was originated without `originator`, so a Local/ device came up in slin192 and the call bridge
 * resampled 8 kHz <-> 192 kHz both ways for every call. At ~40 calls at once (the backlog a restart
 * leaves) that CPU load held channel locks long enough to stall Asterisk's channel container
 * (gdb: app_queue and ARI lookups waiting behind it): no call reached an agent until Asterisk
 * restarted. The daemon now dials the device on behalf of the channel it connects it to.
 */
import { AGENT_1000, bootEach, until } from './helpers';

jest.setTimeout(30000);

describe('e2e: agent device requested with the call\'s formats', () => {
  const boot = bootEach({});

  it('queue call to a Local/ device: same formats and linkedid as the agent leg, nothing transcoded in the call bridge', async () => {
    const x = await boot();
    expect((await x.api('PATCH', '/catalogue/agents/1000', { device: 'Local/1000@phones' })).status).toBe(200);
    x.sim.setDevice('Local/1000@phones', { answer: 'auto', answerDelayMs: 10 });
    await x.login('1000', ['support']);
    const h = x.sim.placeQueueCall({ queue: 'support', callerNumber: '5550601' });
    const call = await until(async () => (await x.calls()).find((c) => c.state === 'connected'), 5000, 'connected');
    const device = x.sim.channel(call.channels.agent)!;
    const leg = x.sim.channel(call.channels.customer)!;
    expect(device.name).toMatch(/^Local\/1000@phones-/);
    expect(device.formats).toBe(leg.formats);
    expect(device.linkedid).toBe(leg.linkedid);
    expect(x.sim.transcoding(call.bridgeId)).toEqual([]);
    x.sim.customerHangup(h);
    await x.waitAgentState('1000', 'wrap-up');
  });

  it('outbound call: the customer is dialled on behalf of the agent device (same formats)', async () => {
    const x = await boot();
    expect((await x.api('PATCH', '/catalogue/agents/1000', { device: 'Local/1000@phones' })).status).toBe(200);
    x.sim.setDevice('Local/1000@phones', { answer: 'auto', answerDelayMs: 10 });
    await x.login('1000', ['support']);
    const r = await x.api('POST', '/calls/dial', { agent: '1000', number: '11987654321' }, AGENT_1000);
    expect(r.status).toBe(201);
    const call = await until(async () => (await x.calls()).find((c) => c.state === 'connected'), 5000, 'outbound connected');
    const device = x.sim.channel(call.channels.agent)!;
    const customer = x.sim.channel(call.channels.customer)!;
    expect(customer.linkedid).toBe(device.linkedid);
    await x.api('POST', `/calls/${call.id}/hangup`, undefined, AGENT_1000);
  });
});
