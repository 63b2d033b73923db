/**
 * Native topology (asterisk.queue_topology = native) against the simulator, which models what
 * Asterisk 22.10.1 does (test/integration/topology-native.test.ts is the real-Asterisk lab):
 * app_queue rings the agent's device itself and bridges it with the caller; the call part follows
 * AMI; hold (any request that needs the media) takes the call over into Stasis first.
 */
import type { CallService } from '../../src/calls/service';
import { Simulator } from '../../src/sim';
import { openDatabase, type Db } from '../../src/store/db';
import { FakeAgents, startSimCalls, until } from './harness';

const device = (ext: string) => ({ interface: `PJSIP/${ext}`, memberName: `Agent ${ext}`, stateInterface: `hint:${ext}@agent-hints` });

describe('native topology on the simulator', () => {
  let sim: Simulator;
  let db: Db;
  let svc: CallService;
  let agents: FakeAgents;
  let stop: () => Promise<void>;

  beforeEach(async () => {
    sim = new Simulator({
      queueTimeoutMs: 400,
      retryMs: 50,
      queues: { support: { members: [device('1000')] }, vendas: { strategy: 'ringall', members: [device('1001'), device('1002')] } },
    });
    await sim.start();
    db = openDatabase(':memory:');
    await boot();
  });

  async function boot(): Promise<void> {
    agents = new FakeAgents();
    for (const ext of ['1000', '1001', '1002']) agents.add(ext);
    ({ svc, stop } = await startSimCalls(sim, db, agents, { topology: 'native' }));
  }

  afterEach(async () => {
    await stop();
    await sim.stop();
    db.close();
  });

  const liveCall = () => svc.list()[0];
  const deviceOf = (ext: string) => sim.channels().find((c) => c.name.startsWith(`PJSIP/${ext}-`) && !c.hungUp);
  const ariBridges = () => sim.bridges().filter((b) => b.app === sim.app);

  it('app_queue bridges the call itself: the part follows AMI, nothing enters Stasis; the agent hangs up', async () => {
    const h = sim.placeTrunkCall({ queue: 'support', callerNumber: '5550101' });
    await until(() => liveCall()?.state === 'connected');
    const c = liveCall();
    const dev = deviceOf('1000')!;
    expect(c).toMatchObject({ queue: 'support', agentExt: '1000', customerNumber: '5550101', linkedid: h.id, customerChannelId: h.channelId, agentChannelId: dev.id, bridgeId: null });
    expect(sim.channel(h.channelId)?.stasisApp ?? null).toBeNull();
    expect(dev.stasisApp ?? null).toBeNull();
    expect(agents.calls).toEqual([`ringing 1000 ${c.id}`, `connected 1000 ${c.id}`]);
    sim.hangupDevice(dev.id);
    await until(() => svc.list().length === 0);
    const row = svc.repo.get(c.id)!;
    expect(row).toMatchObject({ state: 'ended', endReason: 'agent-hangup' });
    expect(row.answeredAt).not.toBeNull();
    expect(agents.calls.at(-1)).toBe(`ended 1000 ${c.id} answered=true`);
  });

  it('the customer hangs up: customer-hangup, recorded once', async () => {
    const h = sim.placeTrunkCall({ queue: 'support', callerNumber: '5550102' });
    await until(() => liveCall()?.state === 'connected');
    const id = liveCall().id;
    sim.hangupDevice(h.channelId);
    await until(() => svc.list().length === 0);
    expect(svc.repo.get(id)).toMatchObject({ state: 'ended', endReason: 'customer-hangup' });
    expect(agents.calls.filter((l) => l.startsWith('ended'))).toHaveLength(1);
  });

  it('hold takes the call over (one Redirect, both in Stasis, one ARI bridge); unhold; then the end comes from Stasis', async () => {
    const h = sim.placeTrunkCall({ queue: 'support', callerNumber: '5550103' });
    await until(() => liveCall()?.state === 'connected');
    const c = liveCall();
    await svc.actions.hold(c.id, 'test');
    expect(c.state).toBe('on-hold');
    expect(c.bridgeId).toMatch(/br/);
    expect(sim.channel(h.channelId)?.stasisApp).toBe(sim.app);
    expect(sim.channel(c.agentChannelId!)?.stasisApp).toBe(sim.app);
    expect(sim.actions.filter((a) => a.proto === 'ami' && a.name === 'Redirect')).toHaveLength(1);
    await svc.actions.unhold(c.id, 'test');
    expect(c.state).toBe('connected');
    const bridge = sim.bridges().find((b) => b.id === c.bridgeId)!;
    expect([...bridge.channels].sort()).toEqual([h.channelId, c.agentChannelId].sort());
    // A second request does not redirect again.
    await svc.actions.hold(c.id, 'test');
    await svc.actions.unhold(c.id, 'test');
    expect(sim.actions.filter((a) => a.proto === 'ami' && a.name === 'Redirect')).toHaveLength(1);
    sim.hangupDevice(h.channelId);
    await until(() => svc.list().length === 0);
    expect(svc.repo.get(c.id)).toMatchObject({ endReason: 'customer-hangup' });
    await until(() => !sim.channels().some((ch) => ch.id === c.agentChannelId && !ch.hungUp));
    // The bridge is destroyed after the hang-ups (CallCore.end): wait for it, then check.
    await until(() => ariBridges().length === 0);
    expect(ariBridges()).toHaveLength(0);
  });

  it('ringall: the member that answers takes the call, the other part ends answered-elsewhere', async () => {
    sim.setDevice('PJSIP/1001', { answer: 'auto', answerDelayMs: 50 });
    sim.setDevice('PJSIP/1002', { answer: 'never' });
    sim.placeTrunkCall({ queue: 'vendas', callerNumber: '5550104' });
    await until(() => svc.list().some((c) => c.state === 'connected'));
    await until(() => svc.list().length === 1);
    expect(liveCall().agentExt).toBe('1001');
    const rows = db.prepare("SELECT agent_ext AS a, end_reason AS r FROM calls WHERE agent_ext = '1002'").all();
    expect(rows).toEqual([{ a: '1002', r: 'answered-elsewhere' }]);
  });

  it('a member that does not answer: the part ends not-answered and the caller is offered again', async () => {
    sim.setDevice('PJSIP/1000', { answer: 'never' });
    sim.placeTrunkCall({ queue: 'support', callerNumber: '5550105' });
    await until(() => (db.prepare("SELECT COUNT(*) AS n FROM calls WHERE end_reason = 'not-answered'").get() as { n: number }).n >= 2, 5000);
    expect(svc.list().every((c) => c.state === 'ringing-agent')).toBe(true);
  });

  it('a hang-up through the API ends both channels', async () => {
    const h = sim.placeTrunkCall({ queue: 'support', callerNumber: '5550106' });
    await until(() => liveCall()?.state === 'connected');
    const c = liveCall();
    await svc.actions.hangup(c.id, 'test');
    await until(() => !sim.channels().some((ch) => (ch.id === h.channelId || ch.id === c.agentChannelId) && !ch.hungUp));
    expect(svc.repo.get(c.id)).toMatchObject({ endReason: 'hangup-requested' });
  });

  it('AMI events lost (an AMI outage): the periodic check ends a part whose channel is gone', async () => {
    const h = sim.placeTrunkCall({ queue: 'support', callerNumber: '5550108' });
    await until(() => liveCall()?.state === 'connected');
    const id = liveCall().id;
    sim.setUnresponsive(true, 'ami'); // AMI link hung: AgentComplete never reaches this daemon
    sim.hangupDevice(h.channelId);
    await until(() => sim.channel(h.channelId)?.hungUp !== false);
    expect(svc.list().map((c) => c.id)).toEqual([id]);
    await new Promise((r) => setTimeout(r, 2100)); // parts younger than 2 s are not judged
    expect(await svc.native!.parts.reconcile()).toEqual({ ended: [id], found: [] });
    expect(svc.repo.get(id)).toMatchObject({ state: 'ended', endReason: 'customer-hangup' });
    expect(await svc.native!.parts.reconcile()).toEqual({ ended: [], found: [] });
    sim.setUnresponsive(false, 'ami');
  });

  it('a call app_queue connected while the daemon was down is recorded when it comes back', async () => {
    await stop();
    // No daemon: [cc-inbound]'s Stasis() fails, the caller goes on into Queue(), the phone answers.
    const h = sim.placeTrunkCall({ queue: 'support', callerNumber: '5550109' });
    await until(() => deviceOf('1000')?.state === 'Up');
    expect(db.prepare('SELECT COUNT(*) AS n FROM calls').get()).toEqual({ n: 0 });
    await boot();
    const c = liveCall();
    expect(c).toMatchObject({ state: 'connected', queue: 'support', agentExt: '1000', customerNumber: '5550109', customerChannelId: h.channelId, linkedid: h.id });
    expect(agents.calls).toEqual([`ringing 1000 ${c.id}`, `connected 1000 ${c.id}`]);
    // Followed from now on: its end comes from AMI as for any native call.
    sim.hangupDevice(h.channelId);
    await until(() => svc.list().length === 0);
    expect(svc.repo.get(c.id)).toMatchObject({ state: 'ended', endReason: 'customer-hangup' });
  });

  it('a part the database refused at first is written once it takes it, with its answer and its end', async () => {
    const insert = svc.repo.insert.bind(svc.repo);
    svc.repo.insert = () => {
      throw new Error('database or disk is full');
    };
    const h = sim.placeTrunkCall({ queue: 'support', callerNumber: '5550110' });
    await until(() => deviceOf('1000')?.state === 'Up');
    sim.hangupDevice(h.channelId); // begins and ends while nothing can be written
    await until(() => svc.native!.parts.unrecorded.size === 1 && sim.channel(h.channelId)?.hungUp !== false);
    await new Promise((r) => setTimeout(r, 50)); // AgentComplete in
    expect(db.prepare('SELECT COUNT(*) AS n FROM calls').get()).toEqual({ n: 0 });
    svc.repo.insert = insert; // the disk has room again
    await svc.native!.parts.reconcile();
    expect(svc.native!.parts.unrecorded.size).toBe(0);
    const row = db.prepare('SELECT id, state, end_reason AS endReason, answered_at AS answeredAt, linkedid FROM calls').get() as { id: string; answeredAt: number | null };
    expect(row).toMatchObject({ state: 'ended', endReason: 'customer-hangup', linkedid: h.id });
    expect(row.answeredAt).not.toBeNull();
    const types = (db.prepare('SELECT type FROM call_events WHERE call_id = ?').pluck().all(row.id) as string[]);
    expect(types).toContain('recorded-late');
    expect(agents.calls.filter((l) => l.startsWith('ended'))).toEqual([`ended 1000 ${row.id} answered=true`]);
  });

  it('a daemon restart mid-call adopts the native call; AMI ends it later', async () => {
    const h = sim.placeTrunkCall({ queue: 'support', callerNumber: '5550107' });
    await until(() => liveCall()?.state === 'connected');
    const id = liveCall().id;
    await stop();
    await boot();
    expect(svc.lastRecovery?.adopted).toEqual([id]);
    expect(svc.list().map((c) => c.id)).toEqual([id]);
    // Still app_queue's: nothing was hung up by the recovery.
    expect(sim.channel(h.channelId)?.hungUp).toBeFalsy();
    sim.hangupDevice(h.channelId);
    await until(() => svc.list().length === 0);
    expect(svc.repo.get(id)).toMatchObject({ endReason: 'customer-hangup' });
  });
});

