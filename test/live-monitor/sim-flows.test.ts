/**
 * Live monitoring flows on the simulator (who hears whom through the snoop channels, as validated
 * on a real Asterisk in test/integration/monitoring.test.ts): start, switch, stop, failures, the
 * call ending, hold, several supervisors, and following the customer across a transfer / a
 * conference hand-over. The call itself must never change because of monitoring.
 */
import type { CallRecord } from '../../src/calls/types';
import { monitorWorld, until, type MonitorWorld } from './sim-harness';

const SUP = { name: 'sup' };

describe('live monitoring on the simulator', () => {
  let w: MonitorWorld;
  afterEach(async () => {
    await w.stop();
  });

  /** Who hears whom: customer (queue caller), agent device, supervisor device. */
  function audio(customer: string, agent: string, sup: string) {
    const h = (a: string, b: string) => w.sim.canHear(a, b);
    return {
      supHearsCustomer: h(sup, customer),
      supHearsAgent: h(sup, agent),
      agentHearsSup: h(agent, sup),
      customerHearsSup: h(customer, sup),
      callIntact: h(customer, agent) && h(agent, customer),
    };
  }

  /** The call's own topology: what monitoring must never change. */
  const shape = (c: CallRecord) => ({
    state: c.state,
    bridge: c.bridgeId,
    channels: [...(w.sim.bridges().find((b) => b.id === c.bridgeId)?.channels ?? [])].sort(),
  });

  it('listen, then whisper, then barge, then stop: who hears whom at each step; the call is never touched', async () => {
    w = await monitorWorld();
    const { h, call } = await w.connectedCall();
    const before = shape(call);
    const s = await w.live.monitors.start(call.id, { mode: 'listen', device: 'PJSIP/2000' }, SUP);
    expect(s).toMatchObject({ state: 'ringing', mode: 'listen', device: 'PJSIP/2000', supervisor: 'sup', callId: call.id });
    await w.session(s.id, 'active');
    const sup = w.deviceChannel('PJSIP/2000')!;
    const agent = call.agentChannelId!;
    expect(w.snoops()).toEqual([expect.objectContaining({ targetId: agent, spy: 'both', whisper: 'none' })]);
    expect(audio(h.channelId, agent, sup)).toEqual({ supHearsCustomer: true, supHearsAgent: true, agentHearsSup: false, customerHearsSup: false, callIntact: true });
    expect(shape(call)).toEqual(before);

    const firstSnoop = w.snoops()[0].id;
    await w.live.monitors.changeMode(call.id, s.id, 'whisper', 'sup');
    expect(w.snoops()).toEqual([expect.objectContaining({ targetId: agent, whisper: 'out' })]);
    expect(w.snoops()[0].id).not.toBe(firstSnoop);
    expect(w.deviceChannel('PJSIP/2000')).toBe(sup); // the supervisor's phone stayed up
    expect(audio(h.channelId, agent, sup)).toEqual({ supHearsCustomer: true, supHearsAgent: true, agentHearsSup: true, customerHearsSup: false, callIntact: true });

    await w.live.monitors.changeMode(call.id, s.id, 'barge', 'sup');
    expect(audio(h.channelId, agent, sup)).toEqual({ supHearsCustomer: true, supHearsAgent: true, agentHearsSup: true, customerHearsSup: true, callIntact: true });
    expect(shape(call)).toEqual(before);

    const stopped = await w.live.monitors.stop(call.id, s.id, 'sup');
    expect(stopped).toMatchObject({ state: 'ended', endReason: 'stopped', endDetail: 'stopped by sup' });
    await until(() => !w.sim.channel(sup) && w.snoops().length === 0);
    expect(w.sim.bridges().filter((b) => b.name.startsWith('monitor-'))).toEqual([]);
    expect(w.svc.get(call.id)!.state).toBe('connected');
    expect(shape(call)).toEqual(before);
    const row = await w.session(s.id, 'ended');
    expect(row.changes.map((c) => [c.mode, c.callId, c.by])).toEqual([
      ['listen', call.id, 'sup'],
      ['whisper', call.id, 'sup'],
      ['barge', call.id, 'sup'],
    ]);
    expect(row.answeredAt).not.toBeNull();
    // Events: started, answered, two mode changes, ended; no agent named at the top level.
    const mine = w.events.filter((e) => e.type.startsWith('monitor.'));
    expect(mine.map((e) => `${e.type}:${String(e.data.change)}`)).toEqual([
      'monitor.started:started',
      'monitor.changed:answered',
      'monitor.changed:mode',
      'monitor.changed:mode',
      'monitor.ended:stopped',
    ]);
    expect(mine.every((e) => e.agent === undefined && e.agents === undefined && e.data.monitoredAgent === '1000')).toBe(true);
    await expect(w.live.monitors.changeMode(call.id, s.id, 'listen', 'sup')).rejects.toMatchObject({ kind: 'refused' });
    w.sim.customerHangup(h);
  });

  it('a mode switched while the device rings applies on answer', async () => {
    w = await monitorWorld();
    w.sim.setDevice('PJSIP/2000', { answer: 'never' });
    const { call } = await w.connectedCall();
    const s = await w.live.monitors.start(call.id, { mode: 'listen', device: 'PJSIP/2000' }, SUP);
    await until(() => w.deviceChannel('PJSIP/2000'));
    await w.live.monitors.changeMode(call.id, s.id, 'whisper', 'sup');
    expect(w.snoops()).toEqual([]);
    w.sim.answerDevice(w.deviceChannel('PJSIP/2000')!);
    await w.session(s.id, 'active');
    expect(w.snoops()).toEqual([expect.objectContaining({ whisper: 'out' })]);
  });

  it('device busy, unavailable or not answering: the session fails, the call is untouched', async () => {
    w = await monitorWorld({ ringTimeoutSec: 5 });
    const { h, call } = await w.connectedCall();
    const before = shape(call);
    w.sim.setDevice('PJSIP/2000', { answer: 'busy' });
    w.sim.setDevice('PJSIP/2001', { answer: 'unavailable' });
    w.sim.setDevice('PJSIP/2002', { answer: 'never' });
    const a = await w.live.monitors.start(call.id, { mode: 'listen', device: 'PJSIP/2000' }, SUP);
    const b = await w.live.monitors.start(call.id, { mode: 'barge', device: 'PJSIP/2001' }, SUP);
    const c = await w.live.monitors.start(call.id, { mode: 'whisper', device: 'PJSIP/2002' }, SUP);
    for (const [s, status] of [[a, 'BUSY'], [b, 'CHANUNAVAIL'], [c, 'NOANSWER']] as const) {
      const row = await w.session(s.id, 'failed');
      expect(row).toMatchObject({ endReason: 'failed', answeredAt: null, endDetail: `${s.device} did not answer (${status})` });
    }
    expect(w.snoops()).toEqual([]);
    expect(shape(call)).toEqual(before);
    expect(w.sim.canHear(h.channelId, call.agentChannelId!)).toBe(true);
    expect(w.svc.get(call.id)!.state).toBe('connected');
  });

  it('the call ends: every monitoring session on it ends (call-ended), supervisors hung up', async () => {
    w = await monitorWorld();
    const { h, call } = await w.connectedCall();
    const a = await w.live.monitors.start(call.id, { mode: 'listen', device: 'PJSIP/2000' }, SUP);
    const b = await w.live.monitors.start(call.id, { mode: 'barge', device: 'PJSIP/2001' }, { name: 'other' });
    await w.session(a.id, 'active');
    await w.session(b.id, 'active');
    // Two supervisors at once: both hear the call; the barging one is heard by the listening one.
    const [s1, s2] = [w.deviceChannel('PJSIP/2000')!, w.deviceChannel('PJSIP/2001')!];
    expect(w.sim.canHear(s1, h.channelId) && w.sim.canHear(s2, h.channelId)).toBe(true);
    expect(w.sim.canHear(h.channelId, s1)).toBe(false);
    expect(w.sim.canHear(h.channelId, s2)).toBe(true);
    w.sim.customerHangup(h);
    for (const s of [a, b]) expect(await w.session(s.id, 'ended')).toMatchObject({ endReason: 'call-ended' });
    await until(() => !w.sim.channel(s1) && !w.sim.channel(s2) && w.snoops().length === 0 && w.sim.bridges().length === 0);
  });

  it('the supervisor hangs up: the session ends, the call goes on', async () => {
    w = await monitorWorld();
    const { h, call } = await w.connectedCall();
    const s = await w.live.monitors.start(call.id, { mode: 'barge', device: 'PJSIP/2000' }, SUP);
    await w.session(s.id, 'active');
    w.sim.hangupDevice('PJSIP/2000');
    expect(await w.session(s.id, 'ended')).toMatchObject({ endReason: 'supervisor-hangup' });
    await until(() => w.snoops().length === 0);
    expect(w.svc.get(call.id)!.state).toBe('connected');
    expect(w.sim.canHear(h.channelId, call.agentChannelId!)).toBe(true);
  });

  it('customer on hold: the supervisor hears what the agent hears (the agent, not the customer or the music), nobody hears the supervisor', async () => {
    w = await monitorWorld();
    const { h, call } = await w.connectedCall();
    const s = await w.live.monitors.start(call.id, { mode: 'barge', device: 'PJSIP/2000' }, SUP);
    await w.session(s.id, 'active');
    const sup = w.deviceChannel('PJSIP/2000')!;
    await w.svc.actions.hold(call.id);
    expect(w.sim.isHearingMoh(h.channelId)).toBe(true);
    expect(w.sim.canHear(sup, call.agentChannelId!)).toBe(true);
    expect(w.sim.canHear(sup, h.channelId)).toBe(false);
    expect(w.sim.canHear(call.agentChannelId!, h.channelId)).toBe(false);
    // Barging into a held call reaches nobody (as on Asterisk 22: the agent alone in the call's
    // bridge is written no audio for the whisper to ride on); the customer hears the music.
    expect(w.sim.canHear(call.agentChannelId!, sup)).toBe(false);
    expect(w.sim.canHear(h.channelId, sup)).toBe(false);
    await w.svc.actions.unhold(call.id);
    expect(w.sim.canHear(sup, h.channelId)).toBe(true);
    expect(w.sim.canHear(h.channelId, sup)).toBe(true);
  });

  it('an attended transfer completes: the session follows the customer to the new agent', async () => {
    w = await monitorWorld();
    const { h, call } = await w.connectedCall();
    const s = await w.live.monitors.start(call.id, { mode: 'whisper', device: 'PJSIP/2000' }, SUP);
    await w.session(s.id, 'active');
    const sup = w.deviceChannel('PJSIP/2000')!;
    await w.transfers.transfers.start(call.id, { target: '1001' });
    await until(() => w.transfers.transfers.get(call.id)?.state === 'consulting');
    const tr = w.transfers.transfers.get(call.id)!;
    // Consulting: the supervisor hears the first agent and the target (what the agent hears), not the held customer.
    expect(w.sim.canHear(sup, tr.targetChannelId!)).toBe(true);
    expect(w.sim.canHear(sup, h.channelId)).toBe(false);
    await w.transfers.transfers.complete(call.id);
    await until(() => w.live.monitors.liveSessions()[0]?.currentCallId === tr.childId);
    const child = w.svc.get(tr.childId)!;
    expect(w.snoops()).toEqual([expect.objectContaining({ targetId: child.agentChannelId, whisper: 'out' })]);
    expect(w.deviceChannel('PJSIP/2000')).toBe(sup);
    expect(w.sim.canHear(sup, h.channelId)).toBe(true);
    expect(w.sim.canHear(child.agentChannelId!, sup)).toBe(true);
    expect(w.sim.canHear(h.channelId, sup)).toBe(false);
    const row = w.live.monitors.list(tr.childId)[0];
    expect(row).toMatchObject({ callId: call.id, currentCallId: tr.childId, state: 'active' });
    expect(row.changes.at(-1)).toMatchObject({ mode: 'whisper', callId: tr.childId, by: 'daemon' });
    expect(w.events.filter((e) => e.type === 'monitor.changed').map((e) => e.data.change)).toContain('followed');
    // The session is reachable under both ids; ending the new part ends it.
    await w.live.monitors.changeMode(call.id, s.id, 'listen', 'sup');
    w.sim.customerHangup(h);
    expect(await w.session(s.id, 'ended')).toMatchObject({ endReason: 'call-ended', currentCallId: tr.childId });
  });

  it('a transfer completing while the supervisor device still rings: the answer connects to the new part', async () => {
    w = await monitorWorld();
    w.sim.setDevice('PJSIP/2000', { answer: 'never' });
    const { h, call } = await w.connectedCall();
    const s = await w.live.monitors.start(call.id, { mode: 'listen', device: 'PJSIP/2000' }, SUP);
    await w.transfers.transfers.start(call.id, { target: '1001' });
    await until(() => w.transfers.transfers.get(call.id)?.state === 'consulting');
    const tr = w.transfers.transfers.get(call.id)!;
    await w.transfers.transfers.complete(call.id);
    await until(() => w.live.monitors.liveSessions()[0]?.currentCallId === tr.childId);
    expect(w.live.monitors.liveSessions()[0].state).toBe('ringing');
    w.sim.answerDevice(w.deviceChannel('PJSIP/2000')!);
    await w.session(s.id, 'active');
    expect(w.snoops()).toEqual([expect.objectContaining({ targetId: w.svc.get(tr.childId)!.agentChannelId })]);
    expect(w.sim.canHear(w.deviceChannel('PJSIP/2000')!, h.channelId)).toBe(true);
  });

  it('a 3-way conference hands over (first agent leaves): the session follows the added agent', async () => {
    w = await monitorWorld();
    const { h, call } = await w.connectedCall();
    const s = await w.live.monitors.start(call.id, { mode: 'listen', device: 'PJSIP/2000' }, SUP);
    await w.session(s.id, 'active');
    const m = await w.conference.conference.add(call.id, '1001');
    await until(() => w.conference.conference.get(call.id)?.state === 'joined');
    const sup = w.deviceChannel('PJSIP/2000')!;
    expect(w.sim.canHear(sup, m.channelId!)).toBe(true); // the 3-way call as the first agent hears it
    w.sim.hangupDevice(call.agentChannelId!);
    await until(() => w.live.monitors.liveSessions()[0]?.currentCallId === m.childId);
    expect(w.sim.canHear(sup, h.channelId)).toBe(true);
    expect(w.sim.canHear(sup, m.channelId!)).toBe(true);
    expect(w.sim.canHear(h.channelId, sup)).toBe(false);
  });

  it('a blind transfer to a service: the customer leaves the daemon, the session ends (call-ended)', async () => {
    w = await monitorWorld();
    const { call } = await w.connectedCall();
    const s = await w.live.monitors.start(call.id, { mode: 'listen', device: 'PJSIP/2000' }, SUP);
    await w.session(s.id, 'active');
    await w.transfers.transfers.start(call.id, { target: '301' });
    expect(await w.session(s.id, 'ended')).toMatchObject({ endReason: 'call-ended' });
    await until(() => !w.deviceChannel('PJSIP/2000'));
  });

  it('a snoop channel that dies on its own is replaced; the session goes on', async () => {
    w = await monitorWorld();
    const { h, call } = await w.connectedCall();
    const s = await w.live.monitors.start(call.id, { mode: 'listen', device: 'PJSIP/2000' }, SUP);
    await w.session(s.id, 'active');
    const old = w.snoops()[0].id;
    w.sim.model.hangup(old, 16);
    // Replaced once the new snoop is in the supervisor's bridge (created, started, then bridged).
    await until(() => w.snoops().length === 1 && w.snoops()[0].id !== old && w.sim.canHear(w.deviceChannel('PJSIP/2000')!, h.channelId));
    expect(w.live.monitors.liveSessions()[0]).toMatchObject({ id: s.id, state: 'active' });
  });

  it('an ARI reconnect keeps live sessions (no orphan sweep of their channels); one whose supervisor hung up meanwhile ends', async () => {
    w = await monitorWorld();
    const { h, call } = await w.connectedCall();
    const a = await w.live.monitors.start(call.id, { mode: 'listen', device: 'PJSIP/2000' }, SUP);
    const b = await w.live.monitors.start(call.id, { mode: 'listen', device: 'PJSIP/2001' }, SUP);
    await w.session(a.id, 'active');
    await w.session(b.id, 'active');
    const sup1 = w.deviceChannel('PJSIP/2000')!;
    const snoops = w.snoops().map((x) => x.id).sort();
    const ari = w.svc.core.deps.ari;
    let reconnected = false;
    ari.onConnected(() => (reconnected = true));
    w.sim.dropAri();
    w.sim.hangupDevice('PJSIP/2001'); // missed: the event socket is down
    await until(() => reconnected, 5000);
    expect(await w.session(b.id, 'ended')).toMatchObject({ endReason: 'supervisor-hangup', endDetail: 'PJSIP/2001 gone while ARI was disconnected' });
    // Past the recovery's orphan grace (2 s): the other session's phone, snoop and bridge are still there.
    await new Promise((r) => setTimeout(r, 2600));
    expect(w.sim.channel(sup1)).toBeDefined();
    expect(w.live.monitors.liveSessions().map((x) => x.id)).toEqual([a.id]);
    await until(() => w.snoops().length === 1);
    expect(snoops).toContain(w.snoops()[0].id);
    expect(w.sim.canHear(sup1, h.channelId)).toBe(true);
    expect(w.svc.get(call.id)!.state).toBe('connected');
  }, 15000);

  it('refuses bad requests with clear errors and changes nothing', async () => {
    w = await monitorWorld();
    const { call } = await w.connectedCall();
    const start = (body: Record<string, unknown>, who: { name: string; agent?: string } = SUP) => w.live.monitors.start(call.id, body as never, who);
    await expect(start({ mode: 'spy', device: 'PJSIP/2000' })).rejects.toMatchObject({ kind: 'invalid', details: { field: 'mode' } });
    await expect(start({ mode: 'listen' })).rejects.toMatchObject({ kind: 'invalid', message: expect.stringContaining('--device') });
    for (const device of ['PJSIP/2000&PJSIP/2001', 'PJSIP/2000,tT', 'PJSIP/${EXTEN}', 'PJSIP/2 000', 'nodevice']) {
      await expect(start({ mode: 'listen', device })).rejects.toMatchObject({ kind: 'invalid', details: { field: 'device' } });
    }
    await expect(start({ mode: 'listen', device: 'PJSIP/1000' })).rejects.toMatchObject({ kind: 'invalid', message: expect.stringContaining("agent's own device") });
    await expect(w.live.monitors.start('20990101-000001', { mode: 'listen', device: 'PJSIP/2000' }, SUP)).rejects.toMatchObject({ kind: 'not_found' });
    expect(w.sim.channels().filter((c) => c.device.startsWith('PJSIP/200'))).toEqual([]);
    expect(w.db.prepare('SELECT COUNT(*) AS n FROM monitor_sessions').get()).toEqual({ n: 0 });

    // A token naming an agent extension rings that agent's catalogue device.
    const s = await start({ mode: 'listen' }, { name: 'boss', agent: '1002' });
    expect(s.device).toBe('PJSIP/1002');
    await expect(start({ mode: 'listen', device: 'pjsip/1002' })).rejects.toMatchObject({ kind: 'refused', message: expect.stringContaining('already in monitoring session') });
    await expect(w.live.monitors.changeMode(call.id, 999, 'listen', 'sup')).rejects.toMatchObject({ kind: 'not_found' });
    await expect(w.live.monitors.stop('20990101-000001', s.id, 'sup')).rejects.toMatchObject({ kind: 'not_found' });
  });
});
