/**
 * Persistence of queue stays and survey scores (tables of migration 012). Every statement runs on
 * an AMI event of a queue call (join, leave/answer/abandon), so they are prepared once.
 */
import type { Db } from '../store/db';
import { preparedOnce } from '../store/statements';

export const STAY_OUTCOMES = ['waiting', 'answered', 'abandoned', 'timeout', 'left', 'blocked', 'lost', 'callback'] as const;
export type StayOutcome = (typeof STAY_OUTCOMES)[number];

export interface QueueStay {
  id: number;
  queue: string;
  uniqueid: string;
  linkedid: string | null;
  channel: string;
  callerNumber: string;
  callerName: string;
  joinedAt: number;
  joinSource: 'event' | 'status';
  position: number | null;
  leftAt: number | null;
  outcome: StayOutcome;
  detail: string | null;
  agentExt: string | null;
  callId: string | null;
  rootId: string | null;
}

export type NewStay = Omit<QueueStay, 'id' | 'leftAt' | 'outcome' | 'detail' | 'agentExt' | 'callId' | 'rootId'>;

export interface StayClose {
  outcome: Exclude<StayOutcome, 'waiting'>;
  leftAt: number;
  detail?: string | null;
  agentExt?: string | null;
  callId?: string | null;
  rootId?: string | null;
  /** Filled when the stay did not know it yet (learned from QueueStatus, which has no Linkedid). */
  linkedid?: string | null;
  /** outcome callback: the request the caller left (callbacks.id). */
  callbackId?: number | null;
}

/** The call part an agent answered for a linkedid (what a stay links to). */
export interface AnsweredPart {
  id: string;
  rootId: string;
  agentExt: string | null;
  answeredAt: number;
}

const STAY_COLUMNS = `id, queue, uniqueid, linkedid, channel, caller_number AS callerNumber, caller_name AS callerName,
  joined_at AS joinedAt, join_source AS joinSource, position, left_at AS leftAt, outcome, detail,
  agent_ext AS agentExt, call_id AS callId, root_id AS rootId`;

export class StaysRepo {
  private readonly sql: ReturnType<typeof preparedOnce>;

  constructor(private readonly db: Db) {
    this.sql = preparedOnce(db);
  }

