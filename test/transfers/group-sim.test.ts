/**
 * Group transfers on the simulator (real ARI/AMI clients, call core, transfers module; agent
 * presence faked): random order, cancel while members ring, the customer hanging up meanwhile.
 */
import { AgentGroupCatalogue } from '../../src/agents/groups';
import { until, world, type World } from './sim-harness';

describe('group transfers on the simulator', () => {
  let w: World;
  beforeEach(async () => {
    // The random strategy takes the last candidate it is offered.
    w = await world({ random: () => 0.99 });
  });
  afterEach(async () => {
    await w.stop();
  });

  const ringing = (ext: string) => w.sim.channels().filter((c) => c.device === `PJSIP/${ext}`);

  it('random: the random source picks 1002 first; it rings out, then 1001 answers (blind)', async () => {
    new AgentGroupCatalogue({ db: w.db }).add({ name: 'g', agents: ['1000', '1001', '1002'], strategy: 'random', ringSeconds: 5 });
    w.sim.setDevice('PJSIP/1002', { answer: 'never' });
    const { call } = await w.connectedCall();
    const t = await w.transfers.transfers.start(call.id, { target: 'group:g', kind: 'blind' });
    // 1000 is the transferring agent: never rung, whatever the random source says.
    expect(t).toMatchObject({ state: 'ringing', group: { ringing: ['1002'] } });
    await until(() => 'state' in t && t.state === 'completed', 5000);
    expect('group' in t && t.group).toMatchObject({ tried: ['1001', '1002'], answeredBy: '1001' });
    await until(() => w.sim.canHear(call.customerChannelId!, ('targetChannelId' in t && t.targetChannelId) || ''));
    expect(w.agents.calls).toEqual(expect.arrayContaining([expect.stringMatching(/^ringing 1002 /), expect.stringMatching(/^ended 1002 .* answered=false$/), expect.stringMatching(/^connected 1001 /)]));
    expect(w.agents.calls.filter((c) => c.startsWith('ringing 1000'))).toEqual([`ringing 1000 ${call.id}`]); // the queue call only
  });

  it('simultaneous: cancel while both ring stops both; the customer stays with the agent', async () => {
    new AgentGroupCatalogue({ db: w.db }).add({ name: 'g', agents: ['1001', '1002'] });
    w.sim.setDevice('PJSIP/1001', { answer: 'never' });
    w.sim.setDevice('PJSIP/1002', { answer: 'never' });
    const { call } = await w.connectedCall();
    await w.transfers.transfers.start(call.id, { target: 'group:g' });
    await until(() => ringing('1001').length === 1 && ringing('1002').length === 1);
    const children = w.svc.list().filter((c) => c.parentId === call.id);
    expect(children.map((c) => c.agentExt).sort()).toEqual(['1001', '1002']);
    // The call is busy with the transfer: a second one, or a hold, is refused meanwhile.
    await expect(w.transfers.transfers.start(call.id, { target: '1001' })).rejects.toMatchObject({ kind: 'refused' });
    const t = await w.transfers.transfers.cancel(call.id);
    expect(t).toMatchObject({ state: 'cancelled', group: { ringing: [] } });
    await until(() => ringing('1001').length === 0 && ringing('1002').length === 0);
    for (const c of children) expect(w.svc.repo.get(c.id)!.endReason).toBe('transfer-cancelled');
    const back = w.svc.get(call.id)!;
    expect(back.state).toBe('connected');
    expect(w.sim.canHear(back.customerChannelId!, back.agentChannelId!)).toBe(true);
  });

  it('the customer hangs up while members ring: the transfer is cancelled, nobody keeps ringing', async () => {
    new AgentGroupCatalogue({ db: w.db }).add({ name: 'g', agents: ['1001', '1002'] });
    w.sim.setDevice('PJSIP/1001', { answer: 'never' });
    w.sim.setDevice('PJSIP/1002', { answer: 'never' });
    const { h, call } = await w.connectedCall();
    await w.transfers.transfers.start(call.id, { target: 'group:g' });
    await until(() => ringing('1001').length === 1 && ringing('1002').length === 1);
    w.sim.customerHangup(h);
    await until(() => w.transfers.transfers.get(call.id)?.state === 'cancelled');
    await until(() => ringing('1001').length === 0 && ringing('1002').length === 0);
    expect(w.svc.list()).toHaveLength(0);
  });

  it('a late answer after another member won is hung up and recorded answered-elsewhere', async () => {
    new AgentGroupCatalogue({ db: w.db }).add({ name: 'g', agents: ['1001', '1002'] });
    w.sim.setDevice('PJSIP/1001', { answer: 'never' });
    w.sim.setDevice('PJSIP/1002', { answer: 'never' });
    const { call } = await w.connectedCall();
    await w.transfers.transfers.start(call.id, { target: 'group:g' });
    await until(() => ringing('1001').length === 1 && ringing('1002').length === 1);
    const [dev1001] = ringing('1001');
    const [dev1002] = ringing('1002');
    // Both answer in the same instant: one wins, the other is hung up.
    w.sim.answerDevice(dev1002.id);
    w.sim.answerDevice(dev1001.id);
    await until(() => w.transfers.transfers.get(call.id)?.state === 'consulting');
    const t = w.transfers.transfers.get(call.id)!;
    const loser = t.group!.answeredBy === '1002' ? dev1001 : dev1002;
    await until(() => !w.sim.channel(loser.id));
    const parts = w.db.prepare('SELECT agent_ext AS agent, end_reason AS reason FROM calls WHERE parent_id = ? ORDER BY agent_ext').all(call.id);
    const loserExt = t.group!.answeredBy === '1002' ? '1001' : '1002';
    expect(parts).toEqual(expect.arrayContaining([{ agent: loserExt, reason: 'answered-elsewhere' }, { agent: t.group!.answeredBy, reason: null }]));
    expect(w.sim.canHear(t.targetChannelId!, call.agentChannelId!)).toBe(true);
  });
});
