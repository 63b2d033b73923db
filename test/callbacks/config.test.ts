/**
 * policy.callbacks drives the scheduler built by createCallbacksModule (the daemon's module):
 * attempts, minutes between attempts, minutes to wait for a free agent. Defaults = 3 / 5 / 240.
 */
import { createCallbacksModule, schedulerOptionsFromPolicy } from '../../src/callbacks';
import type { CallbackDialer } from '../../src/callbacks/model';
import { configSchema } from '../../src/config/schema';
import { EventBus } from '../../src/events/bus';
import { silentLogger } from '../../src/log/logger';
import { FakeClock } from '../../src/util/clock';
import { refused } from '../../src/util/errors';
import { FakePresence, seededDb } from './helpers';

const START = Date.parse('2026-11-21T12:00:00Z');
const MIN = 60_000;
const base = { asterisk: { ari: { url: 'http://127.0.0.1:8088', username: 'u', password: 'p' }, ami: { username: 'u', secret: 's' } } };

function moduleWith(callbacks: Record<string, number>) {
  const config = configSchema.parse({ ...base, policy: { callbacks } });
  const clock = new FakeClock(START);
  const presence = new FakePresence();
  const dials: string[] = [];
  const dialer: CallbackDialer = {
    async dialForAgent(ext) {
      dials.push(ext);
      throw refused(`agent ${ext} did not take the callback`);
    },
  };
  const m = createCallbacksModule({ db: seededDb(), bus: new EventBus(), clock, config, log: silentLogger(), agents: presence, dialer });
  return { m, clock, presence, dials };
}

async function advance(x: ReturnType<typeof moduleWith>, ms: number): Promise<void> {
  x.clock.advance(ms);
  await x.m.scheduler.idle();
}

describe('policy.callbacks', () => {
  it('defaults to the former constants: 3 attempts, 5 minutes apart, wait 4 h for an agent', () => {
    const policy = configSchema.parse(base).policy;
    expect(policy.callbacks).toEqual({
      max_attempts: 3,
      retry_minutes: 5,
      wait_for_agent_minutes: 240,
      queue_requests: { max_attempts: 3, retry_seconds: 120, recheck_seconds: 5, give_up_minutes: 240 },
    });
    expect(schedulerOptionsFromPolicy(policy)).toEqual({
      maxAttempts: 3,
      retryDelayMs: 5 * MIN,
      giveUpAfterMs: 240 * MIN,
      queue: { maxAttempts: 3, retryDelayMs: 120_000, waitRetryMs: 5_000, giveUpAfterMs: 240 * MIN },
    });
  });

  it.each([
    [{ max_attempts: 0 }],
    [{ retry_minutes: 0 }],
    [{ wait_for_agent_minutes: -1 }],
    [{ retry_minutes: 1.5 }],
    [{ retries: 3 }],
    [{ queue_requests: { recheck_seconds: 0 } }],
    [{ queue_requests: { retry_seconds: 5 } }],
    [{ queue_requests: { when: 'always' } }],
  ])('rejects %j', (callbacks) => {
    expect(() => configSchema.parse({ ...base, policy: { callbacks } })).toThrow();
  });

  it('max_attempts and retry_minutes set the retries of a failed dial', async () => {
    const x = moduleWith({ max_attempts: 2, retry_minutes: 10 });
    x.presence.set('1000', 'available');
    x.m.start!();
    const c = x.m.service.add({ agent: '1000', number: '11987654321', at: new Date(START).toISOString() });
    await advance(x, 0);
    expect(x.dials).toHaveLength(1);
    await advance(x, 10 * MIN - 1);
    expect(x.dials).toHaveLength(1); // not before retry_minutes
    await advance(x, 1);
    expect(x.dials).toHaveLength(2);
    expect(x.m.service.list().find((r) => r.id === c.id)).toMatchObject({ status: 'failed', attempts: 2 });
    await advance(x, 60 * MIN);
    expect(x.dials).toHaveLength(2);
    x.m.stop!();
  });

  it('wait_for_agent_minutes bounds the wait for a free agent', async () => {
    const x = moduleWith({ wait_for_agent_minutes: 3 });
    x.presence.set('1000', 'on-call');
    x.m.start!();
    const c = x.m.service.add({ agent: '1000', number: '11987654321', at: new Date(START).toISOString() });
    await advance(x, 0);
    await advance(x, 2 * MIN);
    expect(x.m.service.list().find((r) => r.id === c.id)!.status).toBe('pending');
    await advance(x, 1 * MIN);
    expect(x.m.service.list().find((r) => r.id === c.id)).toMatchObject({ status: 'failed', attempts: 0 });
    expect(x.dials).toHaveLength(0);
    x.m.stop!();
  });
});
