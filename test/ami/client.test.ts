import { Backoff } from '../../src/ami/backoff';
import { buildAction } from '../../src/ami/action-frame';
import { createAmiClient, type AmiClientOptions } from '../../src/ami/client';
import { AmiActionError, AmiNotConnectedError, AmiTimeoutError, type AmiEvent } from '../../src/ami/types';
import { CcError } from '../../src/util/errors';
import { captureLogger, FakeAmiServer, waitFor } from './fakeAmiServer';
import { startWatched } from '../helpers/link-watch';

describe('AMI client against a local TCP server', () => {
  let server: FakeAmiServer;
  let logs: ReturnType<typeof captureLogger>;
  const clients: Array<{ stop(): Promise<void> }> = [];

  beforeEach(async () => {
    server = new FakeAmiServer();
    await server.listen();
    logs = captureLogger();
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.stop()));
    await server.close();
  });

  function client(over: Partial<AmiClientOptions> = {}) {
    const c = createAmiClient({
      host: '127.0.0.1',
      port: over.port ?? server.port,
      username: server.username,
      secret: server.secret,
      log: logs.log,
      actionTimeoutMs: 1000,
      keepaliveMs: 2000,
      reconnect: { initialMs: 10, maxMs: 40 },
      ...over,
    });
    clients.push(c);
    return c;
  }

  it('logs in with an ActionID and Events: on, fires onConnected, reports health', async () => {
    const c = client();
    let connected = 0;
    c.onConnected(() => connected++);
    expect(c.state).toBe('disconnected');
    c.start();
    c.start(); // idempotent
    await waitFor(() => connected === 1);
    expect(c.state).toBe('connected');
    const login = server.received.find((m) => m.Action === 'Login')!;
    expect(login).toMatchObject({ Username: 'callcenterd', Events: 'on' });
    expect(login.ActionID).toMatch(/\S+/);
    expect(c.info).toMatchObject({ state: 'connected', reconnects: 0 });
    expect(c.info.connectedSince).toBeGreaterThan(0);
    expect(server.loginAttempts).toBe(1);
    expect(logs.text()).not.toContain(server.secret);
  });

  it('login refused: clear error, keeps retrying at maxMs, never connects, never logs the secret', async () => {
    const c = client({ secret: 'wrong-secret-123' });
    let connected = 0;
    c.onConnected(() => connected++);
    c.start();
    await waitFor(() => server.loginAttempts >= 3, 3000, '3 login attempts');
    expect(connected).toBe(0);
    expect(c.state).not.toBe('connected');
    expect(c.info.lastError).toBe('AMI login refused for user callcenterd: check asterisk.ami.username/secret');
    expect(logs.text()).toContain('AMI login refused for user callcenterd: check asterisk.ami.username/secret');
    expect(logs.text()).not.toContain('wrong-secret-123');
    await expect(c.action('Ping')).rejects.toBeInstanceOf(AmiNotConnectedError);
  });

  it('connection refused: backs off and connects once the server is there', async () => {
    const port = server.port;
    await server.close();
    const c = client({ port });
    let connected = 0;
    c.onConnected(() => connected++);
    c.start();
    await waitFor(() => c.info.lastError !== undefined, 2000, 'a connect error');
    expect(c.info.lastError).toMatch(/ECONNREFUSED/);
    server = new FakeAmiServer();
    await new Promise<void>((resolve) => server.server.listen(port, '127.0.0.1', resolve));
    await waitFor(() => connected === 1, 3000, 'connect after server came up');
  });

  it('actions: success resolves, Response: Error rejects with the response, silence times out', async () => {
    const c = client();
    server.handlers.QueuePause = (m, reply) =>
      m.Interface === 'Local/1000@cc-agent/n'
        ? reply({ Response: 'Success', Message: 'Interface paused successfully' })
        : reply({ Response: 'Error', Message: 'Interface not found' });
    server.handlers.Slow = () => undefined;
    c.start();
    await waitFor(() => c.state === 'connected');

    const ok = await c.action('QueuePause', { Interface: 'Local/1000@cc-agent/n', Paused: true, Reason: 'Almoço' });
    expect(ok).toMatchObject({ Response: 'Success', Message: 'Interface paused successfully' });
    const sent = server.received.find((m) => m.Action === 'QueuePause')!;
    expect(sent).toMatchObject({ Paused: 'true', Reason: 'Almoço' });

    const err = await c.action('QueuePause', { Interface: 'Local/9@x' }).catch((e) => e);
    expect(err).toBeInstanceOf(AmiActionError);
    expect(err.response.Message).toBe('Interface not found');

    const started = Date.now();
    const slow = await c.action('Slow', {}, { timeoutMs: 60 }).catch((e) => e);
    expect(slow).toBeInstanceOf(AmiTimeoutError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);
    // The connection survives a single action timeout.
    await expect(c.action('Ping')).resolves.toMatchObject({ Ping: 'Pong' });
  });

  it('ActionIDs are unique per connection', async () => {
    const c = client();
    c.start();
    await waitFor(() => c.state === 'connected');
    await Promise.all([c.action('Ping'), c.action('Ping'), c.action('Ping')]);
    const ids = server.received.map((m) => m.ActionID);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('bad input is refused with CcError(invalid) and nothing is sent', async () => {
    const c = client();
    c.start();
    await waitFor(() => c.state === 'connected');
    const before = server.received.length;
    const e1 = await c.action('Setvar', { Variable: 'X', Value: 'a\r\nAction: Hangup' }).catch((e) => e);
    expect(e1).toBeInstanceOf(CcError);
    expect(e1.kind).toBe('invalid');
    await expect(c.action('Bad Action')).rejects.toMatchObject({ kind: 'invalid' });
    await expect(c.action('Ping', { ActionID: 'mine' })).rejects.toMatchObject({ kind: 'invalid' });
    await c.action('Ping');
    expect(server.received.length).toBe(before + 1);
  });

  it('repeats a key for array values (Originate variables)', () => {
    const frame = buildAction('Originate', 'id-1', { Channel: 'Local/1@x', Variable: ['A=1', 'B=2'], Async: true, X: undefined });
    expect(frame).toBe('Action: Originate\r\nActionID: id-1\r\nChannel: Local/1@x\r\nVariable: A=1\r\nVariable: B=2\r\nAsync: true\r\n\r\n');
  });

  it('actionList collects the events of its ActionID until EventList: Complete', async () => {
    const c = client();
    server.handlers.QueueStatus = (m, reply, conn) => {
      reply({ Response: 'Success', EventList: 'start', Message: 'Queue status will follow' });
      reply({ Event: 'QueueParams', Queue: 'support', Max: '0', Strategy: 'rrmemory', Calls: '0' });
      conn.send({ Event: 'VarSet', Channel: 'x', Variable: 'A', Value: '1' }); // unrelated, interleaved
      reply({ Event: 'QueueMember', Queue: 'support', Name: 'Agent 1000', Location: 'Local/1000@cc-agent/n', InCall: '1' });
      reply({ Event: 'QueueStatusComplete', EventList: 'Complete', ListItems: '2' });
    };
    c.start();
    await waitFor(() => c.state === 'connected');
    const res = await c.actionList('QueueStatus', { Queue: 'support' });
    expect(res.response.EventList).toBe('start');
    expect(res.events.map((e) => e.Event)).toEqual(['QueueParams', 'QueueMember']);
    expect(res.events[1]).toMatchObject({ Name: 'Agent 1000', InCall: '1' });
    expect(res.complete).toMatchObject({ Event: 'QueueStatusComplete', ListItems: '2' });
  });

  it('delivers events by name and to "*"; a throwing handler breaks nothing', async () => {
    const c = client();
    const named: AmiEvent[] = [];
    const all: string[] = [];
    c.onEvent('QueueMemberStatus', () => {
      throw new Error('subscriber bug');
    });
    const off = c.onEvent('QueueMemberStatus', (e) => named.push(e));
    c.onEvent('*', (e) => all.push(e.Event));
    c.start();
    await waitFor(() => c.state === 'connected');
    server.broadcast({ Event: 'QueueMemberStatus', Queue: 'support', Interface: 'Local/1000@cc-agent/n', InCall: '0', CallsTaken: '1' });
    server.broadcast({ Event: 'OriginateResponse', Response: 'Success', ActionID: 'someone-else', Channel: 'x' });
    await waitFor(() => all.includes('OriginateResponse'));
    expect(named).toHaveLength(1);
    expect(named[0]).toMatchObject({ Queue: 'support', CallsTaken: '1' });
    off();
    server.broadcast({ Event: 'QueueMemberStatus', Queue: 'support' });
    await waitFor(() => all.filter((e) => e === 'QueueMemberStatus').length === 2);
    expect(named).toHaveLength(1);
    expect(c.info.eventsReceived).toBeGreaterThanOrEqual(4);
    expect(logs.text()).toContain('subscriber bug');
  });

  it('server drops the socket: pending actions rejected, onDisconnected, reconnect, onConnected again', async () => {
    const c = client();
    server.handlers.Slow = () => undefined;
    const link = await startWatched(c);
    const pending = c.action('Slow', {}, { timeoutMs: 5000 }).catch((e) => e);
    await waitFor(() => server.received.some((m) => m.Action === 'Slow'));
    server.dropAll();
    expect(await pending).toBeInstanceOf(AmiNotConnectedError);
    await waitFor(() => link.connected === 2, 3000, 'reconnect');
    expect(link.reasons).toHaveLength(1);
    expect(c.info.reconnects).toBe(1);
    expect(server.loginAttempts).toBe(2);
    await expect(c.action('Ping')).resolves.toMatchObject({ Response: 'Success' });
  });

  it('half-open link: unanswered keepalive Ping destroys the socket and reconnects', async () => {
    const c = client({ keepaliveMs: 30, actionTimeoutMs: 60 });
    const link = await startWatched(c);
    server.answerPings = false; // socket stays open, nothing comes back
    await waitFor(() => link.reasons.length === 1, 3000, 'half-open detection');
    expect(link.reasons[0]).toMatch(/keepalive/);
    server.answerPings = true;
    await waitFor(() => link.connected === 2, 3000, 'reconnect');
    expect(c.state).toBe('connected');
  });

  it('stop(): Logoff, closed, no reconnect; start() again works', async () => {
    const c = client();
    let disconnected = 0;
    c.onDisconnected(() => disconnected++);
    c.start();
    await waitFor(() => c.state === 'connected');
    await c.stop();
    expect(server.received.some((m) => m.Action === 'Logoff')).toBe(true);
    expect(c.state).toBe('disconnected');
    expect(disconnected).toBe(1);
    await new Promise((r) => setTimeout(r, 60));
    expect(server.loginAttempts).toBe(1);
    c.start();
    await waitFor(() => c.state === 'connected');
    expect(server.loginAttempts).toBe(2);
  });

  it('login during an Asterisk boot: connected (and onConnected) only once FullyBooted arrives', async () => {
    server.booted = false;
    const c = client({ bootGraceMs: 5000 });
    let connected = 0;
    c.onConnected(() => connected++);
    c.start();
    await waitFor(() => [...server.conns].some((k) => k.loggedIn), 2000, 'login accepted');
    await new Promise((r) => setTimeout(r, 50));
    expect(connected).toBe(0);
    expect(c.state).toBe('connecting');
    expect(c.info).toMatchObject({ state: 'connecting' });
    expect(c.info.connectedSince).toBeUndefined();
    await expect(c.action('QueueStatus')).rejects.toBeInstanceOf(AmiNotConnectedError);
    server.boot();
    await waitFor(() => connected === 1, 2000, 'onConnected after FullyBooted');
    expect(c.state).toBe('connected');
    expect(c.info.connectedSince).toBeGreaterThan(0);
    // A later FullyBooted (Asterisk sends it again on reload) is not a new session.
    server.boot();
    await expect(c.action('Ping')).resolves.toMatchObject({ Ping: 'Pong' });
    expect(connected).toBe(1);
    expect(logs.text()).not.toContain('no FullyBooted');
  });

  it('no FullyBooted at all (user without read=system): one warning, connected after the grace', async () => {
    server.sendsFullyBooted = false;
    const c = client({ bootGraceMs: 120 });
    const at: number[] = [];
    c.onConnected(() => at.push(Date.now()));
    const started = Date.now();
    c.start();
    await waitFor(() => at.length === 1, 2000, 'onConnected after the grace');
    expect(at[0] - started).toBeGreaterThanOrEqual(100);
    expect(c.state).toBe('connected');
    const warning = 'no FullyBooted from Asterisk within 0.12 s (does the AMI user have read=system?); assuming booted';
    expect(logs.text()).toContain(warning);
    server.dropAll();
    await waitFor(() => at.length === 2, 3000, 'reconnected after the grace again');
    const levels = logs
      .text()
      .split('\n')
      .filter((l) => l.includes(warning))
      .map((l) => (JSON.parse(l) as { level: string }).level);
    expect(levels).toEqual(['warn', 'debug']);
  });

  it('refuses bad options with CcError', () => {
    expect(() => client({ bootGraceMs: 0 })).toThrow(CcError);
    expect(() => client({ port: 0 })).toThrow(CcError);
    expect(() => client({ reconnect: { initialMs: 100, maxMs: 10 } })).toThrow(CcError);
  });
});

describe('Backoff', () => {
  it('doubles from initialMs to maxMs with equal jitter, slow() is maxMs, reset() starts over', () => {
    const lo = new Backoff({ initialMs: 100, maxMs: 1000 }, () => 0);
    expect([lo.next(), lo.next(), lo.next(), lo.next(), lo.next()]).toEqual([50, 100, 200, 400, 500]);
    const hi = new Backoff({ initialMs: 100, maxMs: 1000 }, () => 1);
    expect([hi.next(), hi.next(), hi.next(), hi.next(), hi.next(), hi.next()]).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(hi.slow()).toBe(1000);
    hi.reset();
    expect(hi.next()).toBe(100);
    const many = new Backoff({ initialMs: 500, maxMs: 30000 });
    for (let i = 0; i < 100; i++) many.next();
    expect(many.next()).toBeLessThanOrEqual(30000); // forever, never overflowing
  });
});
