import { flush } from './fake-ari';
import { connectedQueueCall, makeHarness, startQueueCall, type Harness } from './harness';
import { CcError } from '../../src/util/errors';


async function rejects(p: Promise<unknown>): Promise<CcError> {
  try {
    await p;
  } catch (e) {
    return e as CcError;
  }
  throw new Error('expected rejection');
}

describe('inbound queue calls', () => {
  let h: Harness;
  beforeEach(() => {
    h = makeHarness();
    h.agents.add('1000');
    h.svc.start();
  });
  afterEach(() => h.svc.stop());

  it('a failed write while creating a call leaves neither a row nor a live call', () => {
    h.agents.callRinging = () => {
      throw new Error('disk full'); // stands for a failed COMMIT: the whole creation rolls back
    };
    expect(() =>
      h.svc.core.create({ kind: 'inbound', direction: 'inbound', state: 'ringing-agent', agentExt: '1000', customerChannelId: 'leg-x' }),
    ).toThrow('disk full');
    expect(h.svc.list()).toEqual([]);
    expect(h.svc.core.callOfChannel('leg-x')).toBeUndefined();
    expect(h.db.prepare('SELECT COUNT(*) FROM calls').pluck().get()).toBe(0);
  });

  it('leg before its AgentCalled: the queue is filled in by linkedid, once; stale hints expire', async () => {
    h.ari.enterStasis(['agent-leg', '1000', 'lk-late'], { number: '5550199' });
    await flush();
    const call = h.svc.list()[0];
    expect(call.queue).toBeNull();
    h.svc.inbound.onAgentCalled({ Event: 'AgentCalled', Linkedid: 'lk-other', Queue: 'vendas', Channel: 'c1' });
    expect(call.queue).toBeNull();
    h.svc.inbound.onAgentCalled({ Event: 'AgentCalled', Linkedid: 'lk-late', Queue: 'support', Channel: 'c2' });
    expect(call.queue).toBe('support');
    expect(h.svc.repo.get(call.id)?.queue).toBe('support');
    // A hint older than its TTL is not used for a leg arriving now.
    h.clock.advance(11 * 60_000);
    h.svc.inbound.onAgentCalled({ Event: 'AgentCalled', Linkedid: 'lk-new', Queue: 'support', Channel: 'c3' });
    h.agents.add('1001');
    h.ari.enterStasis(['agent-leg', '1001', 'lk-other'], { number: '5550198' });
    await flush();
    expect(h.svc.list().find((c) => c.agentExt === '1001')?.queue).toBeNull();
  });

  it('rings the device, bridges it with the leg on answer', async () => {
    const { leg, dev, call } = await connectedQueueCall(h);
    expect(call).toMatchObject({ state: 'connected', queue: 'support', agentExt: '1000', customerNumber: '5550101', linkedid: 'lk-1' });
    expect(call.id).toMatch(/^20261121-\d{6}$/);
    expect(h.ari.canHear(leg, dev)).toBe(true);
    expect(h.ari.canHear(dev, leg)).toBe(true);
    expect(h.agents.calls).toEqual([`ringing 1000 ${call.id}`, `connected 1000 ${call.id}`]);
    expect(h.ari.log.some((l) => l.startsWith('originate PJSIP/1000 originated,'))).toBe(true);
  });

  it('leg StasisEnd while ringing cancels the device (app_queue gave up)', async () => {
    const leg = startQueueCall(h);
    await flush();
    const dev = h.ari.originated('agent')[0].id;
    h.ari.remoteHangup(leg);
    await flush();
    expect(h.ari.chans.has(dev)).toBe(false);
    expect(h.svc.list()).toEqual([]);
    const row = h.svc.repo.open();
    expect(row).toEqual([]);
    expect(h.agents.calls.pop()).toMatch(/^ended 1000 .* answered=false$/);
  });

  it('device never answers: the leg is hung up so app_queue moves on', async () => {
    const leg = startQueueCall(h);
    await flush();
    h.ari.fail(h.ari.originated('agent')[0].id, 'No answer');
    await flush();
    expect(h.ari.chans.has(leg)).toBe(false);
    expect(h.svc.list()).toEqual([]);
  });

  it('agent hangs up: the customer leg is hung up, bridge destroyed, history row written', async () => {
    const { leg, dev, call } = await connectedQueueCall(h);
    h.clock.advance(42_000);
    h.ari.remoteHangup(dev);
    await flush();
    expect(h.ari.chans.has(leg)).toBe(false);
    expect(h.ari.brs.size).toBe(0);
    const row = h.svc.repo.get(call.id)!;
    expect(row).toMatchObject({ state: 'ended', endReason: 'agent-hangup' });
    expect(row.endedAt! - row.answeredAt!).toBe(42_000);
    expect(h.events.map((e) => e.type)).toContain('call.ended');
  });

  it('a survey interceptor keeps the customer when the agent hangs up', async () => {
    const { leg, dev, call } = await connectedQueueCall(h);
    h.svc.onAgentHangup(async (c) => {
      await h.ari.channels.continueInDialplan(c.customerChannelId!, { context: 'cc-survey', extension: 's', priority: 1 });
      await h.svc.endCall(c.id, 'survey', { keepCustomer: true });
      return true;
    });
    h.ari.remoteHangup(dev);
    await flush();
    expect(h.ari.log).toContain(`continue ${leg} cc-survey,s,1`);
    expect(h.ari.log).not.toContain(`hangup ${leg}`);
    expect(h.svc.repo.get(call.id)!.endReason).toBe('survey');
  });

  it('customer hangs up while connected: device hung up', async () => {
    const { leg, dev, call } = await connectedQueueCall(h);
    h.ari.remoteHangup(leg);
    await flush();
    expect(h.ari.chans.has(dev)).toBe(false);
    expect(h.svc.repo.get(call.id)!.endReason).toBe('customer-hangup');
    expect(h.agents.calls.pop()).toBe(`ended 1000 ${call.id} answered=true`);
  });

  it('hold: customer alone in a fresh holding bridge with MOH, agent hears nothing; unhold restores', async () => {
    const { leg, dev, call } = await connectedQueueCall(h);
    await h.svc.actions.hold(call.id, '1000');
    expect(call.state).toBe('on-hold');
    expect(h.ari.hearsMoh(leg)).toBe(true);
    expect(h.ari.canHear(dev, leg)).toBe(false);
    const first = call.holdBridgeId;
    expect((await rejects(h.svc.actions.hold(call.id))).message).toBe('cannot hold a call that is on-hold');
    await h.svc.actions.unhold(call.id);
    expect(h.ari.canHear(dev, leg)).toBe(true);
    expect(h.ari.brs.has(first!)).toBe(false);
    await h.svc.actions.hold(call.id);
    expect(call.holdBridgeId).not.toBe(first);
    await h.svc.actions.unhold(call.id);
    expect(h.svc.repo.events(call.id).filter((e) => e.type === 'hold' || e.type === 'unhold')).toHaveLength(4);
  });

  it('mute mutes the agent device inbound; DTMF validated and sent to the customer side', async () => {
    const { leg, dev, call } = await connectedQueueCall(h);
    await h.svc.actions.mute(call.id, true);
    expect(h.ari.canHear(leg, dev)).toBe(false);
    expect((await rejects(h.svc.actions.mute(call.id, true))).kind).toBe('refused');
    await h.svc.actions.mute(call.id, false);
    expect(h.ari.canHear(leg, dev)).toBe(true);
    expect((await rejects(h.svc.actions.dtmf(call.id, '12x'))).kind).toBe('invalid');
    await h.svc.actions.dtmf(call.id, '12*#a');
    expect(h.ari.chans.get(leg)!.dtmf).toEqual(['12*#A']);
  });

  it('max call duration ends the call and records why', async () => {
    h.svc.stop();
    h = makeHarness({ policy: { call_timeout_seconds: 60 } });
    h.agents.add('1000');
    h.svc.start();
    const { leg, call } = await connectedQueueCall(h);
    h.clock.advance(59_999);
    expect(call.state).toBe('connected');
    h.clock.advance(1);
    await flush();
    expect(h.ari.chans.has(leg)).toBe(false);
    expect(h.svc.repo.get(call.id)!.endReason).toBe('timeout');
    expect(h.svc.repo.events(call.id).map((e) => e.type)).toContain('timeout');
  });

  it('endCallsOf ends every call of a lost agent', async () => {
    const { leg, call } = await connectedQueueCall(h);
    expect(h.svc.activeCallIds('1000')).toEqual([call.id]);
    await h.svc.endCallsOf('1000', 'device-unreachable');
    expect(h.svc.activeCallIds('1000')).toEqual([]);
    expect(h.ari.chans.has(leg)).toBe(false);
    expect(h.svc.repo.get(call.id)!.endReason).toBe('device-unreachable');
  });

  it('prank: hangs up at once and blocks the caller; next call from it is rejected', async () => {
    const { leg, call } = await connectedQueueCall(h);
    const r = await h.svc.actions.prank(call.id, '1000');
    expect(r.blocked).toBe(true);
    expect(r.expiresAt).toBe(h.clock.now() + 30 * 60_000);
    await flush();
    expect(h.ari.chans.has(leg)).toBe(false);
    const direct = h.ari.enterStasis(['inbound', 'queue', 'support'], { number: '5550101' });
    await flush();
    expect(h.ari.chans.has(direct)).toBe(false);
    expect(h.ari.log.some((l) => l.startsWith('originate Local/support@'))).toBe(false);
    h.clock.advance(30 * 60_000);
    h.ari.enterStasis(['inbound', 'queue', 'support'], { number: '5550101' });
    await flush();
    // Queued again (stand-in topology, the default: a stand-in waits in the queue for it).
    expect(h.ari.log.some((l) => l.startsWith('originate Local/support@queues/n standin,'))).toBe(true);
  });

  it.each([
    ['anonymous', 'withheld'],
    ['', 'withheld'],
    ['Anonymous', 'withheld'],
    ['abc', 'not-a-number'],
    ['301', 'internal'],
  ])('prank on caller ID %j: hangs up anyway, blocks nothing, says why in the answer and the history', async (number, why) => {
    const { leg, call } = await connectedQueueCall(h, number);
    const r = await h.svc.actions.prank(call.id, '1000');
    expect(r).toMatchObject({ blocked: false, expiresAt: null, notBlocked: why });
    await flush();
    expect(h.ari.chans.has(leg)).toBe(false);
    expect(h.svc.repo.get(call.id)!.endReason).toBe('prank');
    const ev = h.db.prepare("SELECT data FROM call_events WHERE call_id = ? AND type = 'prank'").get(call.id) as { data: string };
    expect(JSON.parse(ev.data)).toMatchObject({ blocked: false, notBlocked: why });
    expect(h.db.prepare('SELECT COUNT(*) AS n FROM blocklist').get()).toEqual({ n: 0 });
  });

  it('direct inbound to an agent rings and bridges it', async () => {
    const ch = h.ari.enterStasis(['inbound', 'agent', '1000'], { number: '2134567890' });
    await flush();
    const dev = h.ari.originated('agent')[0].id;
    h.ari.answer(dev);
    await flush();
    expect(h.ari.canHear(ch, dev)).toBe(true);
    expect(h.svc.list()[0]).toMatchObject({ state: 'connected', kind: 'inbound', queue: null });
  });
});

