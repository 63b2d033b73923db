/**
 * The report queries on rows written straight into a fresh store: agent time over periods that
 * start and end inside hours (whole hours from the per-hour totals the migration's trigger keeps,
 * the rest from the log, the state still going on up to "now"); detailed pages; parameter errors.
 */
import { agentTime } from '../../src/reports/agent-time';
import { detailed } from '../../src/reports/detailed';
import { parsePage, parseReportQuery } from '../../src/reports/params';
import { openDatabase, type Db } from '../../src/store/db';
import { CcError } from '../../src/util/errors';

const MIN = 60_000;
/** 2026-11-21 hh:mm UTC. */
const t = (hh: number, mm: number) => Date.UTC(2026, 10, 21, hh, mm);

describe('agent time', () => {
  let db: Db;
  const log = (ext: string, at: number, state: string, reason: string | null = null) =>
    db.prepare('INSERT INTO agent_state_log (extension, session_id, at, previous, state, reason) VALUES (?, 1, ?, ?, ?, ?)').run(ext, at, 'x', state, reason);

  beforeEach(() => {
    db = openDatabase(':memory:');
    db.exec(`INSERT INTO agent_runtime (extension, state, since) VALUES ('1000', 'on-call', 0), ('1001', 'offline', 0)`);
    // 1000: still on the call it answered at 10:31 when the report is made (11:40).
    log('1000', t(8, 50), 'available');
    log('1000', t(9, 10), 'paused', 'Almoço');
    log('1000', t(10, 20), 'available');
    log('1000', t(10, 30), 'ringing');
    log('1000', t(10, 31), 'on-call');
    // 1001: 09:00-09:30, then offline (not counted).
    log('1001', t(9, 0), 'available');
    log('1001', t(9, 30), 'offline');
  });
  afterEach(() => db.close());

  const minutes = (acc: { loginMs: number; availableMs: number; busyMs: number; pauseMs: number; pauseByReason: Record<string, number> } | undefined) =>
    acc && {
      login: acc.loginMs / MIN,
      available: acc.availableMs / MIN,
      busy: acc.busyMs / MIN,
      pause: acc.pauseMs / MIN,
      reasons: Object.fromEntries(Object.entries(acc.pauseByReason).map(([r, ms]) => [r, ms / MIN])),
    };

  it('a period starting and ending inside hours, with a state still going on', () => {
    // 09:05-11:30: edges 09:05-10:00 and 11:00-11:30 from the log, 10:00-11:00 from the totals.
    const byAgent = agentTime(db, { from: t(9, 5), to: t(11, 30), by: 'agent' }, t(11, 40))!;
    // 1000: available 09:05-09:10 + 10:20-10:30 = 15; paused 09:10-10:20 = 70; ringing 1;
    //       on-call 10:31-11:30 = 59 (the call goes on: cut at the period's end)
    expect(minutes(byAgent.get('1000'))).toEqual({ login: 145, available: 15, busy: 60, pause: 70, reasons: { Almoço: 70 } });
    // 1001: available 09:05-09:30
    expect(minutes(byAgent.get('1001'))).toEqual({ login: 25, available: 25, busy: 0, pause: 0, reasons: {} });
  });

  it('per hour, and a state going on is counted up to now only', () => {
    const byHour = agentTime(db, { from: t(9, 5), to: t(12, 0), agent: '1000', by: 'hour' }, t(11, 40))!;
    const label = (ms: number) => {
      const d = new Date(ms);
      const p = (n: number) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:00`;
    };
    expect(Object.fromEntries([...byHour].map(([k, v]) => [k, minutes(v)!.login]))).toEqual({
      [label(t(9, 5))]: 55, // 09:05-10:00
      [label(t(10, 0))]: 60,
      [label(t(11, 0))]: 40, // on-call 11:00-11:40 (now)
    });
    expect(minutes(agentTime(db, { from: t(9, 12), to: t(9, 20) }, t(11, 40))!.get(null))).toEqual({
      login: 8 + 8, // 1000 paused 8, 1001 available 8
      available: 8,
      busy: 0,
      pause: 8,
      reasons: { Almoço: 8 },
    });
  });

  it('by queue: the agents assigned to it; by disposition: not applicable', () => {
    db.exec(`INSERT INTO queues (name, created_at) VALUES ('support', 0), ('vendas', 0);
      INSERT INTO agents (extension, name, device, created_at) VALUES ('1000', 'A', 'PJSIP/1000', 0), ('1001', 'B', 'PJSIP/1001', 0);
      INSERT INTO agent_queues (extension, queue) VALUES ('1000', 'support'), ('1000', 'vendas'), ('1001', 'support')`);
    const byQueue = agentTime(db, { from: t(9, 0), to: t(10, 0), by: 'queue' }, t(11, 40))!;
    expect([...byQueue].map(([k, v]) => [k, minutes(v)!.login]).sort()).toEqual([
      ['support', 60 + 30],
      ['vendas', 60],
    ]);
    expect(minutes(agentTime(db, { from: t(9, 0), to: t(10, 0), queue: 'vendas' }, t(11, 40))!.get(null))!.login).toBe(60);
    expect(agentTime(db, { from: t(9, 0), to: t(10, 0), by: 'disposition' }, t(11, 40))).toBeUndefined();
  });
});

describe('detailed pages', () => {
  it('every contact once, in order, across pages of 2', () => {
    const db = openDatabase(':memory:');
    const stay = db.prepare(
      `INSERT INTO queue_stays (queue, uniqueid, linkedid, caller_number, joined_at, join_source, left_at, outcome) VALUES ('support', ?, ?, ?, ?, 'event', ?, ?)`,
    );
    const call = db.prepare(
      `INSERT INTO calls (id, parent_id, root_id, kind, direction, queue, agent_ext, customer_number, state, started_at, answered_at, ended_at, end_reason, linkedid)
       VALUES (?, ?, ?, ?, ?, 'support', ?, ?, 'ended', ?, ?, ?, ?, ?)`,
    );
    // L1: a stay, a missed ring and the answer by another agent; L2: abandoned before any ring;
    // two outbound calls; L3: joined before the period, answered inside it (listed: its part is in it).
    stay.run('u1', 'L1', '5550001', 1000, 3000, 'answered');
    call.run('C1', null, 'C1', 'inbound', 'inbound', '1000', '5550001', 1100, null, 2000, 'not-answered', 'L1');
    call.run('C2', null, 'C2', 'inbound', 'inbound', '1001', '5550001', 2500, 3000, 9000, 'customer-hangup', 'L1');
    stay.run('u2', 'L2', '5550002', 1500, 1600, 'abandoned');
    call.run('O1', null, 'O1', 'outbound', 'outbound', '1000', '11987650001', 1500, 1600, 1900, 'hangup-requested', null);
    call.run('O2', null, 'O2', 'outbound', 'outbound', '1000', '11987650002', 4000, null, 4100, 'hangup-requested', null);
    stay.run('u3', 'L3', '5550003', 100, 5000, 'answered');
    call.run('C3', null, 'C3', 'inbound', 'inbound', '1001', '5550003', 5000, 5001, 6000, 'customer-hangup', 'L3');
    const q = { from: 1000, to: 10_000 };
    const all = detailed(db, q, {}, 10_000);
    expect(all.contacts.map((c) => [c.contact, c.parts.map((p) => p.id), c.stays.length])).toEqual([
      ['C1', ['C1', 'C2'], 1],
      ['stay-2', [], 1],
      ['O1', ['O1'], 0],
      ['O2', ['O2'], 0],
      ['C3', ['C3'], 1],
    ]);
    expect(all.contacts[0].parts.map((p) => p.status)).toEqual(['missed', 'answered']);
    expect(all.next).toBeNull();
    const seen: string[] = [];
    let after: string | undefined;
    for (let i = 0; i < 5; i++) {
      const page = detailed(db, q, { limit: 2, after }, 10_000);
      seen.push(...page.contacts.map((c) => c.contact));
      if (!page.next) break;
      after = page.next;
    }
    expect(seen).toEqual(['C1', 'stay-2', 'O1', 'O2', 'C3']);
    // A filter selects contacts by their matching rows: agent 1001 answered L1 and L3.
    expect(detailed(db, { ...q, agent: '1001' }, {}, 10_000).contacts.map((c) => c.contact)).toEqual(['C1', 'C3']);
    db.close();
  });
});

describe('report parameters', () => {
  const now = Date.UTC(2026, 10, 21, 12, 0);
  const err = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return e instanceof CcError ? [e.kind, (e.details as { field?: string } | undefined)?.field, e.message] : e;
    }
    return 'no error';
  };
  it('defaults to today until now; validates every field', () => {
    const q = parseReportQuery({}, now);
    expect(q.to).toBe(now);
    expect(new Date(q.from).getHours()).toBe(0);
    expect(parseReportQuery({ from: '2h', to: 'now', by: 'hour', queue: 'support', agent: '1000' }, now)).toEqual({ from: now - 7_200_000, to: now, by: 'hour', queue: 'support', agent: '1000' });
    expect(err(() => parseReportQuery({ from: 'yesterday' }, now))).toEqual(['invalid', 'from', expect.stringMatching(/^from must be a date/)]);
    expect(err(() => parseReportQuery({ from: '1h', to: '2h' }, now))).toEqual(['invalid', 'to', 'to must be after from']);
    expect(err(() => parseReportQuery({ by: 'week' }, now))).toEqual(['invalid', 'by', 'by must be one of queue, agent, day, hour, disposition (got "week")']);
    expect(err(() => parseReportQuery({ agent: '12' }, now))).toEqual(['invalid', 'agent', 'agent must be an extension of 4 or 5 digits']);
    expect(err(() => parseReportQuery({ from: '400d' }, now))).toEqual(['invalid', 'to', 'a report covers at most 366 days']);
    expect(err(() => parsePage({ limit: '0' }))).toEqual(['invalid', 'limit', 'limit must be a whole number from 1 to 10000']);
    expect(err(() => parsePage({ after: 'x' }))).toEqual(['invalid', 'after', 'after must be the next cursor of a previous page']);
  });
});
