import { ARI_MAX_EVENT_BYTES, ARI_READ_EVENTS, createAriClient, type AriClientOptions } from '../../src/ari/client';
import { resolveAriUrls } from '../../src/ari/rest';
import { AriHttpError, AriNotConnectedError, type AriEvent } from '../../src/ari/types';
import { CcError } from '../../src/util/errors';
import { captureLogger, waitFor } from '../ami/fakeAmiServer';
import { FakeAriServer } from './fakeAriServer';
import { startWatched } from '../helpers/link-watch';

const channel = (id: string) => ({
  id,
  name: `PJSIP/1000-${id}`,
  state: 'Up',
  caller: { name: '', number: '1000' },
  connected: { name: '', number: '' },
  dialplan: { context: 'cc-agent', exten: '1000', priority: 2 },
  creationtime: '2026-11-21T05:51:39.446+0000',
  language: 'en',
});

describe('ARI client', () => {
  let server: FakeAriServer;
  let logs: ReturnType<typeof captureLogger>;
  const clients: Array<{ stop(): Promise<void> }> = [];
  const uncaught: unknown[] = [];
  const onUncaught = (e: unknown) => uncaught.push(e);

  beforeAll(() => process.on('uncaughtException', onUncaught));
  afterAll(() => process.off('uncaughtException', onUncaught));

  beforeEach(async () => {
    server = new FakeAriServer();
    await server.listen();
    logs = captureLogger();
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.stop()));
    await server.close();
    expect(uncaught).toEqual([]);
  });

  function client(over: Partial<AriClientOptions> = {}) {
    const c = createAriClient({
      url: over.url ?? server.url,
      username: server.username,
      password: server.password,
      app: 'callcenter',
      log: logs.log,
      requestTimeoutMs: 3000,
      pingIntervalMs: 1000,
      reconnect: { initialMs: 10, maxMs: 40 },
      ...over,
    });
    clients.push(c);
    return c;
  }

  describe('REST', () => {
    it('originate: query params as ARI expects, variables in the JSON body, Basic auth', async () => {
      server.routes['POST /ari/channels'] = (r) => ({ status: 200, body: channel(r.query.get('channelId')!) });
      const c = client();
      const ch = await c.channels.originate({
        endpoint: 'Local/1000@agents',
        channelId: 'cc-ph1000-1',
        otherChannelId: 'cc-ph1000-1-2',
        appArgs: 'agent-phone,asterisk-lab-1795240229.69',
        callerId: '"Queue support" <support>',
        timeout: 30,
        variables: { CC_CALL: 'c1' },
      });
      expect(ch.id).toBe('cc-ph1000-1');
      const req = server.requests[0];
      expect(req.authorization).toBe(server.expectedAuth());
      expect(Object.fromEntries(req.query)).toEqual({
        endpoint: 'Local/1000@agents',
        app: 'callcenter',
        appArgs: 'agent-phone,asterisk-lab-1795240229.69',
        channelId: 'cc-ph1000-1',
        otherChannelId: 'cc-ph1000-1-2',
        callerId: '"Queue support" <support>',
        timeout: '30',
      });
      expect(JSON.parse(req.body)).toEqual({ variables: { CC_CALL: 'c1' } });
    });

    it('bridges, moh, mute, dtmf, continue, deviceStates, applications, endpoints, info', async () => {
      const c = client();
      const ok = () => ({ status: 204 });
      server.routes['POST /ari/bridges'] = (r) => ({
        status: 200,
        body: { id: r.query.get('bridgeId'), technology: 'simple_bridge', bridge_type: 'mixing', bridge_class: 'stasis', creator: 'Stasis', name: r.query.get('name'), channels: [] },
      });
      for (const k of [
        'POST /ari/bridges/br-1/addChannel',
        'POST /ari/bridges/br-1/removeChannel',
        'POST /ari/bridges/br-1/moh',
        'DELETE /ari/bridges/br-1/moh',
        'DELETE /ari/bridges/br-1',
        'POST /ari/channels/ch-1/mute',
        'DELETE /ari/channels/ch-1/mute',
        'POST /ari/channels/ch-1/dtmf',
        'POST /ari/channels/ch-1/continue',
        'POST /ari/channels/ch-1/answer',
        'DELETE /ari/channels/ch-1',
        'PUT /ari/deviceStates/Stasis:agent-1000',
      ]) server.routes[k] = ok;
      server.routes['GET /ari/applications/callcenter'] = () => ({
        status: 200,
        body: { name: 'callcenter', channel_ids: ['ch-1'], bridge_ids: ['br-1'], endpoint_ids: [], device_names: [] },
      });
      server.routes['GET /ari/endpoints/PJSIP/1000'] = () => ({ status: 200, body: { technology: 'PJSIP', resource: '1000', state: 'online', channel_ids: [] } });
      server.routes['GET /ari/asterisk/info'] = () => ({ status: 200, body: { system: { version: '22.10.1' } } });
      server.routes['GET /ari/channels/ch-1/variable'] = () => ({ status: 200, body: { value: 'c1' } });

      const b = await c.bridges.create({ bridgeId: 'br-1', name: '*1000' });
      expect(b).toMatchObject({ id: 'br-1', name: '*1000' });
      await c.bridges.addChannel('br-1', ['ch-1', 'ch-2']);
      await c.bridges.removeChannel('br-1', ['ch-2']);
      await c.bridges.startMoh('br-1', 'default');
      await c.bridges.stopMoh('br-1');
      await c.bridges.destroy('br-1');
      await c.channels.mute('ch-1', 'in');
      await c.channels.unmute('ch-1');
      await c.channels.sendDtmf('ch-1', '12#', { duration: 100 });
      await c.channels.continueInDialplan('ch-1', { context: 'services', extension: '301', priority: 1 });
      await c.channels.answer('ch-1');
      await c.channels.hangup('ch-1', 'normal');
      await c.deviceStates.update('Stasis:agent-1000', 'INUSE');
      expect((await c.applications.get()).channel_ids).toEqual(['ch-1']);
      expect((await c.endpoints.get('PJSIP', '1000')).state).toBe('online');
      expect(await c.asterisk.info()).toEqual({ system: { version: '22.10.1' } });
      expect(await c.channels.getVariable('ch-1', 'CC_CALL')).toBe('c1');

      expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
        'POST /ari/bridges?type=mixing&bridgeId=br-1&name=*1000',
        'POST /ari/bridges/br-1/addChannel?channel=ch-1%2Cch-2',
        'POST /ari/bridges/br-1/removeChannel?channel=ch-2',
        'POST /ari/bridges/br-1/moh?mohClass=default',
        'DELETE /ari/bridges/br-1/moh',
        'DELETE /ari/bridges/br-1',
        'POST /ari/channels/ch-1/mute?direction=in',
        'DELETE /ari/channels/ch-1/mute?direction=both',
        'POST /ari/channels/ch-1/dtmf?dtmf=12%23&duration=100',
        'POST /ari/channels/ch-1/continue?context=services&extension=301&priority=1',
        'POST /ari/channels/ch-1/answer',
        'DELETE /ari/channels/ch-1?reason=normal',
        'PUT /ari/deviceStates/Stasis:agent-1000?deviceState=INUSE',
        'GET /ari/applications/callcenter',
        'GET /ari/endpoints/PJSIP/1000',
        'GET /ari/asterisk/info',
        'GET /ari/channels/ch-1/variable?variable=CC_CALL',
      ]);
    });

    it('snoop: spy/whisper/app/appArgs/snoopId as ARI expects; both none or a bad direction is refused before sending', async () => {
      const c = client();
      server.routes['POST /ari/channels/ch-1/snoop'] = (r) => ({
        status: 200,
        body: { id: r.query.get('snoopId'), name: 'Snoop/ch-1-00000000', state: 'Up', caller: { name: '', number: '' }, connected: { name: '', number: '' }, dialplan: {}, creationtime: '', language: 'en' },
      });
      const ch = await c.channels.snoop('ch-1', { spy: 'both', whisper: 'out', appArgs: 'monitor-snoop,7', snoopId: 'sn-1' });
      expect(ch.id).toBe('sn-1');
      expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
        'POST /ari/channels/ch-1/snoop?spy=both&whisper=out&app=callcenter&appArgs=monitor-snoop%2C7&snoopId=sn-1',
      ]);
      for (const bad of [{}, { spy: 'none', whisper: 'none' }, { spy: 'sideways' }]) {
        await expect(c.channels.snoop('ch-1', bad as never)).rejects.toMatchObject({ kind: 'invalid' });
      }
      expect(server.requests).toHaveLength(1);
    });

    it('maps HTTP errors to AriHttpError(status) with the body', async () => {
      server.routes['DELETE /ari/bridges/br-1/moh'] = () => ({ status: 409, body: { message: "Bridge isn't playing music" } });
      const c = client();
      const e409 = await c.bridges.stopMoh('br-1').catch((e) => e);
      expect(e409).toBeInstanceOf(AriHttpError);
      expect(e409).toMatchObject({ status: 409, method: 'DELETE', path: '/bridges/br-1/moh' });
      expect(e409.body).toContain("Bridge isn't playing music");
      const e404 = await c.channels.get('gone').catch((e) => e);
      expect(e404).toMatchObject({ name: 'AriHttpError', status: 404 });
      const bad = createAriClient({ url: server.url, username: 'x', password: 'wrong-pass', app: 'callcenter', log: logs.log });
      await expect(bad.channels.list()).rejects.toMatchObject({ status: 401 });
      expect(logs.text()).not.toContain('wrong-pass');
    });

    it('unreachable or silent Asterisk → AriNotConnectedError', async () => {
      server.routes['GET /ari/channels'] = () => null;
      const c = client({ requestTimeoutMs: 300 });
      const slow = await c.channels.list().catch((e) => e);
      expect(slow).toBeInstanceOf(AriNotConnectedError);
      expect(slow.message).toMatch(/no answer within 300 ms/);
      const url = server.url;
      await server.close();
      server = new FakeAriServer();
      await server.listen();
      const refused = await client({ url }).asterisk.info().catch((e) => e);
      expect(refused).toBeInstanceOf(AriNotConnectedError);
      expect(refused.message).toMatch(/ECONNREFUSED/);
    });

    it('bad input → CcError(invalid), nothing sent', async () => {
      const c = client();
      const errs = await Promise.all([
        c.channels.originate({ endpoint: '' }).catch((e) => e),
        c.channels.get('').catch((e) => e),
        c.channels.sendDtmf('ch-1', '1;rm').catch((e) => e),
        c.channels.mute('ch-1', 'sideways' as never).catch((e) => e),
        c.bridges.addChannel('br-1', []).catch((e) => e),
        c.deviceStates.update('Stasis:agent-1000', 'BORED').catch((e) => e),
      ]);
      for (const e of errs) {
        expect(e).toBeInstanceOf(CcError);
        expect(e.kind).toBe('invalid');
      }
      expect(server.requests).toHaveLength(0);
      expect(() => client({ app: 'call center' })).toThrow(CcError);
      expect(() => client({ url: 'not a url' })).toThrow(CcError);
    });

    it('accepts the base URL with or without /ari', () => {
      const a = resolveAriUrls('http://h:8088', 'u', 'p', 'callcenter');
      const b = resolveAriUrls('http://h:8088/ari/', 'u', 'p', 'callcenter');
      expect(a).toEqual(b);
      expect(a.restBase).toBe('http://h:8088/ari');
      expect(a.eventsUrl).toBe('ws://h:8088/ari/events?app=callcenter&subscribeAll=false');
      expect(resolveAriUrls('https://h/pbx', 'u', 'p', 'x').eventsUrl).toBe('wss://h/pbx/ari/events?app=x&subscribeAll=false');
    });
  });

  describe('event socket', () => {
    it('connects with the Authorization header (no credentials in the URL), delivers events', async () => {
      const c = client();
      let connected = 0;
      c.onConnected(() => connected++);
      const starts: AriEvent[] = [];
      const all: string[] = [];
      c.onEvent('StasisStart', () => {
        throw new Error('subscriber bug');
      });
      c.onEvent('StasisStart', (e) => starts.push(e));
      c.onEvent('*', (e) => all.push(e.type));
      c.start();
      c.start();
      await waitFor(() => connected === 1);
      expect(c.connected).toBe(true);
      expect(server.upgrades).toEqual([
        { url: '/ari/events?app=callcenter&subscribeAll=false', authorization: server.expectedAuth(), status: 101 },
      ]);
      server.emit('not json');
      server.emit({ type: 'StasisStart', application: 'callcenter', timestamp: 't', args: ['agent-leg', '1000', 'l1'], channel: channel('leg-1') });
      server.emit({ type: 'StasisEnd', application: 'callcenter', timestamp: 't', channel: channel('leg-1') });
      await waitFor(() => all.length === 2);
      expect(all).toEqual(['StasisStart', 'StasisEnd']);
      expect(starts[0]).toMatchObject({ args: ['agent-leg', '1000', 'l1'] });
      expect(c.info).toMatchObject({ state: 'connected', eventsReceived: 2, reconnects: 0 });
      expect(logs.text()).toContain('subscriber bug');
      expect(logs.text()).not.toContain(server.password);
    });

    it('on connect, asks only for the event types the daemon reads (eventFilter allowed); an Asterisk without it is only logged', async () => {
      const c = client();
      c.start();
      await waitFor(() => server.requests.some((r) => r.path === '/ari/applications/callcenter/eventFilter'));
      const put = server.requests.find((r) => r.path === '/ari/applications/callcenter/eventFilter')!;
      expect(put.method).toBe('PUT');
      expect(JSON.parse(put.body)).toEqual({ allowed: [...ARI_READ_EVENTS, 'RESTResponse'].map((type) => ({ type })), disallowed: [] });
      // The fake server has no such route (404): the link stays up, one info line says so.
      await waitFor(() => logs.text().includes('ARI event filter not set'));
      expect(c.connected).toBe(true);
    });

    it('demandEvents adds a type to the filter until the last demand is released, and a reconnect keeps it', async () => {
      const c = client();
      c.start();
      const filters = () =>
        server.requests
          .filter((r) => r.path === '/ari/applications/callcenter/eventFilter')
          .map((r) => (JSON.parse(r.body) as { allowed: { type: string }[] }).allowed.map((a) => a.type));
      await waitFor(() => filters().length === 1);
      expect(filters()[0]).not.toContain('Dial');
      const first = await c.demandEvents(['Dial']);
      expect(filters()).toHaveLength(2);
      expect(filters()[1]).toEqual([...ARI_READ_EVENTS, 'Dial', 'RESTResponse']);
      const second = await c.demandEvents(['Dial']); // already in: no new PUT
      expect(filters()).toHaveLength(2);
      first();
      first(); // a second release of the same demand changes nothing
      await new Promise((r) => setTimeout(r, 30));
      expect(filters()).toHaveLength(2);
      server.dropAll();
      await waitFor(() => filters().length === 3);
      expect(filters()[2]).toContain('Dial');
      second();
      await waitFor(() => filters().length === 4);
      expect(filters()[3]).toEqual([...ARI_READ_EVENTS, 'RESTResponse']);
    });

    it('401 on the upgrade: clear error, keeps retrying slowly, no uncaught exception', async () => {
      const c = client({ password: 'not-the-password' });
      let connected = 0;
      c.onConnected(() => connected++);
      c.start();
      await waitFor(() => server.upgrades.length >= 3, 3000, '3 upgrade attempts');
      expect(server.upgrades.every((u) => u.status === 401)).toBe(true);
      expect(connected).toBe(0);
      expect(c.connected).toBe(false);
      const msg = 'ARI authentication failed for user callcenterd: check asterisk.ari.username/password';
      expect(c.info.lastError).toBe(msg);
      expect(logs.text()).toContain(msg);
      expect(logs.text()).not.toContain('not-the-password');
    });

    it('server drops the socket: onDisconnected, reconnect, onConnected again', async () => {
      const c = client();
      const link = await startWatched(c);
      server.dropAll();
      await waitFor(() => link.connected === 2, 3000, 'reconnect');
      expect(link.reasons).toHaveLength(1);
      expect(c.info.reconnects).toBe(1);
      server.emit({ type: 'ChannelDestroyed', application: 'callcenter', timestamp: 't' });
      await waitFor(() => c.info.eventsReceived === 1);
    });

    it('an oversized event frame closes the link (1009) instead of being buffered; the supervisor reconnects', async () => {
      const c = client();
      const link = await startWatched(c);
      const closes: number[] = [];
      for (const ws of server.sockets) ws.on('close', (code) => closes.push(code));
      let delivered = 0;
      c.onEvent('*', () => delivered++);
      // Valid JSON just over the limit: without maxPayload ws would buffer it whole and deliver it.
      server.emit({ type: 'ChannelVarset', application: 'callcenter', timestamp: 't', value: 'x'.repeat(ARI_MAX_EVENT_BYTES) });
      await waitFor(() => link.reasons.length === 1, 3000, 'link closed on the oversized frame');
      expect(link.reasons[0]).toMatch(/max payload/i);
      await waitFor(() => closes.length === 1, 3000, 'server saw the close');
      expect(closes).toEqual([1009]);
      await waitFor(() => link.connected === 2, 3000, 'reconnect');
      expect(delivered).toBe(0);
      server.emit({ type: 'ChannelDestroyed', application: 'callcenter', timestamp: 't' });
      await waitFor(() => delivered === 1);
    });

    it('half-open: no pong within one interval → terminate → reconnect', async () => {
      const c = client({ pingIntervalMs: 80 });
      const link = await startWatched(c);
      await new Promise((r) => setTimeout(r, 250)); // pings answered: stays up
      expect(link.reasons).toEqual([]);
      server.answerPings = false;
      await waitFor(() => link.reasons.length === 1, 3000, 'half-open detection');
      expect(link.reasons[0]).toMatch(/no pong/);
      server.answerPings = true;
      await waitFor(() => link.connected === 2, 3000, 'reconnect');
    });

    it('Asterisk down at start: retries until it comes up', async () => {
      const url = server.url;
      const port = Number(new URL(url).port);
      await server.close();
      const c = client({ url });
      let connected = 0;
      c.onConnected(() => connected++);
      c.start();
      await waitFor(() => c.info.lastError !== undefined);
      expect(c.info.lastError).toMatch(/ECONNREFUSED/);
      server = new FakeAriServer();
      await server.listen(port);
      await waitFor(() => connected === 1, 3000, 'connect once up');
    });

    it('stop(): closes the socket and does not reconnect', async () => {
      const c = client();
      c.start();
      await waitFor(() => c.connected);
      await c.stop();
      expect(c.connected).toBe(false);
      await waitFor(() => server.sockets.size === 0);
      await new Promise((r) => setTimeout(r, 60));
      expect(server.upgrades).toHaveLength(1);
    });

    it('stop(): also closes the idle REST keep-alive sockets; a later request opens a new one', async () => {
      server.routes['GET /ari/asterisk/info'] = () => ({ status: 200, body: { system: { version: '22.10.1' } } });
      const c = client();
      c.start();
      await waitFor(() => c.connected);
      // The connect's eventFilter request done first, so info reuses its idle keep-alive socket.
      await waitFor(() => logs.text().includes('ARI event filter not set'));
      await c.asterisk.info();
      // event socket + one idle keep-alive REST socket
      expect(server.openConnections).toBe(2);
      await c.stop();
      await waitFor(() => server.openConnections === 0, 500, 'REST keep-alive socket closed');
      await c.asterisk.info();
      expect(server.requests.filter((r) => r.path === '/ari/asterisk/info')).toHaveLength(2);
    });
  });
});
