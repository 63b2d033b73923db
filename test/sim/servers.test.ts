import { WebSocket } from 'ws';
import { Simulator } from '../../src/sim';
import { RawAmi, RawAri } from './helpers';

describe('AMI/ARI servers and faults', () => {
  let sim: Simulator;
  const open: Array<{ close(): void }> = [];
  beforeEach(async () => {
    // Wire-level checks read Asterisk's whole event stream (a manager user without eventfilter lines).
    sim = new Simulator({ queueTimeoutMs: 5000, retryMs: 30, amiEventFilter: 'none', queues: { support: { members: [{ interface: 'Local/2000@cc-agent/n', memberName: 'Static 2000' }] } } });
    await sim.start();
  });
  afterEach(async () => {
    open.splice(0).forEach((c) => c.close());
    await sim.stop();
  });
  const amiClient = async (login = true) => {
    const c = await RawAmi.connect(sim.amiPort);
    open.push(c);
    if (login) await c.login(sim);
    return c;
  };

  it('banner, FullyBooted, Ping, unknown action', async () => {
    const c = await amiClient();
    expect(c.banner).toBe('Asterisk Call Manager/11.0.0\r\n');
    expect((await c.event('FullyBooted')).Status).toBe('Fully Booted');
    const ping = await c.response(c.send('Ping'));
    expect(ping).toMatchObject({ Response: 'Success', Ping: 'Pong' });
    expect(ping.Timestamp).toMatch(/^\d+\.\d{6}$/);
    const bad = await c.response(c.send('Frobnicate'));
    expect(bad).toMatchObject({ Response: 'Error', Message: 'Invalid/unknown command' });
  });

  it('bad credentials: Authentication failed, then the socket is closed', async () => {
    const c = await amiClient(false);
    const r = await c.response(c.send('Login', { Username: 'callcenterd', Secret: 'wrong' }));
    expect(r).toMatchObject({ Response: 'Error', Message: 'Authentication failed' });
    await c.wait(() => c.closed);
  });

  it('QueueRemove of an absent member and response-before-event ordering of QueueAdd', async () => {
    const c = await amiClient();
    const rm = await c.response(c.send('QueueRemove', { Queue: 'support', Interface: 'Local/1000@cc-agent/n' }));
    expect(rm.Message).toBe('Unable to remove interface: Not there');
    const id = c.send('QueueAdd', { Queue: 'support', Interface: 'Local/1000@cc-agent/n', MemberName: 'Agent 1000' });
    const ok = await c.response(id);
    const added = await c.event('QueueMemberAdded');
    expect(c.frames.indexOf(ok)).toBeLessThan(c.frames.indexOf(added));
    const again = await c.response(c.send('QueueAdd', { Queue: 'support', Interface: 'Local/1000@cc-agent/n' }));
    expect(again.Message).toBe('Unable to add interface: Already there');
    expect(sim.queues.queue('support').members).toHaveLength(2);
    const show = await c.response(c.send('Command', { Command: 'queue show support' }));
    expect(show.Output).toContain('Agent 1000 (Local/1000@cc-agent/n) (ringinuse disabled) (dynamic) (Not in use) has taken no calls yet');
  });

  it('setUnresponsive: Ping gets no answer until responsive again', async () => {
    const c = await amiClient();
    sim.setUnresponsive(true, 'ami');
    const id = c.send('Ping');
    await expect(c.wait(() => c.frames.find((f) => f.ActionID === id), 100)).rejects.toThrow('timed out');
    sim.setUnresponsive(false, 'ami');
    expect((await c.response(c.send('Ping'))).Ping).toBe('Pong');
  });

  it('ARI rejects missing credentials with 401 on REST and on the WebSocket upgrade', async () => {
    const res = await fetch(`${sim.ariUrl}/ari/channels`);
    expect(res.status).toBe(401);
    const ws = new WebSocket(`${sim.ariUrl.replace('http', 'ws')}/ari/events?app=callcenter`);
    const status = await new Promise<number>((resolve) => ws.on('unexpected-response', (_req, r) => resolve(r.statusCode ?? 0)));
    ws.on('error', () => undefined);
    ws.terminate();
    expect(status).toBe(401);
    expect(sim.isAppRegistered()).toBe(false);
  });

  it('daemon restart: channels and bridges stay, /applications lists them, no replayed StasisStart', async () => {
    const c = await amiClient();
    c.send('QueueAdd', { Queue: 'support', Interface: 'Local/1000@cc-agent/n', MemberName: 'Agent 1000' });
    await c.event('QueueMemberAdded');
    sim.queues.pause('support', 'Local/2000@cc-agent/n', true);
    const ari = await RawAri.connect(sim);
    open.push(ari);
    sim.placeQueueCall({ queue: 'support', callerNumber: '5550101' });
    const leg = (await ari.event('StasisStart')).channel.id;
    await ari.rest('POST', `/channels/${leg}/answer`);
    await ari.rest('POST', '/bridges', { bridgeId: 'br-1' });
    await ari.rest('POST', '/bridges/br-1/addChannel', { channel: leg });
    sim.dropAri();
    expect(sim.isAppRegistered()).toBe(false);
    const ari2 = await RawAri.connect(sim);
    open.push(ari2);
    const app = await ari2.rest('GET', '/applications/callcenter');
    expect(app.body.channel_ids).toEqual([leg]);
    expect(app.body.bridge_ids).toEqual(['br-1']);
    expect((await ari2.rest('POST', `/channels/${leg}/moh`)).status).toBe(204);
    expect(sim.isHearingMoh(leg)).toBe(true);
    await ari2.rest('DELETE', `/channels/${leg}`);
    await ari2.event('StasisEnd');
    expect(ari2.events.some((e) => e.type === 'StasisStart')).toBe(false);
  });

  it('Asterisk restart: connections dropped, channels gone, dynamic members cleared, static kept', async () => {
    const c = await amiClient();
    c.send('QueueAdd', { Queue: 'support', Interface: 'Local/1000@cc-agent/n', MemberName: 'Agent 1000' });
    await c.event('QueueMemberAdded');
    const ari = await RawAri.connect(sim);
    open.push(ari);
    sim.placeQueueCall({ queue: 'support', callerNumber: '5550101' });
    await ari.event('StasisStart');
    await sim.restartAsterisk({ downMs: 20 });
    await c.wait(() => c.closed);
    expect(sim.channels()).toHaveLength(0);
    expect(sim.queues.queue('support').members.map((m) => m.interface)).toEqual(['Local/2000@cc-agent/n']);
    const c2 = await amiClient();
    expect(await c2.event('FullyBooted')).toBeDefined();
    const st = await c2.response(c2.send('QueueRemove', { Queue: 'support', Interface: 'Local/1000@cc-agent/n' }));
    expect(st.Message).toBe('Unable to remove interface: Not there');
  });

  it('restartAsterisk({bootMs}): logins accepted while booting, no FullyBooted and Queue* unknown until booted', async () => {
    await expect(sim.restartAsterisk({ bootMs: -1 })).rejects.toThrow('bootMs must be a number >= 0');
    expect(sim.booting).toBe(false);
    await sim.restartAsterisk({ downMs: 10, bootMs: 60_000 });
    expect(sim.booting).toBe(true);
    const c = await amiClient();
    const st = await c.response(c.send('QueueStatus'));
    expect(st).toMatchObject({
      Response: 'Error',
      Message: 'Invalid/unknown command: QueueStatus. Use Action: ListCommands to show available commands.',
    });
    expect(await c.response(c.send('Ping'))).toMatchObject({ Response: 'Success' });
    expect(c.frames.some((f) => f.Event === 'FullyBooted')).toBe(false);
    sim.finishBoot();
    expect(sim.booting).toBe(false);
    expect((await c.event('FullyBooted')).Status).toBe('Fully Booted');
    expect(await c.response(c.send('QueueStatus'))).toMatchObject({ Response: 'Success' });
    // A later login gets FullyBooted right away again; the boot timer is gone.
    const c2 = await amiClient();
    expect(await c2.event('FullyBooted')).toBeDefined();
  });

  it('devices: busy gives ChannelDestroyed cause 17, never keeps ringing until hung up', async () => {
    const ari = await RawAri.connect(sim);
    open.push(ari);
    sim.setDevice('PJSIP/1000', { answer: 'busy' });
    sim.setDevice('PJSIP/1001', { answer: 'never' });
    await ari.rest('POST', '/channels', { endpoint: 'PJSIP/1000', app: 'callcenter', channelId: 'd1' });
    expect((await ari.event('ChannelDestroyed', (e) => e.channel.id === 'd1')).cause).toBe(17);
    await ari.rest('POST', '/channels', { endpoint: 'PJSIP/1001', app: 'callcenter', channelId: 'd2' });
    await ari.event('ChannelStateChange', (e) => e.channel.id === 'd2' && e.channel.state === 'Ringing');
    expect(sim.deviceState('PJSIP/1001')).toBe('RINGING');
    sim.hangupDevice('PJSIP/1001');
    await ari.event('ChannelDestroyed', (e) => e.channel.id === 'd2');
    expect((await ari.rest('GET', '/channels/d2')).status).toBe(404);
  });
});
