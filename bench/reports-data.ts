/**
 * A month of a contact center written straight into a fresh callcenterd database (the schema of
 * src/store/migrations, triggers included, so agent hour totals and hold/wrap-up columns are filled
 * as the daemon's writes fill them): agents working 8-hour shifts with pauses, queue stays with
 * every outcome, the call parts they led to (missed rings, transfers, holds), wrap-ups with
 * dispositions, surveys, recordings, outbound calls and callbacks. Seeded: the same data every run.
 */
import type { Db } from '../src/store/db';

export interface MonthOptions {
  /** Customer contacts to create (queue stays + outbound + callbacks), about. */
  calls: number;
  agents: number;
  days: number;
  queues: number;
  /** Local midnight of the first day. */
  start: number;
}

export interface MonthCounts {
  stays: number;
  calls: number;
  callEvents: number;
  stateLog: number;
  wrapups: number;
  surveys: number;
  recordings: number;
}

/** Park–Miller: small, seeded, good enough for test data. */
function rng(seed: number): () => number {
  let s = seed % 2147483647 || 1;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

const H = 3_600_000;
const DISPOSITIONS = ['Venda', 'Dúvida resolvida', 'Reclamação', 'Retorno', 'Tabulação automática'];
const PAUSES = ['Almoço', 'Banheiro', 'Treinamento'];

export function generateMonth(db: Db, o: MonthOptions): MonthCounts {
  const rand = rng(20261121);
  const between = (a: number, b: number) => a + Math.floor(rand() * (b - a + 1));
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const counts: MonthCounts = { stays: 0, calls: 0, callEvents: 0, stateLog: 0, wrapups: 0, surveys: 0, recordings: 0 };

  const queues = Array.from({ length: o.queues }, (_, i) => `q${String(i + 1).padStart(2, '0')}`);
  const agents = Array.from({ length: o.agents }, (_, i) => String(10000 + i));
  const queueOf = (a: number) => queues[a % queues.length];
  db.transaction(() => {
    const q = db.prepare('INSERT INTO queues (name, created_at, service_level_seconds) VALUES (?, 0, ?)');
    queues.forEach((name, i) => q.run(name, i % 2 ? 30 : null));
    const ag = db.prepare('INSERT INTO agents (extension, name, device, created_at) VALUES (?, ?, ?, 0)');
    const aq = db.prepare('INSERT INTO agent_queues (extension, queue, penalty) VALUES (?, ?, 0)');
    const rt = db.prepare(`INSERT INTO agent_runtime (extension, state, since) VALUES (?, 'offline', 0)`);
    agents.forEach((ext, i) => {
      ag.run(ext, `Agent ${ext}`, `PJSIP/${ext}`);
      aq.run(ext, queueOf(i));
      if (i % 4 === 0) aq.run(ext, queues[(i + 1) % queues.length]);
      rt.run(ext);
    });
    for (const d of DISPOSITIONS) db.prepare('INSERT INTO dispositions (tag, created_at) VALUES (?, 0)').run(d);
  })();

  const insCall = db.prepare(
    `INSERT INTO calls (id, parent_id, root_id, kind, direction, queue, agent_ext, customer_number, state, started_at, answered_at,
       ended_at, end_reason, disposition, disposition_at, customer_channel_id, agent_channel_id, linkedid)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'ended', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insEvent = db.prepare('INSERT INTO call_events (call_id, type, at, data) VALUES (?, ?, ?, ?)');
  const insLog = db.prepare('INSERT INTO agent_state_log (extension, session_id, at, previous, state, reason, call_id) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const insStay = db.prepare(
    `INSERT INTO queue_stays (queue, uniqueid, linkedid, caller_number, joined_at, join_source, position, left_at, outcome, detail, agent_ext, call_id, root_id)
     VALUES (?, ?, ?, ?, ?, 'event', ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insWrap = db.prepare('INSERT INTO wrapups (extension, call_id, queue, started_at, deadline) VALUES (?, ?, ?, ?, ?)');
  const closeWrap = db.prepare('UPDATE wrapups SET ended_at = ?, disposition = ?, finished_by = ? WHERE id = ?');
  const insSurvey = db.prepare('INSERT INTO call_surveys (call_id, root_id, linkedid, uniqueid, queue, agent_ext, score, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const insRec = db.prepare(
    `INSERT INTO recordings (call_id, root_id, agent_ext, queue, name, file, format, state, started_at, ended_at, duration_ms, size_bytes, started_by)
     VALUES (?, ?, ?, ?, ?, ?, 'wav', 'done', ?, ?, ?, ?, 'policy')`,
  );

  // Rows are collected, then written in time order, as the daemon writes them (a table's rowids
  // follow its time column: src/reports/sql.ts scans rowid windows on that).
  const rows = { calls: [] as unknown[][], events: [] as unknown[][], log: [] as unknown[][], stays: [] as unknown[][], wraps: [] as unknown[][], surveys: [] as unknown[][], recs: [] as unknown[][] };
  let seq = 0;
  const callId = (at: number) => {
    const d = new Date(at);
    return `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}-${String(++seq).padStart(7, '0')}`;
  };
  const event = (id: string, type: string, at: number, data: object) => {
    rows.events.push([id, type, at, JSON.stringify(data)]);
    counts.callEvents++;
  };
  const state = (id: string, at: number, s: string, previous: string, ev: string) => event(id, 'state', at, { state: s, previous, event: ev });
  let sessionId = 0;

  // Answered contacts are what the agents' shifts have room for; the rest of `calls` are stays
  // nobody answered, outbound calls and callbacks.
  const perAgentDay = Math.max(1, Math.round((o.calls * 0.9) / (o.agents * o.days)));
  const shiftMs = 8 * H;
  const cycleMs = Math.floor((shiftMs - 1.5 * H) / perAgentDay);

  for (let a = 0; a < o.agents; a++) {
    const ext = agents[a];
    const queue = queueOf(a);
    {
      for (let day = 0; day < o.days; day++) {
        const dayStart = o.start + day * 24 * H;
        let t = dayStart + 8 * H + between(0, 30) * 60_000;
        const end = t + shiftMs;
        const sid = ++sessionId;
        let prev = 'offline';
        const log = (at: number, s: string, reason: string | null = null, call: string | null = null) => {
          rows.log.push([ext, sid, at, prev, s, reason, call]);
          prev = s;
          counts.stateLog++;
        };
        log(t, 'available');
        const lunchAt = t + 4 * H;
        let lunched = false;
        while (t < end - cycleMs) {
          if (!lunched && t >= lunchAt) {
            log(t, 'paused', 'Almoço');
            t += H;
            log(t, 'available');
            lunched = true;
            continue;
          }
          if (rand() < 0.03) {
            log(t, 'paused', pick(PAUSES.slice(1)));
            t += between(3, 15) * 60_000;
            log(t, 'available');
          }
          t += between(Math.floor(cycleMs / 4000), Math.floor(cycleMs / 2000)) * 1000; // idle
          const outbound = rand() < 0.08;
          const callback = !outbound && rand() < 0.01;
          t = handle(ext, queue, t, outbound ? 'outbound' : callback ? 'callback' : 'inbound', log);
        }
        log(end, 'offline');
      }
    }
  }

  /** One handled contact of an agent from `t`; returns when the agent is free again. */
  function handle(ext: string, queue: string, t: number, kind: 'inbound' | 'outbound' | 'callback', log: (at: number, s: string, r?: string | null, c?: string | null) => void): number {
    const number = `1198765${String(between(0, 9999)).padStart(4, '0')}`;
    const linkedid = kind === 'inbound' ? `ast-${seq + 1}` : null;
    const ring = between(3, 15) * 1000;
    const id = callId(t);
    const answered = kind === 'inbound' || rand() < 0.7;
    if (kind === 'inbound') {
      const wait = between(0, 60) * 1000;
      const joined = t - wait;
      if (rand() < 0.05) {
        // A missed ring first (another attempt of the same stay).
        const missId = callId(joined);
        rows.calls.push([missId, null, missId, 'inbound', 'inbound', queue, ext, number, joined, null, joined + 15_000, 'not-answered', null, null, `leg-${missId}`, null, linkedid]);
        event(missId, 'created', joined, { kind: 'inbound' });
        event(missId, 'ended', joined + 15_000, { reason: 'not-answered', previous: 'ringing-agent' });
        counts.calls++;
      }
      rows.stays.push([queue, `u-${id}`, linkedid, number, joined, between(1, 5), t + ring, 'answered', null, ext, id, id]);
      counts.stays++;
    }
    const talk = between(60, 600) * 1000;
    const answeredAt = t + ring;
    const endAt = answered ? answeredAt + talk : answeredAt;
    const transferred = answered && kind === 'inbound' && rand() < 0.04;
    const disposition = answered ? pick(DISPOSITIONS) : null;
    rows.calls.push([id, null, id, kind, kind === 'inbound' ? 'inbound' : 'outbound', queue, ext, number, t, answered ? answeredAt : null, endAt,
      answered ? (transferred ? 'transferred' : 'customer-hangup') : 'hangup-requested', disposition, answered ? endAt + 30_000 : null, `leg-${id}`, `dev-${id}`, linkedid]);
    counts.calls++;
    event(id, 'created', t, { kind });
    log(t, 'ringing', null, id);
    if (answered) {
      state(id, answeredAt, 'bridging', 'ringing-agent', 'leg-answered');
      state(id, answeredAt + 50, 'connected', 'bridging', 'bridged');
      log(answeredAt, 'on-call', null, id);
      if (rand() < 0.2) {
        const h0 = answeredAt + Math.floor(talk / 3);
        state(id, h0, 'on-hold', 'connected', 'hold');
        state(id, h0 + between(10, 90) * 1000, 'connected', 'on-hold', 'unhold');
      }
      if (transferred) {
        const child = callId(endAt);
        rows.calls.push([child, id, id, 'transfer', 'inbound', queue, ext === '10000' ? '10001' : '10000', number, endAt - 20_000, endAt - 10_000, endAt + 120_000, 'customer-hangup', pick(DISPOSITIONS), endAt + 150_000, `leg-${id}`, `dev-${child}`, linkedid]);
        event(child, 'created', endAt - 20_000, { kind: 'transfer' });
        event(child, 'ended', endAt + 120_000, { reason: 'customer-hangup', previous: 'connected' });
        counts.calls++;
      }
    }
    event(id, 'ended', endAt, { reason: answered ? 'customer-hangup' : 'hangup-requested', previous: answered ? 'connected' : 'ringing-customer' });
    if (!answered) {
      log(endAt, 'available', null, id);
      return endAt;
    }
    const wrap = between(5, 60) * 1000;
    rows.wraps.push([ext, id, queue, endAt, endAt + 60_000, endAt + wrap, disposition]);
    counts.wrapups++;
    log(endAt, 'wrap-up', null, id);
    log(endAt + wrap, 'available', null, id);
    if (kind === 'inbound' && rand() < 0.1) {
      rows.surveys.push([id, id, linkedid, `leg-${id}`, queue, ext, between(1, 5), endAt + 20_000]);
      counts.surveys++;
    }
    if (rand() < 0.3) {
      rows.recs.push([id, id, ext, queue, `cc/${id}`, `cc/${id}.wav`, answeredAt, endAt, talk, talk * 16]);
      counts.recordings++;
    }
    return endAt + wrap;
  }

  // Stays nobody answered (a tenth of the contacts), spread over the opening hours.
  {
    const n = Math.round(o.calls * 0.1);
    for (let i = 0; i < n; i++) {
      const day = between(0, o.days - 1);
      const joined = o.start + day * 24 * H + 8 * H + between(0, 9 * 3600) * 1000;
      const r = rand();
      const outcome = r < 0.7 ? 'abandoned' : r < 0.8 ? 'timeout' : r < 0.9 ? 'left' : r < 0.97 ? 'blocked' : 'lost';
      const wait = outcome === 'abandoned' && rand() < 0.3 ? between(0, 4) * 1000 : between(5, 300) * 1000;
      rows.stays.push([queues[between(0, queues.length - 1)], `x-${i}`, `ax-${i}`, `1198700${String(i % 10000).padStart(4, '0')}`, joined, between(1, 9), joined + wait, outcome, outcome === 'timeout' ? 'TIMEOUT' : null, null, null, null]);
      counts.stays++;
    }
  }

  /** Inserts `list` sorted by its column `at` (stable: same-time rows keep their order), 50k per transaction. */
  const write = (list: unknown[][], at: number, fn: (r: unknown[]) => void) => {
    list.sort((x, y) => (x[at] as number) - (y[at] as number));
    for (let i = 0; i < list.length; i += 50_000) db.transaction(() => list.slice(i, i + 50_000).forEach(fn))();
  };
  write(rows.calls, 8, (r) => insCall.run(...r));
  write(rows.stays, 4, (r) => insStay.run(...r));
  write(rows.events, 2, (r) => insEvent.run(...r));
  write(rows.log, 2, (r) => insLog.run(...r));
  write(rows.wraps, 3, (r) => closeWrap.run(r[5], r[6], 'agent', insWrap.run(...r.slice(0, 5)).lastInsertRowid));
  write(rows.surveys, 7, (r) => insSurvey.run(...r));
  write(rows.recs, 6, (r) => insRec.run(...r));
  return counts;
}
