/**
 * Transfers, 3-way conference and rooms (issue 4) against a real Asterisk, daemon in-process.
 * Agent 1000 takes the support calls; 1001 and 1002 are logged in, available, in vendas only (so
 * support never offers them a call) and serve as transfer/conference targets (a paused agent is not
 * a target: it is refused with 409).
 */
import { describeWithAsterisk } from './asterisk';
import { eventually, Stack } from './harness';

describeWithAsterisk('transfers and conference on a real Asterisk', (install) => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await Stack.start(install, {
      policy: { wrapup_seconds: 1, max_no_answer: 0 },
      queues: [{ name: 'support' }, { name: 'vendas' }],
      pauseReasons: [{ name: 'Almoço', statusId: 11 }],
      agents: [
        { extension: '1000', queues: ['support'] },
        { extension: '1001', queues: ['vendas'] },
        { extension: '1002', queues: ['vendas'] },
      ],
    });
    await stack.ok('POST', '/agents/1000/login', { queues: ['support'] });
    for (const ext of ['1001', '1002']) await stack.ok('POST', `/agents/${ext}/login`, { queues: ['vendas'] });
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
  }, 30_000);

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type Call = any;

  async function bridgeChannels(id: string): Promise<string[]> {
    const r = await stack.ari('GET', `/bridges/${encodeURIComponent(id)}`);
    return r.status === 200 ? [...(r.body.channels as string[])].sort() : [];
  }

  /** A customer calls support and 1000 answers; resolves with the connected call. */
  async function callTo1000(number: string): Promise<{ call: Call; cust: { id: string; queueSideId: string } }> {
    await eventually(async () => (await stack.agent('1000')).state === 'available', 15_000, 'agent 1000 available');
    const cust = await stack.customerCalls('support', number);
    const call = await eventually(async () => {
      const calls = (await stack.ok('GET', '/calls?agent=1000')).calls as Call[];
      return calls.find((c) => c.state === 'connected' && c.number === number);
    }, 20_000, 'call connected to 1000');
    return { call, cust };
  }

  async function transferState(id: string, state: string): Promise<Call> {
    return eventually(async () => {
      const t = await stack.ok('GET', `/calls/${id}/transfer`);
      return t.state === state ? t : undefined;
    }, 20_000, `transfer ${state}`);
  }

  /**
   * The call's bridge as it is now: a native call (app_queue's bridge) gets an ARI bridge only when
   * a request takes it over (src/calls/takeover.ts).
   */
  async function bridgeOf(callId: string): Promise<string> {
    return (await stack.ok('GET', `/calls/${callId}`)).bridgeId as string;
  }

  async function gone(channelId: string, what: string): Promise<void> {
    await eventually(async () => !(await stack.channelExists(channelId)), 10_000, what);
  }

  test('attended transfer completed: consult with the target, then the customer is with the target', async () => {
    const { call, cust } = await callTo1000('5511987651001');
    const started = await stack.api('POST', `/calls/${call.id}/transfer`, { target: '1001' });
    expect(started.status).toBe(202);
    const consulting = await transferState(call.id, 'consulting');
    const child = await stack.ok('GET', `/calls/${consulting.childCallId}`);
    // Consulting: both agents' devices in the call bridge, the customer alone in a holding bridge.
    expect(await bridgeChannels(await bridgeOf(call.id))).toEqual([call.channels.agent, child.channels.agent].sort());
    const parent = await stack.ok('GET', `/calls/${call.id}`);
    expect(await bridgeChannels(parent.holdBridgeId)).toEqual([call.channels.customer]);

    await stack.ok('POST', `/calls/${call.id}/transfer/complete`);
    await gone(call.channels.agent, "first agent's device hung up");
    const after = await stack.ok('GET', `/calls/${consulting.childCallId}`);
    expect(after).toMatchObject({ state: 'connected', agent: '1001' });
    expect(await bridgeChannels(after.bridgeId)).toEqual([call.channels.customer, child.channels.agent].sort());
    expect(await stack.agent('1001')).toMatchObject({ state: 'on-call' });

    await stack.ok('POST', `/calls/${after.id}/hangup`);
    await gone(cust.queueSideId, 'customer hung up');
  }, 60_000);

  test('attended transfer cancelled: the target is hung up and the customer is back with the agent', async () => {
    const { call, cust } = await callTo1000('5511987651002');
    await stack.ok('POST', `/calls/${call.id}/transfer`, { target: '1002' });
    const consulting = await transferState(call.id, 'consulting');
    const child = await stack.ok('GET', `/calls/${consulting.childCallId}`);
    await stack.ok('POST', `/calls/${call.id}/transfer/cancel`);
    await gone(child.channels.agent, "target's device hung up");
    expect(await transferState(call.id, 'cancelled')).toMatchObject({ state: 'cancelled' });
    const back = await stack.ok('GET', `/calls/${call.id}`);
    expect(back).toMatchObject({ state: 'connected', agent: '1000', holdBridgeId: null });
    expect(await bridgeChannels(await bridgeOf(call.id))).toEqual([call.channels.agent, call.channels.customer].sort());
    await stack.ok('POST', `/calls/${call.id}/hangup`);
    await gone(cust.queueSideId, 'customer hung up');
  }, 60_000);

  test('blind transfer to a service: the customer runs <ext>@cc-services, app_queue closes the call', async () => {
    const { call, cust } = await callTo1000('5511987651003');
    const r = await stack.api('POST', `/calls/${call.id}/transfer`, { target: '301' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ service: '301', state: 'completed' });
    // The customer's own (queue) channel runs the service dialplan...
    await stack.ami.waitEvent(
      (e) => e.Event === 'Newexten' && e.Uniqueid === cust.queueSideId && e.Context === 'cc-services' && e.Exten === '301',
      10_000,
      'customer in 301@cc-services',
    );
    // ...app_queue ends the member's call at once, and the agent's device is released.
    await stack.ami.waitEvent(
      (e) => e.Event === 'AgentComplete' && e.Linkedid === cust.id && e.Reason === 'transfer',
      10_000,
      'AgentComplete Reason transfer',
    );
    await gone(call.channels.agent, "agent's device hung up");
    // Service 301 plays its message and hangs up.
    await gone(cust.queueSideId, 'customer done with the service');
  }, 60_000);

  test('3-way conference: the added agent joins the call bridge; cancel removes only them', async () => {
    const { call, cust } = await callTo1000('5511987651004');
    const r = await stack.api('POST', `/calls/${call.id}/conference`, { agent: '1001' });
    expect(r.status).toBe(202);
    const joined = await eventually(async () => {
      const m = await stack.ok('GET', `/calls/${call.id}/conference`);
      return m.state === 'joined' ? m : undefined;
    }, 20_000, 'conference member joined');
    const third = await stack.ok('GET', `/calls/${joined.childCallId}`);
    expect(await bridgeChannels(await bridgeOf(call.id))).toEqual([call.channels.agent, call.channels.customer, third.channels.agent].sort());

    await stack.ok('POST', `/calls/${call.id}/conference/cancel`);
    await gone(third.channels.agent, 'added agent removed');
    expect(await bridgeChannels(await bridgeOf(call.id))).toEqual([call.channels.agent, call.channels.customer].sort());
    await stack.ok('POST', `/calls/${call.id}/hangup`);
    await gone(cust.queueSideId, 'customer hung up');
  }, 60_000);

  test('room: refused without a room (nothing changes); moved into *1002 once configured; dial-in joins', async () => {
    const { call, cust } = await callTo1000('5511987651005');
    const refused = await stack.api('POST', `/calls/${call.id}/room`, { extension: '1002' });
    expect(refused.status).toBe(404);
    const before = await bridgeOf(call.id);
    // Unchanged: still app_queue's bridge under native (a refused request takes nothing over).
    if (stack.config.asterisk.queue_topology === 'native') expect(before ?? null).toBeNull();
    else expect(await bridgeChannels(before)).toEqual([call.channels.agent, call.channels.customer].sort());

    await stack.ok('POST', '/rooms', { extension: '1002' });
    const moved = await stack.ok('POST', `/calls/${call.id}/room`, { extension: '1002' });
    expect(moved).toMatchObject({ room: '*1002' });
    const room = await stack.ari('GET', `/bridges/${moved.bridgeId}`);
    expect(room.body.name).toBe('*1002');
    expect(await bridgeChannels(moved.bridgeId)).toEqual([call.channels.agent, call.channels.customer].sort());

    // A phone dialling *1002 (cc-phones) joins the same room.
    const dialIn = `room-in-${process.pid}`;
    await stack.ami.action('Originate', {
      Channel: 'Local/*1002@cc-phones/n',
      Context: 'test-customer',
      Exten: 's',
      Priority: 1,
      Async: true,
      ChannelId: dialIn,
      OtherChannelId: `${dialIn}-r`,
    });
    await eventually(async () => (await bridgeChannels(moved.bridgeId)).includes(`${dialIn}-r`), 10_000, 'dial-in in the room');

    // The agent leaves: the customer stays in the room with the other participant.
    await stack.hangupChannel(call.channels.agent);
    await eventually(
      async () => (await bridgeChannels(moved.bridgeId)).join() === [call.channels.customer, `${dialIn}-r`].sort().join(),
      10_000,
      'customer and dial-in left in the room',
    );
    await stack.hangupChannel(dialIn);
    await stack.hangupChannel(cust.id);
    await gone(cust.queueSideId, 'customer hung up');
  }, 60_000);

  test('survey: when the agent hangs up, the customer answers the survey in cc-survey (UserEvent CcSurvey)', async () => {
    await stack.ok('PATCH', '/catalogue/queues/support', { surveyExtension: 'survey' });
    try {
      const { call, cust } = await callTo1000('5511987651006');
      if (stack.config.asterisk.queue_topology === 'native') {
        // A survey queue's call is taken over at the answer (a few ms): the survey needs the
        // customer in the app when the agent hangs up (docs/CALL-TOPOLOGY.md "Native topology").
        await eventually(async () => !!(await stack.ok('GET', `/calls/${call.id}`)).bridgeId, 5_000, 'survey call taken over');
      }
      await stack.hangupChannel(call.channels.agent);
      await stack.ami.waitEvent(
        (e) => e.Event === 'Newexten' && e.Uniqueid === call.channels.customer && e.Context === 'cc-survey' && e.Application === 'Read',
        10_000,
        'customer side reading the survey answer in survey@cc-survey',
      );
      // The customer keys 4 on the handset (the ;1 half of the customer's Local pair).
      const handset = await stack.ari('GET', `/channels/${cust.id}`);
      await stack.ami.action('PlayDTMF', { Channel: handset.body.name, Digit: '4', Duration: 250 });
      const ev = await stack.ami.waitEvent(
        (e) => e.Event === 'UserEvent' && e.UserEvent === 'CcSurvey' && e.Linkedid === cust.id,
        10_000,
        'UserEvent CcSurvey',
      );
      expect(ev).toMatchObject({ Score: '4', Uniqueid: call.channels.customer });
      // The daemon (AMI read class user) stores the score on the call part it rates.
      await eventually(
        async () => {
          const r = await stack.ok('GET', `/reports/detailed?from=${call.startedAt}&agent=1000`);
          return r.contacts.some((c: { parts: { id: string; surveyScore: number | null }[] }) => c.parts.some((p) => p.id === call.id && p.surveyScore === 4));
        },
        10_000,
        'survey score stored on the call',
      );
      await gone(cust.queueSideId, 'customer done with the survey');
    } finally {
      await stack.ok('PATCH', '/catalogue/queues/support', { surveyExtension: null });
    }
  }, 60_000);
});
