/**
 * Device members ("native" topology, src/sim/queue-native.ts): app_queue rings `PJSIP/<ext>` itself
 * (no Local pair, no Stasis) and bridges an answered call in its own bridge; AMI Redirect takes both
 * parties into Stasis(<app>,takeover) and app_queue reports AgentComplete only when one hangs up.
 * Driven over raw AMI/ARI, no daemon.
 */
import { type Clock, systemClock } from '../../src/util/clock';
import { Simulator } from '../../src/sim';
import { type Frame, RawAmi, RawAri } from './helpers';

let skewMs = 0;
/** Real timers, but a clock the test can move forward (TalkTime/HoldTime in whole seconds). */
const clock: Clock = {
  now: () => systemClock.now() + skewMs,
  setTimeout: (fn, ms) => systemClock.setTimeout(fn, ms),
  clearTimeout: (h) => systemClock.clearTimeout(h),
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('device members (native app_queue topology)', () => {
  let sim: Simulator;
  let ami: RawAmi;
  let ari: RawAri;

  beforeEach(async () => {
    skewMs = 0;
    sim = new Simulator({ clock, queueTimeoutMs: 200, retryMs: 30, amiEventFilter: 'none' });
    sim.addQueue('support');
    sim.addQueue('sales', { strategy: 'ringall' });
    await sim.start();
    ami = await RawAmi.connect(sim.amiPort);
    await ami.login(sim);
    ari = await RawAri.connect(sim);
  });
  afterEach(async () => {
    ari.close();
    ami.close();
    await sim.stop();
  });

  async function addMember(queue: string, ext: string): Promise<void> {
    const id = ami.send('QueueAdd', { Queue: queue, Interface: `PJSIP/${ext}`, MemberName: `Agent ${ext}`, StateInterface: `hint:${ext}@agent-hints` });
    expect((await ami.response(id)).Response).toBe('Success');
  }
  const after = (f: Frame) => ami.frames.indexOf(f);
  const ev = (name: string, pred: (f: Frame) => boolean = () => true) => ami.event(name, pred);
  const all = (name: string, pred: (f: Frame) => boolean = () => true) => ami.frames.filter((f) => f.Event === name && pred(f));
  async function action(name: string, fields: Record<string, string>): Promise<Frame> {
    return ami.response(ami.send(name, fields));
  }

  /** A support call answered by PJSIP/1000: the customer's and the device's ids and names. */
  async function answered(): Promise<{ call: ReturnType<Simulator['placeQueueCall']>; cust: string; custName: string; dev: string; devName: string; connect: Frame }> {
    sim.setDevice('PJSIP/1000', { answer: 'auto', answerDelayMs: 20 });
    await addMember('support', '1000');
    const call = sim.placeQueueCall({ queue: 'support', callerNumber: '5550101', callerName: 'Customer' });
    const connect = await ev('AgentConnect', (f) => f.Linkedid === call.id);
    return { call, cust: call.channelId, custName: connect.Channel, dev: connect.DestUniqueid, devName: connect.DestChannel, connect };
  }

  it('rings the device itself: AgentCalled, QueueCallerLeave, AgentConnect, app_queue bridge; agent hangs up → AgentComplete agent', async () => {
    sim.setDevice('PJSIP/1000', { answer: 'auto', answerDelayMs: 60 });
    await addMember('support', '1000');
    const call = sim.placeQueueCall({ queue: 'support', callerNumber: '5550101', callerName: 'Customer' });
    const called = await ev('AgentCalled');
    expect(called).toMatchObject({
      Channel: expect.stringMatching(/^Local\/support@queues-/),
      Uniqueid: call.channelId,
      Linkedid: call.id,
      CallerIDNum: '5550101',
      CallerIDName: 'Customer',
      DestChannel: expect.stringMatching(/^PJSIP\/1000-[0-9a-f]{8}$/),
      DestLinkedid: call.id,
      DestCallerIDNum: '5550101',
      Queue: 'support',
      Interface: 'PJSIP/1000',
      MemberName: 'Agent 1000',
    });
    const dev = called.DestUniqueid;
    // The device channel's uniqueid is its ARI id; it is in no app.
    const got = await ari.rest('GET', `/channels/${dev}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ name: called.DestChannel, caller: { number: '5550101' }, dialplan: { app_name: 'AppQueue', app_data: '(Outgoing Line)' } });
    expect(sim.deviceState('hint:1000@agent-hints')).toBe('RINGING');

    skewMs += 2000; // two seconds of ringing
    const connect = await ev('AgentConnect');
    const leave = await ev('QueueCallerLeave', (f) => f.Uniqueid === call.channelId);
    expect(after(leave)).toBeLessThan(after(connect));
    expect(connect).toMatchObject({ Uniqueid: call.channelId, Linkedid: call.id, DestChannel: called.DestChannel, DestUniqueid: dev, Interface: 'PJSIP/1000', MemberName: 'Agent 1000', HoldTime: '2', RingTime: '2' });
    expect(sim.queueCall(call).state).toBe('connected');

    // app_queue's own bridge (not ARI): nothing in the app, media both ways.
    const bridge = sim.bridges().find((b) => b.channels.includes(dev))!;
    expect(bridge.bridgeClass).toBe('basic');
    expect([...bridge.channels].sort()).toEqual([call.channelId, dev].sort());
    expect((await ari.rest('GET', `/applications/${sim.app}`)).body).toMatchObject({ channel_ids: [], bridge_ids: [] });
    expect((await ari.rest('GET', `/bridges/${bridge.id}`)).body.bridge_class).toBe('basic');
    expect(sim.canHear(dev, call.channelId)).toBe(true);
    expect(sim.canHear(call.channelId, dev)).toBe(true);
    expect(ari.events.filter((e) => e.type === 'StasisStart')).toHaveLength(0);
    expect(sim.deviceState('PJSIP/1000')).toBe('INUSE');

    skewMs += 3000; // three seconds of talk
    sim.hangupDevice('PJSIP/1000');
    const complete = await ev('AgentComplete');
    expect(complete).toMatchObject({ Uniqueid: call.channelId, Linkedid: call.id, DestChannel: called.DestChannel, DestUniqueid: dev, Interface: 'PJSIP/1000', MemberName: 'Agent 1000', HoldTime: '2', TalkTime: '3', Reason: 'agent' });
    const status = await ev('QueueMemberStatus', (f) => f.CallsTaken === '1');
    expect(after(status)).toBeLessThan(after(complete)); // wrap-up starts when the device goes idle
    const custHangup = await ev('Hangup', (f) => f.Uniqueid === call.channelId);
    expect(after(complete)).toBeLessThan(after(custHangup)); // the caller returns from Queue() and ends
    expect(sim.queueCall(call)).toMatchObject({ state: 'ended', endReason: 'agent' });
    expect(sim.bridges()).toHaveLength(0);
  });

  it('caller hangs up while talking: AgentComplete caller, the device is hung up', async () => {
    const c = await answered();
    skewMs += 4000;
    sim.customerHangup(c.call);
    const complete = await ev('AgentComplete');
    expect(complete).toMatchObject({ Reason: 'caller', TalkTime: '4', DestUniqueid: c.dev });
    await ev('Hangup', (f) => f.Uniqueid === c.dev);
    expect(sim.channel(c.dev)).toBeUndefined();
    await ev('QueueMemberStatus', (f) => f.CallsTaken === '1');
  });

  it('ringall: the first device to answer takes the call, the others are hung up without AgentRingNoAnswer', async () => {
    sim.setDevice('PJSIP/2000', { answer: 'auto', answerDelayMs: 60 });
    sim.setDevice('PJSIP/2001', { answer: 'never' });
    sim.setDevice('PJSIP/2002', { answer: 'never' });
    for (const ext of ['2000', '2001', '2002']) await addMember('sales', ext);
    const call = sim.placeQueueCall({ queue: 'sales', callerNumber: '5550102' });
    await ami.wait(() => all('AgentCalled').length === 3);
    const connect = await ev('AgentConnect');
    expect(connect.Interface).toBe('PJSIP/2000');
    const others = all('AgentCalled', (f) => f.Interface !== 'PJSIP/2000');
    for (const o of others) {
      const h = await ev('Hangup', (f) => f.Uniqueid === o.DestUniqueid);
      expect(h.Cause).toBe('26'); // answered elsewhere
      expect(after(h)).toBeLessThan(after(connect));
    }
    expect(all('AgentRingNoAnswer')).toHaveLength(0);
    expect(sim.queueCall(call).member?.interface).toBe('PJSIP/2000');
    expect(sim.channels().filter((ch) => ch.kind === 'member-device').map((ch) => ch.id)).toEqual([connect.DestUniqueid]);
  });

  it('ring timeout: AgentRingNoAnswer in ms, device hung up, rung again after retry; busy counts as a no-answer', async () => {
    sim.setDevice('PJSIP/1000', { answer: 'never' });
    await addMember('support', '1000');
    sim.placeQueueCall({ queue: 'support', callerNumber: '5550103' });
    const first = await ev('AgentCalled');
    const rna = await ev('AgentRingNoAnswer');
    expect(rna).toMatchObject({ DestUniqueid: first.DestUniqueid, Interface: 'PJSIP/1000' });
    expect(Number(rna.RingTime)).toBeGreaterThanOrEqual(200);
    const hang = await ev('Hangup', (f) => f.Uniqueid === first.DestUniqueid);
    expect(after(rna)).toBeLessThan(after(hang));
    const second = await ev('AgentCalled', (f) => f.DestUniqueid !== first.DestUniqueid);
    expect(second.DestChannel).toMatch(/^PJSIP\/1000-/);

    // Busy: hung up with cause 17 after its delay, AgentRingNoAnswer with the time it rang.
    sim.setDevice('PJSIP/1000', { answer: 'busy', answerDelayMs: 20 });
    const third = await ev('AgentCalled', (f) => ![first.DestUniqueid, second.DestUniqueid].includes(f.DestUniqueid));
    const busy = await ev('Hangup', (f) => f.Uniqueid === third.DestUniqueid);
    expect(busy.Cause).toBe('17');
    await ev('AgentRingNoAnswer', (f) => f.DestUniqueid === third.DestUniqueid);
  });

  it('caller hangs up while the device rings: QueueCallerAbandon, QueueCallerLeave, device hung up', async () => {
    sim.setDevice('PJSIP/1000', { answer: 'never' });
    await addMember('support', '1000');
    const call = sim.placeQueueCall({ queue: 'support', callerNumber: '5550104' });
    const called = await ev('AgentCalled');
    sim.customerHangup(call);
    const abandon = await ev('QueueCallerAbandon');
    const leave = await ev('QueueCallerLeave');
    expect(after(abandon)).toBeLessThan(after(leave));
    await ev('Hangup', (f) => f.Uniqueid === called.DestUniqueid);
    expect(all('AgentRingNoAnswer')).toHaveLength(0);
    expect(sim.queueCall(call).endReason).toBe('abandon');
  });

  it('Dual Redirect into cc-takeover: both in Stasis(takeover), no AgentComplete until a hangup (whole talk time)', async () => {
    const c = await answered();
    skewMs += 2000;
    const r = await action('Redirect', { Channel: c.custName, ExtraChannel: c.devName, Context: 'cc-takeover', Exten: 's', Priority: '1' });
    expect(r).toMatchObject({ Response: 'Success', Message: 'Dual Redirect successful' });
    const sc = await ari.event('StasisStart', (e) => e.channel.id === c.cust);
    const sd = await ari.event('StasisStart', (e) => e.channel.id === c.dev);
    expect(sc.args).toEqual(['takeover']);
    expect(sd.args).toEqual(['takeover']);
    expect(sd.channel.name).toBe(c.devName);
    // Neither hung up, app_queue's bridge is gone, its dialplan after Queue() did not run.
    expect(sim.channel(c.cust)).toBeDefined();
    expect(sim.channel(c.dev)).toBeDefined();
    expect(sim.bridges()).toHaveLength(0);
    await sleep(50);
    expect(all('AgentComplete')).toHaveLength(0);
    expect(all('UserEvent')).toHaveLength(0);
    expect(sim.queueCall(c.call).state).toBe('connected');
    expect(sim.customerLocation(c.call)).toEqual({ context: 'cc-takeover', exten: 's' });

    // The app bridges them itself (both are in Stasis now).
    expect((await ari.rest('POST', '/bridges', { bridgeId: 'takeover-1', type: 'mixing' })).status).toBe(200);
    expect((await ari.rest('POST', '/bridges/takeover-1/addChannel', { channel: `${c.cust},${c.dev}` })).status).toBe(204);
    expect(sim.canHear(c.cust, c.dev)).toBe(true);
    // ringinuse=no: the device is still in use, a second caller is not offered to 1000.
    const second = sim.placeQueueCall({ queue: 'support', callerNumber: '5550199' });
    await sleep(150);
    expect(all('AgentCalled', (f) => f.Linkedid === second.id)).toHaveLength(0);

    skewMs += 3000;
    expect((await ari.rest('DELETE', `/channels/${c.cust}`)).status).toBe(204);
    const complete = await ev('AgentComplete');
    expect(complete).toMatchObject({ Reason: 'caller', Uniqueid: c.cust, DestUniqueid: c.dev, HoldTime: '0', TalkTime: '5' });
    expect(sim.channel(c.dev)).toBeDefined(); // app_queue hangs up neither: the app owns the device now
    expect((await ari.rest('DELETE', `/channels/${c.dev}`)).status).toBe(204);
    await ev('QueueMemberStatus', (f) => f.CallsTaken === '1');
    await ev('AgentCalled', (f) => f.Linkedid === second.id); // 1000 is free again
    expect(all('AgentComplete', (f) => f.Uniqueid === c.cust)).toHaveLength(1);
    expect(all('UserEvent')).toHaveLength(0);
  });

  it('Redirect of the device only (by uniqueid): the caller left alone returns from Queue() and ends (AgentComplete caller), the device lives on in Stasis', async () => {
    const c = await answered();
    const r = await action('Redirect', { Channel: c.dev, Context: 'cc-takeover', Exten: 's', Priority: '1' });
    expect(r).toMatchObject({ Response: 'Success', Message: 'Redirect successful' });
    await ari.event('StasisStart', (e) => e.channel.id === c.dev);
    // The caller left alone in app_queue's bridge returns from Queue() and ends: AgentComplete caller.
    const complete = await ev('AgentComplete');
    expect(complete).toMatchObject({ Reason: 'caller', DestUniqueid: c.dev });
    expect(sim.channel(c.cust)).toBeUndefined();
    expect(sim.channel(c.dev)).toBeDefined();
    // [cc-takeover] goes on with Hangup() when the app lets the channel continue.
    expect((await ari.rest('POST', `/channels/${c.dev}/continue`)).status).toBe(204);
    await ev('Hangup', (f) => f.Uniqueid === c.dev);
  });

  it('Redirect of the caller only: the device left in app_queue bridge is hung up unnoticed; AgentComplete caller (no Dest*) when the caller hangs up', async () => {
    const c = await answered();
    skewMs += 2000;
    const r = await action('Redirect', { Channel: c.custName, Context: 'cc-takeover', Exten: 's', Priority: '1' });
    expect(r.Response).toBe('Success');
    await ari.event('StasisStart', (e) => e.channel.id === c.cust);
    const hang = await ev('Hangup', (f) => f.Uniqueid === c.dev);
    expect(sim.channel(c.cust)?.stasisApp).toBe(sim.app);
    await ev('QueueMemberStatus', (f) => f.CallsTaken === '1' && after(f) > after(hang));
    await sleep(50);
    expect(all('AgentComplete')).toHaveLength(0); // put out of the bridge without a hangup request
    skewMs += 1000;
    expect((await ari.rest('DELETE', `/channels/${c.cust}`)).status).toBe(204);
    const complete = await ev('AgentComplete');
    expect(complete).toMatchObject({ Reason: 'caller', Uniqueid: c.cust, Linkedid: c.call.id, Interface: 'PJSIP/1000', TalkTime: '3' });
    expect(complete.DestChannel).toBeUndefined(); // the device's snapshot is gone (22.10.1 capture)
  });

  it('a trunk call the app sends on to cc-queues rings the device member the same way', async () => {
    await addMember('support', '1000');
    const t = sim.placeTrunkCall({ queue: 'support', callerNumber: '5550110' });
    const start = await ari.event('StasisStart', (e) => e.channel.id === t.channelId);
    expect(start.args).toEqual(['inbound', 'queue', 'support', 'cc-queues', t.id]);
    expect((await ari.rest('POST', `/channels/${t.channelId}/continue`, { context: 'cc-queues', extension: 'support', priority: '1' })).status).toBe(204);
    const connect = await ev('AgentConnect');
    expect(connect).toMatchObject({ Uniqueid: t.channelId, Linkedid: t.id, Interface: 'PJSIP/1000', DestLinkedid: t.id });
    sim.hangupDevice(t.channelId);
    expect((await ev('AgentComplete')).Reason).toBe('caller');
    await ev('Hangup', (f) => f.Uniqueid === connect.DestUniqueid);
  });

  it('Redirect of a caller still waiting: it leaves the queue (abandon, leave), the ringing device is hung up, the caller enters Stasis', async () => {
    sim.setDevice('PJSIP/1000', { answer: 'never' });
    await addMember('support', '1000');
    const call = sim.placeQueueCall({ queue: 'support', callerNumber: '5550111' });
    const called = await ev('AgentCalled');
    expect((await action('Redirect', { Channel: called.Channel, Context: 'cc-takeover', Exten: 's', Priority: '1' })).Response).toBe('Success');
    const abandon = await ev('QueueCallerAbandon');
    expect(after(abandon)).toBeLessThan(after(await ev('QueueCallerLeave')));
    await ev('Hangup', (f) => f.Uniqueid === called.DestUniqueid);
    expect((await ari.event('StasisStart', (e) => e.channel.id === call.channelId)).args).toEqual(['takeover']);
    expect(sim.queueCall(call)).toMatchObject({ state: 'ended', endReason: 'redirect' });
    expect(sim.isHearingMoh(call.channelId)).toBe(false);
    expect(all('AgentRingNoAnswer')).toHaveLength(0);
  });

  it('Redirect errors: unknown channel, unknown extra channel, missing fields', async () => {
    const c = await answered();
    expect(await action('Redirect', { Channel: 'PJSIP/nobody-00000000', Context: 'cc-takeover', Exten: 's', Priority: '1' })).toMatchObject({
      Response: 'Error',
      Message: 'Channel does not exist: PJSIP/nobody-00000000',
    });
    expect(await action('Redirect', { Channel: c.custName, ExtraChannel: 'PJSIP/gone-00000001', Context: 'cc-takeover', Exten: 's', Priority: '1' })).toMatchObject({
      Response: 'Error',
      Message: 'ExtraChannel does not exist: PJSIP/gone-00000001',
    });
    expect((await action('Redirect', { Channel: c.custName, Exten: 's', Priority: '1' })).Message).toBe('Context not specified');
    expect((await action('Redirect', { Context: 'cc-takeover', Exten: 's', Priority: '1' })).Message).toBe('Channel not specified');
    // Nothing changed.
    expect(sim.queueCall(c.call).state).toBe('connected');
    expect(sim.bridges()[0].channels).toHaveLength(2);
  });

  it('ARI on channels not in Stasis: GET, snoop and DELETE work; control requests are refused', async () => {
    const c = await answered();
    expect((await ari.rest('GET', `/channels/${c.dev}`)).status).toBe(200);
    const snoop = await ari.rest('POST', `/channels/${c.dev}/snoop`, { spy: 'both', whisper: 'none', app: sim.app, appArgs: 'recording,1', snoopId: 'ccrec-1' });
    expect(snoop.status).toBe(200);
    await ari.event('StasisStart', (e) => e.channel.id === 'ccrec-1');
    // A supervisor bridged with the snoop hears both parties of app_queue's bridge.
    await ari.rest('POST', '/channels', { endpoint: 'PJSIP/9000', app: sim.app, channelId: 'sup-1' });
    await ari.event('StasisStart', (e) => e.channel.id === 'sup-1');
    await ari.rest('POST', '/bridges', { bridgeId: 'mon-1' });
    expect((await ari.rest('POST', '/bridges/mon-1/addChannel', { channel: 'ccrec-1,sup-1' })).status).toBe(204);
    expect(sim.canHear('sup-1', c.cust)).toBe(true);
    expect(sim.canHear('sup-1', c.dev)).toBe(true);
    // Asterisk's find_control(): 409 "Channel not in Stasis application" (res/ari/resource_channels.c).
    for (const [m, p, params] of [
      ['POST', 'answer', {}],
      ['POST', 'hold', {}],
      ['POST', 'moh', {}],
      ['POST', 'mute', { direction: 'both' }],
      ['POST', 'dtmf', { dtmf: '1' }],
      ['POST', 'ring', {}],
      ['POST', 'continue', { context: 'cc-services', extension: '300' }],
    ] as const) {
      for (const id of [c.dev, c.cust]) {
        const res = await ari.rest(m, `/channels/${id}/${p}`, params);
        expect({ p, status: res.status, message: res.body?.message }).toEqual({ p, status: 409, message: 'Channel not in Stasis application' });
      }
    }
    await ari.rest('POST', '/bridges', { bridgeId: 'b-1' });
    expect(await ari.rest('POST', '/bridges/b-1/addChannel', { channel: c.dev })).toEqual({ status: 422, body: { message: 'Channel not in Stasis application' } });
    expect(sim.queueCall(c.call).state).toBe('connected');
    expect(all('AgentComplete')).toHaveLength(0);

    expect((await ari.rest('DELETE', `/channels/${c.dev}`)).status).toBe(204);
    expect((await ev('AgentComplete')).Reason).toBe('agent');
    await ari.event('StasisEnd', (e) => e.channel.id === 'ccrec-1');
    await ev('Hangup', (f) => f.Uniqueid === c.cust);
    expect((await ari.rest('GET', `/channels/${c.dev}`)).status).toBe(404);
  });

  it('ringinuse=no: a device in use is not offered a second call; a static (queues.conf `member =`) device member', async () => {
    sim.addQueue('static', { members: [{ interface: 'PJSIP/3000', memberName: 'Static 3000', stateInterface: 'hint:3000@agent-hints' }] });
    sim.setDevice('PJSIP/3000', { answer: 'auto' });
    const a = sim.placeQueueCall({ queue: 'static', callerNumber: '5550105' });
    const first = await ev('AgentConnect', (f) => f.Linkedid === a.id);
    expect(first).toMatchObject({ Interface: 'PJSIP/3000', MemberName: 'Static 3000', DestChannel: expect.stringMatching(/^PJSIP\/3000-/) });
    const b = sim.placeQueueCall({ queue: 'static', callerNumber: '5550106' });
    await sleep(150);
    expect(all('AgentCalled', (f) => f.Linkedid === b.id)).toHaveLength(0);
    // Busy on a call of its own (not a queue call): not offered either.
    sim.customerHangup(a);
    await ev('AgentConnect', (f) => f.Linkedid === b.id);
    sim.customerHangup(b);
    await ev('Hangup', (f) => f.Uniqueid === b.channelId);
    const own = await ari.rest('POST', '/channels', { endpoint: 'PJSIP/3000', app: sim.app, channelId: 'own-1' });
    expect(own.status).toBe(200);
    await ari.event('StasisStart', (e) => e.channel.id === 'own-1');
    const d = sim.placeQueueCall({ queue: 'static', callerNumber: '5550107' });
    await sleep(150);
    expect(all('AgentCalled', (f) => f.Linkedid === d.id)).toHaveLength(0);
    await ari.rest('DELETE', '/channels/own-1');
    await ev('AgentConnect', (f) => f.Linkedid === d.id);
  });
});
