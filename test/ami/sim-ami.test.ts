/**
 * The AMI client against the simulator's AMI server (src/sim/ami-server.ts), i.e. a second,
 * independently written implementation of the Asterisk 22 wire format.
 */
import { createAmiClient } from '../../src/ami/client';
import { AmiNotConnectedError } from '../../src/ami/types';
import { AmiServer, amiOk } from '../../src/sim/ami-server';
import { systemClock } from '../../src/util/clock';
import { captureLogger, waitFor } from './fakeAmiServer';

describe('AMI client on the simulator', () => {
  let sim: AmiServer;
  let current: ReturnType<typeof createAmiClient> | undefined;

  beforeEach(async () => {
    sim = new AmiServer({
      username: 'callcenterd',
      secret: 'sim-secret',
      systemName: 'asterisk-sim',
      clock: systemClock,
      uptime: () => 42,
      handler: (ctx) =>
        ctx.name === 'QueueStatus'
          ? [
              amiOk(ctx, 'Queue status will follow', [['EventList', 'start']]),
              [['Event', 'QueueParams'], ['Queue', 'support'], ['Strategy', 'rrmemory'], ['ActionID', ctx.actionId ?? '']],
              [['Event', 'QueueStatusComplete'], ['ActionID', ctx.actionId ?? ''], ['EventList', 'Complete'], ['ListItems', '1']],
            ]
          : [amiOk(ctx, 'ok')],
    });
    await sim.start();
  });

  function makeClient(actionTimeoutMs: number, keepaliveMs: number) {
    current = createAmiClient({
      host: '127.0.0.1',
      port: sim.port,
      username: 'callcenterd',
      secret: 'sim-secret',
      log: captureLogger().log,
      actionTimeoutMs,
      keepaliveMs,
      reconnect: { initialMs: 10, maxMs: 40 },
    });
    return current;
  }

  afterEach(async () => {
    await current?.stop();
    await sim.stop();
  });

  it('dropped AMI socket on the simulator: reconnects, logs in again and fires onConnected again', async () => {
    const client = makeClient(2000, 5000);
    let connected = 0;
    const reasons: string[] = [];
    client.onConnected(() => connected++);
    client.onDisconnected((r) => reasons.push(r));
    client.start();
    await waitFor(() => connected === 1);
    const list = await client.actionList('QueueStatus', { Queue: 'support' });
    expect(list.events.map((e) => e.Event)).toEqual(['QueueParams']);

    sim.dropConnections();
    await waitFor(() => reasons.length === 1);
    await expect(client.action('Ping')).rejects.toBeInstanceOf(AmiNotConnectedError);
    await waitFor(() => connected === 2, 3000, 'reconnect');
    expect(sim.sessionCount).toBe(1);
    expect(client.info.reconnects).toBe(1);
    await expect(client.action('QueueSummary')).resolves.toMatchObject({ Response: 'Success' });

    const events: string[] = [];
    client.onEvent('QueueMemberStatus', (e) => events.push(e.Queue));
    sim.broadcast('QueueMemberStatus', 'agent,all', [['Queue', 'support']]);
    await waitFor(() => events.length === 1);
  });

  it('half-open simulator (no answers): keepalive detects it, reconnects once it answers again', async () => {
    const client = makeClient(100, 40);
    let connected = 0;
    const reasons: string[] = [];
    client.onConnected(() => connected++);
    client.onDisconnected((r) => reasons.push(r));
    client.start();
    await waitFor(() => connected === 1);
    sim.setUnresponsive(true);
    await waitFor(() => reasons.length === 1, 3000, 'half-open detection');
    expect(reasons[0]).toMatch(/keepalive/);
    expect(client.state).not.toBe('connected');
    sim.setUnresponsive(false);
    await waitFor(() => connected === 2, 3000, 'reconnect');
  });
});
