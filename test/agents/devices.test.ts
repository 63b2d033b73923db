import { makeKit } from './helpers';

describe('device reachability → inactive', () => {
  it('goes inactive when the device is UNAVAILABLE and comes back to available', async () => {
    const k = makeKit();
    k.svc.start(k.ami);
    await k.svc.login.login('1000', { queues: ['support'] });
    k.ami.emit({ Event: 'DeviceStateChange', Device: 'PJSIP/1000', State: 'UNAVAILABLE' });
    expect(k.svc.status('1000').state).toBe('inactive');
    expect(k.svc.presence('1000')!.state).toBe('inactive');
    k.ami.emit({ Event: 'DeviceStateChange', Device: 'PJSIP/1000', State: 'NOT_INUSE' });
    expect(k.svc.status('1000').state).toBe('available');
  });

  it('returns a paused agent to its pause; PJSIP ContactStatus also counts', async () => {
    const k = makeKit();
    k.svc.start(k.ami);
    await k.svc.login.login('1000', { queues: ['support'] });
    await k.svc.pause.pause('1000', 'Almoço');
    k.ami.emit({ Event: 'ContactStatus', EndpointName: '1000', ContactStatus: 'Unreachable', URI: 'sip:x', AOR: '1000' });
    expect(k.svc.status('1000').state).toBe('inactive');
    k.ami.emit({ Event: 'ContactStatus', EndpointName: '1000', ContactStatus: 'Reachable', URI: 'sip:x', AOR: '1000' });
    expect(k.svc.status('1000')).toMatchObject({ state: 'paused', pauseReason: 'Almoço' });
  });

  it('ends the calls of an agent whose device drops mid-call; the wrap-up still happens', async () => {
    const k = makeKit();
    k.svc.start(k.ami);
    await k.svc.login.login('1000', { queues: ['support'] });
    k.svc.callConnected('1000', { callId: 'c1', queue: 'support', direction: 'inbound' });
    k.ami.emit({ Event: 'QueueMemberStatus', Queue: 'support', Interface: 'Local/1000@cc-agent/n', Status: '5' });
    expect(k.svc.status('1000').state).toBe('inactive');
    expect(k.calls.ended).toEqual([{ ext: '1000', reason: 'device unreachable' }]);
    k.svc.callEnded('1000', { callId: 'c1', queue: 'support', answered: true });
    expect(k.svc.status('1000').wrapup).toMatchObject({ callId: 'c1' });
    k.ami.emit({ Event: 'DeviceStateChange', Device: 'PJSIP/1000', State: 'NOT_INUSE' });
    expect(k.svc.status('1000').state).toBe('wrap-up');
    k.clock.advance(30_000);
    expect(k.svc.status('1000').state).toBe('available');
  });

  it('ignores devices of agents that are not logged in and unknown devices', async () => {
    const k = makeKit();
    k.svc.start(k.ami);
    k.ami.emit({ Event: 'DeviceStateChange', Device: 'PJSIP/1000', State: 'UNAVAILABLE' });
    k.ami.emit({ Event: 'DeviceStateChange', Device: 'PJSIP/7777', State: 'UNAVAILABLE' });
    expect(k.svc.status('1000').state).toBe('offline');
    expect(k.db.prepare('SELECT COUNT(*) AS n FROM agent_state_log').get()).toEqual({ n: 0 });
  });
});
