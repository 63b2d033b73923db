/**
 * Persistence of calls and call events (tables of 003_calls.ts). Every state change of a live call
 * is written at once: restart recovery and history read only from here.
 */
import type { Db } from '../store/db';
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
  }

  /**
   * Next protocol number "YYYYMMDD-NNNNNN" (local date). The per-day counter lives in SQLite so
   * numbers stay unique across restarts and across processes sharing the file.
   */
  nextId(): string {
    const d = new Date(this.deps.clock.now());
    const day = `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;
    const n = this.deps.db
      .transaction(() => {
        this.deps.db
          .prepare(
            'INSERT INTO call_sequence (day, last) VALUES (?, 1) ON CONFLICT(day) DO UPDATE SET last = last + 1',
          )
          .run(day);
        return (this.deps.db.prepare('SELECT last FROM call_sequence WHERE day = ?').get(day) as { last: number }).last;
      })
      .immediate();
    return `${day}-${String(n).padStart(6, '0')}`;
  }

  insert(c: CallRecord): void {
    this.insertStmt.run(callToParams(c));
  }

  save(c: CallRecord): void {
    this.updateStmt.run(callToParams(c));
  }

  get(id: string): CallRecord | undefined {
    const r = this.deps.db.prepare('SELECT * FROM calls WHERE id = ?').get(id) as CallRow | undefined;
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
