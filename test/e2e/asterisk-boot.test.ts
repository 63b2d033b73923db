/**
 * End to end: an Asterisk restart where the daemon reconnects while Asterisk is still booting
 * (AMI logins accepted, app_queue not loaded yet: Queue* actions are unknown, FullyBooted comes
 * later). The daemon must wait for FullyBooted before its queue re-sync, then put every logged-in
 * agent back in their queues with their pauses.
 */
import { AGENT_1000, E2E, memberIface, startE2E, until } from './helpers';

jest.setTimeout(30000);

describe('e2e: Asterisk restart, daemon reconnects during the boot', () => {
  let e: E2E | undefined;
  afterEach(async () => {
    await e?.stop();
    e = undefined;
  });

  it('agents come back into their queues with their pauses once Asterisk is fully booted', async () => {
    const x = (e = await startE2E());
    await x.login('1000', ['support', 'vendas']);
    await x.login('1001', ['support']);
    expect((await x.api('POST', '/agents/1001/pause', { reason: 'Almoço' })).status).toBe(200);
    expect(x.sim.member('support', memberIface('1001'))).toMatchObject({ paused: true });

    const mark = x.sim.mark();
    await x.sim.restartAsterisk({ downMs: 50, bootMs: 60_000 });
    // The daemon logs in again while Asterisk boots...
    await until(() => x.sim.connections.ami > 0, 8000, 'daemon AMI login during the boot');
    await until(() => x.sim.log.findAction((a) => a.proto === 'ami' && a.name === 'Login', mark), 3000, 'Login');
    await new Promise((r) => setTimeout(r, 100));
    // ...but does not call it connected, nor re-sync into "Invalid/unknown command".
    expect(x.daemon.deps.ami.state).toBe('connecting');
    const health = await x.api('GET', '/healthz');
    expect(health.status).toBe(503);
    expect(health.body.ami).toMatchObject({ state: 'connecting' });
    expect(x.sim.log.findAction((a) => a.proto === 'ami' && a.name.startsWith('Queue'), mark)).toBeUndefined();
    expect(x.sim.member('support', memberIface('1000'))).toBeUndefined();

    x.sim.finishBoot();
    for (const [q, ext] of [['support', '1000'], ['vendas', '1000'], ['support', '1001']]) {
      await until(() => x.sim.member(q, memberIface(ext)), 5000, `${ext} back in ${q}`);
    }
    expect(x.sim.member('support', memberIface('1000'))).toMatchObject({ paused: false });
    expect(x.sim.member('vendas', memberIface('1000'))).toMatchObject({ paused: false });
    expect(x.sim.member('support', memberIface('1001'))).toMatchObject({ paused: true, pausedReason: 'Almoço' });
    expect(x.daemon.deps.ami.state).toBe('connected');
    expect(await x.agent('1001')).toMatchObject({ state: 'paused', pauseReason: 'Almoço' });
    // Every queue action of the re-sync came after the boot completed (none was refused).
    const booted = x.sim.log.findEvent('SimFullyBooted', mark)!.seq;
    const queueActions = x.sim.actions.filter((a) => a.seq > mark && a.proto === 'ami' && a.name.startsWith('Queue'));
    expect(queueActions.map((a) => a.name)).toEqual(expect.arrayContaining(['QueueStatus', 'QueueAdd']));
    // The paused agent is re-added paused WITH its reason in one QueueAdd (never visible without it).
    const readd1001 = queueActions.find((a) => a.name === 'QueueAdd' && a.params.Interface === memberIface('1001'));
    expect(readd1001?.params).toMatchObject({ Paused: 'true', Reason: 'Almoço' });
    expect(queueActions.every((a) => a.seq > booted)).toBe(true);

    // The re-added member takes queue calls again.
    expect((await x.api('POST', '/agents/1001/unpause', undefined)).status).toBe(200);
    const h = x.sim.placeQueueCall({ queue: 'vendas', callerNumber: '5550501' });
    await until(() => x.sim.queueCall(h).state === 'connected', 5000, 'vendas call answered by 1000');
    expect((await x.agent('1000')).state).toBe('on-call');
    expect((await x.api('GET', '/agents/1000', undefined, AGENT_1000)).status).toBe(200);
  });
});
