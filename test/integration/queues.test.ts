/**
 * app_queue with the shipped queues.conf on a real Asterisk, daemon in-process: `autofill = yes`
 * offers as many waiting callers at once as there are free agents. (With Asterisk's default `no`
 * the second caller is offered only once the first one is answered: measured on 22.10.1, 18 of 20
 * callers abandoned with 10 free agents.) The simulator's model of it: test/sim/autofill.test.ts.
 */
import { describeWithAsterisk } from './asterisk';
import { eventually, Stack } from './harness';

describeWithAsterisk('queues.conf on a real Asterisk', (install) => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await Stack.start(install, {
      queues: [{ name: 'support' }],
      // 3xxx phones ring 2 s before answering (asterisk-test-conf/extensions-test.conf).
      agents: [
        { extension: '3000', queues: ['support'] },
        { extension: '3001', queues: ['support'] },
      ],
    });
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
  }, 30_000);

  test('autofill: two callers at once with two free agents ring both agents in parallel', async () => {
    for (const ext of ['3000', '3001']) await stack.ok('POST', `/agents/${ext}/login`, { queues: ['support'] });
    const from = stack.ami.events.length;
    const a = await stack.customerCalls('support', '5511987650011');
    const b = await stack.customerCalls('support', '5511987650012');
    try {
      const calledA = await stack.ami.waitEvent((e) => e.Event === 'AgentCalled' && e.Linkedid === a.id, 10_000, 'AgentCalled for caller 1');
      const calledB = await stack.ami.waitEvent((e) => e.Event === 'AgentCalled' && e.Linkedid === b.id, 10_000, 'AgentCalled for caller 2');
      expect(calledA.MemberName).not.toBe(calledB.MemberName);
      // Both were offered while the phones still rang: no call was answered before the second offer
      // (which caller joins the queue first is up to Asterisk: the two originates are async).
      const since = stack.ami.events.slice(from);
      const firstConnect = since.findIndex((e) => e.Event === 'AgentConnect');
      const secondOffer = Math.max(since.indexOf(calledA), since.indexOf(calledB));
      expect(firstConnect === -1 ? Infinity : firstConnect).toBeGreaterThan(secondOffer);
      await eventually(
        async () => ((await stack.ok('GET', '/calls')).calls as { state: string }[]).filter((c) => c.state === 'connected').length === 2,
        15_000,
        'both calls connected',
      );
    } finally {
      await stack.hangupChannel(a.id).catch(() => undefined);
      await stack.hangupChannel(b.id).catch(() => undefined);
    }
  }, 60_000);
});
