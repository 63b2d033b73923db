/**
 * Persistence of calls and call events (tables of 003_calls.ts). Every state change of a live call
 * is written at once: restart recovery and history read only from here.
 * Cost matters (DESIGN.md "Load": ≤ 1.5 ms of daemon CPU per queue call): statements are prepared
 * once, a change writes only the columns it changed (a whole-row UPDATE also rewrote every index
 * and re-checked the parent foreign key), and the core groups a change with its call_events row in
 * one transaction (`batch`).
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from '../store/db';
import { unitOfWork, type UnitOfWork } from '../store/unit-of-work';
import type { Clock } from '../util/clock';
import type { CallRecord } from './types';

interface CallRow {
  id: string;
  parent_id: string | null;
  root_id: string;
  kind: CallRecord['kind'];
  direction: CallRecord['direction'];
  queue: string | null;
  agent_ext: string | null;
  customer_number: string | null;
  caller_id: string | null;
  state: CallRecord['state'];
  started_at: number;
  answered_at: number | null;
  ended_at: number | null;
  end_reason: string | null;
  disposition: string | null;
  customer_channel_id: string | null;
  agent_channel_id: string | null;
  bridge_id: string | null;
  hold_bridge_id: string | null;
  linkedid: string | null;
  muted: number;
  timeout_at: number | null;
}

export function rowToCall(r: CallRow): CallRecord {
  return {
    id: r.id,
    parentId: r.parent_id,
    rootId: r.root_id,
    kind: r.kind,
    direction: r.direction,
    queue: r.queue,
    agentExt: r.agent_ext,
    customerNumber: r.customer_number,
    callerId: r.caller_id,
    state: r.state,
    startedAt: r.started_at,
    answeredAt: r.answered_at,
    endedAt: r.ended_at,
    endReason: r.end_reason,
    disposition: r.disposition,
    customerChannelId: r.customer_channel_id,
    agentChannelId: r.agent_channel_id,
    bridgeId: r.bridge_id,
    holdBridgeId: r.hold_bridge_id,
    linkedid: r.linkedid,
    muted: r.muted === 1,
    timeoutAt: r.timeout_at,
  };
}

function callToParams(c: CallRecord): Record<string, unknown> {
  return {
    id: c.id,
    parent_id: c.parentId,
    root_id: c.rootId,
    kind: c.kind,
    direction: c.direction,
    queue: c.queue,
    agent_ext: c.agentExt,
    customer_number: c.customerNumber,
    caller_id: c.callerId,
    state: c.state,
    started_at: c.startedAt,
    answered_at: c.answeredAt,
    ended_at: c.endedAt,
    end_reason: c.endReason,
    disposition: c.disposition,
    customer_channel_id: c.customerChannelId,
    agent_channel_id: c.agentChannelId,
    bridge_id: c.bridgeId,
    hold_bridge_id: c.holdBridgeId,
    linkedid: c.linkedid,
    muted: c.muted ? 1 : 0,
    timeout_at: c.timeoutAt,
  };
}

const COLUMNS = Object.keys(callToParams({} as CallRecord));

/** CallRecord field → calls column (the same order as callToParams). */
const FIELD_COLUMN: Readonly<Record<keyof CallRecord, string>> = {
  id: 'id',
  parentId: 'parent_id',
  rootId: 'root_id',
  kind: 'kind',
  direction: 'direction',
  queue: 'queue',
  agentExt: 'agent_ext',
  customerNumber: 'customer_number',
  callerId: 'caller_id',
  state: 'state',
  startedAt: 'started_at',
  answeredAt: 'answered_at',
  endedAt: 'ended_at',
  endReason: 'end_reason',
  disposition: 'disposition',
  customerChannelId: 'customer_channel_id',
  agentChannelId: 'agent_channel_id',
  bridgeId: 'bridge_id',
  holdBridgeId: 'hold_bridge_id',
  linkedid: 'linkedid',
  muted: 'muted',
  timeoutAt: 'timeout_at',
};

/** The fields a narrow save may write (the id names the row; it never changes). */
export type CallField = Exclude<keyof CallRecord, 'id'>;

export interface CallEventRow {
  id: number;
  callId: string;
  type: string;
  at: number;
  data: Record<string, unknown>;
}

export class CallRepo {
  private readonly insertStmt;
  private readonly updateStmt;
  private readonly eventStmt;
  private readonly seqStmt;
  private readonly getStmt;
  /** Narrow UPDATE statements by their (ordered) column list: a handful of shapes in practice. */
  private readonly narrow = new Map<string, Statement>();
  private dispositionStmt?: Statement;
  /** The connection's unit of work: a batch joins the step's transaction when one is open. */
  private readonly uow: UnitOfWork;

