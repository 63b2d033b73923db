/**
 * Transfers to a queue and to an agent group (issue 14 item 1) against a real Asterisk, daemon
 * in-process. 1000 takes the support calls; 1001 and 1002 are in vendas; 2003 (a phone that rings
 * and never answers, asterisk-test-conf) is logged into it-fast only, so no queue call reaches it.
 *
 * CAPTURE_DIR=test/fixtures/captures keeps the queue transfer's AMI events (test driver, all
 * events), the daemon app's ARI events and the steps as fixtures (queue-transfer.*, INDEX.txt).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AmiEvent } from '../../src/ami/types';
import { describeWithAsterisk } from './asterisk';
import { eventually, Stack } from './harness';

describeWithAsterisk('queue and group transfers on a real Asterisk', (install) => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await Stack.start(install, {
      policy: { wrapup_seconds: 1, max_no_answer: 0 },
      queues: [{ name: 'support' }, { name: 'vendas' }, { name: 'it-fast' }],
      pauseReasons: [{ name: 'Almoço', statusId: 11 }],
      agents: [
        { extension: '1000', queues: ['support'] },
        { extension: '1001', queues: ['vendas'] },
        { extension: '1002', queues: ['vendas'] },
        { extension: '2003', queues: ['it-fast'] },
      ],
    });
    await stack.ok('POST', '/agents/1000/login', { queues: ['support'] });
    for (const ext of ['1001', '1002']) await stack.ok('POST', `/agents/${ext}/login`, { queues: ['vendas'] });
    await stack.ok('POST', '/agents/2003/login', { queues: ['it-fast'] });
    await stack.ok('POST', '/catalogue/agent-groups', { name: 'vendas-seq', agents: ['2003', '1001'], strategy: 'sequential', ringSeconds: 5 });
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
  }, 30_000);

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type Any = any;

  const available = (ext: string) => stack.waitAvailable(ext);
  const connectedCallOf = (ext: string, number: string) => stack.connectedCallOf(ext, number);
  const gone = (channelId: string, what: string) => stack.waitGone(channelId, what);
  const bridgeChannels = (id: string) => stack.bridgeChannels(id);

  test('queue:vendas — the customer leaves 1000, re-enters vendas with its own channel and 1001 gets it', async () => {
    const capture = process.env.CAPTURE_DIR;
    const t0 = Date.now();
    const steps: string[] = [];
    const step = (s: string) => steps.push(`+${((Date.now() - t0) / 1000).toFixed(2)}s ${s}`);
    const ari: string[] = [];
    const off = capture ? stack.daemon!.deps.ari.onEvent('*', (e) => void ari.push(JSON.stringify(e))) : () => undefined;
    const amiFrom = stack.ami.events.length;

    await available('1000');
    await stack.ok('POST', '/agents/1002/pause', { reason: 'Almoço' }); // 1001 is the only one free in vendas
    try {
      const number = '5511987653001';
      const cust = await stack.customerCalls('support', number);
      const call = await connectedCallOf('1000', number);
      step(`queue call ${call.id} (support) connected to 1000: leg ${call.channels.customer}, device ${call.channels.agent}; customer ${cust.queueSideId} (linkedid ${cust.id})`);

      const r = await stack.api('POST', `/calls/${call.id}/transfer`, { target: 'queue:vendas' });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ targetType: 'queue', kind: 'blind', state: 'completed' });
      step(`POST /calls/${call.id}/transfer {target: queue:vendas} -> ${r.status} (AMI BlindTransfer of the member ;1 to vendas@cc-queues)`);

      // app_queue closes 1000's call at once, the customer's own channel joins vendas...
      const complete = await stack.ami.waitEvent((e) => e.Event === 'AgentComplete' && e.Linkedid === cust.id && e.Queue === 'support', 10_000, 'AgentComplete support');
      expect(complete.Reason).toBe('transfer');
      step(`AgentComplete Queue support Reason ${complete.Reason}`);
      const join = await stack.ami.waitEvent((e) => e.Event === 'QueueCallerJoin' && e.Queue === 'vendas' && e.Linkedid === cust.id, 10_000, 'QueueCallerJoin vendas');
      expect(join.Uniqueid).toBe(cust.queueSideId);
      step(`QueueCallerJoin Queue vendas Uniqueid ${join.Uniqueid} (the same customer channel) Linkedid ${join.Linkedid}`);
      // ...and 1001's member leg carries the same linkedid.
      const connect = await stack.ami.waitEvent((e) => e.Event === 'AgentConnect' && e.Queue === 'vendas' && e.Linkedid === cust.id, 20_000, 'AgentConnect vendas');
      expect(connect.Interface).toBe(stack.memberInterface('1001'));
      step(`AgentConnect Queue vendas Interface ${connect.Interface}`);

      const next = await connectedCallOf('1001', number);
      expect(next).toMatchObject({ kind: 'inbound', queue: 'vendas', parentId: r.body.childCallId, rootId: call.rootId });
      // Native: app_queue bridges the re-entered call itself (no ARI bridge until a takeover).
      if (stack.config.asterisk.queue_topology === 'native') expect(next.bridgeId ?? null).toBeNull();
      else expect(await bridgeChannels(next.bridgeId)).toEqual([next.channels.customer, next.channels.agent].sort());
      step(`daemon: new part ${next.id} (parent ${next.parentId}, root ${next.rootId}) connected to 1001, bridge ${next.bridgeId}`);
      await gone(call.channels.agent, "1000's device hung up");
      await eventually(async () => ['wrap-up', 'available'].includes((await stack.agent('1000')).state), 10_000, '1000 off the call');

      await stack.ok('POST', `/calls/${next.id}/hangup`);
      await gone(cust.queueSideId, 'customer hung up');
      step('hangup');
    } finally {
      off();
      await stack.ok('POST', '/agents/1002/unpause');
    }
    if (capture) writeCapture(capture, 'queue-transfer', stack.ami.events.slice(amiFrom), ari, steps);
  }, 60_000);

  test('queue transfer of an outbound call: the dialled customer continues to vendas@cc-queues', async () => {
    await available('1000');
    await available('1001');
    await stack.ok('POST', '/agents/1002/pause', { reason: 'Almoço' });
    try {
      const dialled = await stack.ok('POST', '/calls/dial', { agent: '1000', number: '11987653002' });
      await eventually(async () => (await stack.ok('GET', `/calls/${dialled.id}`)).state === 'connected', 20_000, 'outbound connected');
      const r = await stack.api('POST', `/calls/${dialled.id}/transfer`, { target: 'queue:vendas' });
      expect(r.status).toBe(200);
      const next = await connectedCallOf('1001', '11987653002');
      // The dialled channel's linkedid (CHANNEL(linkedid)) ties the queue's agent leg to this contact.
      expect(next).toMatchObject({ queue: 'vendas', parentId: r.body.childCallId, rootId: dialled.rootId });
      await stack.ok('POST', `/calls/${next.id}/hangup`);
      await gone(next.channels.customer, 'leg gone');
    } finally {
      for (const c of (await stack.ok('GET', '/calls?agent=1001')).calls as Any[]) await stack.api('POST', `/calls/${c.id}/hangup`);
      await stack.ok('POST', '/agents/1002/unpause');
    }
  }, 60_000);

  test('group:vendas-seq (sequential, attended): 2003 rings out, 1001 answers; consult, then complete', async () => {
    await available('1000');
    await available('1001');
    const number = '5511987653003';
    const cust = await stack.customerCalls('support', number);
    const call = await connectedCallOf('1000', number);
    const r = await stack.api('POST', `/calls/${call.id}/transfer`, { target: 'group:vendas-seq' });
    expect(r.status).toBe(202);
    expect(r.body.group).toMatchObject({ strategy: 'sequential', ringing: ['2003'] });
    await eventually(async () => (await stack.agent('2003')).state === 'ringing', 5_000, '2003 ringing');

    const consulting = await eventually(async () => {
      const t = await stack.ok('GET', `/calls/${call.id}/transfer`);
      return t.state === 'consulting' ? t : undefined;
    }, 20_000, 'consulting with 1001');
    expect(consulting.group).toMatchObject({ tried: ['2003', '1001'], answeredBy: '1001' });
    const missed = (await stack.ok('GET', `/history?agent=2003`)).calls.find((c: Any) => c.parentId === call.id);
    expect(missed).toMatchObject({ status: 'missed' });
    const child = await stack.ok('GET', `/calls/${consulting.childCallId}`);
    expect(child).toMatchObject({ agent: '1001' });
    // Consulting: both agents' devices in the call bridge, the customer alone on hold.
    const callBridge = (await stack.ok('GET', `/calls/${call.id}`)).bridgeId as string; // set by the takeover under native
    expect(await bridgeChannels(callBridge)).toEqual([call.channels.agent, child.channels.agent].sort());

    await stack.ok('POST', `/calls/${call.id}/transfer/complete`);
    await gone(call.channels.agent, "1000's device hung up");
    const after = await stack.ok('GET', `/calls/${child.id}`);
    expect(after).toMatchObject({ state: 'connected', agent: '1001' });
    expect(await bridgeChannels(after.bridgeId)).toEqual([call.channels.customer, child.channels.agent].sort());
    await stack.ok('POST', `/calls/${after.id}/hangup`);
    await gone(cust.queueSideId, 'customer hung up');
  }, 60_000);
});

/**
 * <name>.ami.txt (the AMI banner, then the events as "Key: Value" blocks: the test driver's user
 * reads every event; no actions, they were the daemon's), <name>.ari.jsonl, <name>.steps.txt.
 */
function writeCapture(dir: string, name: string, ami: AmiEvent[], ari: string[], steps: string[]): void {
  const blocks = ami.map((e) =>
    Object.entries(e)
      .flatMap(([k, v]) => String(v).split('\n').map((line) => `${k}: ${line}`))
      .join('\n'),
  );
  // The banner Asterisk 22.10.1 sends (the driver's client consumed it): the capture readers expect it first.
  fs.writeFileSync(path.join(dir, `${name}.ami.txt`), ['Asterisk Call Manager/11.0.0', ...blocks].join('\n\n') + '\n');
  fs.writeFileSync(path.join(dir, `${name}.ari.jsonl`), ari.join('\n') + '\n');
  fs.writeFileSync(path.join(dir, `${name}.steps.txt`), steps.join('\n') + '\n');
}
