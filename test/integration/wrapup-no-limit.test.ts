/**
 * After-call work without a time limit on a real Asterisk: while an unlimited wrap-up is open, the
 * agent's Custom:agent-<ext> stays INUSE, so app_queue (ringinuse = no) does not offer it the next
 * caller, past the queue's own seconds; `wrapup set` frees it and app_queue rings it at once. Also:
 * a dial to a number on the do-not-call list creates no channel on Asterisk.
 */
import { describeWithAsterisk } from './asterisk';
import { eventually, Stack } from './harness';

describeWithAsterisk('wrap-up without time limit on a real Asterisk', (install) => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await Stack.start(install, {
      policy: { max_no_answer: 0, wrapup_max_seconds: 3600 },
      // The queue's own window would close the wrap-up after 1 s: off, it does not.
      queues: [{ name: 'support', settings: { wrapupSeconds: 1, wrapupLimit: false } }],
      dispositions: ['Resolvido'],
      agents: [{ extension: '1000', queues: ['support'] }],
    });
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
  }, 30_000);

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const connectedCallOf = (ext: string, not?: string): Promise<any> =>
    eventually(async () => {
      const calls = (await stack.ok('GET', `/calls?agent=${ext}`)).calls as { state: string; id: string }[];
      return calls.find((c) => c.state === 'connected' && c.id !== not);
    }, 20_000, `a connected call of agent ${ext}`);

  test('app_queue does not offer the agent a call until `wrapup set`, then the next call arrives', async () => {
    await stack.ok('POST', '/agents/1000/login', { queues: ['support'] });
    await stack.customerCalls('support', '5511987650001');
    const first = await connectedCallOf('1000');
    await stack.hangupChannel(first.channels.agent);
    await eventually(async () => (await stack.agent('1000')).state === 'wrap-up', 10_000, 'agent 1000 in wrap-up');

    // Past the queue's 1 s window a second caller joins, and waits: app_queue sees the agent in use.
    await new Promise((r) => setTimeout(r, 2500));
    const second = await stack.customerCalls('support', '5511987650002');
    await stack.ami.waitEvent((e) => e.Event === 'QueueCallerJoin' && e.Uniqueid === second.queueSideId, 10_000, 'second caller queued');
    await new Promise((r) => setTimeout(r, 5000)); // two app_queue retries (retry = 2)
    const offered = () => stack.ami.events.filter((e) => e.Event === 'AgentCalled' && e.Linkedid === second.id);
    expect(offered()).toEqual([]);
    const st = await stack.agent('1000');
    expect(st).toMatchObject({ state: 'wrap-up', wrapup: { callId: first.id, limit: false } });
    expect(st.wrapup.elapsedSeconds).toBeGreaterThanOrEqual(7);
    const status = await stack.ami.client.actionList('QueueStatus', { Queue: 'support' });
    expect(status.events.filter((e) => e.Event === 'QueueEntry').map((e) => e.Uniqueid)).toEqual([second.queueSideId]);

    await stack.ok('POST', '/agents/1000/wrapup', { disposition: 'Resolvido' });
    await stack.ami.waitEvent((e) => e.Event === 'AgentConnect' && e.Linkedid === second.id, 15_000, 'second caller connected to the agent');
    const next = await connectedCallOf('1000', first.id);
    expect(next).toMatchObject({ queue: 'support', number: '5511987650002' });
    expect(offered().map((e) => e.Interface)).toEqual([stack.memberInterface('1000')]);
    await stack.ok('POST', `/calls/${next.id}/hangup`);
    await eventually(async () => !(await stack.channelExists(second.queueSideId)), 10_000, 'second caller hung up');
    await eventually(async () => (await stack.agent('1000')).state === 'wrap-up', 10_000, 'agent 1000 in wrap-up again');
    await stack.ok('POST', '/agents/1000/wrapup', { disposition: 'Resolvido' });
  }, 90_000);

  test('a dial to a number on the do-not-call list is refused before anything reaches Asterisk', async () => {
    await eventually(async () => (await stack.agent('1000')).state === 'available', 10_000, 'agent 1000 available');
    await stack.ok('POST', '/dnc', { number: '(11) 98765-4321', reason: 'pediu' });
    const before = (await stack.ari('GET', '/channels')).body.length;
    const r = await stack.api('POST', '/calls/dial', { agent: '1000', number: '11987654321' });
    expect(r.status).toBe(409);
    expect(r.body.error.message).toMatch(/^number \+5511987654321 is on the do-not-call list \(global\) since \d{4}-\d{2}-\d{2}: pediu$/);
    expect((await stack.ari('GET', '/channels')).body.length).toBe(before);
    expect(await stack.agent('1000')).toMatchObject({ state: 'available' });
  }, 30_000);
});
