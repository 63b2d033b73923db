/**
 * The daemon with asterisk.queue_topology = native (issue 12, docs/CALL-TOPOLOGY.md "Native
 * topology") on a real Asterisk 22.10.1. Queue members are the agents' devices
 * (Local/<ext>@test-phones here; PJSIP/<ext> in production and on the SIP bench): app_queue rings and
 * bridges them itself, the daemon follows on AMI, records and monitors through a snoop, and takes
 * a call over into its app (one AMI Redirect) only when a request needs the media. Checked: nothing
 * of an untouched call is in the app; recording without a takeover; hold/unhold after a takeover,
 * with app_queue's AgentComplete only at the real end (whole talk time); hang-ups on both sides;
 * service and queue transfers; attended transfer and 3-way conference; a daemon restart mid-call;
 * ringall.
 *
 * CAPTURE_DIR=test/fixtures/captures keeps transcripts (native-daemon.*).
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import type { AmiEvent } from '../../src/ami/types';
import { describeWithAsterisk } from './asterisk';
import { Capture } from './capture';
import { eventually, Stack } from './harness';

describeWithAsterisk('native queue topology, daemon on a real Asterisk', (install) => {
  let stack: Stack;
  let cap: Capture;

  beforeAll(async () => {
    stack = await Stack.start(install, {
      queueTopology: 'native',
      policy: { wrapup_seconds: 1, max_no_answer: 0 },
      queues: [{ name: 'support', settings: { record: 'always' } }, { name: 'vendas' }, { name: 'it-ringall' }],
      agents: [
        { extension: '1000', queues: ['support'] },
        { extension: '1001', queues: ['vendas'] },
        // it-ringall: 3002's phone answers after 2 s, 2002's rings and never answers (test-phones).
        { extension: '3002', queues: ['it-ringall'] },
        { extension: '2002', queues: ['it-ringall'] },
      ],
    });
    cap = new Capture('native-daemon');
    await cap.startAmi(stack.ast.ports.ami, 'cc-test', stack.ast.secrets.amiTest);
    cap.attachAri(stack.daemon!.deps.ari, (e) => {
      const ch = (e as { channel?: { name: string; id: string } }).channel;
      const br = (e as { bridge?: { id: string } }).bridge;
      if (!['StasisStart', 'StasisEnd', 'ChannelEnteredBridge', 'ChannelLeftBridge'].includes(e.type)) return undefined;
      return `${e.type} ${ch?.name ?? ''} (${ch?.id ?? ''})${br ? ` bridge=${br.id}` : ''}`;
    });
    for (const [ext, q] of [['1000', 'support'], ['1001', 'vendas'], ['3002', 'it-ringall'], ['2002', 'it-ringall']]) {
      await stack.ok('POST', `/agents/${ext}/login`, { queues: [q] });
    }
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

  async function inApp(): Promise<string[]> {
    return (await stack.ari('GET', '/applications/callcenter')).body.channel_ids as string[];
  }

  /**
   * The AgentComplete closing the AgentConnect of `customer`. Matched by member and order when it has
   * no Uniqueid: app_queue fills its caller/member fields from channel snapshots it looks up after
   * the hang-up (apps/app_queue.c handle_hangup), and under load they are gone now and then (the
   * daemon copes the same way: native-parts.ts byFields).
   */
  const agentComplete = (customer: string) => (e: AmiEvent) => {
    if (e.Event !== 'AgentComplete') return false;
    if (e.Uniqueid) return e.Uniqueid === customer;
    const events = stack.ami.events;
    const conn = events.find((x) => x.Event === 'AgentConnect' && x.Uniqueid === customer);
    if (!conn) return false;
    const [c, i] = [events.indexOf(conn), events.indexOf(e)];
    return i > c && e.Interface === conn.Interface && !events.slice(c + 1, i).some((x) => x.Event === 'AgentComplete' && x.Interface === conn.Interface);
  };

  /** A trunk call answered by `ext`; the customer (the queue caller) is the ;2 in cc-inbound. */
  async function trunkCallTo(ext: string, number: string): Promise<{ call: Any; customer: string; handset: string }> {
    await available(ext);
    const c = await stack.trunkCalls('551140040001', number);
    const call = await connectedCallOf(ext, number);
    return { call, customer: c.queueSideId, handset: c.id };
  }

  test('app_queue bridges the call; recording without a takeover; hold takes it over; AgentComplete at the real end', async () => {
    const { call, customer } = await trunkCallTo('1000', '5511987654101');
    cap.step(`call ${call.id}: customer ${customer}, device ${call.channels.agent}, bridge ${call.bridgeId}`);
    expect(call.channels.customer).toBe(customer);
    expect(call.bridgeId ?? null).toBeNull();
    const connect = await stack.ami.waitEvent((e) => e.Event === 'AgentConnect' && e.Uniqueid === customer, 10_000, 'AgentConnect');
    expect(connect).toMatchObject({ Queue: 'support', Interface: 'Local/1000@test-phones', DestUniqueid: call.channels.agent });
    const app = await inApp();
    expect(app).not.toContain(customer);
    expect(app).not.toContain(call.channels.agent);
    cap.section('bridges while talking (app_queue)', (await stack.ast.cli('bridge show all')).trimEnd().split('\n'));
    const recs = await eventually(async () => {
      const r = (await stack.ok('GET', `/recordings?call=${call.id}`)).recordings as Any[];
      return r.length > 0 && r[0].state === 'recording' ? r : undefined;
    }, 10_000, 'recording of the call');
    cap.step(`recording ${recs[0].id} ${recs[0].state} (snoop on the device, no takeover)`);

    const from = stack.ami.events.length;
    const held = await stack.ok('POST', `/calls/${call.id}/hold`);
    expect(await bridgeChannels(held.holdBridgeId)).toEqual([customer]);
    cap.step(`hold: taken over (${held.bridgeId}), customer alone in ${held.holdBridgeId}`);
    const back = await stack.ok('POST', `/calls/${call.id}/unhold`);
    expect(back).toMatchObject({ state: 'connected' });
    expect(await bridgeChannels(back.bridgeId)).toEqual([customer, call.channels.agent].sort());
    expect(stack.ami.events.slice(from).some(agentComplete(customer))).toBe(false);

    await stack.hangupChannel(call.channels.agent); // the agent hangs up
    const done = await stack.ami.waitEvent(agentComplete(customer), 10_000, 'AgentComplete');
    cap.step(`agent hung up: AgentComplete Reason=${done.Reason} TalkTime=${done.TalkTime}`);
    expect(done.Reason).toBe('agent');
    await gone(customer, 'customer hung up by the daemon');
    expect(await stack.ok('GET', `/calls/${call.id}`)).toMatchObject({ state: 'ended', endReason: 'agent-hangup' });
  }, 60_000);

  test('an untouched call: the customer hangs up, then the agent does', async () => {
    const a = await trunkCallTo('1000', '5511987654102');
    await stack.hangupChannel(a.handset);
    const done = await stack.ami.waitEvent(agentComplete(a.customer), 10_000, 'AgentComplete');
    expect(done.Reason).toBe('caller');
    await gone(a.call.channels.agent, "agent's device hung up by app_queue");
    await eventually(async () => (await stack.ok('GET', `/calls/${a.call.id}`)).endReason === 'customer-hangup', 10_000, 'customer-hangup');

    const b = await trunkCallTo('1000', '5511987654103');
    await stack.hangupChannel(b.call.channels.agent);
    await stack.ami.waitEvent(agentComplete(b.customer), 10_000, 'AgentComplete');
    await eventually(async () => (await stack.ok('GET', `/calls/${b.call.id}`)).endReason === 'agent-hangup', 10_000, 'agent-hangup');
    await gone(b.customer, 'customer gone after Queue()');
    cap.step('untouched calls ended by app_queue: customer-hangup, agent-hangup');
  }, 60_000);

  test('service transfer and queue transfer', async () => {
    const a = await trunkCallTo('1000', '5511987654104');
    const r = await stack.api('POST', `/calls/${a.call.id}/transfer`, { target: '301' });
    expect(r.status).toBe(200);
    await stack.ami.waitEvent((e) => e.Event === 'Newexten' && e.Uniqueid === a.customer && e.Context === 'cc-services' && e.Exten === '301', 10_000, 'customer in 301@cc-services');
    const done = await stack.ami.waitEvent(agentComplete(a.customer), 10_000, 'AgentComplete');
    cap.step(`service transfer: AgentComplete Reason=${done.Reason}`);
    await gone(a.call.channels.agent, "agent's device hung up");
    await gone(a.customer, 'customer done with the service');

    const b = await trunkCallTo('1000', '5511987654105');
    const q = await stack.api('POST', `/calls/${b.call.id}/transfer`, { target: 'queue:vendas' });
    expect(q.status).toBe(200);
    const next = await connectedCallOf('1001', '5511987654105');
    cap.step(`queue transfer: call ${next.id} (parent ${next.parentId}) connected to 1001`);
    expect(next.channels.customer).toBe(b.customer);
    expect(next.rootId).toBe(b.call.rootId);
    await stack.ok('POST', `/calls/${next.id}/hangup`);
    await gone(b.customer, 'customer hung up');
  }, 60_000);

  test('a daemon restart mid-call adopts the untouched call; it still ends cleanly', async () => {
    const { call, customer } = await trunkCallTo('1000', '5511987654106');
    await stack.stopDaemon();
    await stack.startDaemon();
    await eventually(async () => (await stack.ok('GET', `/calls/${call.id}`)).state === 'connected', 15_000, 'call adopted');
    await new Promise((res) => setTimeout(res, 3000)); // past the orphan grace period
    expect(await stack.channelExists(customer)).toBe(true);
    expect(await stack.channelExists(call.channels.agent)).toBe(true);
    await stack.ok('POST', `/calls/${call.id}/hangup`);
    await stack.ami.waitEvent(agentComplete(customer), 10_000, 'AgentComplete after the hangup');
    await gone(customer, 'customer hung up');
    cap.step('restart mid-call: adopted, then hung up through the API');
  }, 60_000);

  test('a call that begins and ends while the daemon is down is recorded from queue_log when it is back', async () => {
    await available('1000');
    await stack.stopDaemon();
    // Two misses in a row counted before the outage (max no answer): the answer found in queue_log resets them.
    const file = new Database(stack.config.database.path);
    file.prepare("UPDATE agent_runtime SET misses_in_row = 2, last_miss_at = ? WHERE extension = '1000'").run(Date.now() - 1000);
    file.close();
    const c = await stack.trunkCalls('551140040001', '5511987654120');
    // Stasis() fails without the app: [cc-inbound] goes on to Queue(), app_queue rings the device.
    await stack.ami.waitEvent((e) => e.Event === 'AgentConnect' && e.Uniqueid === c.queueSideId, 15_000, 'AgentConnect without the daemon');
    await new Promise((res) => setTimeout(res, 1200));
    await stack.hangupChannel(c.id);
    await stack.ami.waitEvent(agentComplete(c.queueSideId), 10_000, 'AgentComplete without the daemon');
    await stack.startDaemon();
    const db = stack.daemon!.deps.db;
    const row = await eventually(
      // linkedid = the Local ;1 (the call's first channel), from the CCLINKEDID line of [cc-queues].
      () => db.prepare('SELECT id FROM calls WHERE linkedid = ?').get(c.id) as { id: string } | undefined,
      15_000,
      'call recovered from queue_log',
    );
    const call = await stack.ok('GET', `/calls/${row.id}`);
    expect(call).toMatchObject({ state: 'ended', agent: '1000', queue: 'support', endReason: 'customer-hangup' });
    expect(db.prepare('SELECT outcome, agent_ext AS agent, call_id AS callId, detail FROM queue_stays WHERE uniqueid = ?').all(c.queueSideId)).toEqual([
      { outcome: 'answered', agent: '1000', callId: row.id, detail: 'recovered from queue_log' },
    ]);
    expect(await stack.ok('GET', '/agents/1000')).toMatchObject({ missesInRow: 0 });
    const lines = fs.readFileSync(stack.config.asterisk.queue_log, 'utf8').split('\n').filter((l) => l.includes(`|${c.queueSideId}|`));
    cap.step(`daemon down: call ${c.queueSideId} connected and ended; recovered as ${row.id} from ${lines.length} queue_log lines`);
    if (process.env.CAPTURE_DIR) {
      fs.mkdirSync(process.env.CAPTURE_DIR, { recursive: true });
      fs.writeFileSync(path.join(process.env.CAPTURE_DIR, 'native-queue-log.queue_log'), lines.join('\n') + '\n');
    }
  }, 60_000);

  test('queue_log rotated by Asterisk while the daemon is down: the calls of the old file and of the new one are both recovered', async () => {
    await available('1000');
    await stack.stopDaemon();
    const outageCall = async (number: string) => {
      const c = await stack.trunkCalls('551140040001', number);
      await stack.ami.waitEvent((e) => e.Event === 'AgentConnect' && e.Uniqueid === c.queueSideId, 15_000, 'AgentConnect without the daemon');
      await new Promise((res) => setTimeout(res, 500));
      await stack.hangupChannel(c.id);
      await stack.ami.waitEvent(agentComplete(c.queueSideId), 10_000, 'AgentComplete without the daemon');
      return c;
    };
    const before = await outageCall('5511987654121');
    await stack.ast.cli('logger rotate'); // rotatestrategy sequential (default): queue_log → queue_log.N
    const rotated = fs.readdirSync(path.dirname(stack.config.asterisk.queue_log)).filter((f) => /^queue_log\.\d+$/.test(f));
    expect(rotated.length).toBeGreaterThan(0);
    const after = await outageCall('5511987654122');
    await stack.startDaemon();
    const db = stack.daemon!.deps.db;
    for (const c of [before, after]) {
      const row = await eventually(
        () => db.prepare('SELECT id, agent_ext AS agent, end_reason AS endReason FROM calls WHERE linkedid = ?').get(c.id) as Record<string, string> | undefined,
        15_000,
        `call ${c.queueSideId} recovered from queue_log`,
      );
      expect(row).toMatchObject({ agent: '1000', endReason: 'customer-hangup' });
    }
    cap.step(`daemon down, queue_log rotated between two calls (${rotated.join(', ')}): both recovered`);
  }, 60_000);

  test('attended transfer to 1001 and a 3-way conference after a takeover', async () => {
    const { call, customer } = await trunkCallTo('1000', '5511987654107');
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
    const done = await stack.ami.waitEvent(agentComplete(customer), 10_000, 'AgentComplete at the transfer');
    cap.step(`attended transfer completed: AgentComplete Reason=${done.Reason} TalkTime=${done.TalkTime}; customer with 1001`);

    await available('1000');
    const r = await stack.api('POST', `/calls/${after.id}/conference`, { agent: '1000' });
    expect(r.status).toBe(202);
    const joined = await eventually(async () => {
      const m = await stack.ok('GET', `/calls/${after.id}/conference`);
      return m.state === 'joined' ? m : undefined;
    }, 20_000, 'conference member joined');
    const third = await stack.ok('GET', `/calls/${joined.childCallId}`);
    expect(await bridgeChannels(after.bridgeId)).toEqual([customer, after.channels.agent, third.channels.agent].sort());
    await stack.ok('POST', `/calls/${after.id}/hangup`);
    await gone(customer, 'customer hung up');
  }, 90_000);

  test('ringall: the agent whose phone still rings when another answers ends answered-elsewhere', async () => {
    await available('3002');
    await available('2002');
    const id = `ringall-${process.pid}-${Date.now()}`;
    await stack.ami.action('Originate', {
      Channel: 'Local/551140040010@test-inbound-ringall/n', Context: 'test-customer', Exten: 's', Priority: 1,
      CallerID: '"Ringall" <5511987654110>', Async: true, Timeout: 30000, ChannelId: id, OtherChannelId: `${id}-q`,
    });
    const winner = await connectedCallOf('3002', '5511987654110');
    const loser = await eventually(async () => {
      const calls = (await stack.ok('GET', '/history?agent=2002')).calls as Any[];
      return calls.find((c) => c.number === '5511987654110' && c.endReason);
    }, 10_000, "2002's part ended");
    expect(loser).toMatchObject({ endReason: 'answered-elsewhere', status: 'cancelled', answeredAt: null });
    cap.step(`ringall: 3002 took the caller, 2002's ringing part ended ${loser.endReason}`);
    await stack.hangupChannel(id);
    await eventually(async () => (await stack.ok('GET', `/calls/${winner.id}`)).endReason === 'customer-hangup', 10_000, 'customer-hangup');
  }, 60_000);
});
