/**
 * transfer.state and conference.state on the bus (the /events stream): every state change of a
 * transfer or an added agent, with the transferred call, the transferring agent (`agent`) and the
 * target/added agent (`agents`), so softphones need not poll GET /calls/:id/transfer.
 */
import type { DomainEvent, EventBus } from '../../src/events/bus';
import { until, world, type World } from './sim-harness';

describe('transfer and conference progress on the live stream', () => {
  let w: World;
  let seen: DomainEvent[];
  beforeEach(async () => {
    w = await world();
    seen = [];
    (w.svc.core.deps as { bus: EventBus }).bus.subscribe((e) => {
      if (e.type === 'transfer.state' || e.type === 'conference.state') seen.push(e);
    });
  });
  afterEach(async () => {
    await w.stop();
  });
  const states = (type: string) => seen.filter((e) => e.type === type).map((e) => `${e.data.previous ?? '-'}>${e.data.state}`);

  it('attended transfer completed: ringing, consulting, completed, each naming both agents', async () => {
    const { call } = await w.connectedCall();
    await w.transfers.transfers.start(call.id, { target: '1001' });
    await until(() => w.transfers.transfers.get(call.id)?.state === 'consulting');
    await w.transfers.transfers.complete(call.id);
    expect(states('transfer.state')).toEqual(['->ringing', 'ringing>consulting', 'consulting>completed']);
    const childId = w.transfers.transfers.get(call.id)!.childId;
    for (const e of seen) {
      expect(e).toMatchObject({ callId: call.id, agent: '1000', agents: ['1001'], queue: 'support' });
      expect(e.data).toMatchObject({ kind: 'attended', target: 'agent 1001', targetType: 'agent', targetAgent: '1001', childCallId: childId });
    }
  });

  it('a target that does not answer: ringing, failed with the reason; cancel: cancelled', async () => {
    w.sim.setDevice('PJSIP/1001', { answer: 'busy' });
    const { call } = await w.connectedCall();
    await w.transfers.transfers.start(call.id, { target: '1001' }).catch(() => undefined);
    await until(() => states('transfer.state').includes('ringing>failed'));
    expect(seen.at(-1)!.data.reason).toMatch(/agent 1001/);

    w.sim.setDevice('PJSIP/1001', { answer: 'never' });
    await w.transfers.transfers.start(call.id, { target: '1001' });
    await w.transfers.transfers.cancel(call.id);
    expect(states('transfer.state')).toEqual(['->ringing', 'ringing>failed', '->ringing', 'ringing>cancelled']);
  });

  it('service transfer: one completed event, no target agent', async () => {
    const { call } = await w.connectedCall();
    await w.transfers.transfers.start(call.id, { target: '301' });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ type: 'transfer.state', callId: call.id, agent: '1000', data: { state: 'completed', targetType: 'service', target: 'service 301', targetAgent: null } });
    expect(seen[0].agents).toBeUndefined();
  });

  it('conference: ringing, joined, then the added agent leaves', async () => {
    const { call } = await w.connectedCall();
    const m = await w.conference.conference.add(call.id, '1001');
    await until(() => m.state === 'joined');
    w.sim.hangupDevice(m.channelId!);
    await until(() => m.state === 'left');
    expect(states('conference.state')).toEqual(['->ringing', 'ringing>joined', 'joined>left']);
    for (const e of seen) expect(e).toMatchObject({ callId: call.id, agent: '1000', agents: ['1001'], data: { addedAgent: '1001', childCallId: m.childId } });
  });
});
