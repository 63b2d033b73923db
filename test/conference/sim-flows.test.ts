import { until, world, type World } from '../transfers/sim-harness';

describe('conference, rooms and survey on the simulator', () => {
  let w: World;
  afterEach(async () => {
    await w.stop();
  });

  it('adds an agent as a 3-way call: everybody hears everybody', async () => {
    w = await world();
    const { h, call } = await w.connectedCall();
    const m = await w.conference.conference.add(call.id, '1001');
    expect(m.state).toBe('ringing');
    await until(() => w.conference.conference.get(call.id)?.state === 'joined');
    const leg = call.customerChannelId!;
    const a = call.agentChannelId!;
    const b = m.channelId!;
    for (const [x, y] of [[leg, a], [leg, b], [a, b]]) {
      expect(w.sim.canHear(x, y)).toBe(true);
      expect(w.sim.canHear(y, x)).toBe(true);
    }
    const child = w.svc.get(m.childId)!;
    expect(child).toMatchObject({ kind: 'conference', parentId: call.id, agentExt: '1001', state: 'connected' });

    // The first agent leaves: the customer goes on with the added agent.
    w.sim.hangupDevice(a);
    await until(() => w.svc.repo.get(call.id)?.endReason === 'agent-hangup');
    expect(w.sim.queueCall(h).state).toBe('connected');
    expect(w.sim.canHear(leg, b)).toBe(true);
    expect(w.svc.get(m.childId)!.customerChannelId).toBe(leg);
    w.sim.customerHangup(h);
    await until(() => w.svc.repo.get(m.childId)?.endReason === 'customer-hangup');
    await until(() => !w.sim.channel(b));
  });

  it('cancel while the added agent rings: the call stays as it was', async () => {
    w = await world();
    w.sim.setDevice('PJSIP/1001', { answer: 'never' });
    const { call } = await w.connectedCall();
    const m = await w.conference.conference.add(call.id, '1001');
    await until(() => m.channelId && w.sim.channel(m.channelId));
    await w.conference.conference.cancel(call.id);
    await until(() => !w.sim.channel(m.channelId!));
    expect(m.state).toBe('cancelled');
    expect(w.svc.repo.get(m.childId)!.endReason).toBe('conference-cancelled');
    expect(w.sim.canHear(call.agentChannelId!, call.customerChannelId!)).toBe(true);
    await expect(w.conference.conference.add(call.id, '1000')).rejects.toMatchObject({ kind: 'invalid' });
  });

  it('adding a paused or wrap-up agent is refused with a 409 naming why; the call stays as it was', async () => {
    w = await world();
    const { call } = await w.connectedCall();
    w.agents.add('1001', { state: 'paused', pauseReason: 'Treinamento' });
    await expect(w.conference.conference.add(call.id, '1001')).rejects.toMatchObject({
      kind: 'refused',
      message: 'agent 1001 is paused (Treinamento)',
    });
    w.agents.add('1002', { state: 'wrap-up' });
    await expect(w.conference.conference.add(call.id, '1002')).rejects.toMatchObject({ kind: 'refused', message: 'agent 1002 is in wrap-up' });
    expect(w.conference.conference.get(call.id)).toBeUndefined();
    expect(w.svc.list()).toHaveLength(1);
    expect(w.svc.get(call.id)!.state).toBe('connected');
  });

  it('room: refused while not configured, then the call moves into *1000', async () => {
    w = await world();
    const { h, call } = await w.connectedCall();
    const oldBridge = call.bridgeId;
    await expect(w.conference.rooms.moveCall(call.id, '1001')).rejects.toMatchObject({
      kind: 'not_found',
      message: expect.stringMatching(/room \*1001 is not configured/),
    });
    expect(w.svc.get(call.id)!.bridgeId).toBe(oldBridge);
    expect(w.sim.bridges().some((b) => b.name === '*1001')).toBe(false);

    w.db.prepare('INSERT INTO rooms (extension, created_at) VALUES (?, 0)').run('1001');
    const r = await w.conference.rooms.moveCall(call.id, '*1001');
    const room = w.sim.bridges().find((b) => b.id === r.bridgeId)!;
    expect(room.name).toBe('*1001');
    expect(room.type).toBe('mixing');
    expect(new Set(room.channels)).toEqual(new Set([call.customerChannelId, call.agentChannelId]));
    expect(w.sim.canHear(call.customerChannelId!, call.agentChannelId!)).toBe(true);
    expect(w.sim.bridges().some((b) => b.id === oldBridge)).toBe(false);

    // The agent leaves the room; the customer stays in it.
    w.sim.hangupDevice(call.agentChannelId!);
    await until(() => w.svc.repo.get(call.id)?.endReason === 'agent-left-room');
    expect(w.sim.queueCall(h).state).toBe('connected');
    expect(w.sim.bridges().find((b) => b.id === r.bridgeId)?.channels).toEqual([call.customerChannelId]);
    w.sim.customerHangup(h);
    await until(() => !w.sim.bridges().some((b) => b.id === r.bridgeId));
  });

  it('survey: when the agent hangs up, the customer goes to the queue survey extension', async () => {
    w = await world({ survey: '900' });
    const { h, call } = await w.connectedCall();
    w.sim.hangupDevice(call.agentChannelId!);
    await until(() => w.sim.customerLocation(h).context === 'cc-survey');
    expect(w.sim.customerLocation(h)).toEqual({ context: 'cc-survey', exten: '900' });
    expect(w.sim.queueCall(h).state).toBe('connected'); // not hung up
    await until(() => w.svc.repo.get(call.id)?.endReason === 'agent-hangup');
    expect(w.svc.repo.events(call.id).map((e: { type: string }) => e.type)).toContain('survey');
    w.sim.customerHangup(h);
  });
});
