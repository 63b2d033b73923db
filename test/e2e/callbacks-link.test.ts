/**
 * Callbacks and the ARI link: a callback that came due while the daemon was stopped, or while ARI
 * was down, fires as soon as the (new) daemon's ARI connects, without burning an attempt.
 */
import { bootEach, type E2E, until } from './helpers';

jest.setTimeout(30000);

const NUMBER = '11987654321';

/** Adds a due callback straight into SQLite, as it stood when it came due with nobody running it. */
function insertDue(x: E2E, agent: string, at: number): number {
  const db = x.daemon.deps.db;
  const res = db
    .prepare(
      `INSERT INTO callbacks (agent_ext, number, ddi, at, next_at, status, attempts, created_at, updated_at)
       VALUES (?, ?, '55', ?, ?, 'pending', 0, ?, ?)`,
    )
    .run(agent, NUMBER, at, at, at, at);
  return Number(res.lastInsertRowid);
}

function row(x: E2E, id: number): { status: string; attempts: number; call_id: string | null; last_error: string | null } {
  return x.rows('SELECT status, attempts, call_id, last_error FROM callbacks WHERE id = ?', id)[0];
}

describe('e2e: callbacks across daemon restarts and ARI outages', () => {
  const boot = bootEach();

  it('a callback due while the daemon was stopped fires right after the new daemon connects, attempts 1', async () => {
    const x = await boot();
    x.sim.setRemote(NUMBER, { answer: 'auto', answerDelayMs: 10 });
    await x.daemon.stop();
    // Written while no daemon runs (the stopped daemon's DB handle is closed: use a fresh one).
    const db = (await import('../../src/store/db')).openDatabase(x.dbPath);
    const at = Date.now() - 1000;
    const id = Number(
      db
        .prepare(
          `INSERT INTO callbacks (agent_ext, number, ddi, at, next_at, status, attempts, created_at, updated_at)
           VALUES ('1000', ?, '55', ?, ?, 'pending', 0, ?, ?)`,
        )
        .run(NUMBER, at, at, at, at).lastInsertRowid,
    );
    db.close();

    const started = Date.now();
    await x.startDaemon();
    const done = await until(() => (row(x, id).status === 'done' ? row(x, id) : undefined), 5000, () => `callback done (${JSON.stringify(row(x, id))})`);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(done).toMatchObject({ status: 'done', attempts: 1 });
    const call = await until(async () => (await x.calls()).find((c) => c.id === done.call_id && c.state === 'connected'), 5000, 'callback connected');
    expect(call.agent).toBe('1000');
  });

  it('a callback due while ARI is down waits for the reconnect and then fires, attempts 1', async () => {
    const x = await boot();
    x.sim.setRemote(NUMBER, { answer: 'auto', answerDelayMs: 10 });
    // Asterisk's HTTP side goes away: the event socket drops and reconnects are refused.
    const ari = (x.sim as unknown as { ariServer: { setRefusing(on: boolean): void } }).ariServer;
    ari.setRefusing(true);
    x.sim.dropAri();
    await until(() => !x.daemon.deps.ari.connected, 3000, 'daemon sees ARI down');

    const id = insertDue(x, '1000', Date.now() - 1000);
    // Wake the scheduler as an API add would (rows written by others are also found by the rescan).
    const added = await x.api('POST', '/callbacks', { agent: '1000', number: NUMBER, at: new Date().toISOString() });
    expect(added.status).toBe(201);
    await new Promise((r) => setTimeout(r, 300));
    expect(row(x, id)).toMatchObject({ status: 'pending', attempts: 0 });
    expect(row(x, added.body.id)).toMatchObject({ status: 'pending', attempts: 0 });

    ari.setRefusing(false);
    await until(() => x.daemon.deps.ari.connected, 5000, 'ARI back');
    const first = await until(() => (row(x, id).status === 'done' ? row(x, id) : undefined), 5000, () => `callback done (${JSON.stringify(row(x, id))})`);
    expect(first.attempts).toBe(1);
  });
});
