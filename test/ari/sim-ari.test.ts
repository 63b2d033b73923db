/**
 * The ARI client against the simulator (src/sim): real HTTP + WebSocket written independently of
 * the client, with the Stasis app registration and fault knobs of a real Asterisk.
 */
import { createAriClient, type AriClientImpl } from '../../src/ari/client';
import type { AriEvent } from '../../src/ari/types';
import { Simulator } from '../../src/sim';
import { captureLogger, waitFor } from '../ami/fakeAmiServer';
import { startWatched } from '../helpers/link-watch';

describe('ARI client on the simulator', () => {
  let sim: Simulator;
  let client: AriClientImpl | undefined;

  beforeEach(async () => {
    sim = new Simulator();
    await sim.start();
  });

  afterEach(async () => {
    await client?.stop();
    client = undefined;
    await sim.stop();
  });

  function make(password = sim.credentials.ari.password, pingIntervalMs = 5000) {
    client = createAriClient({
      url: sim.ariUrl,
      username: sim.credentials.ari.username,
      password,
      app: sim.app,
      log: captureLogger().log,
      requestTimeoutMs: 3000,
      pingIntervalMs,
      reconnect: { initialMs: 10, maxMs: 40 },
    });
    return client;
  }

  it('dropped ARI socket on the simulator: reconnects, app registered again, onConnected again, events flow', async () => {
    const c = make();
    let connected = 0;
    const reasons: string[] = [];
    const starts: AriEvent[] = [];
    c.onConnected(() => connected++);
    c.onDisconnected((r) => reasons.push(r));
    c.onEvent('StasisStart', (e) => starts.push(e));
    c.start();
    await waitFor(() => connected === 1);
    expect(sim.isAppRegistered()).toBe(true);

    sim.dropAri();
    await waitFor(() => reasons.length === 1);
    await waitFor(() => connected === 2, 3000, 'reconnect');
    expect(sim.isAppRegistered()).toBe(true);
    expect(sim.connections.ari).toBe(1);
    expect(c.info.reconnects).toBe(1);

    // After the reconnect the app controls channels again: originate into it, get StasisStart.
    sim.setDevice('PJSIP/1000', { answer: 'auto', answerDelayMs: 0 });
    const ch = await c.channels.originate({ endpoint: 'PJSIP/1000', channelId: 'cc-test-1', appArgs: 'agent-phone' });
    expect(ch.id).toBe('cc-test-1');
    await waitFor(() => starts.some((e) => (e as { channel?: { id: string } }).channel?.id === 'cc-test-1'), 3000, 'StasisStart');
    expect((await c.applications.get()).channel_ids).toContain('cc-test-1');
    await c.channels.hangup('cc-test-1');
  });

  it('half-open simulator (no pongs): detected and reconnected', async () => {
    const c = make(undefined, 80);
    const link = await startWatched(c);
    sim.setUnresponsive(true, 'ari');
    await waitFor(() => link.reasons.length === 1, 3000, 'half-open detection');
    expect(link.reasons[0]).toMatch(/no pong/);
    sim.setUnresponsive(false, 'ari');
    await waitFor(() => link.connected === 2, 3000, 'reconnect');
  });

  it('wrong password on the simulator: clear error, retries, never connects', async () => {
    const c = make('wrong-password');
    c.start();
    await waitFor(() => c.info.lastError !== undefined);
    expect(c.info.lastError).toBe(`ARI authentication failed for user ${sim.credentials.ari.username}: check asterisk.ari.username/password`);
    expect(c.connected).toBe(false);
    expect(sim.isAppRegistered()).toBe(false);
  });
});
