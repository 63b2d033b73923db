/**
 * Recording from queue_log what the daemon missed (src/queue-log/backfill.ts, file.ts): a real temp
 * file and database. The reader's states: started (first use: from the file's end), following (AMI
 * up: no line is looked at, the cursor trails one check behind), catching up (after a connect: stays
 * that ended without a trace are written), blind (AMI down: nothing moves).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CallRepo } from '../../src/calls/repo';
import { silentLogger } from '../../src/log/logger';
import { CATCH_UP_CHECKS, CHUNK, QueueLogBackfill, TRAIL_CHECKS } from '../../src/queue-log/backfill';
import { endOf, readFrom } from '../../src/queue-log/file';
import { StaysRepo } from '../../src/reports/stays-repo';
import { openDatabase, type Db } from '../../src/store/db';
import { FakeClock } from '../../src/util/clock';

const T = 1_765_000_000; // s
let dir: string;
let file: string;
let db: Db;
let stays: StaysRepo;
let calls: CallRepo;
let backfill: QueueLogBackfill;
const line = (dt: number, callid: string, agent: string, event: string, ...data: (string | number)[]) =>
  fs.appendFileSync(file, `${T + dt}|${callid}|support|${agent}|${event}|${data.join('|')}\n`);
const answered = (dt: number, callid: string, number: string, member = 'Ana Lima', linkedid?: string) => {
  if (linkedid) line(dt, callid, 'NONE', 'CCLINKEDID', linkedid);
  line(dt, callid, 'NONE', 'ENTERQUEUE', '', number, 1);
  line(dt + 3, callid, member, 'CONNECT', 3, `${callid}-m`, 2);
  line(dt + 63, callid, member, 'COMPLETECALLER', 3, 60, 1);
};
const rows = (sql: string, ...args: unknown[]) => db.prepare(sql).all(...args) as Record<string, unknown>[];
/** MemberName → the catalogue's agents (Rui Costa: a name two agents share). */
const NAMES: Record<string, string[]> = { 'Ana Lima': ['1000'], 'PJSIP/1001': ['1001'], 'Rui Costa': ['2000', '2001'] };
/** A part of agent 1000, answered at T+3, that a restart's recovery ended daemon-restart at T+300. */
const restartEndedPart = (id: string, linkedid: string) => {
  calls.insert({
    id, parentId: null, rootId: id, kind: 'inbound', direction: 'inbound', queue: 'support', agentExt: '1000', customerNumber: '1', callerId: null,
    state: 'ended', startedAt: (T + 1) * 1000, answeredAt: (T + 3) * 1000, endedAt: (T + 300) * 1000, endReason: 'daemon-restart', disposition: null,
    customerChannelId: null, agentChannelId: null, bridgeId: null, holdBridgeId: null, linkedid, muted: false, timeoutAt: null,
  });
  calls.event(id, 'ended', { reason: 'daemon-restart', previous: 'connected', state: 'connected' });
};

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-qlog-'));
  file = path.join(dir, 'queue_log');
  fs.writeFileSync(file, `${T - 100}|NONE|NONE|NONE|QUEUESTART|\n`);
  db = openDatabase(path.join(dir, 'cc.db'));
  stays = new StaysRepo(db);
  calls = new CallRepo({ db, clock: new FakeClock(T * 1000 + 3_600_000) });
  backfill = new QueueLogBackfill({ file, db, calls, stays, agentsOfMember: (m) => NAMES[m] ?? [], log: silentLogger() });
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('first use starts at the end of the file: older lines are not history to recover', async () => {
  answered(0, 'old', '111');
  expect((await backfill.check(true)).mode).toBe('started');
  backfill.connected();
  expect(await backfill.check(true)).toMatchObject({ mode: 'caught-up', lines: 0, calls: [] });
});

