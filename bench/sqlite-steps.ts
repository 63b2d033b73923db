/**
 * SQLite CPU of one queue call's writes, alone: the statements `npm run bench -- --only calls
 * --sql-histogram` lists per call (member-leg path, wrap-up 0 s), replayed on a temp file database
 * (WAL, synchronous NORMAL, every migration, a day of history so indexes have their real depth),
 * grouped as before and after issue 12's unit of work:
 *   per-domain  6 BEGIN/COMMIT (create, answer, bridged, call end, agent end, wrap-up close), the
 *               agents' writes in SAVEPOINTs, talk time its own UPDATE, the callbacks no-op UPDATE
 *   per-step    5 BEGIN/COMMIT (the call end and the agent's end one step), no savepoint, talk time in
 *               the state change's UPDATE, no callbacks UPDATE
 *   grouped     the per-step statements of GROUP_CALLS calls in one BEGIN/COMMIT: what group commit
 *               could save at most (at 20 calls/s, 10 calls per commit is a 500 ms window)
 * All also write the three autocommitted rows (queue stay opened and closed from AMI, the device
 * channel id after the originate). Prints CPU µs and WAL frames per call for each, alternating.
 * Not a test: `node -r ./test/integration/ts-register.js bench/sqlite-steps.ts [calls] [rounds] [page size]`
 * (page size: of the temp databases, default what a new database gets; 4096 = before round 6).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Statement } from 'better-sqlite3';
import { NEW_DATABASE_PAGE_SIZE, openDatabase, type Db } from '../src/store/db';
import { checkPageSize } from '../src/store/page-size';

const VARIANTS = ['per-domain', 'per-step', 'grouped'] as const;
type Variant = (typeof VARIANTS)[number];
/** grouped: the per-step statements of this many calls in one transaction (group commit's ceiling). */
const GROUP_CALLS = 10;

function seed(db: Db, t0: number): void {
  db.exec(`INSERT INTO agent_runtime (extension, state, since, calls_taken, talk_ms) VALUES ('1000', 'available', ${t0}, 0, 0)`);
  db.exec(`INSERT INTO agent_sessions (extension, queues, block_dialing_in_pause, login_at) VALUES ('1000', '["support"]', 0, ${t0})`);
  const at = t0 - 86_400_000;
  db.transaction(() => {
    for (let i = 0; i < 20_000; i++) {
      const id = `20261205-${String(i).padStart(6, '0')}`;
      const s = at + i * 4000;
      db.prepare(`INSERT INTO calls (id, root_id, kind, direction, queue, agent_ext, state, started_at, ended_at, linkedid)
                  VALUES (?, ?, 'inbound', 'inbound', 'support', '1000', 'ended', ?, ?, ?)`).run(id, id, s, s + 3000, `lk-${i}`);
      for (let k = 0; k < 5; k++) db.prepare(`INSERT INTO call_events (call_id, type, at, data) VALUES (?, 'state', ?, '{"state":"x"}')`).run(id, s + k);
      for (let k = 0; k < 4; k++) {
        db.prepare(`INSERT INTO agent_state_log (extension, at, previous, state) VALUES ('1000', ?, 'available', 'ringing')`).run(s + k * 500);
      }
      db.prepare(`INSERT INTO queue_stays (queue, uniqueid, linkedid, channel, caller_number, caller_name, joined_at, join_source, outcome, left_at)
                  VALUES ('support', ?, ?, 'ch', '555', '', ?, 'event', 'answered', ?)`).run(`u-${i}`, `lk-${i}`, s, s + 10);
      db.prepare(`INSERT INTO wrapups (extension, call_id, queue, started_at, deadline, ended_at, limited) VALUES ('1000', ?, 'support', ?, ?, ?, 1)`)
        .run(id, s + 3000, s + 3000, s + 3000);
    }
  })();
}

