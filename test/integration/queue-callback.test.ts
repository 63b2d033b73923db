/**
 * Callback from the queue on a real Asterisk: the shipped queues.conf `context = cc-queue-callback`
 * makes the digit 1 leave Queue() for [cc-queue-callback], whose Stasis(callcenter,queue-callback,
 * <queue>,<position>) hands the caller to the daemon. Checked here: the DTMF of the caller's handset
 * (AMI PlayDTMF on the Local ;1, read by app_queue on ;2) leaves the queue (QueueCallerLeave, no
 * abandon), the daemon keeps a request with the caller's entry time, the accepted caller hears the
 * thank-you and is hung up; the earlier caller is answered first; then agent 1000 is rung and the
 * caller dialled through the dial template (test-dial); history and reports show it.
 */
import { describeWithAsterisk } from './asterisk';
import { eventually, Stack } from './harness';

describeWithAsterisk('callback from the queue on a real Asterisk', (install) => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await Stack.start(install, {
      policy: { wrapup_seconds: 30, max_no_answer: 0, callbacks: { queue_requests: { recheck_seconds: 1 } } },
      queues: [{ name: 'support' }],
      pauseReasons: [{ name: 'Almoço', statusId: 11 }],
      dispositions: ['Resolvido'],
      agents: [{ extension: '1000', queues: ['support'] }],
    });
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
  }, 30_000);

  test('1 while waiting: request keeps the turn; agent rung, then the caller dialled', async () => {
    const from = Date.now() - 1000;
    await stack.ok('POST', '/agents/1000/login', { queues: ['support'] });
    await stack.ok('POST', '/agents/1000/pause', { reason: 'Almoço' });
    const early = await stack.customerCalls('support', '5511911112222');
    await stack.waiting('support', 1);
    const caller = await stack.customerCalls('support', '5511933334444');
    await stack.waiting('support', 2);

    const n0 = stack.ami.events.length;
    const handset = (await stack.ari('GET', `/channels/${caller.id}`)).body.name as string;
    await stack.ami.action('PlayDTMF', { Channel: handset, Digit: '1', Duration: 250 });
    const req = await eventually(async () => (await stack.ok('GET', '/callbacks?origin=queue'))[0], 10_000, 'callback request');
    expect(req).toMatchObject({ origin: 'queue', queue: 'support', number: '11933334444', ddi: '55', status: 'pending', uniqueid: caller.queueSideId });
    await stack.waiting('support', 1);
    // Thanked (Playback auth-thankyou) and hung up: both halves of the caller's Local pair go.
    await eventually(async () => !(await stack.channelExists(caller.queueSideId)) && !(await stack.channelExists(caller.id)), 10_000, 'caller hung up');
    const mine = stack.ami.events.slice(n0).filter((e) => e.Uniqueid === caller.queueSideId && /^QueueCaller/.test(e.Event));
    expect(mine.map((e) => e.Event)).toEqual(['QueueCallerLeave']); // not an abandon
    const db = stack.daemon!.deps.db;
    const stay = await eventually(
      () => db.prepare("SELECT * FROM queue_stays WHERE uniqueid = ? AND outcome = 'callback'").get(caller.queueSideId) as { joined_at: number; callback_id: number } | undefined,
      10_000,
      'stay closed as callback',
    );
    expect(stay.callback_id).toBe(req.id);
    expect(req.queueJoinedAt).toBe(stay.joined_at);
    const mon = await stack.ok('GET', '/monitor/queues/support');
    expect(mon.callbackRequests.map((r: { id: number }) => r.id)).toEqual([req.id]);

    // The agent is back: the earlier caller is answered first, the request waits for its turn.
    await stack.ok('POST', '/agents/1000/unpause');
    const first = await eventually(
      async () => ((await stack.ok('GET', '/calls?agent=1000')).calls as { state: string; id: string; number: string }[]).find((c) => c.state === 'connected'),
      20_000,
      'earlier caller connected',
    );
    expect(first.number).toBe('5511911112222');
    expect((await stack.ok('GET', '/callbacks?origin=queue'))[0].status).toBe('pending');
    await stack.hangupChannel(early.id);
    await eventually(async () => (await stack.agent('1000')).state === 'wrap-up', 10_000, 'wrap-up');
    await stack.ok('POST', '/agents/1000/wrapup', { disposition: 'Resolvido' });

    const done = await eventually(async () => {
      const r = (await stack.ok('GET', '/callbacks?origin=queue'))[0];
      return r.status === 'done' ? r : undefined;
    }, 20_000, 'request done');
    const call = await eventually(
      async () => ((await stack.ok('GET', '/calls?agent=1000')).calls as { state: string; id: string }[]).find((c) => c.id === done.callId && c.state === 'connected'),
      20_000,
      'callback call connected',
    );
    expect(call).toMatchObject({ kind: 'callback', direction: 'outbound', queue: 'support' });
    const ev = db.prepare("SELECT data FROM call_events WHERE call_id = ? AND type = 'callback'").get(done.callId) as { data: string };
    expect(JSON.parse(ev.data)).toMatchObject({ callbackId: req.id, origin: 'queue', requestedFrom: caller.id });
    // The customer's side is the dial template's Local/11933334444@test-dial.
    const customer = (await stack.ari('GET', `/channels`)).body as { name: string }[];
    expect(customer.some((c) => c.name.startsWith('Local/11933334444@test-dial'))).toBe(true);
    await stack.ok('POST', `/calls/${call.id}/hangup`);

    const d = await stack.ok('GET', `/reports/detailed?from=${from}&to=${Date.now() + 1000}`);
    const left = d.contacts.find((c: { linkedid: string }) => c.linkedid === caller.id);
    expect(left.stays).toMatchObject([{ outcome: 'callback', detail: `callback ${req.id}`, callId: done.callId }]);
    const q = await stack.ok('GET', `/reports/quantitative?from=${from}&to=${Date.now() + 1000}`);
    expect(q.total).toMatchObject({ offered: 2, answered: 1, callbackRequests: 1, abandoned: 0, left: 0, callbacks: 1, callbackConnects: 1 });
  }, 120_000);

  test('daemon down: Stasis() fails and the caller goes back into the queue, nobody is lost', async () => {
    await stack.ok('POST', '/agents/1000/pause', { reason: 'Almoço' });
    const caller = await stack.customerCalls('support', '5511944445555');
    await stack.waiting('support', 1);
    await stack.stopDaemon();
    const n0 = stack.ami.events.length;
    const handset = (await stack.ari('GET', `/channels/${caller.id}`)).body.name as string;
    await stack.ami.action('PlayDTMF', { Channel: handset, Digit: '1', Duration: 250 });
    const joins = () => stack.ami.events.slice(n0).filter((e) => e.Uniqueid === caller.queueSideId && /^QueueCaller(Leave|Join)$/.test(e.Event)).map((e) => e.Event);
    await eventually(() => joins().join() === 'QueueCallerLeave,QueueCallerJoin', 10_000, 'left and re-joined');
    expect(await stack.channelExists(caller.queueSideId)).toBe(true);
    await stack.startDaemon();
    await stack.waiting('support', 1);
    await stack.hangupChannel(caller.id);
    await stack.waiting('support', 0);
  }, 60_000);
});
