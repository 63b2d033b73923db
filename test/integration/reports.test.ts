/**
 * Reports against a real Asterisk: the queue stays the daemon records from Asterisk's own AMI events
 * (QueueCallerJoin/Leave/Abandon, AgentConnect) and the shipped dialplan's CcQueueExit add up to
 * the calls this test placed: three answered by agent 1000, one caller who gave up after waiting
 * more than the short-abandon threshold, one withdrawn from the queue (AMI QueueWithdrawCaller,
 * which app_queue also reports as an abandon: the CcQueueExit WITHDRAW that follows makes it left).
 */
import { describeWithAsterisk } from './asterisk';
import { eventually, Stack } from './harness';

describeWithAsterisk('reports on a real Asterisk', (install) => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await Stack.start(install, {
      policy: { wrapup_seconds: 30, max_no_answer: 0 },
      queues: [{ name: 'support' }],
      pauseReasons: [{ name: 'Almoço', statusId: 11 }],
      dispositions: ['Resolvido'],
      agents: [{ extension: '1000', queues: ['support'] }],
    });
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
  }, 30_000);

  test('3 answered, 1 abandoned, 1 withdrawn: as placed', async () => {
    const from = Date.now() - 1000;
    await stack.ok('POST', '/agents/1000/login', { queues: ['support'] });
    for (const n of [1, 2, 3]) {
      const cust = await stack.customerCalls('support', `551198765200${n}`);
      const call = await eventually(
        async () => ((await stack.ok('GET', '/calls?agent=1000')).calls as { state: string; id: string }[]).find((c) => c.state === 'connected'),
        20_000,
        `call ${n} connected`,
      );
      await stack.hangupChannel(cust.id); // the customer hangs up
      await eventually(async () => (await stack.agent('1000')).state === 'wrap-up', 10_000, 'wrap-up');
      await stack.ok('POST', '/agents/1000/wrapup', { disposition: 'Resolvido' });
      await eventually(async () => (await stack.agent('1000')).state === 'available', 10_000, 'available');
      expect((await stack.ok('GET', `/calls/${call.id}`)).disposition).toBe('Resolvido');
    }
    // Nobody available: the fourth caller waits, then hangs up after 6 s (more than the 5 s short abandon).
    await stack.ok('POST', '/agents/1000/pause', { reason: 'Almoço' });
    const quitter = await stack.customerCalls('support', '5511987652004');
    await stack.waiting('support', 1);
    await new Promise((r) => setTimeout(r, 6000));
    await stack.hangupChannel(quitter.id);
    await stack.waiting('support', 0);
    const withdrawn = await stack.customerCalls('support', '5511987652005');
    await stack.waiting('support', 1);
    const channel = (await stack.ari('GET', `/channels/${withdrawn.queueSideId}`)).body.name as string;
    await stack.ami.action('QueueWithdrawCaller', { Queue: 'support', Caller: channel, WithdrawInfo: 'callback' });
    await stack.waiting('support', 0);
    await stack.ok('POST', '/agents/1000/unpause');

    const range = `from=${from}&to=${Date.now() + 1000}`;
    const q = await eventually(async () => {
      const r = await stack.ok('GET', `/reports/quantitative?${range}`);
      return r.total.left === 1 ? r : undefined;
    }, 10_000, 'the withdrawal counted');
    expect(q.total).toMatchObject({
      offered: 5,
      answered: 3,
      answeredPct: 60,
      abandoned: 1,
      shortAbandoned: 0,
      timedOut: 0,
      left: 1,
      lost: 0,
      waiting: 0,
      handled: 3,
      rings: 3,
      missedRings: 0,
    });
    const s = await stack.ok('GET', `/reports/summary?${range}`);
    expect(s.total).toMatchObject({ answered: 3, handled: 3, serviceLevelPct: 60, dispositions: { Resolvido: 3 } });
    expect(s.total.asaSeconds).toBeLessThan(5);
    expect(s.total.longestWaitSeconds).toBeGreaterThanOrEqual(6);
    const d = await stack.ok('GET', `/reports/detailed?${range}`);
    expect(d.contacts.map((c: { stays: { outcome: string }[]; parts: { agent: string; status: string }[] }) => [c.stays.map((x) => x.outcome), c.parts.map((p) => `${p.agent} ${p.status}`)])).toEqual([
      [['answered'], ['1000 answered']],
      [['answered'], ['1000 answered']],
      [['answered'], ['1000 answered']],
      [['abandoned'], []],
      [['left'], []],
    ]);
    expect(d.contacts[4].stays[0].detail).toBe('WITHDRAW callback');
  }, 90_000);
});