function replayer(db: Db) {
  const q = new Map<string, Statement<unknown[]>>();
  const st = (sql: string): Statement<unknown[]> => {
    let s = q.get(sql);
    if (!s) q.set(sql, (s = db.prepare(sql)));
    return s;
  };
  /** An outer transaction (savepoint false), or an agents' write inside one: a savepoint, or joined. */
  const tx = (savepoint: boolean, fn: () => void) => {
    if (db.inTransaction && (!savepoint || group)) return fn();
    st(savepoint ? 'SAVEPOINT s' : 'BEGIN').run();
    fn();
    st(savepoint ? 'RELEASE s' : 'COMMIT').run();
  };
  const event = (id: string, type: string, at: number, data: string) =>
    st('INSERT INTO call_events (call_id, type, at, data) VALUES (?, ?, ?, ?)').run(id, type, at, data);
  const log = (at: number, previous: string, state: string, id: string) =>
    st(`INSERT INTO agent_state_log (extension, session_id, at, previous, state, reason, status_id, call_id, detail) VALUES ('1000', 1, ?, ?, ?, NULL, NULL, ?, NULL)`)
      .run(at, previous, state, id);
  let n = 0;
  let group = false;
  return (v: Variant, t: number) => {
    const sp = v === 'per-domain';
    const i = n++;
    group = v === 'grouped';
    if (group && i % GROUP_CALLS === 0) {
      if (db.inTransaction) st('COMMIT').run();
      st('BEGIN').run();
    }
    const id = `20261206-${String(i).padStart(6, '0')}`;
    st(`INSERT INTO queue_stays (queue, uniqueid, linkedid, channel, caller_number, caller_name, joined_at, join_source, position)
        VALUES ('support', ?, ?, 'ch', '555', '', ?, 'event', 1)`).run(`v-${i}`, `lkv-${i}`, t);
    tx(false, () => {
      st(`INSERT INTO call_sequence (day, last) VALUES ('20261206', 1) ON CONFLICT(day) DO UPDATE SET last = last + 1 RETURNING last`).get();
      st(`INSERT INTO calls (id, root_id, kind, direction, queue, agent_ext, state, started_at, linkedid, customer_channel_id)
          VALUES (?, ?, 'inbound', 'inbound', 'support', '1000', 'ringing-agent', ?, ?, ?)`).run(id, id, t, `lkv-${i}`, `leg-${i}`);
      event(id, 'created', t, '{"kind":"inbound","state":"ringing-agent","parent":null}');
      tx(sp, () => {
        st(`UPDATE agent_runtime SET current_call_id = ?, current_queue = 'support', state = 'ringing', since = ? WHERE extension = '1000'`).run(id, t);
        log(t, 'available', 'ringing', id);
      });
    });
    st('UPDATE calls SET agent_channel_id = ? WHERE id = ?').run(`dev-${i}`, id);
    st(`UPDATE queue_stays SET outcome = 'answered', left_at = ?, detail = NULL, agent_ext = '1000', call_id = ?, root_id = ?, linkedid = COALESCE(linkedid, ?), callback_id = NULL
        WHERE uniqueid = ? AND outcome = 'waiting'`).run(t + 5, id, id, `lkv-${i}`, `v-${i}`);
    tx(false, () => {
      st('UPDATE calls SET bridge_id = ?, answered_at = ?, state = ? WHERE id = ?').run(`br-${i}`, t + 10, 'bridging', id);
      event(id, 'state', t + 10, '{"state":"bridging","previous":"ringing-agent","event":"leg-answered"}');
      tx(sp, () => {
        st(`UPDATE agent_runtime SET current_call_id = ?, current_queue = 'support', connected_at = ?, calls_taken = calls_taken + 1, state = 'on-call', since = ? WHERE extension = '1000'`)
          .run(id, t + 10, t + 10);
        log(t + 10, 'ringing', 'on-call', id);
      });
    });
    tx(false, () => {
      st('UPDATE calls SET state = ? WHERE id = ?').run('connected', id);
      event(id, 'state', t + 20, '{"state":"connected","previous":"bridging","event":"bridged"}');
    });
    const end = () => {
      st('UPDATE calls SET state = ?, ended_at = ?, end_reason = ?, timeout_at = ? WHERE id = ?').run('ended', t + 300, 'customer-hangup', null, id);
      event(id, 'ended', t + 300, '{"reason":"customer-hangup","previous":"connected","cause":"Normal Clearing"}');
    };
    const agentEnd = () => {
      if (sp) st(`UPDATE agent_runtime SET talk_ms = talk_ms + 290 WHERE extension = '1000'`).run();
      st(`INSERT INTO wrapups (extension, call_id, queue, started_at, deadline, limited) VALUES ('1000', ?, 'support', ?, ?, 1)`).run(id, t + 300, t + 300);
      tx(sp, () => {
        st(`UPDATE agent_runtime SET ${sp ? '' : 'talk_ms = talk_ms + 290, '}current_call_id = NULL, current_queue = NULL, connected_at = NULL, state = 'wrap-up', since = ? WHERE extension = '1000'`).run(t + 300);
        log(t + 300, 'on-call', 'wrap-up', id);
      });
    };
    if (sp) {
      tx(false, end);
      tx(false, agentEnd);
    } else {
      tx(false, () => {
        end();
        agentEnd();
      });
    }
    tx(false, () => {
      st(`UPDATE wrapups SET ended_at = ?, disposition = 'auto', notes = NULL, auto = 1, finished_by = 'timer' WHERE call_id = ? AND ended_at IS NULL`).run(t + 301, id);
      st('UPDATE calls SET disposition = ?, disposition_at = ? WHERE id = ?').run('auto', t + 301, id);
      event(id, 'disposition', t + 301, '{"disposition":"auto","by":"timer"}');
      tx(sp, () => {
        st(`UPDATE agent_runtime SET state = 'available', since = ? WHERE extension = '1000'`).run(t + 301);
        log(t + 301, 'wrap-up', 'available', id);
      });
      if (sp) st(`UPDATE callbacks SET next_at = ? WHERE origin = 'queue' AND status = 'pending' AND next_at > ?`).run(t + 301, t + 301);
    });
  };
}

