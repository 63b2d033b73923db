/**
 * Persistence of scheduled callbacks. Every status change goes through `transition`, which checks
 * the transitions table and updates only when the row is still in the expected status, so a cancel
 * racing the scheduler cannot be overwritten.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from '../store/db';
import { preparedOnce } from '../store/statements';
import { unitOfWork } from '../store/unit-of-work';
import type { Clock } from '../util/clock';
import { notFound } from '../util/errors';
import { assertCallbackTransition, type Callback, type CallbackOrigin, type CallbackStatus } from './model';

interface Row {
  id: number;
  agent_ext: string | null;
  queue: string | null;
  number: string;
  ddi: string;
  at: number;
  next_at: number;
  status: CallbackStatus;
  attempts: number;
  call_id: string | null;
  last_error: string | null;
  created_by: string | null;
  created_at: number;
  updated_at: number;
  origin: CallbackOrigin;
  queue_joined_at: number | null;
  queue_position: number | null;
  uniqueid: string | null;
  linkedid: string | null;
}

export interface NewCallback {
  agent?: string;
  queue?: string;
  number: string;
  ddi: string;
  at: number;
  createdBy?: string;
  /** A request from a waiting caller (origin queue): their place and channel. */
  fromQueue?: { joinedAt: number; position?: number; uniqueid: string; linkedid?: string };
}

/** Told of every new row (previous null) and status change, e.g. to publish it on the bus. */
export type CallbackChangeListener = (c: Callback, previous: CallbackStatus | null) => void;

export interface TransitionChanges {
  nextAt?: number;
  attempts?: number;
  callId?: string;
  lastError?: string | null;
}

