/** Shared fixtures for callback tests: an in-memory DB with a small catalogue, fake presence, clock and error helpers. */
import { configSchema, type Config } from '../../src/config/schema';
import type { AgentPresence, AgentStateName } from '../../src/daemon/ports';
import { openDatabase, type Db } from '../../src/store/db';
import type { FakeClock } from '../../src/util/clock';
import type { CallbackScheduler } from '../../src/callbacks/scheduler';

export function testConfig(): Config {
  return configSchema.parse({
    asterisk: {
      ari: { url: 'http://127.0.0.1:8088', username: 'u', password: 'p' },
      ami: { username: 'u', secret: 's' },
    },
  });
}

export function seededDb(): Db {
  const db = openDatabase(':memory:');
  const now = 0;
  db.prepare('INSERT INTO queues (name, created_at) VALUES (?, ?)').run('support', now);
  db.prepare('INSERT INTO queues (name, created_at) VALUES (?, ?)').run('sales', now);
  for (const ext of ['1000', '1001', '1002']) {
    db.prepare('INSERT INTO agents (extension, name, device, created_at) VALUES (?, ?, ?, ?)').run(
      ext,
      `Agent ${ext}`,
      `PJSIP/${ext}`,
      now,
    );
  }
  return db;
}

/** Presence table the tests set directly. */
export class FakePresence {
  private map = new Map<string, AgentPresence>();
  set(ext: string, state: AgentStateName, queues: string[] = ['support']): void {
    this.map.set(ext, {
      extension: ext,
      name: `Agent ${ext}`,
      device: `PJSIP/${ext}`,
      loggedIn: state !== 'offline',
      state,
      queues: state === 'offline' ? [] : queues,
      blockDialingInPause: false,
    });
  }
  presence = (ext: string): AgentPresence | undefined => this.map.get(ext);
}

export { thrown } from '../helpers/errors';

/** Moves the fake clock and waits until the scheduler has acted on it. */
export async function advance(clock: FakeClock, ms: number, scheduler: Pick<CallbackScheduler, 'idle'>): Promise<void> {
  clock.advance(ms);
  await scheduler.idle();
}
