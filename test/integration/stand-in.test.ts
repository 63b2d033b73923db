/**
 * The daemon with asterisk.queue_topology = stand-in (issue 12, docs/CALL-TOPOLOGY.md) on a real
 * Asterisk 22.10.1. Customers come from the trunk (Local/<did>@cc-inbound/n: Stasis inbound, the
 * ;1 half is the handset); the daemon keeps them in its app, a stand-in waits in Queue(support),
 * and on answer the customer's own channel is bridged with the agent's device. Checked: the bridge
 * holds the customer and the device (no member leg), app_queue still sends AgentConnect /
 * AgentComplete for the stand-in with the customer's linkedid, hold, a caller abandoning while
 * waiting, hang-ups on both sides, a service transfer and a queue transfer, a daemon restart.
 *
 * CAPTURE_DIR=test/fixtures/captures keeps transcripts (stand-in-daemon.*).
 */
import type { AmiEvent } from '../../src/ami/types';
import { describeWithAsterisk } from './asterisk';
import { Capture } from './capture';
import { eventually, Stack, SUPERVISOR_TOKEN } from './harness';

describeWithAsterisk('stand-in queue topology, daemon on a real Asterisk', (install) => {
  let stack: Stack;
  let cap: Capture;

  beforeAll(async () => {
    stack = await Stack.start(install, {
      queueTopology: 'stand-in',
      policy: { wrapup_seconds: 1, max_no_answer: 0 },
      queues: [{ name: 'support', settings: { record: 'always' } }, { name: 'vendas' }, { name: 'it-ringall' }],
      pauseReasons: [{ name: 'Almoço', statusId: 11 }],
      agents: [
        { extension: '1000', queues: ['support'] },
        { extension: '1001', queues: ['vendas'] },
        // it-ringall: 3002's phone answers after 2 s, 2002's rings and never answers (test-phones).
        { extension: '3002', queues: ['it-ringall'] },
        { extension: '2002', queues: ['it-ringall'] },
      ],
    });
    cap = new Capture('stand-in-daemon');
    await cap.startAmi(stack.ast.ports.ami, 'cc-test', stack.ast.secrets.amiTest);
    cap.attachAri(stack.daemon!.deps.ari, (e) => {
      const ch = (e as { channel?: { name: string; id: string } }).channel;
      const br = (e as { bridge?: { id: string } }).bridge;
      if (!['StasisStart', 'StasisEnd', 'ChannelEnteredBridge', 'ChannelLeftBridge'].includes(e.type)) return undefined;
      return `${e.type} ${ch?.name ?? ''} (${ch?.id ?? ''})${br ? ` bridge=${br.id}` : ''}`;
    });
    await stack.ok('POST', '/agents/1000/login', { queues: ['support'] });
    await stack.ok('POST', '/agents/1001/login', { queues: ['vendas'] });
    await stack.ok('POST', '/agents/3002/login', { queues: ['it-ringall'] });
    await stack.ok('POST', '/agents/2002/login', { queues: ['it-ringall'] });
  }, 90_000);

  afterAll(async () => {
    await cap?.finish();
    await stack?.stop();
  }, 30_000);

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type Any = any;

  const available = (ext: string) => stack.waitAvailable(ext);
  const connectedCallOf = (ext: string, number: string) => stack.connectedCallOf(ext, number);
  const gone = (channelId: string, what: string) => stack.waitGone(channelId, what);
  const bridgeChannels = (id: string) => stack.bridgeChannels(id);

  /**
   * The AgentComplete closing the stand-in's AgentConnect. Matched by member and order when it has
   * no Uniqueid: app_queue fills its caller/member fields from channel snapshots it looks up after
   * the hang-up (apps/app_queue.c handle_hangup), and under load they are gone now and then, in
   * either topology (seen on 22.10.1; the daemon does not read AgentComplete).
   */
  const agentComplete = (standIn: string) => (e: AmiEvent) => {
    if (e.Event !== 'AgentComplete') return false;
    if (e.Uniqueid) return e.Uniqueid === `${standIn}-q`;
    const events = stack.ami.events;
    const conn = events.find((x) => x.Event === 'AgentConnect' && x.Uniqueid === `${standIn}-q`);
    if (!conn) return false;
    const [c, i] = [events.indexOf(conn), events.indexOf(e)];
    return i > c && e.Interface === conn.Interface && !events.slice(c + 1, i).some((x) => x.Event === 'AgentComplete' && x.Interface === conn.Interface);
  };

  /** A trunk call answered by `ext`; the customer is the ;2 in cc-inbound (queueSideId). */
  async function trunkCallTo(ext: string, number: string): Promise<{ call: Any; customer: string; handset: string; standIn: string }> {
    await available(ext);
    const c = await stack.trunkCalls('551140040001', number);
    const call = await connectedCallOf(ext, number);
    return { call, customer: c.queueSideId, handset: c.id, standIn: `${c.queueSideId}-si` };
  }

  test('answered: customer and device share one bridge; app_queue accounts for the stand-in; hold; agent hangs up', async () => {
    const { call, customer, handset, standIn } = await trunkCallTo('1000', '5511987654001');
    cap.step(`call ${call.id}: customer ${customer}, device ${call.channels.agent}, bridge ${call.bridgeId}`);
    expect(call.channels.customer).toBe(customer);
    expect(await bridgeChannels(call.bridgeId)).toEqual([customer, call.channels.agent].sort());
    const connect = await stack.ami.waitEvent((e) => e.Event === 'AgentConnect' && e.Uniqueid === `${standIn}-q`, 10_000, 'AgentConnect');
    // originator = customer: the stand-in has the customer's linkedid (the handset's uniqueid) and number.
    expect(connect).toMatchObject({ Queue: 'support', Interface: 'Local/1000@cc-agent/n', Linkedid: handset, CallerIDNum: '5511987654001' });
    cap.section('bridges while talking', (await stack.ast.cli('bridge show all')).trimEnd().split('\n'));
    // Recording = a snoop on the agent's device: the topology does not change it.
    const recs = await eventually(async () => {
      const r = (await stack.ok('GET', `/recordings?call=${call.id}`)).recordings as Any[];
      return r.length > 0 && r[0].state === 'recording' ? r : undefined;
    }, 10_000, 'recording of the call');
    cap.step(`recording ${recs[0].id} ${recs[0].state}`);

    // Live monitoring = a snoop on the agent's device, which the topology does not touch.
    const mon = await stack.api('POST', `/calls/${call.id}/monitor`, { mode: 'listen', device: 'Local/1005@test-phones' }, SUPERVISOR_TOKEN);
    expect(mon.status).toBe(202);
    await eventually(async () => {
      const r = await stack.ok('GET', `/calls/${call.id}/monitor`);
      return (r.sessions as { id: number; state: string }[]).some((x) => x.id === mon.body.id && x.state === 'active');
    }, 15_000, 'monitoring session active');
    cap.step(`live monitor ${mon.body.id} listening`);
    expect((await stack.api('DELETE', `/calls/${call.id}/monitor/${mon.body.id}`, undefined, SUPERVISOR_TOKEN)).status).toBe(200);

    const held = await stack.ok('POST', `/calls/${call.id}/hold`);
    expect(await bridgeChannels(held.holdBridgeId)).toEqual([customer]);
    const back = await stack.ok('POST', `/calls/${call.id}/unhold`);
    expect(back).toMatchObject({ state: 'connected' });
    expect(await bridgeChannels(call.bridgeId)).toEqual([customer, call.channels.agent].sort());

    await stack.hangupChannel(call.channels.agent); // the agent hangs up
    const done = await stack.ami.waitEvent(agentComplete(standIn), 10_000, 'AgentComplete');
    cap.step(`agent hung up: AgentComplete Reason=${done.Reason} TalkTime=${done.TalkTime}`);
    expect(['agent', 'caller']).toContain(done.Reason);
    await gone(customer, 'customer hung up by the daemon');
    await gone(standIn, 'stand-in hung up');
    const ended = await stack.ok('GET', `/calls/${call.id}`);
    expect(ended).toMatchObject({ state: 'ended', endReason: 'agent-hangup' });
  }, 60_000);

  test('the customer hangs up while talking, and while waiting (abandon)', async () => {
    const { call, handset, standIn } = await trunkCallTo('1000', '5511987654002');
    await stack.hangupChannel(handset);
    await stack.ami.waitEvent(agentComplete(standIn), 10_000, 'AgentComplete');
    await gone(call.channels.agent, "agent's device hung up");
    await eventually(async () => (await stack.ok('GET', `/calls/${call.id}`)).endReason === 'customer-hangup', 10_000, 'customer-hangup');

    await available('1000');
    await stack.ok('POST', '/agents/1000/pause', { reason: 'Almoço' });
    try {
      const c = await stack.trunkCalls('551140040001', '5511987654003');
      await stack.ami.waitEvent((e) => e.Event === 'QueueCallerJoin' && e.Uniqueid === `${c.queueSideId}-si-q`, 10_000, 'stand-in joins support');
      await stack.hangupChannel(c.id);
      const ab = await stack.ami.waitEvent((e) => e.Event === 'QueueCallerAbandon' && e.Uniqueid === `${c.queueSideId}-si-q`, 10_000, 'abandon');
      cap.step(`caller left while waiting: QueueCallerAbandon Linkedid=${ab.Linkedid}`);
      await gone(`${c.queueSideId}-si`, 'stand-in hung up');
    } finally {
      await stack.ok('POST', '/agents/1000/unpause');
    }
  }, 60_000);

  test('service transfer continues the customer itself; queue transfer re-queues it (member-leg way)', async () => {
    const a = await trunkCallTo('1000', '5511987654004');
    const r = await stack.api('POST', `/calls/${a.call.id}/transfer`, { target: '301' });
    expect(r.status).toBe(200);
    await stack.ami.waitEvent((e) => e.Event === 'Newexten' && e.Uniqueid === a.customer && e.Context === 'cc-services' && e.Exten === '301', 10_000, 'customer in 301@cc-services');
    const done = await stack.ami.waitEvent(agentComplete(a.standIn), 10_000, 'AgentComplete');
    cap.step(`service transfer: AgentComplete Reason=${done.Reason}`);
    await gone(a.call.channels.agent, "agent's device hung up");
    await gone(a.customer, 'customer done with the service');

    const b = await trunkCallTo('1000', '5511987654005');
    const q = await stack.api('POST', `/calls/${b.call.id}/transfer`, { target: 'queue:vendas' });
    expect(q.status).toBe(200);
    const next = await connectedCallOf('1001', '5511987654005');
    cap.step(`queue transfer: call ${next.id} connected to 1001, customer side ${next.channels.customer}`);
    await stack.ok('POST', `/calls/${next.id}/hangup`);
    await gone(b.customer, 'customer hung up');
  }, 60_000);

  test('a daemon restart keeps the call: stand-in and member leg are claimed, not hung up as orphans', async () => {
    const { call, customer, standIn } = await trunkCallTo('1000', '5511987654006');
    if (process.env.KEEP_ASTERISK_DIR) process.stderr.write(`stack dir ${stack.dir}\n`);
    const from = stack.ami.events.length;
    await stack.stopDaemon();
    await stack.startDaemon();
    await eventually(async () => (await stack.ok('GET', `/calls/${call.id}`)).state === 'connected', 15_000, 'call adopted');
    await new Promise((res) => setTimeout(res, 3000)); // past the orphan grace period
    expect(await stack.channelExists(standIn)).toBe(true);
    expect(stack.ami.events.slice(from).some(agentComplete(standIn))).toBe(false);
    await stack.ok('POST', `/calls/${call.id}/hangup`);
    await stack.ami.waitEvent(agentComplete(standIn), 10_000, 'AgentComplete after the hangup');
    await gone(customer, 'customer hung up');
    await gone(standIn, 'stand-in hung up');
  }, 60_000);

  test('attended transfer to 1001 and a 3-way conference work on the customer channel', async () => {
    const { call, customer, standIn } = await trunkCallTo('1000', '5511987654007');
    await available('1001');
    const started = await stack.api('POST', `/calls/${call.id}/transfer`, { target: '1001' });
    expect(started.status).toBe(202);
    const consulting = await eventually(async () => {
      const t = await stack.ok('GET', `/calls/${call.id}/transfer`);
      return t.state === 'consulting' ? t : undefined;
    }, 20_000, 'consulting');
    const parent = await stack.ok('GET', `/calls/${call.id}`);
    expect(await bridgeChannels(parent.holdBridgeId)).toEqual([customer]);
    await stack.ok('POST', `/calls/${call.id}/transfer/complete`);
    await gone(call.channels.agent, "first agent's device hung up");
    const after = await stack.ok('GET', `/calls/${consulting.childCallId}`);
    expect(after).toMatchObject({ state: 'connected', agent: '1001' });
    expect(await bridgeChannels(after.bridgeId)).toEqual([customer, after.channels.agent].sort());
    // The first part is over: app_queue's accounting for 1000 ends with it.
    const done = await stack.ami.waitEvent(agentComplete(standIn), 10_000, 'AgentComplete at the transfer');
    cap.step(`attended transfer completed: AgentComplete Reason=${done.Reason} TalkTime=${done.TalkTime}; customer with 1001`);

    await available('1000'); // out of wrap-up
    const r = await stack.api('POST', `/calls/${after.id}/conference`, { agent: '1000' });
    expect([r.status, r.body]).toEqual([202, expect.anything()]);
    const joined = await eventually(async () => {
      const m = await stack.ok('GET', `/calls/${after.id}/conference`);
      return m.state === 'joined' ? m : undefined;
    }, 20_000, 'conference member joined');
    const third = await stack.ok('GET', `/calls/${joined.childCallId}`);
    expect(await bridgeChannels(after.bridgeId)).toEqual([customer, after.channels.agent, third.channels.agent].sort());
    await stack.ok('POST', `/calls/${after.id}/hangup`);
    await gone(customer, 'customer hung up');
  }, 90_000);

  test('a daemon restart while the customer waits: customer and stand-in are kept, the call connects after', async () => {
    await available('1000');
    await stack.ok('POST', '/agents/1000/pause', { reason: 'Almoço' });
    let paused = true;
    try {
      const c = await stack.trunkCalls('551140040001', '5511987654008');
      await stack.ami.waitEvent((e) => e.Event === 'QueueCallerJoin' && e.Uniqueid === `${c.queueSideId}-si-q`, 10_000, 'stand-in waiting');
      await stack.stopDaemon();
      await stack.startDaemon();
      await new Promise((res) => setTimeout(res, 3000)); // past the orphan grace period
      expect(await stack.channelExists(c.queueSideId)).toBe(true);
      expect(await stack.channelExists(`${c.queueSideId}-si`)).toBe(true);
      cap.step('restart while waiting: customer and stand-in kept');
      await stack.ok('POST', '/agents/1000/unpause');
      paused = false;
      const call = await connectedCallOf('1000', '5511987654008');
      expect(call.channels.customer).toBe(c.queueSideId);
      expect(await bridgeChannels(call.bridgeId)).toEqual([c.queueSideId, call.channels.agent].sort());
      await stack.ok('POST', `/calls/${call.id}/hangup`);
      await gone(c.queueSideId, 'customer hung up');
    } finally {
      if (paused) await stack.ok('POST', '/agents/1000/unpause');
    }
  }, 60_000);

  test('ringall: the agent whose phone still rings when another takes the caller ends answered-elsewhere, not missed', async () => {
    await available('3002');
    await available('2002');
    const id = `ringall-${process.pid}-${Date.now()}`;
    await stack.ami.action('Originate', {
      Channel: 'Local/551140040010@test-inbound-ringall/n', Context: 'test-customer', Exten: 's', Priority: 1,
      CallerID: '"Ringall" <5511987654010>', Async: true, Timeout: 30000, ChannelId: id, OtherChannelId: `${id}-q`,
    });
    const winner = await connectedCallOf('3002', '5511987654010');
    // 2002's part: in the history once ended (the phone kept ringing until app_queue dropped its leg).
    const loser = await eventually(async () => {
      const calls = (await stack.ok('GET', '/history?agent=2002')).calls as Any[];
      return calls.find((c) => c.number === '5511987654010' && c.endReason);
    }, 10_000, "2002's part ended");
    expect(loser).toMatchObject({ endReason: 'answered-elsewhere', status: 'cancelled', answeredAt: null });
    expect(winner.state).toBe('connected');
    cap.step(`ringall: 3002 took the caller, 2002's ringing part ended ${loser.endReason}`);
    await stack.hangupChannel(id);
    await eventually(async () => (await stack.ok('GET', `/calls/${winner.id}`)).endReason === 'customer-hangup', 10_000, 'customer-hangup');
  }, 60_000);

  test('exit key: the caller\'s key reaches Queue() on the stand-in; the customer itself goes to the exit context', async () => {
    const id = `exit-${process.pid}-${Date.now()}`;
    await stack.ami.action('Originate', {
      Channel: 'Local/551140040009@test-inbound-exit/n', Context: 'test-customer', Exten: 's', Priority: 1,
      CallerID: '"Exit" <5511987654009>', Async: true, Timeout: 30000, ChannelId: id, OtherChannelId: `${id}-q`,
    });
    const customer = `${id}-q`;
    await stack.ami.waitEvent((e) => e.Event === 'QueueCallerJoin' && e.Uniqueid === `${customer}-si-q` && e.Queue === 'it-exit', 10_000, 'stand-in waiting in it-exit');
    const handset = (await stack.ari('GET', `/channels/${id}`)).body as { name: string };
    await stack.ami.action('PlayDTMF', { Channel: handset.name, Digit: '7' }); // the caller presses 7
    await stack.ami.waitEvent((e) => e.Event === 'Newexten' && e.Uniqueid === customer && e.Context === 'test-exit' && e.Exten === '7', 10_000, 'customer at 7@test-exit');
    await gone(`${customer}-si`, 'stand-in hung up');
    cap.step('exit key 7: stand-in left Queue(it-exit), the customer continued to 7@test-exit');
    await stack.hangupChannel(id);
    await gone(customer, 'customer hung up');
  }, 60_000);

  // (Moved from queue-callback.test.ts, which runs under the default topology.) The customer waits
  // in our app with music, its stand-in's ;2 runs Queue(); the customer's key is played to the
  // stand-in, the stand-in's ;2 asks in [cc-queue-callback] and the customer is thanked at that
  // context's `accepted` label.
  test('callback key: the trunk caller presses 1; the stand-in asks, the customer is thanked and hung up', async () => {
    await available('1000');
    await stack.ok('POST', '/agents/1000/pause', { reason: 'Almoço' });
    try {
      const c = await stack.trunkCalls('551140040001', '5511955556666');
      const customer = c.queueSideId;
      const standInQ = `${customer}-si-q`;
      await stack.ami.waitEvent((e) => e.Event === 'QueueCallerJoin' && e.Uniqueid === standInQ, 10_000, 'stand-in waiting in support');
      const n0 = stack.ami.events.length;
      const handset = (await stack.ari('GET', `/channels/${c.id}`)).body.name as string;
      await stack.ami.action('PlayDTMF', { Channel: handset, Digit: '1', Duration: 250 });
      const req = await eventually(async () => ((await stack.ok('GET', '/callbacks?origin=queue&status=pending')) as { uniqueid: string }[]).find((r) => r.uniqueid === standInQ), 10_000, 'request from the stand-in');
      expect(req).toMatchObject({ queue: 'support', number: '11955556666', status: 'pending' });
      // The customer went to the thank-you (accepted label) and was hung up; the stand-in too.
      await stack.ami.waitEvent((e) => e.Event === 'Newexten' && e.Uniqueid === customer && e.Context === 'cc-queue-callback' && e.Application === 'Playback', 10_000, 'customer thanked');
      await eventually(async () => !(await stack.channelExists(customer)) && !(await stack.channelExists(`${customer}-si`)) && !(await stack.channelExists(standInQ)), 10_000, 'customer and stand-in gone');
      const mine = stack.ami.events.slice(n0).filter((e) => e.Uniqueid === standInQ && /^QueueCaller/.test(e.Event));
      expect(mine.map((e) => e.Event)).toEqual(['QueueCallerLeave']); // not an abandon
      await eventually(() => stack.daemon!.deps.db.prepare("SELECT 1 FROM queue_stays WHERE uniqueid = ? AND outcome = 'callback'").get(standInQ), 10_000, 'stay closed as callback');
      await stack.ok('DELETE', `/callbacks/${(req as unknown as { id: number }).id}`);
      cap.step('callback key 1: the stand-in asked, the customer was thanked and hung up');
    } finally {
      await stack.ok('POST', '/agents/1000/unpause');
    }
  }, 60_000);
});