/** Frames in the WAL per table/index (page numbers from the frame headers, owners from dbstat). */
function framesByObject(db: Db, walFile: string, calls: number, page: number): Map<string, number> {
  const owner = new Map<number, string>();
  for (const r of db.prepare('SELECT name, pageno FROM dbstat').all() as { name: string; pageno: number }[]) owner.set(r.pageno, r.name);
  const wal = fs.readFileSync(walFile);
  const out = new Map<string, number>();
  for (let off = 32; off + 24 + page <= wal.length; off += 24 + page) {
    const name = owner.get(wal.readUInt32BE(off)) ?? '(other)';
    out.set(name, (out.get(name) ?? 0) + 1 / calls);
  }
  return out;
}

function main(): void {
  const calls = Number(process.argv[2] ?? 2000);
  const rounds = Number(process.argv[3] ?? 3);
  const page = process.argv[4] ? checkPageSize(process.argv[4]) : NEW_DATABASE_PAGE_SIZE;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccd-sqlite-steps-'));
  try {
    const t0 = Date.UTC(2026, 11, 6, 9);
    const dbs = new Map<Variant, { db: Db; play: ReturnType<typeof replayer>; t: number }>();
    for (const v of VARIANTS) {
      const db = openDatabase(path.join(dir, `${v}.db`), { pageSize: page });
      seed(db, t0);
      db.pragma('wal_checkpoint(TRUNCATE)');
      dbs.set(v, { db, play: replayer(db), t: t0 });
    }
    console.log(`SQLite writes of one queue call, replayed (${calls} calls per round, ${rounds} rounds, variants alternating, ${page}-byte pages)`);
    const byObject = new Map<Variant, Map<string, number>>();
    const walFrames = (v: Variant) => Math.max(0, fs.statSync(path.join(dir, `${v}.db-wal`)).size - 32) / (24 + page);
    for (let r = 0; r < rounds + 1; r++) {
      const line: string[] = [];
      for (const v of VARIANTS) {
        const d = dbs.get(v)!;
        d.db.pragma('wal_checkpoint(TRUNCATE)');
        d.db.pragma('wal_autocheckpoint = 0');
        const c0 = process.cpuUsage();
        for (let i = 0; i < calls; i++) d.play(v, (d.t += 4000));
        if (d.db.inTransaction) d.db.prepare('COMMIT').run(); // the last group
        const c = process.cpuUsage(c0);
        const frames = walFrames(v) / calls;
        if (r === rounds) byObject.set(v, framesByObject(d.db, path.join(dir, `${v}.db-wal`), calls, page));
        // The checkpoint a WAL of these frames costs (autocheckpoint runs it inside some COMMIT).
        const k0 = process.cpuUsage();
        d.db.pragma('wal_checkpoint(TRUNCATE)');
        const k = process.cpuUsage(k0);
        d.db.pragma('wal_autocheckpoint = 1000');
        line.push(`${v} ${((c.user + c.system) / calls).toFixed(0)} µs CPU (+ checkpoint ${((k.user + k.system) / calls).toFixed(0)}), ${frames.toFixed(1)} WAL frames`);
      }
      console.log(`  ${r === 0 ? 'warm-up' : `round ${r}`}: ${line.join('   ')}`);
    }
    console.log('  WAL frames per call by table/index (last round), per-domain / per-step / grouped:');
    const names = [...new Set([...byObject.values()].flatMap((m) => [...m.keys()]))];
    names.sort((a, b) => (byObject.get('per-domain')!.get(b) ?? 0) - (byObject.get('per-domain')!.get(a) ?? 0));
    for (const name of names) {
      const f = (v: Variant) => (byObject.get(v)!.get(name) ?? 0).toFixed(1).padStart(5);
      console.log(`    ${f('per-domain')} ${f('per-step')} ${f('grouped')}  ${name}`);
    }
    for (const d of dbs.values()) d.db.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();
