/**
 * Call core against the protocol-level simulator (real ARI HTTP+WS and AMI TCP clients).
 * Agent presence is faked (the agents domain is not under test here); queue members are static.
 */
import { createAmiClient } from '../../src/ami/client';
import type { AmiClient } from '../../src/ami/types';
import { createAriClient } from '../../src/ari/client';
import type { AriClient } from '../../src/ari/types';
import { CallService } from '../../src/calls/service';
import { EventBus } from '../../src/events/bus';
import { silentLogger } from '../../src/log/logger';
import { Simulator } from '../../src/sim';
import { openDatabase, type Db } from '../../src/store/db';
import { systemClock } from '../../src/util/clock';
import { CcError } from '../../src/util/errors';
import { FakeAgents, SIM_REST_TRANSPORTS, expectRequestsVia, restReady, ringallLoser, simMember as member, testConfig, until } from './harness';

describe.each(SIM_REST_TRANSPORTS)('call core on the simulator (rest_transport %s)', (transport) => {
  let sim: Simulator;
  let db: Db;
  let agents: FakeAgents;
  const clients: { ari: AriClient; ami: AmiClient }[] = [];
  let svc: CallService;
  /** sim.actions seq once the daemon's REST took its way: the flow's requests come after. */
  let mark = 0;

  async function instance(): Promise<CallService> {
    const log = silentLogger();
    const ari = createAriClient({ url: sim.ariUrl, ...sim.credentials.ari, app: sim.app, log, restTransport: transport });
    const ami = createAmiClient({ host: '127.0.0.1', port: sim.amiPort, ...sim.credentials.ami, log });
    clients.push({ ari, ami });
    const s = new CallService({ ari, ami, db, clock: systemClock, agents, bus: new EventBus(), config: testConfig(), log });
    s.start();
    ari.start();
    ami.start();
    await until(() => ari.connected && ami.state === 'connected' && sim.isAppRegistered() && restReady(ari, transport, sim), 3000);
    mark = sim.actions.at(-1)?.seq ?? 0;
    return s;
  }

  beforeEach(async () => {
    sim = new Simulator({
      queueTimeoutMs: 400,
      retryMs: 50,
      queues: { support: { members: [member('1000')] }, vendas: { strategy: 'ringall', members: [member('1001'), member('1002')] } },
    });
    await sim.start();
    db = openDatabase(':memory:');
    agents = new FakeAgents();
    for (const ext of ['1000', '1001', '1002']) agents.add(ext);
    svc = await instance();
  });

  afterEach(async () => {
    svc.stop();
    for (const c of clients.splice(0)) await Promise.all([c.ari.stop(), c.ami.stop()]);
    await sim.stop();
    db.close();
  });

  const liveCall = () => svc.list()[0];

  it('answered queue call is bridged; agent hangs up → customer leg hung up', async () => {
    const h = sim.placeQueueCall({ queue: 'support', callerNumber: '5550101' });
    await until(() => sim.queueCall(h).state === 'connected' && liveCall()?.state === 'connected', 3000);
    const c = liveCall();
    expect(c).toMatchObject({ queue: 'support', agentExt: '1000', customerNumber: '5550101', linkedid: h.id });
    expect(sim.canHear(c.agentChannelId!, c.customerChannelId!)).toBe(true);
    sim.hangupDevice(c.agentChannelId!);
    await until(() => sim.queueCall(h).state === 'ended', 3000);
    await until(() => svc.repo.get(c.id)?.endReason === 'agent-hangup', 3000);
    expectRequestsVia(sim, mark, transport);
  });

  it('device never answers → leg StasisEnd → device cancelled', async () => {
    sim.setDevice('PJSIP/1000', { answer: 'never' });
    const h = sim.placeQueueCall({ queue: 'support', callerNumber: '5550102' });
    await until(() => liveCall()?.agentChannelId, 3000);
    const dev = liveCall().agentChannelId!;
    const id = liveCall().id;
    // app_queue gives up on the member after its timeout: the daemon must cancel the device.
    await until(() => svc.repo.get(id)?.endReason === 'not-answered', 3000);
    await until(() => !sim.channel(dev), 3000);
    sim.customerHangup(h);
  });

  it('ringall: a device still ringing when a colleague answers ends answered-elsewhere, not missed', async () => {
    let h!: ReturnType<Simulator['placeQueueCall']>;
    await ringallLoser(sim, svc, () => (h = sim.placeQueueCall({ queue: 'vendas', callerNumber: '5550111' })));
    sim.customerHangup(h);
    await until(() => svc.list().length === 0, 3000);
  });

  it('customer hangs up right after the device answered, before the bridge is up → recorded as answered', async () => {
    // Hold the daemon's bridge creation until the customer is gone (under load this window is long).
    const ari = clients[0].ari;
    const create = ari.bridges.create.bind(ari.bridges);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    ari.bridges.create = async (o) => {
      await gate;
      return create(o);
    };
    const h = sim.placeQueueCall({ queue: 'support', callerNumber: '5550109' });
    await until(() => liveCall()?.state === 'bridging', 3000);
    const c = liveCall();
    expect(c.answeredAt).not.toBeNull();
    expect(agents.calls).toContain(`connected 1000 ${c.id}`);
    sim.customerHangup(h);
    await until(() => svc.repo.get(c.id)?.endedAt != null, 3000);
    expect(svc.repo.get(c.id)).toMatchObject({ state: 'ended', endReason: 'customer-hangup' });
    expect(svc.repo.get(c.id)?.answeredAt).toBe(c.answeredAt);
    expect(svc.repo.events(c.id).map((e) => `${e.type}:${String(e.data.state ?? e.data.reason)}`)).toEqual(['created:ringing-agent', 'state:bridging', 'ended:customer-hangup']);
    await until(() => agents.calls.includes(`ended 1000 ${c.id} answered=true`), 3000);
    // The bridge created after the end is destroyed, the device hung up: nothing left behind.
    release();
    await until(() => sim.bridges().length === 0 && !sim.channel(c.agentChannelId!), 3000);
    expect(agents.calls.filter((l) => l.includes(c.id))).toEqual([`ringing 1000 ${c.id}`, `connected 1000 ${c.id}`, `ended 1000 ${c.id} answered=true`]);
  });

  it('hold: customer hears MOH and the agent cannot hear the customer; unhold restores', async () => {
    const h = sim.placeQueueCall({ queue: 'support', callerNumber: '5550103' });
    await until(() => liveCall()?.state === 'connected', 3000);
    const c = liveCall();
    await svc.actions.hold(c.id);
    expect(sim.isHearingMoh(c.customerChannelId!)).toBe(true);
    expect(sim.canHear(c.agentChannelId!, c.customerChannelId!)).toBe(false);
    await svc.actions.unhold(c.id);
    expect(sim.canHear(c.agentChannelId!, c.customerChannelId!)).toBe(true);
    await svc.actions.mute(c.id, true);
    expect(sim.isMuted(c.agentChannelId!).in).toBe(true);
    await svc.actions.dtmf(c.id, '12#');
    await until(() => (sim.channel(c.customerChannelId!)?.dtmfSent ?? []).join('') === '12#', 2000);
    sim.customerHangup(h);
    await until(() => svc.repo.get(c.id)?.endReason === 'customer-hangup', 3000);
  });

  it('outbound: dialing → ringing → connected; refusals dial nothing', async () => {
    sim.setRemote('11987654321', { answer: 'auto', answerDelayMs: 100 });
    const states: string[] = [];
    const call = await svc.dial({ agent: '1000', number: '11987654321' });
    const poll = setInterval(() => {
      const s = svc.get(call.id)?.state;
      if (s && states[states.length - 1] !== s) states.push(s);
    }, 2);
    await until(() => svc.get(call.id)?.state === 'connected', 3000);
    clearInterval(poll);
    expect(states).toContain('ringing-customer');
    expect(sim.canHear(call.customerChannelId!, call.agentChannelId!)).toBe(true);
    await svc.actions.hangup(call.id);
    expect(sim.channel(call.customerChannelId!)).toBeUndefined();

    const mark = sim.mark();
    agents.add('1001', { state: 'paused', pauseReason: 'Almoço', blockDialingInPause: true });
    for (const req of [
      { agent: '1000', number: '119876543' },
      { agent: '1000', number: '2025550123', ddi: '1' },
      { agent: '1001', number: '11987654321' },
    ]) {
      await expect(svc.dial(req)).rejects.toBeInstanceOf(CcError);
    }
    expect(sim.log.findAction('POST /channels', mark)).toBeUndefined();
  });

  it('prank blocks the next call from that number', async () => {
    const h = sim.placeQueueCall({ queue: 'support', callerNumber: '5550199' });
    await until(() => liveCall()?.state === 'connected', 3000);
    const r = await svc.actions.prank(liveCall().id);
    expect(r.blocked).toBe(true);
    await until(() => sim.queueCall(h).state === 'ended', 3000);
    const h2 = sim.placeQueueCall({ queue: 'support', callerNumber: '5550199' });
    await until(() => sim.queueCall(h2).state === 'ended', 3000);
    const rows = db.prepare("SELECT end_reason FROM calls WHERE customer_number = '5550199' ORDER BY started_at").all();
    expect(rows).toEqual([{ end_reason: 'prank' }, { end_reason: 'blocked' }]);
  });

  it('restart: a new instance on the same DB re-adopts the call; hold and hangup still work', async () => {
    const h = sim.placeQueueCall({ queue: 'support', callerNumber: '5550104' });
    await until(() => liveCall()?.state === 'connected', 3000);
    const id = liveCall().id;
    svc.stop();
    const old = clients.shift()!;
    await Promise.all([old.ari.stop(), old.ami.stop()]);
    svc = await instance();
    await until(() => svc.get(id)?.state === 'connected', 3000);
    const c = svc.get(id)!;
    await svc.actions.hold(id);
    expect(sim.canHear(c.agentChannelId!, c.customerChannelId!)).toBe(false);
    await svc.actions.unhold(id);
    await svc.actions.hangup(id);
    await until(() => sim.queueCall(h).state === 'ended', 3000);
  });
});
