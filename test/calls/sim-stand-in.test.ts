/**
 * Stand-in topology (asterisk.queue_topology = stand-in) against the simulator, which models what
 * Asterisk 22.10.1 does with it (test/integration/topology.test.ts and stand-in.test.ts are the
 * real-Asterisk runs): the trunk customer stays in the app with MOH, a stand-in waits in the queue
 * with the customer's linkedid, the customer is bridged straight with the agent's device, and the
 * stand-in and member leg end with the call part.
 */
import type { CallService } from '../../src/calls/service';
import { Simulator } from '../../src/sim';
import { openDatabase, type Db } from '../../src/store/db';
import { WebSocket } from 'ws';
import { FakeAgents, SIM_REST_TRANSPORTS, expectRequestsVia, ringallLoser, simMember as member, startSimCalls, until } from './harness';

describe.each(SIM_REST_TRANSPORTS)('stand-in topology on the simulator (rest_transport %s)', (transport) => {
  let sim: Simulator;
  let db: Db;
  let svc: CallService;
  let stop: () => Promise<void>;
  /** sim.actions seq once the daemon's REST took its way. */
  let mark = 0;

  beforeEach(async () => {
    sim = new Simulator({
      queueTimeoutMs: 400,
      retryMs: 50,
      queues: {
        support: { members: [member('1000')] },
        vendas: { strategy: 'ringall', members: [member('1001'), member('1002')] },
        exitq: { exitContext: 'cc-services' },
      },
    });
    await sim.start();
    db = openDatabase(':memory:');
    await boot();
  });

  /** Starts the daemon's call service (again: a restart keeps the database). */
  async function boot(): Promise<void> {
    const agents = new FakeAgents();
    for (const ext of ['1000', '1001', '1002']) agents.add(ext);
    ({ svc, stop } = await startSimCalls(sim, db, agents, { topology: 'stand-in', transport }));
    mark = sim.actions.at(-1)?.seq ?? 0;
  }

  afterEach(async () => {
    await stop();
    await sim.stop();
    db.close();
  });

  const liveCall = () => svc.list()[0];
  /** The stand-in's queue call appears once the daemon originated it. */
  const queueState = (h: { id: string }) => {
    try {
      return sim.queueCall(h.id).state;
    } catch {
      return undefined;
    }
  };

  it('the customer is bridged with the device; the stand-in carries its linkedid; agent hang-up ends all', async () => {
    const h = sim.placeTrunkCall({ queue: 'support', callerNumber: '5550101' });
    await until(() => liveCall()?.state === 'connected');
    const c = liveCall();
    expect(c).toMatchObject({ queue: 'support', agentExt: '1000', customerNumber: '5550101', linkedid: h.id, customerChannelId: h.channelId });
    const q = sim.queueCall(h);
    expect(q).toMatchObject({ state: 'connected', customerId: `${h.channelId}-si-q` });
    expect(sim.canHear(c.agentChannelId!, h.channelId)).toBe(true);
    expect(sim.isHearingMoh(h.channelId)).toBe(false);
    const bridge = sim.bridges().find((b) => b.id === c.bridgeId)!;
    expect([...bridge.channels].sort()).toEqual([h.channelId, c.agentChannelId].sort());
    sim.hangupDevice(c.agentChannelId!);
    await until(() => sim.queueCall(h).state === 'ended' && !sim.channel(h.channelId) && !sim.channel(`${h.channelId}-si`));
    await until(() => svc.repo.get(c.id)?.endReason === 'agent-hangup');
    expect(svc.standIns!.size).toBe(0);
    expectRequestsVia(sim, mark, transport);
  });

  it("one call's ARI requests: the linkedid comes with the dialplan's Stasis arguments, the member leg is not rung", async () => {
    const mark = sim.mark();
    const h = sim.placeTrunkCall({ queue: 'support', callerNumber: '5550109' });
    await until(() => liveCall()?.state === 'connected');
    const c = liveCall();
    expect(c.linkedid).toBe(h.id);
    sim.hangupDevice(h.channelId);
    await until(() => svc.repo.get(c.id)?.endReason === 'customer-hangup' && !sim.channel(`${h.channelId}-si`));
    const routes = sim.actions.filter((a) => a.proto === 'ari' && a.seq > mark).map((a) => a.route);
    expect(routes.filter((r) => r?.endsWith('/variable'))).toEqual([]);
    expect(routes.filter((r) => r?.endsWith('/ring'))).toEqual([]);
    expect(routes).toContain('POST /channels/{id}/moh');
  });

  it('waiting: the customer hears MOH; hanging up abandons the stand-in', async () => {
    sim.setDevice('PJSIP/1000', { answer: 'never' });
    const h = sim.placeTrunkCall({ queue: 'support', callerNumber: '5550102' });
    await until(() => queueState(h) === 'ringing');
    expect(sim.isHearingMoh(h.channelId)).toBe(true);
    const mark = sim.mark();
    sim.hangupDevice(h.channelId);
    await sim.waitForEvent((e) => e.name === 'QueueCallerAbandon', { since: mark });
    await until(() => sim.queueCall(h).state === 'ended' && !sim.channel(`${h.channelId}-si`) && svc.list().length === 0);
    expect(svc.standIns!.size).toBe(0);
  });

  it('the customer hangs up while talking: device, member leg and stand-in go', async () => {
    const h = sim.placeTrunkCall({ queue: 'support', callerNumber: '5550103' });
    await until(() => liveCall()?.state === 'connected');
    const c = liveCall();
    sim.hangupDevice(h.channelId);
    await until(() => sim.queueCall(h).state === 'ended' && !sim.channel(c.agentChannelId!) && !sim.channel(`${h.channelId}-si`));
    await until(() => svc.repo.get(c.id)?.endReason === 'customer-hangup');
  });

  it('without the app the trunk call waits in the queue itself (dialplan fallback)', async () => {
    await stop();
    await until(() => !sim.isAppRegistered());
    const h = sim.placeTrunkCall({ queue: 'support', callerNumber: '5550104' });
    expect(sim.queueCall(h)).toMatchObject({ customerId: h.channelId });
  });

  it('ringall: two devices answer, the first takes the customer, the other part ends answered-elsewhere', async () => {
    sim.setDevice('PJSIP/1001', { answer: 'auto', answerDelayMs: 5 });
    sim.setDevice('PJSIP/1002', { answer: 'auto', answerDelayMs: 5 });
    const ended: { endReason: string | null; agentChannelId: string | null }[] = [];
    svc.onCallEnded((c) => void ended.push(c));
    const h = sim.placeTrunkCall({ queue: 'vendas', callerNumber: '5550105' });
    await until(() => ended.some((c) => c.endReason === 'answered-elsewhere') && liveCall()?.state === 'connected');
    const winner = liveCall();
    expect(winner.customerChannelId).toBe(h.channelId);
    expect(sim.queueCall(h)).toMatchObject({ state: 'connected' });
    // The loser's device and leg are gone; the customer hears only the winner.
    const loser = ended.find((c) => c.endReason === 'answered-elsewhere')!;
    await until(() => !sim.channel(loser.agentChannelId!));
    expect(sim.canHear(winner.agentChannelId!, h.channelId)).toBe(true);
    sim.hangupDevice(h.channelId);
    await until(() => sim.queueCall(h).state === 'ended' && svc.standIns!.size === 0);
  });

  it('ringall: a device still ringing when another agent takes the customer ends answered-elsewhere, not missed', async () => {
    let h!: ReturnType<Simulator['placeTrunkCall']>;
    await ringallLoser(sim, svc, () => (h = sim.placeTrunkCall({ queue: 'vendas', callerNumber: '5550107' })));
    expect(liveCall()).toMatchObject({ customerChannelId: h.channelId });
    sim.hangupDevice(h.channelId);
    await until(() => sim.queueCall(h).state === 'ended' && svc.standIns!.size === 0);
  });

  it('exit key: the waiting customer\'s key is played to the stand-in; the customer goes to the exit context', async () => {
    const h = sim.placeTrunkCall({ queue: 'exitq', callerNumber: '5550106' });
    await until(() => queueState(h) === 'waiting');
    sim.pressDtmf(h.channelId, '7');
    await until(() => sim.channel(h.channelId)?.dialplan.context === 'cc-services' && !sim.channel(`${h.channelId}-si`));
    expect(sim.channel(h.channelId)!.dialplan).toMatchObject({ context: 'cc-services', exten: '7' });
    expect(sim.queueCall(h)).toMatchObject({ state: 'ended', endReason: 'exit' });
    expect(svc.standIns!.size).toBe(0);
  });

  it('a caller who entered the app while its events went nowhere (socket open, process gone) is queued on recovery, not hung up', async () => {
    // A second event socket keeps the app registered on the "Asterisk" side, as a half-open link or
    // a dying process does: Stasis() succeeds, the StasisStart reaches no daemon.
    const { username, password } = sim.credentials.ari;
    const dead = new WebSocket(`${sim.ariUrl.replace(/^http/, 'ws')}/ari/events?app=${sim.app}&api_key=${username}:${password}`);
    await new Promise((resolve, reject) => dead.once('open', resolve).once('error', reject));
    try {
      await stop();
      const h = sim.placeTrunkCall({ queue: 'support', callerNumber: '5550107' });
      expect(sim.channel(h.channelId)).toBeDefined();
      expect(() => sim.queueCall(h)).toThrow(); // in the app, not in the queue: nobody put it there
      await boot(); // the recovery finds it in the app, never answered
      await until(() => liveCall()?.state === 'connected', 8000);
      expect(liveCall()).toMatchObject({ customerChannelId: h.channelId, agentExt: '1000', customerNumber: '5550107' });
      expect(sim.queueCall(h)).toMatchObject({ state: 'connected', customerId: `${h.channelId}-si-q` });
      sim.hangupDevice(h.channelId);
      await until(() => sim.queueCall(h).state === 'ended' && !sim.channel(`${h.channelId}-si`) && svc.standIns!.size === 0);
    } finally {
      dead.terminate();
    }
  });

  it('a caller the previous process answered but died before originating its stand-in is queued on recovery; one whose contact already had call parts is hung up', async () => {
    const { username, password } = sim.credentials.ari;
    const auth = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    const rest = (method: string, path: string) => fetch(`${sim.ariUrl}/ari${path}`, { method, headers: { authorization: auth } });
    const dead = new WebSocket(`${sim.ariUrl.replace(/^http/, 'ws')}/ari/events?app=${sim.app}&api_key=${username}:${password}`);
    await new Promise((resolve, reject) => dead.once('open', resolve).once('error', reject));
    try {
      await stop();
      // What stand-ins.enter() does before the originate: answer and music, then the process dies.
      const h = sim.placeTrunkCall({ queue: 'support', callerNumber: '5550108' });
      expect((await rest('POST', `/channels/${h.channelId}/answer`)).status).toBe(204);
      expect((await rest('POST', `/channels/${h.channelId}/moh`)).status).toBe(204);
      // A second caller whose contact already had a call part (its turn came and went).
      const g = sim.placeTrunkCall({ queue: 'support', callerNumber: '5550110' });
      await rest('POST', `/channels/${g.channelId}/answer`);
      db.prepare("INSERT INTO calls (id, root_id, kind, direction, queue, state, started_at, ended_at, end_reason, linkedid) VALUES ('old-part', 'old-part', 'inbound', 'inbound', 'support', 'ended', 1, 2, 'not-answered', ?)").run(g.id);
      await boot();
      await until(() => liveCall()?.state === 'connected', 8000);
      expect(liveCall()).toMatchObject({ customerChannelId: h.channelId, agentExt: '1000', customerNumber: '5550108' });
      expect(sim.isHearingMoh(h.channelId)).toBe(false);
      await until(() => !sim.channel(g.channelId), 8000);
    } finally {
      dead.terminate();
    }
  });
});
