/**
 * Enforcement of the do-not-call list: every path that would call a customer asks here first
 * (outbound dial, callback when scheduled and when dialled, transfer to an external number). A
 * listed number is refused (CcError refused: HTTP 409 / CLI exit 3) with what the operator needs to
 * understand it, and the refused attempt is recorded with who tried (table dnc_refusals, see
 * migration 008 for why not call_events).
 *
 * Which entries apply: the global ones, and those of the queue the call is made for (a campaign =
 * a queue here): a queue callback's queue, else the queue the call is recorded under (outbound:
 * the agent's first queue; transfer: the transferred call's queue).
 */
import type { Logger } from '../log/logger';
import type { Db } from '../store/db';
import type { Clock } from '../util/clock';
import { CcError, refused } from '../util/errors';
import { DncList, scopeOf, shown, type DncEntry } from './list';

export const DNC_ACTIONS = ['dial', 'callback-schedule', 'callback-dial', 'transfer'] as const;
export type DncAction = (typeof DNC_ACTIONS)[number];

export interface DncAttempt {
  /** E.164 digits without '+' (ValidatedNumber.full). */
  number: string;
  /** The queue (campaign) the call is made for; null = none. */
  queue: string | null;
  action: DncAction;
  agent?: string | null;
  /** Who asked: the agent, the token's name, "callback <id>". */
  by?: string | null;
  callId?: string | null;
  callbackId?: number | null;
}

export interface DncRefusal {
  id: number;
  at: number;
  number: string;
  action: DncAction;
  queue: string | null;
  /** The entry that refused it: null = the global list. */
  entryQueue: string | null;
  reason: string;
  agent: string | null;
  by: string | null;
  callId: string | null;
  callbackId: number | null;
}

interface RefusalRow {
  id: number;
  at: number;
  number: string;
  action: DncAction;
  queue: string | null;
  entry_queue: string;
  reason: string;
  agent_ext: string | null;
  tried_by: string | null;
  call_id: string | null;
  callback_id: number | null;
}

const toRefusal = (r: RefusalRow): DncRefusal => ({
  id: r.id,
  at: r.at,
  number: r.number,
  action: r.action,
  queue: r.queue,
  entryQueue: r.entry_queue === '' ? null : r.entry_queue,
  reason: r.reason,
  agent: r.agent_ext,
  by: r.tried_by,
  callId: r.call_id,
  callbackId: r.callback_id,
});

/** The one message of a refusal: `number +55... is on the do-not-call list (global) since 2026-12-06: asked by phone`. */
export function dncMessage(e: DncEntry): string {
  const since = new Date(e.createdAt).toISOString().slice(0, 10);
  return `number ${shown(e.number)} is on the do-not-call list (${scopeOf(e.queue)}) since ${since}${e.reason ? `: ${e.reason}` : ''}`;
}

/** True for the refusal thrown by DncGuard (callbacks: a listed number is final, never retried). */
export function isDncRefusal(err: unknown): boolean {
  return err instanceof CcError && err.kind === 'refused' && err.details?.dnc !== undefined;
}

export interface DncGuardDeps {
  db: Db;
  clock: Clock;
  config?: { policy: { default_country_code: string } };
  log?: Logger;
}

export class DncGuard {
  readonly list: DncList;

  constructor(private readonly deps: DncGuardDeps) {
    this.list = new DncList(deps);
  }

  /** Refuses (and records) an attempt to call a listed number; returns quietly otherwise. */
  assertCallable(a: DncAttempt): void {
    const entry = this.list.match(a.number, a.queue);
    if (!entry) return;
    const message = dncMessage(entry);
    this.deps.db
      .prepare(
        `INSERT INTO dnc_refusals (at, number, action, queue, entry_queue, reason, agent_ext, tried_by, call_id, callback_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(this.deps.clock.now(), a.number, a.action, a.queue, entry.queue ?? '', entry.reason, a.agent ?? null, a.by ?? null, a.callId ?? null, a.callbackId ?? null);
    this.deps.log?.info('do-not-call: attempt refused', { number: a.number, action: a.action, queue: a.queue, agent: a.agent, by: a.by });
    throw refused(message, {
      number: a.number,
      dnc: { scope: entry.queue === null ? 'global' : 'queue', queue: entry.queue, since: entry.createdAt, reason: entry.reason },
    });
  }

  /** Refused attempts, newest first. */
  refusals(filter: { since?: number; agent?: string; limit?: number } = {}): DncRefusal[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.since !== undefined) {
      where.push('at >= ?');
      args.push(filter.since);
    }
    if (filter.agent) {
      where.push('agent_ext = ?');
      args.push(filter.agent);
    }
    const sql = `SELECT * FROM dnc_refusals ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at DESC, id DESC LIMIT ?`;
    return (this.deps.db.prepare(sql).all(...args, filter.limit ?? 200) as RefusalRow[]).map(toRefusal);
  }
}
