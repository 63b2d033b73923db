/**
 * Detailed report: every customer contact with its queue stays and call parts (protocol numbers,
 * transfers, dispositions, hold/talk/wrap-up, recordings, survey). A contact is what one customer
 * call became: the stays and parts sharing the customer's linkedid (queue and inbound calls: every
 * ring, transfer and conference part carries it), or, without a linkedid (outbound, callbacks,
 * direct calls), a root call and its children.
 *
 * Pages: contacts come in the order of their first stay or part that matches the filters in the
 * period (a contact is listed once). Both tables are read in time order from the cursor on, so a
 * page costs what it shows, not the month behind it; `next` is where the following page starts.
 */
import { rowToCall } from '../calls/repo';
import { callStatus } from '../history/status';
import type { Db } from '../store/db';
import type { DetailedPage, ReportQuery } from './model';
import { DETAILED_DEFAULT_LIMIT } from './params';
import { PART_COLS, STAY_COLS } from './quantitative';
import { add, filtered, seconds, sqlWhere, type Where } from './sql';
import type { QueueStay } from './stays-repo';

export interface DetailedStay {
  queue: string;
  joinedAt: number;
  leftAt: number | null;
  waitSeconds: number | null;
  outcome: string;
  detail: string | null;
  position: number | null;
  agent: string | null;
  callId: string | null;
}

export interface DetailedPart {
  id: string;
  parentId: string | null;
  rootId: string;
  kind: string;
  direction: string;
  queue: string | null;
  agent: string | null;
  number: string | null;
  startedAt: number;
  answeredAt: number | null;
  endedAt: number | null;
  status: string;
  endReason: string | null;
  talkSeconds: number | null;
  holdSeconds: number;
  wrapupSeconds: number | null;
  disposition: string | null;
  recordings: { id: number; file: string; state: string; durationSeconds: number | null }[];
  surveyScore: number | null;
}

export interface DetailedContact {
  /** The first part's root protocol number, else "stay-<id>" (a caller no agent was offered to). */
  contact: string;
  linkedid: string | null;
  startedAt: number;
  number: string | null;
  stays: DetailedStay[];
  parts: DetailedPart[];
}

export interface DetailedReport {
  kind: 'detailed';
  from: number;
  to: number;
  generatedAt: number;
  filters: { queue: string | null; agent: string | null };
  contacts: DetailedContact[];
  /** Cursor of the next page (`after`); null when this page is the last. */
  next: string | null;
}

/** Position of a row in the merged order: time, source (0 stays, 1 calls), row id. */
type Pos = [number, 0 | 1, number];

const after = (w: Where, time: string, src: 0 | 1, id: string, cur?: Pos) => {
  if (cur) add(w, `(${time}, ${src}, ${id}) > (?, ?, ?)`, ...cur);
};

export function detailed(db: Db, q: ReportQuery, page: DetailedPage, now: number): DetailedReport {
  const limit = page.limit ?? DETAILED_DEFAULT_LIMIT;
  const cursor = page.after ? (page.after.split('.').map(Number) as Pos) : undefined;
  const sw = filtered(q, STAY_COLS);
  after(sw, 's.joined_at', 0, 's.id', cursor);
  const cw = filtered(q, PART_COLS);
  after(cw, 'c.started_at', 1, 'c.rowid', cursor);
  const stays = db
    .prepare(`SELECT s.joined_at AS t, s.id AS id, s.linkedid AS linkedid FROM queue_stays s ${sqlWhere(sw)} ORDER BY s.joined_at, s.id`)
    .iterate(...sw.params) as IterableIterator<{ t: number; id: number; linkedid: string | null }>;
  const calls = db
    .prepare(`SELECT c.started_at AS t, c.rowid AS id, c.linkedid AS linkedid, c.root_id AS rootId FROM calls c ${sqlWhere(cw)} ORDER BY c.started_at, c.rowid`)
    .iterate(...cw.params) as IterableIterator<{ t: number; id: number; linkedid: string | null; rootId: string }>;

  // A contact seen first in this page may have matching rows before the cursor (listed on an
  // earlier page); rows after it were read here (`seen`). The first page needs no check.
  const earlier = cursor ? earlierMatch(db, q, cursor) : () => false;
  const seen = new Set<string>();
  const keys: string[] = [];
  let last: Pos | undefined;
  let s = stays.next();
  let c = calls.next();
  try {
    while (keys.length < limit && (!s.done || !c.done)) {
      const takeStay = !s.done && (c.done || s.value.t <= c.value.t);
      const pos: Pos = takeStay ? [s.value.t, 0, s.value.id] : [c.value.t, 1, c.value.id];
      const key = takeStay
        ? s.value.linkedid ? `L:${s.value.linkedid}` : `S:${s.value.id}`
        : c.value.linkedid ? `L:${c.value.linkedid}` : `R:${c.value.rootId}`;
      if (takeStay) s = stays.next();
      else c = calls.next();
      if (seen.has(key)) continue;
      seen.add(key);
      if (earlier(key)) continue; // listed on a previous page
      keys.push(key);
      last = pos;
    }
  } finally {
    stays.return?.();
    calls.return?.();
  }
  return {
    kind: 'detailed',
    from: q.from,
    to: q.to,
    generatedAt: now,
    filters: { queue: q.queue ?? null, agent: q.agent ?? null },
    contacts: loadContacts(db, keys, now),
    next: keys.length === limit && last ? last.join('.') : null,
  };
}