describe('native topology on the simulator, under load', () => {
  it('callers outnumbering agents: every call is answered by one agent and ends as its customer hangs up', async () => {
    const sim = new Simulator({ queueTimeoutMs: 400, retryMs: 20, queues: { support: { members: ['1000', '1001', '1002'].map(device) } } });
    await sim.start();
    const db = openDatabase(':memory:');
    const agents = new FakeAgents();
    for (const ext of ['1000', '1001', '1002']) agents.add(ext);
    const { svc, stop } = await startSimCalls(sim, db, agents, { topology: 'native' });
    try {
      const handles = Array.from({ length: 9 }, (_, i) => sim.placeTrunkCall({ queue: 'support', callerNumber: `55501${10 + i}` }));
      const talked = new Set<string>();
      await until(() => {
        for (const c of svc.list()) {
          if (c.state !== 'connected' || talked.has(c.id)) continue;
          talked.add(c.id);
          setTimeout(() => sim.hangupDevice(c.customerChannelId!), 100);
        }
        return talked.size === handles.length && svc.list().length === 0;
      }, 15000);
      const reasons = db.prepare("SELECT end_reason AS r, COUNT(*) AS n FROM calls WHERE answered_at IS NOT NULL GROUP BY end_reason").all();
      expect(reasons).toEqual([{ r: 'customer-hangup', n: handles.length }]);
    } finally {
      await stop();
      await sim.stop();
      db.close();
    }
  });
});
