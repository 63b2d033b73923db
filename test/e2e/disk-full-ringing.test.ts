/**
 * Issue 13 leftover (fault bench, disk-full): a queue call part created while the disk of the
 * database was full stayed open in state `ringing-agent` until the next daemon start.
 * A commit that fails on a full disk or an I/O error may still have reached the WAL (SQLite writes
 * the frames, then fails to index them in the -shm file, which lives on the same full disk): the
 * daemon then drops a call it believes unwritten, and nothing ends its row. The call sweep now
 * settles open rows that no live call owns (two sightings), as a restart's recovery would.
 */
import Database from 'better-sqlite3';
import { SWEEP_MS, type CallService } from '../../src/calls/service';
import { bootEach, until, type E2E } from './helpers';

const callService = (x: E2E): CallService => (x.daemon.modules.find((m) => m.name === 'calls') as unknown as { control: CallService }).control;
const SqliteError = (Database as unknown as { SqliteError: new (m: string, c: string) => Error }).SqliteError;

jest.setTimeout(60000);

const TABLES = ['calls', 'call_events'];

/** Every write to the call tables fails as on a full disk (a TEMP trigger on the daemon's connection). */
function fillDisk(db: { exec(sql: string): unknown }): void {
  for (const t of TABLES) {
    for (const op of ['INSERT', 'UPDATE']) {
      db.exec(`CREATE TEMP TRIGGER full_${t}_${op} BEFORE ${op} ON ${t} BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END`);
    }
  }
}
function freeDisk(db: { exec(sql: string): unknown }): void {
  for (const t of TABLES) for (const op of ['INSERT', 'UPDATE']) db.exec(`DROP TRIGGER IF EXISTS full_${t}_${op}`);
}

describe('e2e: the disk of the database full while a queue call rings the agent', () => {
  const boot = bootEach();

  for (const how of ['trunk', 'queue'] as const) {
    it(`${how}: the customer hangs up during the window; the part's end lands once the disk has room, no restart`, async () => {
      const x = await boot();
      x.sim.setDevice('PJSIP/1000', { answer: 'never' });
      const h = how === 'trunk' ? x.sim.placeTrunkCall({ queue: 'support', callerNumber: '5550901' }) : x.sim.placeQueueCall({ queue: 'support', callerNumber: '5550901' });
      const call = await until(async () => (await x.calls()).find((c) => c.state === 'ringing-agent'), 5000, 'ringing');
      const db = x.daemon.deps.db;
      fillDisk(db);
      try {
        x.sim.customerHangup(h);
        await until(async () => (await x.calls()).length === 0, 5000, 'call gone from the live list');
        await new Promise((r) => setTimeout(r, 1500));
      } finally {
        freeDisk(db);
      }
      await until(() => x.rows('SELECT ended_at FROM calls WHERE id = ?', call.id)[0].ended_at !== null, 15000, () => `part end written: ${JSON.stringify(x.rows('SELECT * FROM calls'))}`);
      expect(x.rows('SELECT state FROM calls WHERE ended_at IS NULL')).toEqual([]);
      await x.waitAgentState('1000', 'available', 15000);
    });
  }
});

describe('e2e: a call part whose create "failed" on a full disk but reached the database', () => {
  const boot = bootEach();

  it('its open row is settled by the call sweep (end-not-recorded), no restart; the agent is free', async () => {
    const x = await boot();
    x.sim.setDevice('PJSIP/1000', { answer: 'never' });
    const svc = callService(x);
    const real = svc.repo.batch.bind(svc.repo);
    let armed = true;
    // The create's transaction commits, then the error of a WAL index that could not grow.
    svc.repo.batch = (<T>(fn: () => T): T => {
      const r = real(fn);
      if (armed && (r as { state?: string } | undefined)?.state === 'ringing-agent') {
        armed = false;
        throw new SqliteError('disk I/O error', 'SQLITE_IOERR_SHMSIZE');
      }
      return r;
    }) as typeof svc.repo.batch;
    const h = x.sim.placeTrunkCall({ queue: 'support', callerNumber: '5550911' });
    const row = await until(() => x.rows('SELECT id, state FROM calls WHERE ended_at IS NULL')[0], 5000, 'row written');
    expect(row.state).toBe('ringing-agent');
    expect(armed).toBe(false);
    expect((await x.calls()).map((c) => c.id)).not.toContain(row.id); // the daemon believes it was never written
    x.sim.customerHangup(h); // (else offered again and again to an agent who never answers)
    await until(() => x.rows('SELECT ended_at FROM calls WHERE id = ?', row.id)[0].ended_at !== null, SWEEP_MS * 3 + 5000, 'row settled');
    expect(x.rows('SELECT end_reason FROM calls WHERE id = ?', row.id)[0].end_reason).toBe('end-not-recorded');
    expect(svc.recovery.rowsSettled).toEqual([row.id]);
    expect(x.rows('SELECT id FROM calls WHERE ended_at IS NULL')).toEqual([]);
    await x.waitAgentState('1000', 'available', 15000);
  });
});

describe('e2e: a queue leg whose call cannot be recorded (disk full)', () => {
  const boot = bootEach();

  it('is refused after UNRECORDED_LEG_REFUSE_MS (hung up, congestion), not left ringing nothing until the member timeout; no agent miss', async () => {
    const x = await boot();
    const db = x.daemon.deps.db;
    db.exec("CREATE TEMP TRIGGER full_calls_insert BEFORE INSERT ON calls BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END");
    const since = x.sim.mark();
    try {
      const h = x.sim.placeQueueCall({ queue: 'support', callerNumber: '5550921' });
      const hangup = await x.sim.waitForAction((a) => a.proto === 'ari' && a.route === 'DELETE /channels/{id}' && a.params.reason === 'congestion', { since });
      expect(hangup.name).toContain(`/channels/`);
      expect(x.rows('SELECT id FROM calls')).toEqual([]);
      x.sim.customerHangup(h);
    } finally {
      db.exec('DROP TRIGGER full_calls_insert');
    }
    expect((await x.agent('1000')).state).toBe('available');
    // With room again, the next caller is served.
    x.sim.placeQueueCall({ queue: 'support', callerNumber: '5550922' });
    await until(async () => (await x.calls()).find((c) => c.state === 'connected'), 5000, 'next call connected');
  });
});