  constructor(private readonly deps: { db: Db; clock: Clock }) {
    const db = deps.db;
    this.insertStmt = db.prepare(
      `INSERT INTO calls (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((c) => '@' + c).join(', ')})`,
    );
    this.updateStmt = db.prepare(
      `UPDATE calls SET ${COLUMNS.filter((c) => c !== 'id')
        .map((c) => `${c} = @${c}`)
        .join(', ')} WHERE id = @id`,
    );
    this.eventStmt = db.prepare('INSERT INTO call_events (call_id, type, at, data) VALUES (?, ?, ?, ?)');
    this.seqStmt = db
      .prepare('INSERT INTO call_sequence (day, last) VALUES (?, 1) ON CONFLICT(day) DO UPDATE SET last = last + 1 RETURNING last')
      .pluck();
    this.getStmt = db.prepare('SELECT * FROM calls WHERE id = ?');
    this.uow = unitOfWork(db);
  }

  /**
   * Runs `fn` as one step (src/store/unit-of-work.ts): a call change, its call_events row and what
   * the other domains write about it (agent state, wrap-up) commit together, once; inside an open
   * step it joins it.
   */
  batch<T>(fn: () => T): T {
    return this.uow.run(fn);
  }

  /**
   * Next protocol number "YYYYMMDD-NNNNNN" (local date of `at`: a call recorded late, e.g. from
   * queue_log, is numbered on the day it took place). The per-day counter lives in SQLite so
   * numbers stay unique across restarts and across processes sharing the file.
   */
  nextId(at = this.deps.clock.now()): string {
    const d = new Date(at);
    const day = `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;
    // One statement (upsert … RETURNING) is atomic on its own: no explicit transaction needed.
    const n = this.seqStmt.get(day) as number;
    return `${day}-${String(n).padStart(6, '0')}`;
  }

  insert(c: CallRecord): void {
    this.insertStmt.run(callToParams(c));
  }

  /** Writes the whole row, or only `fields` (what the caller changed) when given. */
  save(c: CallRecord, fields?: readonly CallField[]): void {
    if (!fields) {
      this.updateStmt.run(callToParams(c));
      return;
    }
    if (fields.length === 0) return;
    const key = fields.join(',');
    let stmt = this.narrow.get(key);
    if (!stmt) {
      for (const f of fields) if (!(f in FIELD_COLUMN) || f === ('id' as string)) throw new Error(`calls: no column for field ${f}`);
      stmt = this.deps.db.prepare(`UPDATE calls SET ${fields.map((f) => `${FIELD_COLUMN[f]} = ?`).join(', ')} WHERE id = ?`);
      this.narrow.set(key, stmt);
    }
    const values: unknown[] = fields.map((f) => (f === 'muted' ? (c.muted ? 1 : 0) : c[f]));
    values.push(c.id);
    stmt.run(values);
  }

  /** Disposition of a call part (live or ended); false when there is no such call. */
  setDisposition(id: string, disposition: string, at: number): boolean {
    this.dispositionStmt ??= this.deps.db.prepare('UPDATE calls SET disposition = ?, disposition_at = ? WHERE id = ?');
    return this.dispositionStmt.run(disposition, at, id).changes === 1;
  }

  /**
   * Ended, unanswered 'not-answered' parts of a queue call (linkedid) that ended at or after
   * `since` become 'caller-abandoned' (see src/calls/abandons.ts). Returns their ids.
   */
  markAbandoned(linkedid: string, since: number): string[] {
    return this.deps.db
      .prepare(
        `UPDATE calls SET end_reason = 'caller-abandoned'
         WHERE linkedid = ? AND end_reason = 'not-answered' AND answered_at IS NULL AND ended_at >= ? RETURNING id`,
      )
      .pluck()
      .all(linkedid, since) as string[];
  }

  /** Whether any call part of this contact (linkedid) was ever recorded: recovery's test for a caller who never reached an agent. */
  hasPartOf(linkedid: string): boolean {
    return this.deps.db.prepare('SELECT 1 FROM calls WHERE linkedid = ? LIMIT 1').get(linkedid) !== undefined;
  }

  get(id: string): CallRecord | undefined {
    const r = this.getStmt.get(id) as CallRow | undefined;
    return r ? rowToCall(r) : undefined;
  }

  /** Calls not ended: what a restarted daemon must re-adopt or end. */
  open(): CallRecord[] {
    return (this.deps.db.prepare('SELECT * FROM calls WHERE ended_at IS NULL ORDER BY started_at').all() as CallRow[]).map(
      rowToCall,
    );
  }

  event(callId: string, type: string, data: Record<string, unknown> = {}, at = this.deps.clock.now()): void {
    this.eventStmt.run(callId, type, at, JSON.stringify(data));
  }

  events(callId: string): CallEventRow[] {
    const rows = this.deps.db
      .prepare('SELECT id, call_id, type, at, data FROM call_events WHERE call_id = ? ORDER BY at, id')
      .all(callId) as { id: number; call_id: string; type: string; at: number; data: string }[];
    return rows.map((r) => ({ id: r.id, callId: r.call_id, type: r.type, at: r.at, data: JSON.parse(r.data) }));
  }
}
