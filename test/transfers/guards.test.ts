/**
 * One guard for every action while a transfer, a 3-way conference or a room reshapes a call
 * (src/calls/state-machine.ts ACTIVITY_RULES): refused with a clear 409 and nothing changes;
 * mute/unmute (the agent's microphone only) stay allowed. On the simulator, modules as shipped.
 */
import type { CallRecord } from '../../src/calls/types';
import { until, world, type World } from './sim-harness';

const refusedWith = (re: RegExp) => ({ kind: 'refused', message: expect.stringMatching(re) });

describe('call actions during transfers, conferences and rooms', () => {
  let w: World;
  beforeEach(async () => {
    w = await world();
    w.db.prepare('INSERT INTO rooms (extension, created_at) VALUES (?, 0)').run('1002');
  });
  afterEach(async () => {
    await w.stop();
  });

  /** What must not move when a request is refused. */
  const shape = (c: CallRecord) => ({
    state: c.state,
    bridge: c.bridgeId,
    hold: c.holdBridgeId,
    calls: w.svc.list().length,
    bridges: w.sim.bridges().map((b) => `${b.id}:${[...b.channels].sort().join(',')}`).sort(),
  });

  it('during a transfer consult: hold, unhold, DTMF, conference, room and a second transfer are refused; mute works', async () => {
    const { call } = await w.connectedCall();
    await w.transfers.transfers.start(call.id, { target: '1001' });
    await until(() => w.transfers.transfers.get(call.id)?.state === 'consulting');
    const before = shape(call);
    const consult = /^cannot [\w ]+: call \S+ is in a transfer consult; complete or cancel it first$/;
    await expect(w.svc.actions.hold(call.id)).rejects.toMatchObject(refusedWith(consult));
    await expect(w.svc.actions.unhold(call.id)).rejects.toMatchObject(refusedWith(consult));
    await expect(w.svc.actions.dtmf(call.id, '1')).rejects.toMatchObject(refusedWith(consult));
    await expect(w.conference.conference.add(call.id, '1002')).rejects.toMatchObject(refusedWith(consult));
    await expect(w.conference.rooms.moveCall(call.id, '1002')).rejects.toMatchObject(refusedWith(consult));
    await expect(w.transfers.transfers.start(call.id, { target: '1002' })).rejects.toMatchObject(refusedWith(consult));
    await expect(w.transfers.transfers.start(call.id, { target: '301' })).rejects.toMatchObject(refusedWith(consult));
    // The target's own part has no customer yet: its hold is refused the same way.
    const child = w.transfers.transfers.get(call.id)!.childId;
    await expect(w.svc.actions.hold(child)).rejects.toMatchObject(refusedWith(consult));
    expect(shape(call)).toEqual(before);
    expect(w.sim.isHearingMoh(call.customerChannelId!)).toBe(true);

    await w.svc.actions.mute(call.id, true);
    expect(w.svc.get(call.id)!.muted).toBe(true);
    await w.svc.actions.mute(call.id, false);

    // Cancel ends the activity: hold works again.
    await w.transfers.transfers.cancel(call.id);
    expect(w.svc.activitiesOf(call.id)).toEqual([]);
    await w.svc.actions.hold(call.id);
    expect(w.svc.get(call.id)!.state).toBe('on-hold');
  });

  it('while the transfer target rings: hold and another transfer are refused; a hold placed before the transfer is kept', async () => {
    w.sim.setDevice('PJSIP/1001', { answer: 'never' });
    const { call } = await w.connectedCall();
    await w.svc.actions.hold(call.id);
    await w.transfers.transfers.start(call.id, { target: '1001' });
    expect(w.svc.activitiesOf(call.id)).toEqual(['transfer-ringing']);
    const ringing = /is being transferred \(the target is ringing\); cancel the transfer first/;
    await expect(w.svc.actions.unhold(call.id)).rejects.toMatchObject(refusedWith(ringing));
    await expect(w.transfers.transfers.start(call.id, { target: '1002' })).rejects.toMatchObject(refusedWith(ringing));
    await w.transfers.transfers.cancel(call.id);
    expect(w.svc.get(call.id)!.state).toBe('on-hold'); // the agent's own hold: not undone by the cancel
    await w.svc.actions.unhold(call.id);
    expect(w.sim.canHear(call.agentChannelId!, call.customerChannelId!)).toBe(true);
  });

  it('in a 3-way conference: hold, transfer and room move are refused until the added agent is removed', async () => {
    const { call } = await w.connectedCall();
    await w.conference.conference.add(call.id, '1001');
    await until(() => w.conference.conference.get(call.id)?.state === 'joined');
    const before = shape(call);
    const conf = /is in a 3-way conference; cancel the conference first$/;
    await expect(w.svc.actions.hold(call.id)).rejects.toMatchObject(refusedWith(conf));
    await expect(w.transfers.transfers.start(call.id, { target: '1002' })).rejects.toMatchObject(refusedWith(conf));
    await expect(w.transfers.transfers.start(call.id, { target: '301' })).rejects.toMatchObject(refusedWith(conf));
    await expect(w.conference.rooms.moveCall(call.id, '1002')).rejects.toMatchObject(refusedWith(conf));
    await expect(w.svc.actions.hold(w.conference.conference.get(call.id)!.childId)).rejects.toMatchObject(refusedWith(conf));
    expect(shape(call)).toEqual(before);
    await w.svc.actions.dtmf(call.id, '5'); // the customer is still with us: DTMF is fine
    await w.conference.conference.cancel(call.id);
    await w.svc.actions.hold(call.id);
    expect(w.svc.get(call.id)!.state).toBe('on-hold');
  });

  it('in a room: hold, transfer and conference are refused; mute works; the customer stays in the room', async () => {
    const { call } = await w.connectedCall();
    const r = await w.conference.rooms.moveCall(call.id, '1002');
    const before = shape(call);
    const room = /is in a conference room; not available in a room$/;
    await expect(w.svc.actions.hold(call.id)).rejects.toMatchObject(refusedWith(room));
    await expect(w.transfers.transfers.start(call.id, { target: '1001' })).rejects.toMatchObject(refusedWith(room));
    await expect(w.transfers.transfers.start(call.id, { target: '301' })).rejects.toMatchObject(refusedWith(room));
    await expect(w.conference.conference.add(call.id, '1001')).rejects.toMatchObject(refusedWith(room));
    expect(shape(call)).toEqual(before);
    expect(new Set(w.sim.bridges().find((b) => b.id === r.bridgeId)!.channels)).toEqual(new Set([call.customerChannelId, call.agentChannelId]));
    await w.svc.actions.mute(call.id, true);
    expect(w.svc.get(call.id)!.muted).toBe(true);
  });

  it('two requests at once on one call: the second is refused, not interleaved', async () => {
    const { call } = await w.connectedCall();
    const hold = w.svc.actions.hold(call.id);
    const transfer = w.transfers.transfers.start(call.id, { target: '1001' });
    const room = w.conference.rooms.moveCall(call.id, '1002');
    await expect(transfer).rejects.toMatchObject(refusedWith(/another request \(hold\) is in progress on call/));
    await expect(room).rejects.toMatchObject(refusedWith(/another request \(hold\) is in progress on call/));
    await hold;
    expect(w.svc.get(call.id)!.state).toBe('on-hold');
    expect(w.svc.list()).toHaveLength(1);
  });
});
