/**
 * The queue_log reader in the daemon (src/queue-log/module.ts): off unless native with a file; a
 * check shortly after each AMI connect and every CHECK_MS; an unreadable file said once and in the
 * health, then recovered from.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { parseConfigObject } from '../../src/config/load';
import type { DaemonDeps } from '../../src/daemon/module';
import { EventBus } from '../../src/events/bus';
import { createLogger } from '../../src/log/logger';
import { AFTER_CONNECT_MS, CHECK_MS, queueLogFactory } from '../../src/queue-log/module';
import { openDatabase, type Db } from '../../src/store/db';
import { FakeClock } from '../../src/util/clock';

/** The checks are async (chunks of a long catch-up yield to the event loop): let them finish. */
const flush = () => new Promise((r) => setImmediate(r));
let dir: string;
let db: Db;
let lines: string[];
const clock = new FakeClock(1_765_000_000_000);
const connects: (() => void)[] = [];
const ami = { state: 'connected', onConnected: (h: () => void) => (connects.push(h), () => undefined) };

function deps(asterisk: Record<string, unknown>): DaemonDeps {
  const config = parseConfigObject(
    { asterisk: { ari: { url: 'http://127.0.0.1:1', username: 'u', password: 'p', app: 'a' }, ami: { host: '127.0.0.1', username: 'u', secret: 's' }, ...asterisk }, database: { path: path.join(dir, 'x.db') } },
    {},
    { baseDir: dir },
  );
  const stream = new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) });
  return { config, db, ami, ari: {}, bus: new EventBus(), clock, log: createLogger('info', { stream }) } as unknown as DaemonDeps;
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-qlogm-'));
  db = openDatabase(path.join(dir, 'cc.db'));
  lines = [];
  connects.length = 0;
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('off without a file, and under the other topologies', () => {
  expect(queueLogFactory(deps({ queue_topology: 'native' }), {}).start).toBeUndefined();
  expect(queueLogFactory(deps({ queue_topology: 'stand-in', queue_log: '/x/queue_log' }), {}).start).toBeUndefined();
});

test('an unreadable file is said once and in the health; once it appears, calls of the outage are recorded', async () => {
  const file = path.join(dir, 'queue_log');
  const m = queueLogFactory(deps({ queue_topology: 'native', queue_log: file }), {});
  await m.start!();
  await flush();
  expect(m.health!()).toMatchObject({ file, ok: false, error: expect.stringContaining('ENOENT') });
  for (let i = 0; i < 3; i++) {
    clock.advance(CHECK_MS);
    await flush();
  }
  expect(lines.filter((l) => l.includes('cannot read queue_log'))).toHaveLength(1);

  fs.writeFileSync(file, '');
  clock.advance(CHECK_MS); // the file appeared after the first look: read from its start
  await flush();
  expect(m.health!()).toEqual({ file, ok: true });
  const t = Math.floor(clock.now() / 1000);
  fs.appendFileSync(file, [`${t}|c1|support|NONE|ENTERQUEUE||5511987654321|1`, `${t + 1}|c1|support|Ana|CONNECT|1|m|0`, `${t + 5}|c1|support|Ana|COMPLETEAGENT|1|4|1`, ''].join('\n'));
  connects.forEach((h) => h());
  clock.advance(AFTER_CONNECT_MS);
  await flush();
  expect(db.prepare('SELECT queue, answered_at AS a, end_reason AS r FROM calls').all()).toEqual([{ queue: 'support', a: (t + 1) * 1000, r: 'agent-hangup' }]);
  expect(lines.some((l) => l.includes('queue_log readable again'))).toBe(true);
  await m.stop!();
});