export class CallbacksRepo {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly onChange?: CallbackChangeListener,
  ) {
    this.sql = preparedOnce(db);
  }

  /**
   * Statements prepared once: queueRequestsDueNow() runs each time an agent becomes available
   * (every queue call), and prepare() cost more than the UPDATE (issue 12 profile).
   */
  private readonly sql: (text: string) => Statement;

  insert(c: NewCallback): Callback {
    const now = this.clock.now();
    const q = c.fromQueue;
    const res = this.sql(
        `INSERT INTO callbacks (agent_ext, queue, number, ddi, at, next_at, status, attempts, created_by, created_at, updated_at,
                                origin, queue_joined_at, queue_position, uniqueid, linkedid)
         VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(c.agent ?? null, c.queue ?? null, c.number, c.ddi, c.at, c.at, c.createdBy ?? null, now, now,
        q ? 'queue' : 'scheduled', q?.joinedAt ?? null, q?.position ?? null, q?.uniqueid ?? null, q?.linkedid ?? null);
    if (q) this.queuePending = true;
    const created = this.require(Number(res.lastInsertRowid));
    this.onChange?.(created, null);
    return created;
  }

  /**
   * Queue requests of `queue` still to be served (pending, or ringing an agent right now), in
   * their callers' queue order: the turn rule (./queue-turn.ts) reads it.
   */
  openQueueRequests(queue: string): Callback[] {
    return (
      this.sql(
          `SELECT * FROM callbacks WHERE origin = 'queue' AND queue = ? AND status IN ('pending', 'ringing')
           ORDER BY queue_joined_at, id`,
        )
        .all(queue) as Row[]
    ).map(toCallback);
  }

  /** The open request a caller's channel already made (a second key press must not add one). */
  openRequestOf(uniqueid: string): Callback | undefined {
    const row = this.sql(`SELECT * FROM callbacks WHERE origin = 'queue' AND uniqueid = ? AND status IN ('pending', 'ringing') LIMIT 1`)
      .get(uniqueid) as Row | undefined;
    return row ? toCallback(row) : undefined;
  }

  /**
   * Whether pending queue requests may exist (undefined: not looked yet). Queue requests are created
   * and put back to pending only through this repository (the daemon's), so once a look found none,
   * none appears unseen: an agent becoming free (every queue call) then writes nothing.
   */
  private queuePending: boolean | undefined;

  /** Pending queue requests become due now (an agent became free: re-check their turn at once). */
  queueRequestsDueNow(): number {
    if (this.queuePending === false) return 0;
    const now = this.clock.now();
    const moved = this.sql(`UPDATE callbacks SET next_at = ? WHERE origin = 'queue' AND status = 'pending' AND next_at > ?`).run(now, now).changes;
    if (moved === 0) {
      this.queuePending = this.sql(`SELECT 1 FROM callbacks WHERE origin = 'queue' AND status = 'pending' LIMIT 1`).get() !== undefined;
      // Seen inside a step that may still roll back (and bring a request back to pending).
      if (!this.queuePending) unitOfWork(this.db).onRollback(() => (this.queuePending = undefined));
    }
    return moved;
  }

  get(id: number): Callback | undefined {
    const row = this.sql('SELECT * FROM callbacks WHERE id = ?').get(id) as Row | undefined;
    return row ? toCallback(row) : undefined;
  }

  require(id: number): Callback {
    const c = this.get(id);
    if (!c) throw notFound(`callback ${id} does not exist`, { id });
    return c;
  }

  list(filter: { status?: CallbackStatus; agent?: string; origin?: CallbackOrigin; queue?: string; limit?: number } = {}): Callback[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.origin) {
      where.push('origin = ?');
      args.push(filter.origin);
    }
    if (filter.queue) {
      where.push('queue = ?');
      args.push(filter.queue);
    }
    if (filter.status) {
      where.push('status = ?');
      args.push(filter.status);
    }
    if (filter.agent) {
      where.push('agent_ext = ?');
      args.push(filter.agent);
    }
    const sql = `SELECT * FROM callbacks ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
                 ORDER BY next_at, id LIMIT ?`;
    return (this.sql(sql).all(...args, filter.limit ?? 1000) as Row[]).map(toCallback);
  }

  /** Pending callbacks whose next try is at or before `until`, oldest first. */
  due(until: number): Callback[] {
    return (
      this.sql(`SELECT * FROM callbacks WHERE status = 'pending' AND next_at <= ? ORDER BY next_at, id`)
        .all(until) as Row[]
    ).map(toCallback);
  }

  /** Earliest next try among pending callbacks. */
  nextDue(): number | undefined {
    const row = this.sql(`SELECT MIN(next_at) AS t FROM callbacks WHERE status = 'pending'`)
      .get() as { t: number | null };
    return row.t ?? undefined;
  }

  /**
   * Moves a callback from `from` to `to`. Returns the updated callback, or undefined when the row
   * is no longer in `from` (someone else moved it first).
   */
  transition(id: number, from: CallbackStatus, to: CallbackStatus, changes: TransitionChanges = {}): Callback | undefined {
    assertCallbackTransition(from, to, id);
    const sets = ['status = @to', 'updated_at = @now'];
    if (changes.nextAt !== undefined) sets.push('next_at = @nextAt');
    if (changes.attempts !== undefined) sets.push('attempts = @attempts');
    if (changes.callId !== undefined) sets.push('call_id = @callId');
    if (changes.lastError !== undefined) sets.push('last_error = @lastError');
    const res = this.sql(`UPDATE callbacks SET ${sets.join(', ')} WHERE id = @id AND status = @from`).run({
      id,
      from,
      to,
      now: this.clock.now(),
      nextAt: changes.nextAt ?? null,
      attempts: changes.attempts ?? null,
      callId: changes.callId ?? null,
      lastError: changes.lastError ?? null,
    });
    if (!res.changes) return undefined;
    if (to === 'pending') this.queuePending = true;
    const moved = this.require(id);
    this.onChange?.(moved, from);
    return moved;
  }

  /** Keeps a pending callback pending but moves its next try (nobody free yet). */
  postpone(id: number, nextAt: number, lastError: string): void {
    this.sql(`UPDATE callbacks SET next_at = ?, last_error = ?, updated_at = ? WHERE id = ? AND status = 'pending'`)
      .run(nextAt, lastError, this.clock.now(), id);
  }

  /** Callbacks left `ringing` by a daemon that stopped mid-dial. */
  interrupted(): Callback[] {
    return (this.sql(`SELECT * FROM callbacks WHERE status = 'ringing'`).all() as Row[]).map(toCallback);
  }
}

function toCallback(r: Row): Callback {
  const c: Callback = {
    id: r.id,
    origin: r.origin,
    number: r.number,
    ddi: r.ddi,
    at: r.at,
    nextAt: r.next_at,
    status: r.status,
    attempts: r.attempts,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
  if (r.agent_ext !== null) c.agent = r.agent_ext;
  if (r.queue !== null) c.queue = r.queue;
  if (r.call_id !== null) c.callId = r.call_id;
  if (r.last_error !== null) c.lastError = r.last_error;
  if (r.created_by !== null) c.createdBy = r.created_by;
  if (r.queue_joined_at !== null) c.queueJoinedAt = r.queue_joined_at;
  if (r.queue_position !== null) c.queuePosition = r.queue_position;
  if (r.uniqueid !== null) c.uniqueid = r.uniqueid;
  if (r.linkedid !== null) c.linkedid = r.linkedid;
  return c;
}