/** Whether the contact has a matching stay or part at or before the cursor (a previous page listed it). */
function earlierMatch(db: Db, q: ReportQuery, cursor: Pos): (key: string) => boolean {
  const sw = filtered(q, STAY_COLS);
  const cw = filtered(q, PART_COLS);
  const staysBy = db.prepare(`SELECT 1 FROM queue_stays s ${sqlWhere(sw)} AND s.linkedid = ? AND (s.joined_at, 0, s.id) <= (?, ?, ?) LIMIT 1`);
  const callsBy = db.prepare(`SELECT 1 FROM calls c ${sqlWhere(cw)} AND c.linkedid = ? AND (c.started_at, 1, c.rowid) <= (?, ?, ?) LIMIT 1`);
  const rootBy = db.prepare(`SELECT 1 FROM calls c ${sqlWhere(cw)} AND c.root_id = ? AND (c.started_at, 1, c.rowid) <= (?, ?, ?) LIMIT 1`);
  return (key) => {
    const v = key.slice(2);
    if (key.startsWith('S:')) return false;
    if (key.startsWith('R:')) return rootBy.get(...cw.params, v, ...cursor) !== undefined;
    return staysBy.get(...sw.params, v, ...cursor) !== undefined || callsBy.get(...cw.params, v, ...cursor) !== undefined;
  };
}

type CallRow = Parameters<typeof rowToCall>[0] & { hold_ms: number; hold_since: number | null; wrapup_ms: number | null; rowid?: number };

/** Rows of many keys, `size` ids per statement. */
function inChunks<T>(db: Db, sql: (marks: string) => string, ids: readonly (string | number)[], size = 500): T[] {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += size) {
    const chunk = ids.slice(i, i + size);
    out.push(...(db.prepare(sql(chunk.map(() => '?').join(', '))).all(...chunk) as T[]));
  }
  return out;
}

