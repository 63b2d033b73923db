import { ResyncRetry, type RetryLink } from '../../src/net/resync-retry';
import { captureLogger } from '../ami/fakeAmiServer';
import { FakeClock } from '../../src/util/clock';
import { CcError } from '../../src/util/errors';

const flush = () => new Promise((r) => setImmediate(r));

class Link implements RetryLink {
  up = new Set<() => void>();
  down = new Set<(reason: string) => void>();
  onConnected(h: () => void) {
    this.up.add(h);
    return () => this.up.delete(h);
  }
  onDisconnected(h: (reason: string) => void) {
    this.down.add(h);
    return () => this.down.delete(h);
  }
  connect() {
    for (const h of [...this.up]) h();
  }
  disconnect() {
    for (const h of [...this.down]) h('gone');
  }
}

function setup(outcomes: Array<'ok' | 'fail' | 'hold'>, maxAttempts = 3) {
  const link = new Link();
  const clock = new FakeClock();
  const logs = captureLogger();
  let calls = 0;
  const held: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  const retry = new ResyncRetry({
    name: 'test re-sync',
    link,
    clock,
    log: logs.log,
    maxAttempts,
    random: () => 1, // delays: 1000, 2000, 4000 ...
    run: () => {
      const o = outcomes[calls++] ?? 'ok';
      if (o === 'hold') return new Promise<void>((resolve, reject) => held.push({ resolve, reject }));
      return o === 'ok' ? Promise.resolve() : Promise.reject(new Error(`boom ${calls}`));
    },
  });
  retry.start();
  const lines = (msg: string) =>
    logs
      .text()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { level: string; message: string; attempt?: number; retryInMs?: number })
      .filter((l) => l.message === msg);
  return { link, clock, retry, calls: () => calls, held, lines };
}

describe('ResyncRetry', () => {
  it('retries a failed run with a growing delay, logging each failure once, until it succeeds', async () => {
    const t = setup(['fail', 'fail', 'ok']);
    t.link.connect();
    await flush();
    expect(t.calls()).toBe(1);
    expect(t.retry.state).toBe('waiting');
    t.clock.advance(999);
    await flush();
    expect(t.calls()).toBe(1);
    t.clock.advance(1);
    await flush();
    expect(t.calls()).toBe(2);
    t.clock.advance(2000);
    await flush();
    expect(t.calls()).toBe(3);
    expect(t.retry.state).toBe('idle');
    expect(t.lines('test re-sync failed').map((l) => [l.level, l.attempt, l.retryInMs])).toEqual([
      ['warn', 1, 1000],
      ['warn', 2, 2000],
    ]);
    expect(t.lines('test re-sync succeeded')).toMatchObject([{ level: 'info', attempt: 3 }]);
  });

  it('gives up after maxAttempts until the next connect, which starts over with the first delay', async () => {
    const t = setup(['fail', 'fail', 'fail', 'fail', 'ok'], 3);
    t.link.connect();
    await flush();
    t.clock.advance(1000);
    await flush();
    t.clock.advance(2000);
    await flush();
    expect(t.calls()).toBe(3);
    t.clock.advance(600_000);
    await flush();
    expect(t.calls()).toBe(3);
    expect(t.lines('test re-sync failed; giving up until the next reconnect')).toMatchObject([{ level: 'error', attempt: 3 }]);
    t.link.connect();
    await flush();
    expect(t.calls()).toBe(4);
    t.clock.advance(1000); // backoff was reset: first delay again
    await flush();
    expect(t.calls()).toBe(5);
    expect(t.retry.state).toBe('idle');
  });

  it('ignores the outcome of an attempt from a previous connection', async () => {
    const t = setup(['hold', 'ok']);
    t.link.connect();
    await flush();
    t.link.disconnect();
    t.link.connect(); // fresh run while the old one is still in flight
    await flush();
    expect(t.calls()).toBe(2);
    t.held[0].reject(new Error('AMI not connected'));
    await flush();
    t.clock.advance(60_000);
    await flush();
    expect(t.calls()).toBe(2);
    expect(t.lines('test re-sync failed')).toEqual([]);
  });

  it('stop() unsubscribes and cancels the pending retry; bad maxAttempts is refused', async () => {
    const t = setup(['fail', 'ok']);
    t.link.connect();
    await flush();
    t.retry.stop();
    t.clock.advance(60_000);
    t.link.connect();
    await flush();
    expect(t.calls()).toBe(1);
    expect(t.retry.state).toBe('stopped');
    expect(
      () => new ResyncRetry({ name: 'x', link: t.link, clock: t.clock, log: captureLogger().log, maxAttempts: 0, run: async () => 1 }),
    ).toThrow(CcError);
  });
});
