/**
 * Issue 13 leftover (fault bench, disk-full): a queue call part created while the disk of the
 * database was full stayed open in state `ringing-agent` until the next daemon start.
 */
import { bootEach, until } from './helpers';

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
