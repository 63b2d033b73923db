/**
 * The simulator's ARI snoop channels against what Asterisk 22.10.1 did
 * (test/fixtures/captures/live-monitor.*): 404 for an unknown channel, 400 when neither spying nor
 * whispering, a Snoop/<target>-XXXXXXXX channel whose StasisStart comes after the REST reply, and
 * StasisEnd (no ChannelDestroyed) when the snooped channel hangs up.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createAriClient, type AriClientImpl } from '../../src/ari/client';
import type { AriEvent } from '../../src/ari/types';
import { silentLogger } from '../../src/log/logger';
import { Simulator } from '../../src/sim';
import { waitFor } from '../ami/fakeAmiServer';

describe('simulator: ARI snoop channels', () => {
  let sim: Simulator;
  let ari: AriClientImpl;
  const events: AriEvent[] = [];

  beforeEach(async () => {
    events.length = 0;
    sim = new Simulator();
    await sim.start();
    ari = createAriClient({ url: sim.ariUrl, ...sim.credentials.ari, app: sim.app, log: silentLogger() });
    ari.onEvent('*', (e) => events.push(e));
    let up = false;
    ari.onConnected(() => (up = true));
    ari.start();
    await waitFor(() => up);
  });
  afterEach(async () => {
    await ari.stop();
    await sim.stop();
  });

  const of = (id: string) => events.filter((e) => (e as { channel?: { id: string } }).channel?.id === id).map((e) => e.type);

  it('creates a Snoop channel that enters the app after the reply, and ends with its target', async () => {
    await ari.channels.originate({ endpoint: 'PJSIP/1000', channelId: 'phone', appArgs: 'x' });
    await waitFor(() => of('phone').includes('StasisStart'));
    const snoop = await ari.channels.snoop('phone', { spy: 'both', whisper: 'none', appArgs: 'monitor-snoop,1', snoopId: 'sn-1' });
    expect(snoop).toMatchObject({ id: 'sn-1', state: 'Up', dialplan: { app_name: 'Stasis', app_data: 'callcenter,monitor-snoop,1' } });
    expect(snoop.name).toMatch(/^Snoop\/phone-[0-9a-f]{8}$/);
    await waitFor(() => of('sn-1').includes('StasisStart'));
    expect(events.find((e) => e.type === 'StasisStart' && of('sn-1').length > 0 && (e as { args?: string[] }).args?.[0] === 'monitor-snoop')).toMatchObject({ args: ['monitor-snoop', '1'] });
    // Bridge entries and exits are sent only on demand (the client's standing filter leaves them out).
    await ari.demandEvents(['ChannelEnteredBridge', 'ChannelLeftBridge']);
    await ari.bridges.create({ bridgeId: 'mon', type: 'mixing' });
    await ari.bridges.addChannel('mon', ['sn-1']);
    sim.hangupDevice('phone');
    await waitFor(() => of('sn-1').includes('StasisEnd'));
    expect(of('sn-1')).toEqual(['StasisStart', 'ChannelEnteredBridge', 'ChannelLeftBridge', 'StasisEnd']);
    expect(sim.channel('sn-1')).toBeUndefined();
  });

  it('the snoop StasisStart has the key sets Asterisk sent (live-monitor.ari.jsonl)', async () => {
    const captured = fs
      .readFileSync(path.join(__dirname, '..', 'fixtures', 'captures', 'live-monitor.ari.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l))
      .find((e) => e.type === 'StasisStart' && e.args[0] === 'monitor-snoop');
    await ari.channels.originate({ endpoint: 'PJSIP/1000', channelId: 'phone', appArgs: 'x' });
    await ari.channels.snoop('phone', { spy: 'both', appArgs: 'monitor-snoop,1', snoopId: 'sn-1' });
    await waitFor(() => of('sn-1').includes('StasisStart'));
    const mine = events.find((e) => e.type === 'StasisStart' && (e as { channel: { id: string } }).channel.id === 'sn-1') as unknown as typeof captured;
    const keys = (o: object) => Object.keys(o).sort();
    expect(keys(mine)).toEqual(keys(captured));
    expect(keys(mine.channel)).toEqual(keys(captured.channel));
    expect(keys(mine.channel.dialplan)).toEqual(keys(captured.channel.dialplan));
    expect(captured.channel.name).toMatch(/^Snoop\/.+-[0-9a-f]{8}$/);
  });

  it('refuses like Asterisk: unknown channel 404, neither spy nor whisper 400, bad direction 400', async () => {
    await expect(ari.channels.snoop('nope', { spy: 'both' })).rejects.toMatchObject({ status: 404 });
    await ari.channels.originate({ endpoint: 'PJSIP/1000', channelId: 'phone', appArgs: 'x' });
    const raw = (q: string) => fetch(`${sim.ariUrl.replace(/\/ari$/, '')}/ari/channels/phone/snoop?${q}`, { method: 'POST', headers: { authorization: 'Basic ' + Buffer.from(`${sim.credentials.ari.username}:${sim.credentials.ari.password}`).toString('base64') } });
    expect((await raw('app=callcenter')).status).toBe(400);
    expect((await raw('app=callcenter&spy=sideways')).status).toBe(400);
    expect((await raw('spy=both')).status).toBe(400);
    expect(sim.channels().filter((c) => c.snoop)).toEqual([]);
  });
});
