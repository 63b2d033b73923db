import { CcError } from '../../src/util/errors';
import { until, world, type World } from './sim-harness';

describe('transfers on the simulator', () => {
  let w: World;
  beforeEach(async () => {
    w = await world();
  });
  afterEach(async () => {
    await w.stop();
  });

  it('attended to an agent: consult with the customer on MOH, then complete', async () => {
    const { h, call } = await w.connectedCall();
    const leg = call.customerChannelId!;
    const dev1000 = call.agentChannelId!;
    const t = await w.transfers.transfers.start(call.id, { target: '1001' });
    expect(t).toMatchObject({ state: 'ringing', target: { type: 'agent', ext: '1001' } });
    // While the target rings the agent is still with the customer.
    expect(w.sim.canHear(dev1000, leg)).toBe(true);
    await until(() => w.transfers.transfers.get(call.id)?.state === 'consulting');
    const tr = w.transfers.transfers.get(call.id)!;
    const dev1001 = tr.targetChannelId!;
    expect(w.sim.isHearingMoh(leg)).toBe(true);
    expect(w.sim.canHear(dev1001, dev1000)).toBe(true);
    expect(w.sim.canHear(dev1000, dev1001)).toBe(true);
    expect(w.sim.canHear(dev1001, leg)).toBe(false);

    await w.transfers.transfers.complete(call.id);
    expect(tr.state).toBe('completed');
    await until(() => !w.sim.channel(dev1000));
    expect(w.sim.canHear(dev1001, leg)).toBe(true);
    expect(w.sim.canHear(leg, dev1001)).toBe(true);
    expect(w.sim.isHearingMoh(leg)).toBe(false);
    const parent = w.svc.repo.get(call.id)!;
    const child = w.svc.get(tr.childId)!;
    expect(parent.endReason).toBe('transferred');
    expect(child).toMatchObject({ kind: 'transfer', parentId: call.id, rootId: call.rootId, agentExt: '1001', state: 'connected' });
    expect(w.agents.calls).toEqual(
      expect.arrayContaining([`ended 1000 ${call.id} answered=true`, `ringing 1001 ${child.id}`, `connected 1001 ${child.id}`]),
    );
    expect(w.sim.queueCall(h).state).toBe('connected');

    // The new agent hangs up: the customer side ends with the child part.
    w.sim.hangupDevice(dev1001);
    await until(() => w.sim.queueCall(h).state === 'ended');
    await until(() => w.svc.repo.get(child.id)?.endReason === 'agent-hangup');
  });

  it('after a completed transfer, a customer hangup ends the new part and frees its agent', async () => {
    const { h, call } = await w.connectedCall();
    await w.transfers.transfers.start(call.id, { target: '1001' });
    await until(() => w.transfers.transfers.get(call.id)?.state === 'consulting');
    const tr = w.transfers.transfers.get(call.id)!;
    // The first agent hanging up during the consultation completes the transfer.
    w.sim.hangupDevice(call.agentChannelId!);
    await until(() => tr.state === 'completed');
    await until(() => w.sim.canHear(tr.targetChannelId!, call.customerChannelId!));
    w.sim.customerHangup(h);
    await until(() => w.svc.repo.get(tr.childId)?.endReason === 'customer-hangup');
    await until(() => !w.sim.channel(tr.targetChannelId!));
    await until(() => w.agents.calls.includes(`ended 1001 ${tr.childId} answered=true`));
  });

  it('attended cancel: target hung up, customer back with the first agent', async () => {
    const { h, call } = await w.connectedCall();
    await w.transfers.transfers.start(call.id, { target: '1001' });
    await until(() => w.transfers.transfers.get(call.id)?.state === 'consulting');
    const tr = w.transfers.transfers.get(call.id)!;
    await w.transfers.transfers.cancel(call.id);
    await until(() => !w.sim.channel(tr.targetChannelId!));
    const c = w.svc.get(call.id)!;
    expect(c.state).toBe('connected');
    expect(w.sim.canHear(c.agentChannelId!, c.customerChannelId!)).toBe(true);
    expect(w.sim.canHear(c.customerChannelId!, c.agentChannelId!)).toBe(true);
    expect(w.svc.repo.get(tr.childId)!.endReason).toBe('transfer-cancelled');
    w.sim.customerHangup(h);
    await until(() => w.svc.repo.get(call.id)?.endReason === 'customer-hangup');
  });

  it('target paused or in wrap-up: refused with a 409 naming why, nothing is created', async () => {
    const { call } = await w.connectedCall();
    const before = w.sim.channels().length;
    w.agents.add('1001', { state: 'paused', pauseReason: 'Almoço' });
    await expect(w.transfers.transfers.start(call.id, { target: '1001' })).rejects.toMatchObject({
      kind: 'refused',
      message: 'agent 1001 is paused (Almoço)',
      details: { agent: '1001', reason: 'paused', pauseReason: 'Almoço' },
    });
    w.agents.add('1002', { state: 'wrap-up' });
    await expect(w.transfers.transfers.start(call.id, { target: '1002', kind: 'blind' })).rejects.toMatchObject({
      kind: 'refused',
      message: 'agent 1002 is in wrap-up',
      details: { reason: 'wrap-up' },
    });
    expect(w.transfers.transfers.get(call.id)).toBeUndefined();
    expect(w.svc.list()).toHaveLength(1);
    expect(w.sim.channels()).toHaveLength(before);
    expect(w.svc.get(call.id)!.state).toBe('connected');
    // Back from the pause: the same target is rung.
    w.agents.add('1001');
    await w.transfers.transfers.start(call.id, { target: '1001' });
    await until(() => w.transfers.transfers.get(call.id)?.state === 'consulting');
  });

  it('target busy or not answering: clear error, the call goes on untouched', async () => {
    const { call } = await w.connectedCall();
    w.agents.add('1001', { state: 'on-call' });
    await expect(w.transfers.transfers.start(call.id, { target: '1001' })).rejects.toMatchObject({ kind: 'refused', message: 'agent 1001 is busy' });
    w.agents.add('1002', { loggedIn: false, state: 'offline' });
    await expect(w.transfers.transfers.start(call.id, { target: '1002' })).rejects.toMatchObject({ message: 'agent 1002 is offline' });
    await expect(w.transfers.transfers.start(call.id, { target: '9999' })).rejects.toMatchObject({ kind: 'not_found' });
    await expect(w.transfers.transfers.start(call.id, { target: '12' })).rejects.toBeInstanceOf(CcError);
    expect(w.svc.list()).toHaveLength(1); // nothing was created for refused requests

    // The device itself is busy: the originate fails, the transfer fails, the call stays.
    w.agents.add('1001');
    w.sim.setDevice('PJSIP/1001', { answer: 'busy' });
    await w.transfers.transfers.start(call.id, { target: '1001' }).catch(() => undefined);
    await until(() => w.transfers.transfers.get(call.id)?.state === 'failed');
    expect(w.transfers.transfers.get(call.id)!.reason).toMatch(/agent 1001 did not answer/);
    const c = w.svc.get(call.id)!;
    expect(c.state).toBe('connected');
    expect(w.sim.canHear(c.agentChannelId!, c.customerChannelId!)).toBe(true);
    expect(w.sim.isHearingMoh(c.customerChannelId!)).toBe(false);
  });

  it('blind to a service: AMI BlindTransfer of the member ;1, the customer runs the service', async () => {
    const { h, call } = await w.connectedCall();
    const since = w.sim.mark();
    const r = await w.transfers.transfers.start(call.id, { target: '301' });
    expect(r).toMatchObject({ service: '301' });
    const action = await w.sim.waitForAction('BlindTransfer', { since });
    expect(JSON.stringify(action)).toMatch(/;1/);
    expect(w.sim.customerLocation(h)).toEqual({ context: 'cc-services', exten: '301' });
    await until(() => !w.sim.channel(call.agentChannelId!));
    expect(w.svc.repo.get(call.id)!.endReason).toBe('transferred');
    const childId = (r as { childId: string }).childId;
    expect(w.svc.repo.get(childId)).toMatchObject({ parentId: call.id, endReason: 'handed-to-service' });
    expect(w.svc.list()).toHaveLength(0);
    expect(w.sim.queueCall(h).state).not.toBe('connected');
  });
});

