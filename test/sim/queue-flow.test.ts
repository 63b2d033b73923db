import { Simulator } from '../../src/sim';
import { RawAmi, RawAri } from './helpers';

/** Plays the daemon's part by hand over raw AMI/ARI. */
async function setup(opts: ConstructorParameters<typeof Simulator>[0] = {}) {
  // Wire-level checks read Asterisk's whole event stream (a manager user without eventfilter lines).
  const sim = new Simulator({ queueTimeoutMs: 150, retryMs: 30, amiEventFilter: 'none', ...opts });
  sim.addQueue('support');
  await sim.start();
  const ami = await RawAmi.connect(sim.amiPort);
  await ami.login(sim);
  return { sim, ami };
}

async function addAgent(ami: RawAmi, ext: string, paused = false) {
  const id = ami.send('QueueAdd', {
    Queue: 'support',
    Interface: `Local/${ext}@cc-agent/n`,
    MemberName: `Agent ${ext}`,
    StateInterface: `hint:${ext}@agent-hints`,
    Penalty: '0',
    Paused: String(paused),
  });
  expect((await ami.response(id)).Response).toBe('Success');
}

describe('queue call flows', () => {
  let sim: Simulator;
  let ami: RawAmi;
  let ari: RawAri | undefined;
  afterEach(async () => {
    ari?.close();
    ari = undefined;
    ami.close();
    await sim.stop();
  });

  it('answered call: leg in Stasis with args, device originated, AgentConnect on leg answer, caller hangup ends it', async () => {
    ({ sim, ami } = await setup({ queueTimeoutMs: 5000 }));
    ari = await RawAri.connect(sim);
    await addAgent(ami, '1000');
    const call = sim.placeQueueCall({ queue: 'support', callerNumber: '5550101', callerName: 'Customer c1' });
    const start = await ari.event('StasisStart', (e) => e.args[0] === 'agent-leg');
    expect(start.args).toEqual(['agent-leg', '1000', call.id]);
    expect(start.channel.dialplan.app_data).toBe(`callcenter,agent-leg,1000,${call.id}`);
    const called = await ami.event('AgentCalled');
    expect(called.Linkedid).toBe(call.id);
    const leg = start.channel.id as string;

    const orig = await ari.rest('POST', '/channels', { endpoint: 'PJSIP/1000', app: 'callcenter', appArgs: `agent-phone,${leg}`, channelId: 'ph-1' });
    expect(orig.status).toBe(200);
    expect(orig.body.id).toBe('ph-1');
    await ari.event('StasisStart', (e) => e.channel.id === 'ph-1');
    expect((await ari.rest('POST', `/channels/${leg}/answer`)).status).toBe(204);
    const connect = await ami.event('AgentConnect');
    expect(connect.MemberName).toBe('Agent 1000');
    expect(sim.queueCall(call).state).toBe('connected');
    await ami.event('QueueCallerLeave');

    expect((await ari.rest('POST', '/bridges', { bridgeId: 'br-1', type: 'mixing', name: 'agent-1000' })).status).toBe(200);
    expect((await ari.rest('POST', '/bridges/br-1/addChannel', { channel: `${leg},ph-1` })).status).toBe(204);
    expect(sim.canHear('ph-1', call.channelId)).toBe(true);
    expect(sim.canHear(call.channelId, 'ph-1')).toBe(true);

    // Hold the private way: leg into a holding bridge with MOH.
    await ari.rest('POST', '/bridges', { bridgeId: 'hold-1', type: 'holding' });
    await ari.rest('POST', '/bridges/hold-1/addChannel', { channel: leg });
    await ari.rest('POST', '/bridges/hold-1/moh', { mohClass: 'default' });
    expect(sim.canHear('ph-1', call.channelId)).toBe(false);
    expect(sim.isHearingMoh(leg)).toBe(true);
    await ari.rest('POST', '/bridges/br-1/addChannel', { channel: leg });
    // Channel MOH alone is not private: the agent still hears the customer.
    await ari.rest('POST', `/channels/${leg}/moh`);
    expect(sim.canHear('ph-1', call.channelId)).toBe(true);
    expect(sim.canHear(call.channelId, 'ph-1')).toBe(false);
    await ari.rest('POST', `/channels/${leg}/mute`, { direction: 'in' });
    expect(sim.canHear('ph-1', call.channelId)).toBe(false);

    sim.customerHangup(call);
    const complete = await ami.event('AgentComplete');
    expect(complete.Reason).toBe('caller');
    await ari.event('StasisEnd', (e) => e.channel.id === leg);
    // The leg entered Stasis from the dialplan: no ChannelDestroyed reaches the app.
    expect(ari.events.some((e) => e.type === 'ChannelDestroyed' && e.channel.id === leg)).toBe(false);
    expect(sim.queueCall(call).state).toBe('ended');
    // The device is the daemon's to hang up; then the member is credited.
    await ari.rest('DELETE', '/channels/ph-1');
    await ari.event('ChannelDestroyed', (e) => e.channel.id === 'ph-1');
    const st = await ami.event('QueueMemberStatus', (f) => f.CallsTaken === '1');
    expect(st.InCall).toBe('0');
  });

  it('agent hangup: QueueMemberStatus CallsTaken+1 comes before AgentComplete Reason agent', async () => {
    ({ sim, ami } = await setup({ queueTimeoutMs: 5000 }));
    ari = await RawAri.connect(sim);
    await addAgent(ami, '1000');
    const call = sim.placeQueueCall({ queue: 'support', callerNumber: '5550101' });
    const leg = (await ari.event('StasisStart')).channel.id;
    await ari.rest('POST', '/channels', { endpoint: 'PJSIP/1000', app: 'callcenter', channelId: 'ph-1' });
    await ari.event('StasisStart', (e) => e.channel.id === 'ph-1');
    await ari.rest('POST', `/channels/${leg}/answer`);
    sim.hangupDevice('PJSIP/1000');
    await ami.event('QueueMemberStatus', (f) => f.CallsTaken === '1');
    await ari.rest('DELETE', `/channels/${leg}`);
    const complete = await ami.event('AgentComplete');
    expect(complete.Reason).toBe('agent');
    const iStatus = ami.frames.findIndex((f) => f.Event === 'QueueMemberStatus' && f.CallsTaken === '1');
    expect(iStatus).toBeLessThan(ami.frames.indexOf(complete));
    expect(sim.queueCall(call).endReason).toBe('agent');
  });

  it('ring-no-answer: RingTime in ms, leg gets StasisEnd only, next member is offered', async () => {
    ({ sim, ami } = await setup());
    ari = await RawAri.connect(sim);
    await addAgent(ami, '1000');
    await addAgent(ami, '1001');
    sim.placeQueueCall({ queue: 'support', callerNumber: '5550101' });
    const first = await ari.event('StasisStart');
    const rna = await ami.event('AgentRingNoAnswer');
    expect(Number(rna.RingTime)).toBeGreaterThanOrEqual(140);
    await ari.event('StasisEnd', (e) => e.channel.id === first.channel.id);
    const second = await ari.event('StasisStart', (e) => e.channel.id !== first.channel.id);
    expect(second.args[1]).not.toBe(first.args[1]);
    expect(ari.events.some((e) => e.type === 'ChannelDestroyed')).toBe(false);
  });

  it('app not registered: Stasis fails, AgentRingNoAnswer RingTime=0, retried after retry', async () => {
    ({ sim, ami } = await setup());
    await addAgent(ami, '1000');
    sim.placeQueueCall({ queue: 'support', callerNumber: '5550101' });
    const rna = await ami.event('AgentRingNoAnswer');
    expect(rna.RingTime).toBe('0');
    await ami.wait(() => ami.frames.filter((f) => f.Event === 'AgentCalled').length >= 2);
    // The daemon comes back: the next retry reaches it.
    ari = await RawAri.connect(sim);
    const start = await ari.event('StasisStart');
    expect(start.args[0]).toBe('agent-leg');
  });

  it('paused members and busy state interfaces are not offered', async () => {
    ({ sim, ami } = await setup());
    ari = await RawAri.connect(sim);
    await addAgent(ami, '1000', true);
    await addAgent(ami, '1001');
    const sv = ami.send('Setvar', { Variable: 'DEVICE_STATE(Custom:agent-1001)', Value: 'INUSE' });
    expect((await ami.response(sv)).Message).toBe('Variable Set');
    await ami.event('QueueMemberStatus', (f) => f.Interface === 'Local/1001@cc-agent/n' && f.Status === '2');
    const call = sim.placeQueueCall({ queue: 'support', callerNumber: '5550101' });
    await new Promise((r) => setTimeout(r, 80));
    expect(ari.events.filter((e) => e.type === 'StasisStart')).toHaveLength(0);
    const p = ami.send('QueuePause', { Queue: 'support', Interface: 'Local/1000@cc-agent/n', Paused: 'false' });
    expect((await ami.response(p)).Message).toBe('Interface unpaused successfully');
    const start = await ari.event('StasisStart');
    expect(start.args[1]).toBe('1000');
    sim.customerHangup(call);
    await ami.event('QueueCallerAbandon');
  });

  it('blind transfer of the member ;1: AgentComplete transfer, leg ends, customer runs the service', async () => {
    ({ sim, ami } = await setup({ queueTimeoutMs: 5000 }));
    ari = await RawAri.connect(sim);
    await addAgent(ami, '1000');
    const call = sim.placeQueueCall({ queue: 'support', callerNumber: '5550101' });
    const start = await ari.event('StasisStart');
    await ari.rest('POST', `/channels/${start.channel.id}/answer`);
    const connect = await ami.event('AgentConnect');
    const id = ami.send('BlindTransfer', { Channel: connect.DestChannel, Context: 'services', Exten: '301' });
    expect((await ami.response(id)).Message).toBe('Transfer succeeded');
    expect((await ami.event('AgentComplete')).Reason).toBe('transfer');
    await ari.event('StasisEnd', (e) => e.channel.id === start.channel.id);
    expect(sim.customerLocation(call)).toEqual({ context: 'services', exten: '301' });
    expect(sim.channel(call.channelId)).toBeDefined();
  });
});