function loadContacts(db: Db, keys: string[], now: number): DetailedContact[] {
  const ids = (p: string) => keys.filter((k) => k.startsWith(p)).map((k) => k.slice(2));
  const linked = ids('L:');
  const stays = [
    ...inChunks<QueueStay>(db, (m) => `SELECT ${STAY_SELECT} FROM queue_stays WHERE linkedid IN (${m})`, linked),
    ...inChunks<QueueStay>(db, (m) => `SELECT ${STAY_SELECT} FROM queue_stays WHERE id IN (${m})`, ids('S:').map(Number)),
  ];
  const calls = [
    ...inChunks<CallRow>(db, (m) => `SELECT * FROM calls WHERE linkedid IN (${m})`, linked),
    ...inChunks<CallRow>(db, (m) => `SELECT * FROM calls WHERE root_id IN (${m}) AND linkedid IS NULL`, ids('R:')),
  ];
  const callIds = calls.map((r) => r.id);
  const recordings = tableExists(db, 'recordings')
    ? inChunks<{ id: number; call_id: string; file: string; state: string; duration_ms: number | null }>(
        db,
        (m) => `SELECT id, call_id, file, state, duration_ms FROM recordings WHERE call_id IN (${m}) ORDER BY id`,
        callIds,
      )
    : [];
  const surveys = inChunks<{ call_id: string; score: number }>(db, (m) => `SELECT call_id, score FROM call_surveys WHERE call_id IN (${m}) ORDER BY id`, callIds);

  const recordingsOf = new Map<string, typeof recordings>();
  for (const r of recordings) recordingsOf.set(r.call_id, [...(recordingsOf.get(r.call_id) ?? []), r]);
  // The latest answer when a part was rated twice.
  const scoreOf = new Map(surveys.map((x) => [x.call_id, x.score]));
  const byKey = new Map<string, DetailedContact>(keys.map((k) => [k, emptyContact(k)]));
  const firstStay = new Map<DetailedContact, number>();
  for (const st of stays) {
    const ct = byKey.get(st.linkedid && byKey.has(`L:${st.linkedid}`) ? `L:${st.linkedid}` : `S:${st.id}`);
    if (!ct) continue;
    if (!firstStay.has(ct) || st.id < firstStay.get(ct)!) firstStay.set(ct, st.id);
    ct.linkedid ??= st.linkedid;
    ct.number ??= st.callerNumber || null;
    ct.stays.push({
      queue: st.queue,
      joinedAt: st.joinedAt,
      leftAt: st.leftAt,
      waitSeconds: st.leftAt !== null && st.outcome !== 'lost' ? seconds(st.leftAt - st.joinedAt) : null,
      outcome: st.outcome,
      detail: st.detail,
      position: st.position,
      agent: st.agentExt,
      callId: st.callId,
    });
  }
  for (const r of calls) {
    const ct = byKey.get(r.linkedid ? `L:${r.linkedid}` : `R:${r.root_id}`);
    if (!ct) continue;
    const call = rowToCall(r);
    ct.linkedid ??= call.linkedid;
    ct.number ??= call.customerNumber;
    const holdMs = r.hold_ms + (r.hold_since !== null ? Math.max(0, (call.endedAt ?? now) - r.hold_since) : 0);
    ct.parts.push({
      id: call.id,
      parentId: call.parentId,
      rootId: call.rootId,
      kind: call.kind,
      direction: call.direction,
      queue: call.queue,
      agent: call.agentExt,
      number: call.customerNumber,
      startedAt: call.startedAt,
      answeredAt: call.answeredAt,
      endedAt: call.endedAt,
      status: callStatus(call),
      endReason: call.endReason,
      talkSeconds: call.answeredAt !== null ? seconds(Math.max(0, (call.endedAt ?? now) - call.answeredAt - holdMs)) : null,
      holdSeconds: seconds(holdMs),
      wrapupSeconds: r.wrapup_ms !== null ? seconds(r.wrapup_ms) : null,
      disposition: call.disposition,
      recordings: (recordingsOf.get(call.id) ?? []).map((x) => ({
        id: x.id,
        file: x.file,
        state: x.state,
        durationSeconds: x.duration_ms !== null ? seconds(x.duration_ms) : null,
      })),
      surveyScore: scoreOf.get(call.id) ?? null,
    });
  }
  const out = [...byKey.values()];
  for (const ct of out) {
    ct.stays.sort((a, b) => a.joinedAt - b.joinedAt);
    ct.parts.sort((a, b) => a.startedAt - b.startedAt || a.id.localeCompare(b.id));
    const starts = [...ct.stays.map((x) => x.joinedAt), ...ct.parts.map((x) => x.startedAt)];
    ct.startedAt = starts.length ? Math.min(...starts) : 0;
    ct.contact = ct.parts[0]?.rootId ?? (firstStay.has(ct) ? `stay-${firstStay.get(ct)}` : ct.contact);
  }
  return out;
}

const STAY_SELECT = `id, queue, uniqueid, linkedid, channel, caller_number AS callerNumber, caller_name AS callerName,
  joined_at AS joinedAt, join_source AS joinSource, position, left_at AS leftAt, outcome, detail,
  agent_ext AS agentExt, call_id AS callId, root_id AS rootId`;

function emptyContact(key: string): DetailedContact {
  return { contact: key.startsWith('S:') ? `stay-${key.slice(2)}` : key.slice(2), linkedid: null, startedAt: 0, number: null, stays: [], parts: [] };
}

function tableExists(db: Db, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}
