import { flush } from './fake-ari';
import { makeHarness } from './harness';
import { ORPHAN_GRACE_MS, stasisArgs } from '../../src/calls/recovery';

/**
 * Agent 1000 talking on a queue call (`linkedid`), then instance 1 dies without cleanup: its
 * subscriptions go away, Asterisk keeps everything.
 */
async function talkingThenDead(linkedid: string, calledFirst = false) {
  const a = makeHarness();
  a.agents.add('1000');
  a.svc.start();
  if (calledFirst) a.svc.inbound.onAgentCalled({ Event: 'AgentCalled', Linkedid: linkedid, Queue: 'support', Channel: 'c' });
  const leg = a.ari.enterStasis(['agent-leg', '1000', linkedid]);
  await flush();
  const dev = a.ari.originated('agent')[0].id;
  a.ari.answer(dev);
  await flush();
  const id = a.svc.list()[0].id;
  a.ari.disconnectAll();
  return { a, leg, dev, id };
}

describe('restart recovery', () => {
  it('a new instance on the same DB re-adopts a talking call: hold and hangup still work', async () => {
    const { a, leg, dev, id } = await talkingThenDead('lk-9', true);

    const b = makeHarness({ db: a.db, ari: a.ari, agents: a.agents, clock: a.clock });
    b.svc.start(); // ARI is connected: recovery runs at once (and on every onConnected)
    await flush();
    expect(b.svc.lastRecovery).toMatchObject({ adopted: [id], ended: [], orphanChannels: [], orphanBridges: [] });
    const call = b.svc.get(id)!;
    expect(call.state).toBe('connected');
    expect(b.agents.calls.pop()).toBe(`connected 1000 ${id}`);

    await b.svc.actions.hold(id);
    expect(b.ari.canHear(dev, leg)).toBe(false);
    await b.svc.actions.unhold(id);
    expect(b.ari.canHear(dev, leg)).toBe(true);
    b.ari.remoteHangup(dev); // agent hangs up → the re-adopted leg is hung up
    await flush();
    expect(b.ari.chans.has(leg)).toBe(false);
    expect(b.svc.repo.get(id)!.endReason).toBe('agent-hangup');
    b.svc.stop();
  });

  it('a side that hangs up after the snapshot but before its call is adopted still ends the call', async () => {
    const { a, leg, dev, id } = await talkingThenDead('lk-7');

    const b = makeHarness({ db: a.db, ari: a.ari, agents: a.agents, clock: a.clock });
    // The customer hangs up right after recovery took its snapshot: its StasisEnd finds no call yet.
    const list = b.ari.channels.list;
    let first = true;
    b.ari.channels.list = async () => {
      const snap = await list();
      if (first) {
        first = false;
        b.ari.remoteHangup(leg);
      }
      return snap;
    };
    b.svc.start();
    await flush();
    await flush();
    expect(b.svc.lastRecovery).toMatchObject({ adopted: [id], ended: [id] });
    expect(b.svc.repo.get(id)).toMatchObject({ state: 'ended', endReason: 'customer-hangup' });
    expect(b.ari.chans.has(dev)).toBe(false);
    expect(b.agents.calls).toContain(`ended 1000 ${id} answered=true`);
    b.svc.stop();
  });

  it('ends calls whose side vanished while away and cleans up orphans; reconnect re-checks live calls', async () => {
    const a = makeHarness();
    a.agents.add('1000');
    a.agents.add('1001');
    a.svc.start();
    const leg1 = a.ari.enterStasis(['agent-leg', '1000', 'lk-1']);
    const leg2 = a.ari.enterStasis(['agent-leg', '1001', 'lk-2']);
    await flush();
    for (const d of a.ari.originated('agent')) a.ari.answer(d.id);
    await flush();
    const [c1, c2] = a.svc.list();
    a.ari.disconnectAll();
    // While no daemon listens: customer 1 hangs up; a stray bridge of ours is left behind.
    a.ari.remoteHangup(leg1);
    await a.ari.bridges.create({ bridgeId: 'stray', type: 'mixing' });
    await flush();

    const b = makeHarness({ db: a.db, ari: a.ari, agents: a.agents, clock: a.clock });
    b.svc.start();
    await flush();
    expect(b.svc.lastRecovery).toBeUndefined(); // waiting out the orphan grace period
    expect(b.ari.brs.has('stray')).toBe(true);
    b.clock.advance(ORPHAN_GRACE_MS);
    await flush();
    expect(b.svc.lastRecovery!.adopted).toEqual([c2.id]);
    expect(b.svc.lastRecovery!.ended).toEqual([c1.id]);
    expect(b.svc.lastRecovery!.orphanBridges).toEqual(['stray']);
    expect(b.ari.chans.has(c1.agentChannelId!)).toBe(false); // the lone device was hung up
    expect(b.svc.repo.get(c1.id)!.endReason).toBe('daemon-restart');

    // A reconnect after a gap in which customer 2 hung up: the live call is ended too.
    b.ari.connected = false;
    b.ari.disconnectAll();
    b.ari.remoteHangup(leg2);
    await flush();
    expect(b.svc.get(c2.id)).toBeDefined();
    b.svc.stop();
    b.svc.start();
    b.ari.reconnect();
    await flush();
    expect(b.svc.get(c2.id)).toBeUndefined();
    expect(b.svc.repo.get(c2.id)!.endReason).toBe('customer-hangup');
    expect(b.ari.chans.size).toBe(0);
    b.svc.stop();
  });

  it('reads our Stasis arguments from dialplan.app_data', () => {
    const ch = { dialplan: { app_name: 'Stasis', app_data: 'callcenter,agent-leg,1000,lk' } } as never;
    expect(stasisArgs(ch, 'callcenter')).toEqual(['agent-leg', '1000', 'lk']);
    expect(stasisArgs(ch, 'other')).toBeUndefined();
  });
});