describe('transfers on the simulator: external numbers and outbound calls', () => {
  let w: World;
  beforeEach(async () => {
    w = await world();
  });
  afterEach(async () => {
    await w.stop();
  });

  it('blind to an external number: completes by itself when the number answers', async () => {
    const { h, call } = await w.connectedCall();
    // The number answers only when the test says so: 'ringing' is observable whatever the load.
    w.sim.setRemote('11987654321', { answer: 'never' });
    await expect(w.transfers.transfers.start(call.id, { target: '1198765', kind: 'blind' })).rejects.toMatchObject({ kind: 'invalid' });
    const t = await w.transfers.transfers.start(call.id, { target: '(11) 98765-4321', kind: 'blind' });
    expect(t).toMatchObject({ state: 'ringing', target: { type: 'external' } });
    const tr = w.transfers.transfers.get(call.id)!;
    await until(() => tr.targetChannelId !== null && w.sim.channel(tr.targetChannelId) !== undefined);
    w.sim.answerDevice(tr.targetChannelId!);
    await until(() => tr.state === 'completed');
    await until(() => !w.sim.channel(call.agentChannelId!));
    expect(w.sim.canHear(tr.targetChannelId!, call.customerChannelId!)).toBe(true);
    expect(w.sim.canHear(call.customerChannelId!, tr.targetChannelId!)).toBe(true);
    expect(w.svc.get(tr.childId)).toMatchObject({ agentExt: null, state: 'connected', parentId: call.id });
    w.sim.customerHangup(h);
    await until(() => w.svc.repo.get(tr.childId)?.endReason === 'customer-hangup');
  });

  it('service transfer of an outbound call continues the customer channel in the services context', async () => {
    w.sim.setRemote('11987654321', { answer: 'auto', answerDelayMs: 20 });
    const call = await w.svc.dial({ agent: '1000', number: '11987654321' });
    await until(() => w.svc.get(call.id)?.state === 'connected');
    const customer = call.customerChannelId!;
    const since = w.sim.mark();
    await w.transfers.transfers.start(call.id, { target: '302' });
    const action = await w.sim.waitForAction('POST /channels/{id}/continue', { since });
    expect(JSON.stringify(action)).toContain('302');
    expect(w.svc.repo.get(call.id)!.endReason).toBe('transferred');
    expect(w.sim.channel(customer)).toBeDefined(); // not hung up: the service has it
  });
});
