import { Simulator } from '../../src/sim';
import { RawAri } from './helpers';

/** PUT /applications/{app}/eventFilter as Asterisk 22 applies it (res/stasis/app.c). */
describe('simulator ARI app event filter', () => {
  let sim: Simulator;
  let ari: RawAri;
  beforeEach(async () => {
    sim = new Simulator();
    sim.addQueue('support');
    await sim.start();
    ari = await RawAri.connect(sim);
  });
  afterEach(async () => {
    ari.close();
    await sim.stop();
  });

  const put = async (body: unknown) => {
    const { username, password } = sim.credentials.ari;
    const res = await fetch(`${sim.ariUrl}/ari/applications/${sim.app}/eventFilter`, {
      method: 'PUT',
      headers: { Authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { events_allowed: unknown[]; events_disallowed: unknown[] } };
  };

  it('allowed: only those types reach the app; the app JSON lists both lists', async () => {
    const r = await put({ allowed: [{ type: 'StasisEnd' }], disallowed: [] });
    expect(r.status).toBe(200);
    expect(r.body.events_allowed).toEqual([{ type: 'StasisEnd' }]);
    const h = sim.placeTrunkCall({ queue: 'support', callerNumber: '+5511999990000' });
    await ari.event('StasisEnd', () => true, 10).catch(() => undefined);
    expect(ari.events).toEqual([]); // no StasisStart: not allowed
    await ari.rest('DELETE', `/channels/${h.channelId}`);
    await ari.event('StasisEnd');
    expect(ari.events.map((e) => e.type)).toEqual(['StasisEnd']);
  });

  it('a list the body omits stays; {} resets both; a malformed list is refused and changes nothing', async () => {
    await put({ allowed: [{ type: 'StasisEnd' }] });
    let r = await put({ disallowed: [{ type: 'ChannelVarset' }] });
    expect(r.body).toMatchObject({ events_allowed: [{ type: 'StasisEnd' }], events_disallowed: [{ type: 'ChannelVarset' }] });
    const bad = await put({ allowed: [{ name: 'x' }] });
    expect(bad.status).toBe(400);
    r = await put({});
    expect(r.body).toMatchObject({ events_allowed: [], events_disallowed: [] });
    sim.placeTrunkCall({ queue: 'support', callerNumber: '+5511999990000' });
    await ari.event('StasisStart');
  });
});