test('after a connect, a call answered and ended unseen becomes an ended part with its stay; the same lines again add nothing', async () => {
  await backfill.check(true);
  answered(0, 'u1', '5511987654321', 'Ana Lima', 'lk-u1');
  backfill.connected();
  const r = await backfill.check(true);
  expect(r).toMatchObject({ mode: 'caught-up', lines: 4, stays: 1 });
  expect(r.calls).toHaveLength(1);
  const part = calls.get(r.calls[0])!;
  expect(part).toMatchObject({
    kind: 'inbound', queue: 'support', agentExt: '1000', customerNumber: '5511987654321', state: 'ended',
    startedAt: (T + 1) * 1000, answeredAt: (T + 3) * 1000, endedAt: (T + 63) * 1000, endReason: 'customer-hangup', linkedid: 'lk-u1',
  });
  // Numbered on the call's own (local) day, not the clock's (an hour later).
  const d = new Date((T + 1) * 1000);
  expect(part.id.startsWith(`${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}-`)).toBe(true);
  expect(calls.events(part.id).map((e) => [e.type, e.data])).toEqual([['recovered', { source: 'queue_log', member: 'Ana Lima', uniqueid: 'u1' }]]);
  expect(rows('SELECT outcome, agent_ext, call_id, joined_at, left_at, caller_number, detail FROM queue_stays')).toEqual([
    { outcome: 'answered', agent_ext: '1000', call_id: part.id, joined_at: T * 1000, left_at: (T + 3) * 1000, caller_number: '5511987654321', detail: 'recovered from queue_log' },
  ]);
  // Read again (a second catch-up, or another connect): the stay has a trace now.
  fs.writeFileSync(file, fs.readFileSync(file)); // same inode, same content
  backfill.connected();
  expect(await backfill.check(true)).toMatchObject({ calls: [], stays: 0 });
  expect(rows('SELECT COUNT(*) AS n FROM calls')[0].n).toBe(1);
});

test('what the daemon saw live is left alone; a stay left waiting or lost by the outage gets its real outcome', async () => {
  await backfill.check(true);
  // Seen live: an answered stay and its part.
  const seen = stays.insert({ queue: 'support', uniqueid: 's1', linkedid: 's1', channel: 'PJSIP/trunk-1', callerNumber: '1', callerName: '', joinedAt: T * 1000, joinSource: 'event', position: 1 });
  stays.close(seen, { outcome: 'answered', leftAt: (T + 3) * 1000, agentExt: '1000', callId: 'live-1' });
  answered(0, 's1', '1');
  // Joined while seen, ended during the cut: the re-sync had closed it as lost.
  const lost = stays.insert({ queue: 'support', uniqueid: 'l1', linkedid: 'lk-1', channel: 'PJSIP/trunk-2', callerNumber: '2', callerName: '', joinedAt: T * 1000, joinSource: 'event', position: 2 });
  stays.close(lost, { outcome: 'lost', leftAt: (T + 20) * 1000, detail: 'not waiting any more after an AMI reconnect' });
  line(0, 'l1', 'NONE', 'ENTERQUEUE', '', '2', 2);
  line(9, 'l1', 'NONE', 'ABANDON', 2, 2, 9);
  // Still waiting in the DB, answered by 1001 (member logged by its Interface) during the cut.
  stays.insert({ queue: 'support', uniqueid: 'w1', linkedid: 'lk-w', channel: 'PJSIP/trunk-3', callerNumber: '3', callerName: '', joinedAt: (T + 1) * 1000, joinSource: 'event', position: 3 });
  line(5, 'w1', 'PJSIP/1001', 'CONNECT', 4, 'w1-m', 1);
  line(30, 'w1', 'PJSIP/1001', 'COMPLETEAGENT', 4, 25, 3);
  backfill.connected();
  const r = await backfill.check(true);
  expect(r.stays).toBe(2);
  expect(r.calls).toHaveLength(1);
  expect(calls.get(r.calls[0])).toMatchObject({ agentExt: '1001', linkedid: 'lk-w', endReason: 'agent-hangup', answeredAt: (T + 5) * 1000 });
  expect(rows('SELECT uniqueid, outcome, left_at, agent_ext, call_id FROM queue_stays ORDER BY id')).toEqual([
    { uniqueid: 's1', outcome: 'answered', left_at: (T + 3) * 1000, agent_ext: '1000', call_id: 'live-1' },
    { uniqueid: 'l1', outcome: 'abandoned', left_at: (T + 9) * 1000, agent_ext: null, call_id: null },
    { uniqueid: 'w1', outcome: 'answered', left_at: (T + 5) * 1000, agent_ext: '1001', call_id: r.calls[0] },
  ]);
});

