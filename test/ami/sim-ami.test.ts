/**
 * The AMI client against the simulator (src/sim): an independently written implementation of the
 * Asterisk 22 AMI wire format and app_queue actions, with fault knobs.
 */
import { createAmiClient } from '../../src/ami/client';
import { AmiNotConnectedError } from '../../src/ami/types';
import { Simulator } from '../../src/sim';
import { captureLogger, waitFor } from './fakeAmiServer';
import { startWatched } from '../helpers/link-watch';

describe('AMI client on the simulator', () => {
  let sim: Simulator;
  let current: ReturnType<typeof createAmiClient> | undefined;

  beforeEach(async () => {
    // Wire-level checks read Asterisk's whole event stream (a manager user without eventfilter lines).
    sim = new Simulator({ amiEventFilter: 'none' });
    sim.addQueue('support');
    await sim.start();
  });

  afterEach(async () => {
    await current?.stop();
    current = undefined;
    await sim.stop();
  });

  function makeClient(actionTimeoutMs: number, keepaliveMs: number) {
    current = createAmiClient({
      host: '127.0.0.1',
      port: sim.amiPort,
      username: sim.credentials.ami.username,
      secret: sim.credentials.ami.secret,
      log: captureLogger().log,
      actionTimeoutMs,
      keepaliveMs,
      reconnect: { initialMs: 10, maxMs: 40 },
    });
    return current;
  }

  it('dropped AMI socket on the simulator: reconnects, logs in again and fires onConnected again', async () => {
    const client = makeClient(2000, 5000);
    const link = await startWatched(client);
    const list = await client.actionList('QueueStatus', { Queue: 'support' });
    expect(list.events.map((e) => e.Event)).toContain('QueueParams');
    expect(list.complete?.Event).toBe('QueueStatusComplete');

    sim.dropAmi();
    await waitFor(() => link.reasons.length === 1);
    await expect(client.action('Ping')).rejects.toBeInstanceOf(AmiNotConnectedError);
    await waitFor(() => link.connected === 2, 3000, 'reconnect');
    expect(sim.connections.ami).toBe(1);
    expect(client.info.reconnects).toBe(1);

    // The new session works: an action and the events it causes.
    const added: string[] = [];
    client.onEvent('QueueMemberAdded', (e) => added.push(e.Interface));
    await client.action('QueueAdd', {
      Queue: 'support',
      Interface: 'Local/1000@cc-agent/n',
      MemberName: 'Agent 1000',
      StateInterface: 'hint:1000@agent-hints',
    });
    await waitFor(() => added.length === 1);
    expect(added).toEqual(['Local/1000@cc-agent/n']);
  });

  it('half-open simulator (no answers): keepalive detects it, reconnects once it answers again', async () => {
    const client = makeClient(100, 40);
    const link = await startWatched(client);
    sim.setUnresponsive(true, 'ami');
    await waitFor(() => link.reasons.length === 1, 3000, 'half-open detection');
    expect(link.reasons[0]).toMatch(/keepalive/);
    expect(client.state).not.toBe('connected');
    sim.setUnresponsive(false, 'ami');
    await waitFor(() => link.connected === 2, 3000, 'reconnect');
  });
});