describe('outbound calls', () => {
  let h: Harness;
  beforeEach(() => {
    h = makeHarness({ policy: { caller_id: '1140040000' } });
    h.agents.add('1000');
    h.svc.start();
  });
  afterEach(() => h.svc.stop());

  it('dialing → ringing → connected: device first, then the customer via the template', async () => {
    const call = await h.svc.dial({ agent: '1000', number: '11987654321' });
    expect(call.state).toBe('dialing-agent');
    await flush();
    h.ari.answer(h.ari.originated('agent')[0].id);
    await flush();
    expect(call.state).toBe('dialing-customer');
    expect(h.ari.log).toContain(`originate PJSIP/11987654321@trunk originated,${call.id},customer`);
    const cust = h.ari.originated('customer')[0].id;
    h.ari.ringing(cust);
    await flush();
    expect(call.state).toBe('ringing-customer');
    h.ari.answer(cust);
    await flush();
    expect(call.state).toBe('connected');
    expect(h.ari.canHear(cust, call.agentChannelId!)).toBe(true);
    expect(call.callerId).toBe('1140040000');
    const states = h.events.filter((e) => e.type === 'call.state').map((e) => e.data.state);
    expect(states).toEqual(['dialing-agent', 'dialing-customer', 'ringing-customer', 'connected']);
    h.ari.remoteHangup(cust);
    await flush();
    expect(h.svc.repo.get(call.id)!.endReason).toBe('customer-hangup');
    expect(h.ari.chans.size).toBe(0);
  });

  it("a call made for a queue (queue callback) uses that queue's caller id and records that queue", async () => {
    const ins = h.db.prepare('INSERT INTO queues (name, caller_id, created_at) VALUES (?, ?, 0)');
    ins.run('sales', '1150050000');
    ins.run('support', '1130030000');
    h.agents.add('1002', { queues: ['sales', 'support'] });
    const call = await h.svc.dial({ agent: '1002', number: '11987654321', kind: 'callback', queue: 'support' });
    expect(call).toMatchObject({ queue: 'support', callerId: '1130030000', kind: 'callback' });
    expect(h.svc.repo.get(call.id)).toMatchObject({ queue: 'support', callerId: '1130030000' });
    // Without a queue: the agent's first queue, as before.
    h.agents.add('1003', { queues: ['sales', 'support'] });
    expect(await h.svc.dial({ agent: '1003', number: '11987654321' })).toMatchObject({ queue: 'sales', callerId: '1150050000' });
    // A queue the agent is not in: refused, nothing dialled.
    h.agents.add('1004', { queues: ['sales'] });
    const before = h.ari.originated('agent').length;
    const e = await rejects(h.svc.dial({ agent: '1004', number: '11987654321', queue: 'support' }));
    expect(e.kind).toBe('refused');
    expect(h.ari.originated('agent')).toHaveLength(before);
  });

  it('refuses bad numbers, international and paused-with-block: nothing dialled', async () => {
    expect((await rejects(h.svc.dial({ agent: '1000', number: '1198765432' }))).kind).toBe('invalid');
    expect((await rejects(h.svc.dial({ agent: '1000', number: '2025550123', ddi: '1' }))).kind).toBe('refused');
    expect((await rejects(h.svc.dial({ agent: '1000', number: '11987654321&PJSIP/9' }))).kind).toBe('invalid');
    h.agents.add('1001', { state: 'paused', pauseReason: 'Almoço', blockDialingInPause: true });
    const e = await rejects(h.svc.dial({ agent: '1001', number: '11987654321' }));
    expect(e.message).toMatch(/Almoço/);
    expect((await rejects(h.svc.dial({ agent: '9999', number: '11987654321' }))).kind).toBe('not_found');
    expect(h.ari.log.filter((l) => l.startsWith('originate'))).toEqual([]);
    expect(h.svc.repo.open()).toEqual([]);
  });

  it('customer busy ends the call with the reason; the agent device is hung up', async () => {
    const call = await h.svc.dial({ agent: '1000', number: '2134567890' });
    await flush();
    const dev = h.ari.originated('agent')[0].id;
    h.ari.answer(dev);
    await flush();
    h.ari.fail(h.ari.originated('customer')[0].id, 'User busy');
    await flush();
    expect(h.svc.repo.get(call.id)).toMatchObject({ endReason: 'customer-no-answer', answeredAt: null });
    expect(h.ari.chans.has(dev)).toBe(false);
    expect(h.agents.calls.pop()).toBe(`ended 1000 ${call.id} answered=false`);
  });

  it('a second dial while on a call is refused', async () => {
    await h.svc.dial({ agent: '1000', number: '2134567890' });
    expect((await rejects(h.svc.dial({ agent: '1000', number: '2134567890' }))).message).toMatch(/already on call/);
  });
});