test('an answered stay whose part the daemon has (discovered after the reconnect) gets no second part', async () => {
  await backfill.check(true);
  const id = calls.nextId();
  calls.insert({
    id, parentId: null, rootId: id, kind: 'inbound', direction: 'inbound', queue: 'support', agentExt: '1000', customerNumber: '9', callerId: null,
    state: 'ended', startedAt: (T + 2) * 1000, answeredAt: (T + 3) * 1000 + 400, endedAt: (T + 63) * 1000, endReason: 'customer-hangup', disposition: null,
    customerChannelId: null, agentChannelId: null, bridgeId: null, holdBridgeId: null, linkedid: 'd1', muted: false, timeoutAt: null,
  });
  answered(0, 'd1', '9');
  backfill.connected();
  const r = await backfill.check(true);
  expect(r).toMatchObject({ calls: [], stays: 1 });
  expect(rows('SELECT COUNT(*) AS n FROM calls')[0].n).toBe(1);
});

test('following: no line is read, the cursor trails TRAIL_CHECKS checks; a cut not yet noticed is still caught up after it', async () => {
  await backfill.check(true);
  backfill.connected();
  for (let i = 0; i < CATCH_UP_CHECKS; i++) await backfill.check(true);
  answered(0, 'f1', '1'); // ended while AMI looked up (a cut not noticed yet)
  for (let i = 0; i < TRAIL_CHECKS; i++) expect(await backfill.check(true)).toMatchObject({ mode: 'following', calls: [] });
  expect((await backfill.check(false)).mode).toBe('blind');
  backfill.connected();
  expect((await backfill.check(true)).calls).toHaveLength(1);
});

test('following: after TRAIL_CHECKS + 1 checks the lines are behind the cursor (a later catch-up does not read them)', async () => {
  await backfill.check(true);
  backfill.connected();
  for (let i = 0; i < CATCH_UP_CHECKS; i++) await backfill.check(true);
  answered(0, 'g1', '1');
  for (let i = 0; i <= TRAIL_CHECKS; i++) await backfill.check(true);
  backfill.connected();
  expect(await backfill.check(true)).toMatchObject({ mode: 'caught-up', lines: 0 });
});

test('blind while AMI is down; unknown member names leave the agent empty', async () => {
  await backfill.check(true);
  answered(0, 'b1', '1', 'Two Agents Same Name');
  expect(await backfill.check(false)).toMatchObject({ mode: 'blind', calls: [] });
  backfill.connected();
  const r = await backfill.check(true);
  // No CCLINKEDID line (an older asterisk-conf): the caller's uniqueid stands for the linkedid.
  expect(calls.get(r.calls[0])).toMatchObject({ agentExt: null, linkedid: 'b1' });
});

test('agents with the same name: the one logged into the queue when the call was answered', async () => {
  const session = (ext: string, queues: string[], from: number, to: number | null) =>
    db
      .prepare('INSERT INTO agent_sessions (extension, queues, block_dialing_in_pause, login_at, logout_at) VALUES (?, ?, 0, ?, ?)')
      .run(ext, JSON.stringify(queues), (T + from) * 1000, to === null ? null : (T + to) * 1000);
  session('2000', ['support'], -60, null); // logged into support through both calls
  session('2001', ['sales'], -60, 50); // another queue during the first call
  session('2001', ['support', 'sales'], 90, null); // support too during the second one
  await backfill.check(true);
  answered(0, 'd1', '1', 'Rui Costa');
  answered(100, 'd2', '2', 'Rui Costa');
  backfill.connected();
  const r = await backfill.check(true);
  expect(r.calls.map((id) => [calls.get(id)!.linkedid, calls.get(id)!.agentExt])).toEqual([
    ['d1', '2000'],
    ['d2', null], // both in support then: still not told apart
  ]);
});

test('a rotated file: the rest of the old file (found beside it by its inode), then the new one from its start', async () => {
  await backfill.check(true);
  answered(0, 'r0', '1'); // appended after the cursor, then rotated away with the file
  fs.renameSync(file, `${file}.1`);
  fs.writeFileSync(file, '');
  answered(100, 'r1', '2');
  backfill.connected();
  const r = await backfill.check(true);
  expect(r.calls.map((id) => calls.get(id)!.linkedid)).toEqual(['r0', 'r1']);
});

test('a call split by the rotation (joined in the old file, ended in the new) is recovered whole', async () => {
  await backfill.check(true);
  line(0, 's1', 'NONE', 'ENTERQUEUE', '', '77', 1);
  line(3, 's1', 'Ana Lima', 'CONNECT', 3, 's1-m', 2);
  fs.renameSync(file, `${file}-20261206`);
  fs.writeFileSync(file, '');
  line(63, 's1', 'Ana Lima', 'COMPLETEAGENT', 3, 60, 1);
  backfill.connected();
  const r = await backfill.check(true);
  expect(r.calls.map((id) => calls.get(id))).toMatchObject([{ linkedid: 's1', customerNumber: '77', answeredAt: (T + 3) * 1000, endedAt: (T + 63) * 1000 }]);
});

