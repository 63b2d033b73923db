/**
 * Transfers to a queue and to an agent group (issue 14 item 1), whole daemon on the simulator.
 * Catalogue of the e2e kit: 1000 (support, vendas:1), 1001 (support), 1002 (vendas).
 *  - queue:vendas: the customer leaves agent 1000 and re-enters vendas (AMI BlindTransfer of the
 *    member ;1 to vendas@cc-queues), where 1002 gets it as a new part of the same contact;
 *  - group:<name>: members rung by strategy; first to answer wins, nobody available → 409, nobody
 *    answers → failed 'no answer' with the customer still with 1000.
 */
import { AGENT_1000, E2E, startE2E, until } from './helpers';

jest.setTimeout(30000);

describe('e2e: transfer to a queue and to an agent group', () => {
  let x: E2E | undefined;
  afterEach(async () => {
    await x?.stop();
    x = undefined;
  });

  /** 1000 takes a support call; then the `others` log in (so support never offers them that call). */
  async function callWith1000(e: E2E, others: Record<string, string[]>, number = '11912340000') {
    await e.login('1000', ['support']);
    const h = e.sim.placeQueueCall({ queue: 'support', callerNumber: number });
    const call = await until(async () => (await e.calls()).find((c) => c.state === 'connected' && c.agent === '1000'), 5000, 'connected to 1000');
    for (const [ext, queues] of Object.entries(others)) await e.login(ext, queues);
    return { h, call };
  }

  const addGroup = async (e: E2E, args: string[]) => {
    const r = await e.cli(['agent-group', 'add', ...args]);
    expect(r).toMatchObject({ code: 0 });
  };

  it('queue:vendas — the customer re-enters vendas and agent 1002 gets it as a new part of the contact', async () => {
    const e = (x = await startE2E());
    const { h, call } = await callWith1000(e, { '1002': ['vendas'] });
    const since = e.sim.mark();

    // Refused before anything changes: unknown queue (404), attended (400), bad name (400).
    expect((await e.api('POST', `/calls/${call.id}/transfer`, { target: 'queue:nope' }, AGENT_1000)).status).toBe(404);
    expect((await e.api('POST', `/calls/${call.id}/transfer`, { target: 'queue:vendas', kind: 'attended' }, AGENT_1000)).body.error).toMatchObject({
      code: 'invalid',
      message: 'a transfer to a queue is always blind',
    });
    expect((await e.api('POST', `/calls/${call.id}/transfer`, { target: 'queue:Bad Name' }, AGENT_1000)).status).toBe(400);
    expect((await e.calls()).map((c) => c.id)).toEqual([call.id]);

    const r = await e.api('POST', `/calls/${call.id}/transfer`, { target: 'queue:vendas' }, AGENT_1000);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ callId: call.id, kind: 'blind', targetType: 'queue', target: 'queue vendas', state: 'completed' });
    const hop = r.body.childCallId as string;
    // AMI BlindTransfer of the member's ;1 to vendas@cc-queues: the customer's own channel moves.
    const action = await e.sim.waitForAction('BlindTransfer', { since });
    expect(action.params).toMatchObject({ Context: 'cc-queues', Exten: 'vendas' });
    expect(String(action.params.Channel)).toMatch(/;1$/);

    // 1000 is done with it (wrap-up); the customer is in vendas and 1002 answers it.
    await e.waitAgentState('1000', 'wrap-up');
    const next = await until(async () => (await e.calls()).find((c) => c.agent === '1002' && c.state === 'connected'), 5000, '1002 connected');
    expect(e.sim.queueCall(h)).toMatchObject({ queue: 'vendas', state: 'connected' });
    expect(next).toMatchObject({ kind: 'inbound', queue: 'vendas', parentId: hop, rootId: call.rootId, number: '11912340000' });

    // History: the transfer is on the first part (target type queue), the hop handed to the queue.
    const first = (await e.api('GET', `/calls/${call.id}`)).body;
    expect(first).toMatchObject({ endReason: 'transferred' });
    expect(first.events.find((ev: { type: string }) => ev.type === 'transfer').data).toMatchObject({
      to: 'queue vendas',
      kind: 'blind',
      targetType: 'queue',
      queue: 'vendas',
      child: hop,
    });
    expect((await e.api('GET', `/calls/${hop}`)).body).toMatchObject({ parentId: call.id, endReason: 'handed-to-queue', queue: 'vendas' });
    expect((await e.api('GET', `/calls/${call.id}/transfer`)).body).toMatchObject({ state: 'completed', targetType: 'queue' });
    const history = (await e.api('GET', '/history')).body.calls as { id: string; status: string }[];
    expect(history.find((c) => c.id === call.id)?.status).toBe('transferred');
    expect(history.find((c) => c.id === hop)?.status).toBe('transferred');

    e.sim.customerHangup(h);
    await until(async () => (await e.calls()).length === 0, 5000, 'all parts ended');
  });

  it('queue transfer of an outbound call: the dialled customer continues to vendas@cc-queues', async () => {
    const e = (x = await startE2E());
    await e.login('1001', ['support']);
    await e.login('1002', ['vendas']);
    const dialled = (await e.api('POST', '/calls/dial', { agent: '1001', number: '11987654321' })).body;
    await until(async () => (await e.api('GET', `/calls/${dialled.id}`)).body.state === 'connected', 5000, 'outbound connected');
    const since = e.sim.mark();
    const r = await e.api('POST', `/calls/${dialled.id}/transfer`, { target: 'queue:vendas' });
    expect(r).toMatchObject({ status: 200, body: { state: 'completed' } });
    const action = await e.sim.waitForAction('POST /channels/{id}/continue', { since });
    expect(action.params).toMatchObject({ context: 'cc-queues', extension: 'vendas' });
    const next = await until(async () => (await e.calls()).find((c) => c.agent === '1002' && c.state === 'connected'), 5000, '1002 connected');
    // The dialled channel carried our caller id: the next agent sees the customer's number instead.
    expect(next).toMatchObject({ queue: 'vendas', parentId: r.body.childCallId, rootId: dialled.rootId, number: '11987654321' });
  });

  it('group simultaneous: both members ring, 1001 never answers, 1002 answers; consult, complete', async () => {
    const e = (x = await startE2E());
    await addGroup(e, ['equipe', '--agents', '1001,1002', '--strategy', 'simultaneous']);
    e.sim.setDevice('PJSIP/1001', { answer: 'never' });
    e.sim.setDevice('PJSIP/1002', { answer: 'never' });
    const { call } = await callWith1000(e, { '1001': ['support'], '1002': ['vendas'] });

    const r = await e.api('POST', `/calls/${call.id}/transfer`, { target: 'group:equipe' }, AGENT_1000);
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ kind: 'attended', targetType: 'group', state: 'ringing', group: { name: 'equipe', strategy: 'simultaneous' } });
    expect([...r.body.group.ringing].sort()).toEqual(['1001', '1002']);
    // Both are ringing (one part each): neither is offered anything else meanwhile.
    await e.waitAgentState('1001', 'ringing');
    await e.waitAgentState('1002', 'ringing');
    const parts = (await e.calls()).filter((c) => c.parentId === call.id && c.kind === 'transfer');
    expect(parts.map((c) => c.agent).sort()).toEqual(['1001', '1002']);

    e.sim.answerDevice(e.sim.channels().find((c) => c.device === 'PJSIP/1002' && c.state !== 'Up')!.id);
    const t = await until(async () => {
      const v = (await e.api('GET', `/calls/${call.id}/transfer`)).body;
      return v.state === 'consulting' ? v : undefined;
    }, 5000, 'consulting');
    expect(t.group).toMatchObject({ answeredBy: '1002', ringing: [] });
    const winner = parts.find((c) => c.agent === '1002')!;
    const loser = parts.find((c) => c.agent === '1001')!;
    expect(t.childCallId).toBe(winner.id);
    // The other member stopped ringing at once: its part ended, its device hung up.
    await until(() => !e.sim.channels().some((c) => c.device === 'PJSIP/1001'), 3000, '1001 no longer ringing');
    expect((await e.api('GET', `/calls/${loser.id}`)).body).toMatchObject({ endReason: 'answered-elsewhere' });
    await e.waitAgentState('1001', 'available');

    expect((await e.api('POST', `/calls/${call.id}/transfer/complete`, {}, AGENT_1000)).body).toMatchObject({ state: 'completed' });
    await until(async () => (await e.calls()).find((c) => c.id === winner.id && c.state === 'connected' && c.channels.customer === call.channels.customer), 5000, 'customer with 1002');
    const history = (await e.api('GET', '/history')).body.calls as { id: string; status: string }[];
    expect(history.find((c) => c.id === loser.id)?.status).toBe('cancelled');
  });

  it('group sequential, blind: 1001 rings out, then 1002 answers and gets the customer', async () => {
    const e = (x = await startE2E());
    await addGroup(e, ['seq', '--agents', '1001,1002', '--strategy', 'sequential', '--ring-seconds', '5']);
    e.sim.setDevice('PJSIP/1001', { answer: 'never' });
    const { call } = await callWith1000(e, { '1001': ['support'], '1002': ['vendas'] });

    const cli = await e.cli(['call', 'transfer', call.id, 'group:seq', '--blind'], AGENT_1000);
    expect(cli).toMatchObject({ code: 0, stdout: expect.stringContaining('transfer to group seq (agent 1002 answered) completed') });
    const t = (await e.api('GET', `/calls/${call.id}/transfer`)).body;
    expect(t).toMatchObject({ state: 'completed', kind: 'blind', group: { tried: ['1001', '1002'], answeredBy: '1002' } });
    await until(async () => (await e.calls()).find((c) => c.id === t.childCallId && c.agent === '1002' && c.state === 'connected'), 5000, 'customer with 1002');
    await e.waitAgentState('1000', 'wrap-up');
    const parts = (await e.api('GET', `/history`)).body.calls.filter((c: { parentId: string }) => c.parentId === call.id);
    expect(parts.map((c: { agent: string; status: string }) => `${c.agent} ${c.status}`).sort()).toEqual(['1001 missed', '1002 in-progress']);
  });

  it('nobody available: 409 naming each member; nobody answers: failed "no answer", customer still with 1000', async () => {
    const e = (x = await startE2E());
    await addGroup(e, ['equipe', '--agents', '1000,1001,1002']);
    const { call } = await callWith1000(e, { '1001': ['support'] });
    expect((await e.api('POST', '/agents/1001/pause', { reason: 'Almoço' })).status).toBe(200);

    const refused = await e.api('POST', `/calls/${call.id}/transfer`, { target: 'group:equipe' }, AGENT_1000);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toBe(
      'nobody in agent group equipe is available: agent 1000 is the transferring agent; agent 1001 is paused (Almoço); agent 1002 is offline',
    );
    expect(refused.body.error.details).toMatchObject({ group: 'equipe', reason: 'nobody-available' });
    expect((await e.calls()).map((c) => c.id)).toEqual([call.id]);
    const cli = await e.cli(['call', 'transfer', call.id, 'group:equipe'], AGENT_1000);
    expect(cli).toMatchObject({ code: 3, stderr: expect.stringContaining('nobody in agent group equipe is available') });
    expect((await e.api('POST', `/calls/${call.id}/transfer`, { target: 'group:nope' }, AGENT_1000)).status).toBe(404);

    // Available but nobody answers: every member rings out.
    expect((await e.api('POST', '/agents/1001/unpause')).status).toBe(200);
    await e.waitAgentState('1001', 'available');
    e.sim.setDevice('PJSIP/1001', { answer: 'never' });
    expect((await e.cli(['agent-group', 'update', 'equipe', '--ring-seconds', '5'])).code).toBe(0);
    expect((await e.api('POST', `/calls/${call.id}/transfer`, { target: 'group:equipe' }, AGENT_1000)).status).toBe(202);
    const failed = await until(async () => {
      const v = (await e.api('GET', `/calls/${call.id}/transfer`)).body;
      return v.state === 'failed' ? v : undefined;
    }, 5000, 'transfer failed');
    expect(failed).toMatchObject({ reason: 'no answer', group: { tried: ['1001'], ringing: [], answeredBy: null } });
    const back = (await e.api('GET', `/calls/${call.id}`)).body;
    expect(back).toMatchObject({ state: 'connected', agent: '1000', holdBridgeId: null });
    expect(e.sim.canHear(call.channels.agent, call.channels.customer)).toBe(true);
    await e.waitAgentState('1001', 'available');
  });
});
