/** Room → bridge id map: names are labels, not unique, so the daemon keeps the map itself. */
import { AriHttpError, type AriBridge, type AriClient, type AriEvent } from '../../src/ari/types';
import { RoomBridges } from '../../src/conference/room-bridges';

class FakeBridgesAri {
  bridges = new Map<string, AriBridge>();
  appBridgeIds: string[] = [];
  created: string[] = [];
  destroyed: string[] = [];
  handlers = new Map<string, ((e: AriEvent) => void)[]>();
  /** demandEvents calls and releases, in order ('+types' / '-types'), with the bridges existing then. */
  demands: string[] = [];
  onEvent(type: string, h: (e: AriEvent) => void) {
    this.handlers.set(type, [...(this.handlers.get(type) ?? []), h]);
    return () => undefined;
  }
  emit(type: string, e: Record<string, unknown>) {
    for (const h of this.handlers.get(type) ?? []) h({ type, application: 'cc', timestamp: '', ...e } as AriEvent);
  }
  add(id: string, name: string, channels: string[] = []) {
    this.bridges.set(id, { id, name, channels, technology: 'simple_bridge', bridge_type: 'mixing', bridge_class: 'stasis', creator: 'Stasis' });
    this.appBridgeIds.push(id);
  }
  client(): AriClient {
    return {
      onEvent: this.onEvent.bind(this),
      demandEvents: async (types: string[]) => {
        this.demands.push(`+${types.join(',')} (bridges: ${this.bridges.size})`);
        return () => this.demands.push(`-${types.join(',')}`);
      },
      applications: { get: async () => ({ name: 'cc', channel_ids: [], bridge_ids: this.appBridgeIds, endpoint_ids: [], device_names: [] }) },
      bridges: {
        get: async (id: string) => {
          const b = this.bridges.get(id);
          if (!b) throw new AriHttpError('GET', `/bridges/${id}`, 404, '');
          return b;
        },
        create: async (p: { bridgeId?: string; name?: string }) => {
          // Simulates the HTTP round trip, so concurrent ensure() calls overlap.
          await new Promise((r) => setImmediate(r));
          this.created.push(p.bridgeId!);
          this.add(p.bridgeId!, p.name ?? '');
          return this.bridges.get(p.bridgeId!)!;
        },
        destroy: async (id: string) => {
          this.destroyed.push(id);
          this.bridges.delete(id);
        },
      },
    } as unknown as AriClient;
  }
}

function setup() {
  const fake = new FakeBridgesAri();
  let n = 0;
  const rb = new RoomBridges({ ari: fake.client(), newId: () => String(++n) });
  rb.start();
  return { fake, rb };
}

describe('RoomBridges', () => {
  it('asks Asterisk for bridge events before the first room exists and lets them go when the last room closes', async () => {
    const { fake, rb } = setup();
    const id = await rb.ensure('1000');
    await rb.ensure('1001');
    expect(fake.demands).toEqual(['+ChannelEnteredBridge,ChannelLeftBridge,BridgeDestroyed (bridges: 0)']);
    fake.emit('ChannelLeftBridge', { bridge: { ...fake.bridges.get(id)!, channels: [] }, channel: { id: 'c1' } });
    await new Promise((r) => setImmediate(r));
    expect(fake.demands).toHaveLength(1); // room 1001 is still open
    fake.emit('BridgeDestroyed', { bridge: fake.bridges.get(fake.created[1])! });
    await new Promise((r) => setImmediate(r));
    expect(fake.demands).toEqual(['+ChannelEnteredBridge,ChannelLeftBridge,BridgeDestroyed (bridges: 0)', '-ChannelEnteredBridge,ChannelLeftBridge,BridgeDestroyed']);
    // A room again: asked again.
    await rb.ensure('1002');
    expect(fake.demands).toHaveLength(3);
    expect(fake.demands[2]).toMatch(/^\+ChannelEnteredBridge/);
  });

  it('creates one mixing bridge named *EXT per room, even for concurrent moves', async () => {
    const { fake, rb } = setup();
    const [a, b] = await Promise.all([rb.ensure('1000'), rb.ensure('1000')]);
    expect(a).toBe(b);
    expect(fake.created).toEqual(['room-1000-1']);
    expect(fake.bridges.get(a)!.name).toBe('*1000');
    expect(await rb.ensure('1000')).toBe(a);
    expect(rb.roomOf(a)).toBe('1000');
  });

  it('recreates a room whose bridge vanished, and forgets destroyed bridges', async () => {
    const { fake, rb } = setup();
    const first = await rb.ensure('1000');
    fake.bridges.delete(first); // e.g. destroyed while ARI was away
    const second = await rb.ensure('1000');
    expect(second).not.toBe(first);
    fake.emit('BridgeDestroyed', { bridge: fake.bridges.get(second) });
    expect(rb.bridgeOf('1000')).toBeUndefined();
  });

  it('closes an empty room', async () => {
    const { fake, rb } = setup();
    const id = await rb.ensure('1000');
    fake.emit('ChannelLeftBridge', { bridge: { ...fake.bridges.get(id)!, channels: ['x'] }, channel: { id: 'y' } });
    expect(fake.destroyed).toEqual([]);
    fake.emit('ChannelLeftBridge', { bridge: { ...fake.bridges.get(id)!, channels: [] }, channel: { id: 'x' } });
    await new Promise((r) => setImmediate(r));
    expect(fake.destroyed).toEqual([id]);
    expect(rb.bridgeOf('1000')).toBeUndefined();
  });

  it('recovers the map after a restart from the app bridges, preferring the one with people', async () => {
    const { fake, rb } = setup();
    fake.add('old-empty', '*1000', []);
    fake.add('old-busy', '*1000', ['leg-1']);
    fake.add('call-bridge', 'agent-1000', ['leg-2', 'dev-2']);
    fake.add('other-room', '*20001', []);
    await rb.recover();
    expect(rb.snapshot()).toEqual({ '1000': 'old-busy', '20001': 'other-room' });
    expect(await rb.ensure('1000')).toBe('old-busy');
    expect(fake.created).toEqual([]);
  });
});
