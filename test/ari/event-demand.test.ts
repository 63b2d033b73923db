import { EventDemand } from '../../src/ari/event-demand';
import type { AriOnDemandEvent } from '../../src/ari/types';

describe('EventDemand', () => {
  it('holds once however often it is asked, releases once, and can hold again', async () => {
    const log: string[] = [];
    const ari = {
      demandEvents: async (types: readonly AriOnDemandEvent[]) => {
        log.push(`+${types.join(',')}`);
        return () => void log.push(`-${types.join(',')}`);
      },
    };
    const d = new EventDemand(ari, ['Dial']);
    await Promise.all([d.hold(), d.hold()]);
    await d.hold();
    expect(log).toEqual(['+Dial']);
    d.release();
    d.release(); // not held any more: nothing
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['+Dial', '-Dial']);
    await d.hold();
    expect(log).toEqual(['+Dial', '-Dial', '+Dial']);
  });

  it('a client without filters (every event sent) needs no demand', async () => {
    const d = new EventDemand({}, ['ChannelEnteredBridge']);
    await expect(d.hold()).resolves.toBeUndefined();
    expect(() => d.release()).not.toThrow();
  });
});
