import { StartWaiters } from '../../src/ari/start-waiters';
import { FakeClock } from '../../src/util/clock';

describe('StartWaiters', () => {
  it('resolves on started, times out with the given error, cancels without rejecting, rejects all on stop', async () => {
    const clock = new FakeClock();
    const w = new StartWaiters(clock);
    const a = w.wait('a', 1000, () => new Error('a late'));
    expect(w.has('a')).toBe(true);
    expect(w.started('a')).toBe(true);
    await expect(a).resolves.toBeUndefined();
    expect(w.started('a')).toBe(false); // nobody waits any more

    const b = w.wait('b', 1000, () => new Error('b late'));
    clock.advance(1000);
    await expect(b).rejects.toThrow('b late');
    expect(w.has('b')).toBe(false);

    let settled = false;
    void w.wait('c', 1000, () => new Error('c late')).finally(() => (settled = true));
    w.cancel('c');
    clock.advance(2000);
    await Promise.resolve();
    expect(settled).toBe(false);
    expect(w.has('c')).toBe(false);

    const d = w.wait('d', 1000, () => new Error('d late'));
    w.rejectAll((id) => new Error(`${id}: stopping`));
    await expect(d).rejects.toThrow('d: stopping');
    expect(w.has('d')).toBe(false);
  });
});
