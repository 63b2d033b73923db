/**
 * Call scenarios (issue 4) against a real Asterisk, daemon in-process: queue call answered and
 * bridged, hold with MOH and back, agent hang-up → wrap-up → automatic disposition (also across a
 * daemon restart), prank blocking the next call, outbound dial rules.
 */
import Database from 'better-sqlite3';
import { describeWithAsterisk } from './asterisk';
import { eventually, Stack } from './harness';

const AUTO = 'Tabulação automática';

describeWithAsterisk('calls on a real Asterisk', (install) => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await Stack.start(install, {
      policy: { wrapup_seconds: 4, max_no_answer: 0, auto_disposition: AUTO, prank_block_minutes: 30, block_dialing_in_pause: true },
      queues: [{ name: 'support' }, { name: 'vendas', settings: { wrapupSeconds: 15 } }],
      pauseReasons: [{ name: 'Almoço', statusId: 11 }],
      dispositions: ['Resolvido'],
      agents: [
        { extension: '1000', queues: ['support'] },
        { extension: '1001', queues: ['vendas'] },
        { extension: '1002', queues: ['support'] },
      ],
    });
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
  }, 30_000);

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async function liveCallOf(ext: string, state = 'connected'): Promise<any> {
    return eventually(
      async () => ((await stack.ok('GET', `/calls?agent=${ext}`)).calls as { state: string }[]).find((c) => c.state === state),
      20_000,
      `a ${state} call of agent ${ext}`,
    );
  }

  async function bridgeChannels(id: string): Promise<string[]> {
    const r = await stack.ari('GET', `/bridges/${encodeURIComponent(id)}`);
    return r.status === 200 ? (r.body.channels as string[]) : [];
  }

  function wrapupRows(ext: string): { disposition: string | null; auto: number; finished_by: string | null; ended_at: number | null }[] {
    const db = new Database(stack.config.database.path, { readonly: true, fileMustExist: true });
    try {
      return db.prepare('SELECT disposition, auto, finished_by, ended_at FROM wrapups WHERE extension = ? ORDER BY id').all(ext) as never;
    } finally {
      db.close();
    }
  }

  /** Announcer/ARI_MOH channels in a bridge (`core show channels concise`: BridgeID is field 13). */
  async function mohPlayersIn(bridgeId: string): Promise<number> {
    const lines = (await stack.ast.cli('core show channels concise')).split('\n');
    return lines.filter((l) => l.startsWith('Announcer/ARI_MOH') && l.split('!')[12] === bridgeId).length;
  }

  async function hangupAgentDevice(call: { channels: { agent: string } }): Promise<void> {
    await stack.hangupChannel(call.channels.agent);
  }

  test('a queue call is answered by the agent device and bridged with the member leg', async () => {
    await stack.ok('POST', '/agents/1000/login', { queues: ['support'] });
    const cust = await stack.customerCalls('support');
    const call = await liveCallOf('1000');
    expect(call).toMatchObject({ kind: 'inbound', queue: 'support', agent: '1000', number: '5511987650001' });
    const connect = await stack.ami.waitEvent((e) => e.Event === 'AgentConnect' && e.Linkedid === cust.id, 10_000, 'AgentConnect');
    expect(connect).toMatchObject({ Queue: 'support', Interface: stack.memberInterface('1000') });
    if (stack.config.asterisk.queue_topology === 'native') {
      // app_queue bridged it itself; the hold below takes it over into an ARI bridge.
      expect(call.bridgeId ?? null).toBeNull();
    } else {
      expect((await bridgeChannels(call.bridgeId)).sort()).toEqual([call.channels.agent, call.channels.customer].sort());
    }
    expect(await stack.agent('1000')).toMatchObject({ state: 'on-call', currentCallId: call.id });

    // Hold: the customer side alone in a holding bridge with music; back into the call on unhold.
    const held = await stack.ok('POST', `/calls/${call.id}/hold`);
    expect(held).toMatchObject({ state: 'on-hold' });
    call.bridgeId = held.bridgeId;
    expect(await bridgeChannels(held.holdBridgeId)).toEqual([call.channels.customer]);
    expect(await bridgeChannels(call.bridgeId)).toEqual([call.channels.agent]);
    // Bridge MOH = an Announcer/ARI_MOH channel playing the class inside the holding bridge.
    await eventually(async () => (await mohPlayersIn(held.holdBridgeId)) === 1, 10_000, 'MOH in the holding bridge');
    const back = await stack.ok('POST', `/calls/${call.id}/unhold`);
    expect(back).toMatchObject({ state: 'connected', holdBridgeId: null });
    expect((await bridgeChannels(call.bridgeId)).sort()).toEqual([call.channels.agent, call.channels.customer].sort());
    expect((await stack.ari('GET', `/bridges/${held.holdBridgeId}`)).status).toBe(404);
    await eventually(async () => (await mohPlayersIn(held.holdBridgeId)) === 0, 10_000, 'MOH stopped');

    // Holding an unheld call twice is refused and changes nothing.
    expect((await stack.api('POST', `/calls/${call.id}/unhold`)).status).toBe(409);

    // The agent hangs up: the customer side ends, the agent goes into wrap-up, then the automatic
    // disposition is recorded when the window (policy 4 s) expires.
    await hangupAgentDevice(call);
    await eventually(async () => !(await stack.channelExists(cust.queueSideId)), 10_000, 'customer gone');
    await eventually(async () => (await stack.agent('1000')).state === 'wrap-up', 10_000, 'agent 1000 in wrap-up');
    await eventually(async () => (await stack.agent('1000')).state === 'available', 10_000, 'wrap-up expired');
    expect(wrapupRows('1000').at(-1)).toMatchObject({ disposition: AUTO, auto: 1 });
    const ended = await stack.ok('GET', `/calls/${call.id}`);
    expect(ended).toMatchObject({ state: 'ended', disposition: AUTO });
  }, 60_000);

  test('a wrap-up still fires after a daemon restart in the middle of it', async () => {
    await stack.ok('POST', '/agents/1001/login', { queues: ['vendas'] });
    const cust = await stack.customerCalls('vendas', '5511987650002');
    const call = await liveCallOf('1001');
    await hangupAgentDevice(call);
    await eventually(async () => (await stack.agent('1001')).state === 'wrap-up', 10_000, 'agent 1001 in wrap-up');
    const before = wrapupRows('1001').at(-1)!;
    expect(before.ended_at).toBeNull();

    await stack.stopDaemon();
    await new Promise((r) => setTimeout(r, 1000));
    await stack.startDaemon();
    // Still in wrap-up after the restart (vendas: 15 s window), then closed automatically by the timer.
    expect((await stack.agent('1001')).state).toBe('wrap-up');
    await eventually(async () => (await stack.agent('1001')).state === 'available', 25_000, 'wrap-up fired after restart');
    expect(wrapupRows('1001').at(-1)).toMatchObject({ disposition: AUTO, auto: 1 });
    expect(await stack.channelExists(cust.queueSideId)).toBe(false);
  }, 60_000);

  test('prank: the customer is hung up, the number blocked, and the next call from it rejected', async () => {
    await stack.ok('POST', '/agents/1002/login', { queues: ['support'] });
    await stack.ok('POST', '/agents/1000/pause', { reason: 'Almoço' });
    const number = '5511987650099';
    const first = await stack.customerCalls('support', number);
    const call = await liveCallOf('1002');
    const r = await stack.ok('POST', `/calls/${call.id}/prank`);
    expect(r).toMatchObject({ blocked: true });
    await eventually(async () => !(await stack.channelExists(first.queueSideId)), 10_000, 'prank caller gone');
    const list = await stack.ok('GET', '/blocklist');
    expect(JSON.stringify(list)).toContain(number);

    await eventually(async () => ['available'].includes((await stack.agent('1002')).state), 15_000, 'agent 1002 free again');
    const again = await stack.customerCalls('support', number);
    // Rejected: the caller is hung up and no agent is connected to it.
    await eventually(async () => !(await stack.channelExists(again.queueSideId)), 15_000, 'blocked caller hung up');
    const calls = (await stack.ok('GET', '/calls?agent=1002')).calls as { state: string }[];
    expect(calls.filter((c) => c.state === 'connected')).toEqual([]);
    await stack.ok('POST', '/agents/1000/unpause');
  }, 60_000);

  test('prank on a withheld caller ID (anonymous): the customer is hung up, nothing is blocked, the answer says why', async () => {
    await eventually(async () => (await stack.agent('1002')).state === 'available', 15_000, 'agent 1002 available');
    await stack.ok('POST', '/agents/1000/pause', { reason: 'Almoço' });
    try {
      const cust = await stack.customerCalls('support', 'anonymous');
      const call = await liveCallOf('1002');
      expect(call.number).toBe('anonymous');
      const r = await stack.ok('POST', `/calls/${call.id}/prank`);
      expect(r).toMatchObject({ blocked: false, notBlocked: 'withheld', expiresAt: null });
      await eventually(async () => !(await stack.channelExists(cust.queueSideId)), 10_000, 'withheld caller hung up');
      const shown = await stack.ok('GET', `/calls/${call.id}`);
      expect(shown).toMatchObject({ state: 'ended', endReason: 'prank' });
      expect(shown.events).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'prank', data: expect.objectContaining({ notBlocked: 'withheld' }) })]));
      expect(JSON.stringify(await stack.ok('GET', '/blocklist'))).not.toContain('anonymous');
    } finally {
      await stack.ok('POST', '/agents/1000/unpause');
    }
  }, 60_000);

  test('outbound: the agent device then the customer through the dial template, bridged', async () => {
    await eventually(async () => (await stack.agent('1000')).state === 'available', 15_000, 'agent 1000 available');
    const r = await stack.api('POST', '/calls/dial', { agent: '1000', number: '(11) 98765-4321' });
    expect(r.status).toBe(201);
    const call = await eventually(async () => {
      const c = await stack.ok('GET', `/calls/${r.body.id}`);
      return c.state === 'connected' ? c : undefined;
    }, 20_000, 'outbound call connected');
    try {
      expect(call).toMatchObject({ kind: 'outbound', agent: '1000', number: expect.stringMatching(/11987654321$/) });
      expect((await bridgeChannels(call.bridgeId)).sort()).toEqual([call.channels.agent, call.channels.customer].sort());
      const customer = await stack.ari('GET', `/channels/${call.channels.customer}`);
      expect(customer.body.name).toMatch(/^Local\/11987654321@test-dial-/);
    } finally {
      await stack.ok('POST', `/calls/${call.id}/hangup`);
    }
    await eventually(async () => !(await stack.channelExists(call.channels.customer)), 10_000, 'customer hung up');
    expect(await stack.channelExists(call.channels.agent)).toBe(false);
  }, 40_000);

  test('outbound refused: bad number (400), international (409), paused agent with blocking (409); nothing dialled', async () => {
    await eventually(async () => (await stack.agent('1000')).state === 'available', 15_000, 'agent 1000 available');
    const before = (await stack.ari('GET', '/channels')).body.length;
    const bad = await stack.api('POST', '/calls/dial', { agent: '1000', number: '11-ABC' });
    expect(bad.status).toBe(400);
    const injected = await stack.api('POST', '/calls/dial', { agent: '1000', number: '11987654321&Local/1@x' });
    expect(injected.status).toBe(400);
    const intl = await stack.api('POST', '/calls/dial', { agent: '1000', number: '4155550100', ddi: '1' });
    expect(intl.status).toBe(409);
    expect(JSON.stringify(intl.body)).toMatch(/international/i);
    await stack.ok('POST', '/agents/1000/pause', { reason: 'Almoço' });
    const paused = await stack.api('POST', '/calls/dial', { agent: '1000', number: '11987654321' });
    expect(paused.status).toBe(409);
    expect(JSON.stringify(paused.body)).toMatch(/paused/i);
    expect((await stack.ari('GET', '/channels')).body.length).toBe(before);
    await stack.ok('POST', '/agents/1000/unpause');
  }, 40_000);

  test('a trunk call enters Stasis (cc-inbound), the daemon queues it; a blocked number is rejected', async () => {
    await eventually(async () => (await stack.agent('1000')).state === 'available', 15_000, 'agent 1000 available');
    const caller = await stack.trunkCalls('551140040001', '5511987650123');
    // Native (the default): the caller itself runs Queue(). Stand-in (test/integration/stand-in.test.ts):
    // its stand-in does.
    const queued = stack.config.asterisk.queue_topology === 'stand-in' ? `${caller.queueSideId}-si-q` : caller.queueSideId;
    await stack.ami.waitEvent(
      (e) => e.Event === 'Newexten' && e.Uniqueid === queued && e.Context === 'cc-queues' && e.Application === 'Queue',
      10_000,
      'the trunk caller in the queue',
    );
    const call = await liveCallOf('1000');
    expect(call).toMatchObject({ queue: 'support', number: '5511987650123' });
    await stack.ok('POST', `/calls/${call.id}/hangup`);
    await eventually(async () => !(await stack.channelExists(caller.queueSideId)), 10_000, 'trunk caller hung up');

    // 5511987650099 was blocked by the prank test: rejected in Stasis, never queued.
    const blocked = await stack.trunkCalls('551140040001', '5511987650099');
    await eventually(async () => !(await stack.channelExists(blocked.queueSideId)), 10_000, 'blocked trunk caller hung up');
    expect(
      stack.ami.events.some((e) => e.Event === 'Newexten' && [blocked.queueSideId, `${blocked.queueSideId}-si-q`].includes(String(e.Uniqueid)) && e.Context === 'cc-queues'),
    ).toBe(false);
  }, 40_000);
});