test("each answer recovered or corrected is told to the agents domain (misses in a row), with its agent, time and queue", async () => {
  const told: Array<[string, { at: number; queue: string; callId?: string }]> = [];
  const b = new QueueLogBackfill({ file, db, calls, stays, agentsOfMember: (m) => NAMES[m] ?? [], answeredUnseen: (ext, a) => told.push([ext, a]), log: silentLogger() });
  await b.check(true);
  restartEndedPart('P-9', 'lk-a1');
  answered(0, 'a1', '1', 'Ana Lima', 'lk-a1'); // corrected
  answered(100, 'a2', '2', 'Ana Lima'); // recovered
  answered(200, 'a3', '3', 'Rui Costa'); // a name two agents share, neither logged in: no agent, nobody told
  line(300, 'a4', 'NONE', 'ENTERQUEUE', '', '4', 1);
  line(310, 'a4', 'NONE', 'ABANDON', 1, 1, 10); // never answered
  b.connected();
  const r = await b.check(true);
  expect(r.calls).toHaveLength(3);
  expect(told).toEqual([
    ['1000', { at: (T + 3) * 1000, queue: 'support', callId: 'P-9' }],
    ['1000', { at: (T + 103) * 1000, queue: 'support', callId: r.calls[1] }],
  ]);
  // Read again: nothing is new, nobody is told twice.
  b.connected();
  await b.check(true);
  expect(told).toHaveLength(2);
});

test('a rotated file that is gone (compressed, removed): the new file from its start', async () => {
  await backfill.check(true);
  answered(0, 'g0', '1');
  fs.renameSync(file, `${file}.1`);
  fs.writeFileSync(`${file}.1.gz`, 'not the old file'); // another inode
  fs.rmSync(`${file}.1`);
  fs.writeFileSync(file, '');
  answered(100, 'g1', '2');
  backfill.connected();
  const r = await backfill.check(true);
  expect(r.calls.map((id) => calls.get(id)!.linkedid)).toEqual(['g1']);
});

describe('readFrom', () => {
  test('whole lines only: a line being written waits for the next read', () => {
    fs.writeFileSync(file, 'a\nb\nhalf');
    const start = { inode: endOf(file).inode, offset: 0 };
    const r = readFrom(file, start);
    expect(r).toMatchObject({ lines: ['a', 'b'], cursor: { offset: 4 }, rotated: false });
    fs.appendFileSync(file, ' line\n');
    expect(readFrom(file, r.cursor).lines).toEqual(['half line']);
  });
  test('truncated in place (copytruncate): the file from its start, no rotated file looked for', () => {
    fs.writeFileSync(file, 'old line one\nold line two\n');
    const at = endOf(file);
    fs.copyFileSync(file, `${file}.1`);
    fs.truncateSync(file, 0);
    fs.appendFileSync(file, 'new\n');
    expect(readFrom(file, at)).toEqual({ lines: ['new'], cursor: { inode: at.inode, offset: 4 }, rotated: true });
  });
  test('another file beginning with the same name but not the old inode is not read', () => {
    const at = endOf(file);
    fs.renameSync(file, path.join(dir, 'elsewhere'));
    fs.writeFileSync(`${file}.bak`, 'not ours\n');
    fs.writeFileSync(file, 'new\n');
    const r = readFrom(file, at);
    expect(r).toMatchObject({ lines: ['new'], rotated: true });
    expect(r.rotatedFile).toBeUndefined();
  });
  test('far behind: only the newest bytes, from a whole line', () => {
    fs.writeFileSync(file, 'first line\nsecond\nthird\n');
    const r = readFrom(file, { inode: endOf(file).inode, offset: 0 }, 10);
    expect(r.lines).toEqual(['third']);
  });
});

test('a catch-up the database refuses is not counted: the next checks read the same lines again', async () => {
  await backfill.check(true);
  answered(0, 'x1', '1');
  backfill.connected();
  const batch = calls.batch.bind(calls);
  calls.batch = () => {
    throw Object.assign(new Error('database or disk is full'), { name: 'SqliteError', code: 'SQLITE_FULL' });
  };
  for (let i = 0; i < CATCH_UP_CHECKS + 1; i++) await expect(backfill.check(true)).rejects.toThrow('disk is full');
  calls.batch = batch;
  expect(await backfill.check(true)).toMatchObject({ mode: 'caught-up', stays: 1 });
});