  insert(s: NewStay): number {
    const info = this.sql(
      `INSERT INTO queue_stays (queue, uniqueid, linkedid, channel, caller_number, caller_name, joined_at, join_source, position)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(s.queue, s.uniqueid, s.linkedid, s.channel, s.callerNumber, s.callerName, s.joinedAt, s.joinSource, s.position);
    return Number(info.lastInsertRowid);
  }

  get(id: number): QueueStay | undefined {
    return this.sql(`SELECT ${STAY_COLUMNS} FROM queue_stays WHERE id = ?`).get(id) as QueueStay | undefined;
  }

  /** The stay a channel is waiting in now (at most one: a channel is in one queue at a time). */
  openOf(uniqueid: string): QueueStay | undefined {
    return this.sql(`SELECT ${STAY_COLUMNS} FROM queue_stays WHERE uniqueid = ? AND outcome = 'waiting'`).get(uniqueid) as
      | QueueStay
      | undefined;
  }

  open(): QueueStay[] {
    return this.sql(`SELECT ${STAY_COLUMNS} FROM queue_stays WHERE outcome = 'waiting' ORDER BY id`).all() as QueueStay[];
  }

  /** Closes a stay still open; false when it was closed already (the first outcome wins). */
  close(id: number, c: StayClose): boolean {
    const info = this.sql(
      `UPDATE queue_stays SET outcome = ?, left_at = ?, detail = ?, agent_ext = ?, call_id = ?, root_id = ?,
         linkedid = COALESCE(linkedid, ?), callback_id = ?
       WHERE id = ? AND outcome = 'waiting'`,
    ).run(c.outcome, c.leftAt, c.detail ?? null, c.agentExt ?? null, c.callId ?? null, c.rootId ?? null, c.linkedid ?? null, c.callbackId ?? null, id);
    return info.changes === 1;
  }

  /**
   * The stay of this caller in this queue that joined within `slackMs` of `joinedAt`, open or
   * closed (queue_log has whole seconds: src/queue-log/backfill.ts).
   */
  near(uniqueid: string, queue: string, joinedAt: number, slackMs: number): QueueStay | undefined {
    return this.sql(`SELECT ${STAY_COLUMNS} FROM queue_stays WHERE uniqueid = ? AND queue = ? AND joined_at BETWEEN ? AND ? ORDER BY id DESC LIMIT 1`).get(
      uniqueid,
      queue,
      joinedAt - slackMs,
      joinedAt + slackMs,
    ) as QueueStay | undefined;
  }

  /**
   * Closes a stay an outage left open or closed as lost, with what queue_log says happened (the
   * agent and part it already names are kept); false when it has another outcome.
   */
  settleUnseen(id: number, c: StayClose): boolean {
    return (
      this.sql(
        `UPDATE queue_stays SET outcome = ?, left_at = ?, detail = ?, agent_ext = COALESCE(?, agent_ext), call_id = COALESCE(?, call_id),
           root_id = COALESCE(?, root_id) WHERE id = ? AND outcome IN ('waiting', 'lost')`,
      ).run(c.outcome, c.leftAt, c.detail ?? null, c.agentExt ?? null, c.callId ?? null, c.rootId ?? null, id).changes === 1
    );
  }

  /** Corrects a closed stay's outcome (only if it still has `from`). */
  reclassify(id: number, from: StayOutcome, to: StayOutcome, detail: string | null): boolean {
    return this.sql('UPDATE queue_stays SET outcome = ?, detail = ? WHERE id = ? AND outcome = ?').run(to, detail, id, from).changes === 1;
  }

  /** The latest stay of a channel, open or closed (where a caller who pressed the callback key waited). */
  latestOf(uniqueid: string): QueueStay | undefined {
    return this.sql(`SELECT ${STAY_COLUMNS} FROM queue_stays WHERE uniqueid = ? ORDER BY id DESC LIMIT 1`).get(uniqueid) as QueueStay | undefined;
  }

  /** A stay closed as left (its leave explained by nothing yet) becomes a callback request's. */
  leftToCallback(id: number, callbackId: number, detail: string): boolean {
    return (
      this.sql(`UPDATE queue_stays SET outcome = 'callback', callback_id = ?, detail = ? WHERE id = ? AND outcome = 'left'`).run(callbackId, detail, id)
        .changes === 1
    );
  }

  /** The callback call placed for a request: the stay the request ended points at it (call_id). */
  linkCallbackCall(callbackId: number, callId: string): boolean {
    return this.sql(`UPDATE queue_stays SET call_id = ? WHERE callback_id = ? AND outcome = 'callback'`).run(callId, callbackId).changes > 0;
  }

  setLinkedid(id: number, linkedid: string): void {
    this.sql('UPDATE queue_stays SET linkedid = ? WHERE id = ? AND linkedid IS NULL').run(linkedid, id);
  }

  /**
   * The agent's part created for this queue call (its leg entered Stasis before the member was
   * answered, so the row exists when AgentConnect arrives), or any answered part when `agent` is
   * not known (re-sync after a reconnect).
   */
  answeredPart(linkedid: string, agent?: string): AnsweredPart | undefined {
    if (agent) {
      return this.sql(
        `SELECT id, root_id AS rootId, agent_ext AS agentExt, COALESCE(answered_at, started_at) AS answeredAt FROM calls
         WHERE linkedid = ? AND agent_ext = ? AND kind = 'inbound' ORDER BY started_at DESC LIMIT 1`,
      ).get(linkedid, agent) as AnsweredPart | undefined;
    }
    return this.sql(
      `SELECT id, root_id AS rootId, agent_ext AS agentExt, answered_at AS answeredAt FROM calls
       WHERE linkedid = ? AND kind = 'inbound' AND answered_at IS NOT NULL ORDER BY answered_at LIMIT 1`,
    ).get(linkedid) as AnsweredPart | undefined;
  }

  /** The daemon refused this queue call as blocked (src/calls/inbound.ts rejectBlocked). */
  wasBlocked(linkedid: string): boolean {
    return this.sql(`SELECT 1 FROM calls WHERE linkedid = ? AND end_reason = 'blocked' LIMIT 1`).get(linkedid) !== undefined;
  }

  /**
   * The part a survey rates: the answered part of this linkedid whose customer side ran the survey
   * (the member leg the daemon sent on; after a transfer several parts share it: the latest), else
   * the latest answered part of the linkedid.
   */
  ratedPart(linkedid: string, uniqueid: string): { id: string; rootId: string; queue: string | null; agentExt: string | null } | undefined {
    return this.sql(
      `SELECT id, root_id AS rootId, queue, agent_ext AS agentExt FROM calls
       WHERE linkedid = ? AND answered_at IS NOT NULL AND kind <> 'conference'
       ORDER BY (customer_channel_id = ?) DESC, started_at DESC LIMIT 1`,
    ).get(linkedid, uniqueid) as { id: string; rootId: string; queue: string | null; agentExt: string | null } | undefined;
  }

  insertSurvey(s: {
    callId: string | null;
    rootId: string | null;
    linkedid: string | null;
    uniqueid: string | null;
    queue: string | null;
    agentExt: string | null;
    score: number;
    at: number;
  }): number {
    const info = this.sql(
      `INSERT INTO call_surveys (call_id, root_id, linkedid, uniqueid, queue, agent_ext, score, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(s.callId, s.rootId, s.linkedid, s.uniqueid, s.queue, s.agentExt, s.score, s.at);
    return Number(info.lastInsertRowid);
  }
}