test('no file at the first look: the file app_queue creates later is read from its start', async () => {
  fs.rmSync(file);
  expect(() => backfill.init()).toThrow('ENOENT');
  answered(0, 'n1', '1'); // the file appears with the outage's lines
  backfill.connected();
  expect((await backfill.check(true)).calls).toHaveLength(1);
});

test('a long outage is written in transactions of CHUNK stays, the event loop getting turns between them', async () => {
  await backfill.check(true);
  const n = CHUNK * 2 + 50;
  fs.appendFileSync(file, Array.from({ length: n }, (_, i) => `${T + i}|a${i}|support|NONE|ABANDON|1|1|5\n`).join(''));
  backfill.connected();
  let turns = 0;
  const tick = () => {
    turns++;
    if (turns < 100) setImmediate(tick);
  };
  setImmediate(tick);
  const r = await backfill.check(true);
  expect(r.stays).toBe(n);
  expect(turns).toBeGreaterThanOrEqual(2);
  expect(rows("SELECT COUNT(*) AS n FROM queue_stays WHERE outcome = 'abandoned'")[0].n).toBe(n);
});

describe('parts the call sweep ended unseen during the outage', () => {
  const part = (id: string, linkedid: string, o: { answeredAt: number | null; endedAt: number; endReason: string; agent?: string }) => {
    calls.insert({
      id, parentId: null, rootId: id, kind: 'inbound', direction: 'inbound', queue: 'support', agentExt: o.agent ?? '1000', customerNumber: '1', callerId: null,
      state: 'ended', startedAt: (T + 1) * 1000, answeredAt: o.answeredAt, endedAt: o.endedAt, endReason: o.endReason, disposition: null,
      customerChannelId: null, agentChannelId: null, bridgeId: null, holdBridgeId: null, linkedid, muted: false, timeoutAt: null,
    });
    calls.event(id, 'ended', { reason: o.endReason, previous: 'connected', unseen: true });
  };

  test('connected before the cut, ended inside it: the real end time and reason replace the time it was noticed', async () => {
    await backfill.check(true);
    const seen = stays.insert({ queue: 'support', uniqueid: 'c1', linkedid: 'lk-c1', channel: '', callerNumber: '1', callerName: '', joinedAt: T * 1000, joinSource: 'event', position: 1 });
    stays.close(seen, { outcome: 'answered', leftAt: (T + 3) * 1000, agentExt: '1000', callId: 'P-1' });
    part('P-1', 'lk-c1', { answeredAt: (T + 3) * 1000, endedAt: (T + 200) * 1000, endReason: 'customer-hangup' });
    line(0, 'c1', 'NONE', 'ENTERQUEUE', '', '1', 1);
    line(3, 'c1', 'Ana Lima', 'CONNECT', 3, 'm', 2);
    line(63, 'c1', 'Ana Lima', 'COMPLETEAGENT', 3, 60, 1);
    backfill.connected();
    const r = await backfill.check(true);
    expect(r).toMatchObject({ calls: ['P-1'], stays: 1 });
    expect(calls.get('P-1')).toMatchObject({ answeredAt: (T + 3) * 1000, endedAt: (T + 63) * 1000, endReason: 'agent-hangup' });
    const ev = calls.events('P-1').find((e) => e.type === 'corrected')!;
    expect(ev.data).toMatchObject({ source: 'queue_log', before: { endedAt: (T + 200) * 1000, endReason: 'customer-hangup' } });
    expect(rows('SELECT COUNT(*) AS n FROM calls')[0].n).toBe(1);
    backfill.connected();
    expect(await backfill.check(true)).toMatchObject({ calls: [], stays: 0 }); // corrected once
  });

  test('a part still open at the first check (the sweep has not ended it yet) is left for a later check of the catch-up', async () => {
    await backfill.check(true);
    stays.insert({ queue: 'support', uniqueid: 'o1', linkedid: 'lk-o1', channel: '', callerNumber: '1', callerName: '', joinedAt: T * 1000, joinSource: 'event', position: 1 });
    calls.insert({
      id: 'P-4', parentId: null, rootId: 'P-4', kind: 'inbound', direction: 'inbound', queue: 'support', agentExt: '1000', customerNumber: '1', callerId: null,
      state: 'ringing-agent', startedAt: (T + 1) * 1000, answeredAt: null, endedAt: null, endReason: null, disposition: null,
      customerChannelId: null, agentChannelId: null, bridgeId: null, holdBridgeId: null, linkedid: 'lk-o1', muted: false, timeoutAt: null,
    });
    line(0, 'o1', 'NONE', 'CCLINKEDID', 'lk-o1');
    line(0, 'o1', 'NONE', 'ENTERQUEUE', '', '1', 1);
    line(4, 'o1', 'Ana Lima', 'CONNECT', 4, 'm', 3);
    line(30, 'o1', 'Ana Lima', 'COMPLETECALLER', 4, 26, 1);
    backfill.connected();
    expect(await backfill.check(true)).toMatchObject({ calls: [], stays: 0 });
    // The call sweep ends it unseen, as not-answered (it was ringing when AMI went).
    db.prepare("UPDATE calls SET state = 'ended', ended_at = ?, end_reason = 'not-answered' WHERE id = 'P-4'").run((T + 90) * 1000);
    calls.event('P-4', 'ended', { reason: 'not-answered', previous: 'ringing-agent', unseen: true });
    expect(await backfill.check(true)).toMatchObject({ calls: ['P-4'], stays: 1 });
    expect(calls.get('P-4')).toMatchObject({ answeredAt: (T + 4) * 1000, endedAt: (T + 30) * 1000, endReason: 'customer-hangup' });
    expect(rows('SELECT COUNT(*) AS n FROM calls')[0].n).toBe(1);
  });

  test('connected before a daemon crash, ended while it was down: the restart ended it daemon-restart; queue_log has the real end', async () => {
    await backfill.check(true);
    restartEndedPart('P-5', 'lk-k1');
    answered(0, 'k1', '1', 'Ana Lima', 'lk-k1');
    backfill.connected();
    expect((await backfill.check(true)).calls).toEqual(['P-5']);
    expect(calls.get('P-5')).toMatchObject({ answeredAt: (T + 3) * 1000, endedAt: (T + 63) * 1000, endReason: 'customer-hangup' });
  });

  test('still ringing at the cut, answered inside it: that part becomes the answered one (ringall: the other agent stays unanswered)', async () => {
    await backfill.check(true);
    stays.insert({ queue: 'support', uniqueid: 'r1', linkedid: 'lk-r1', channel: '', callerNumber: '1', callerName: '', joinedAt: T * 1000, joinSource: 'event', position: 1 });
    part('P-2', 'lk-r1', { answeredAt: null, endedAt: (T + 100) * 1000, endReason: 'not-answered', agent: '1001' });
    part('P-3', 'lk-r1', { answeredAt: null, endedAt: (T + 100) * 1000, endReason: 'not-answered', agent: '1000' });
    line(0, 'r1', 'NONE', 'ENTERQUEUE', '', '1', 1);
    line(4, 'r1', 'Ana Lima', 'CONNECT', 4, 'm', 3);
    line(30, 'r1', 'Ana Lima', 'COMPLETECALLER', 4, 26, 1);
    backfill.connected();
    const r = await backfill.check(true);
    expect(r.calls).toEqual(['P-3']);
    expect(calls.get('P-3')).toMatchObject({ answeredAt: (T + 4) * 1000, endedAt: (T + 30) * 1000, endReason: 'customer-hangup' });
    expect(calls.get('P-2')).toMatchObject({ answeredAt: null, endReason: 'not-answered' });
    expect(rows("SELECT outcome, call_id, agent_ext, root_id FROM queue_stays WHERE uniqueid = 'r1'")).toEqual([{ outcome: 'answered', call_id: 'P-3', agent_ext: '1000', root_id: 'P-3' }]);
    expect(rows('SELECT COUNT(*) AS n FROM calls')[0].n).toBe(2);
  });
});

test('the catalogue is asked once per member name and check', async () => {
  const asked: string[] = [];
  const b = new QueueLogBackfill({ file, db, calls, stays, agentsOfMember: (m) => (asked.push(m), m === 'Ana Lima' ? ['1000'] : []), log: silentLogger() });
  await b.check(true);
  for (let i = 0; i < 5; i++) answered(i * 100, `m${i}`, '1');
  b.connected();
  expect((await b.check(true)).calls).toHaveLength(5);
  expect(asked).toEqual(['Ana Lima']);
});
