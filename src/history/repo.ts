/**
 * Read side of call history: every call part is a `calls` row, everything that happened during it
 * (hold, mute, DTMF, prank, transfer, timeout, disposition...) a `call_events` row, all with
 * timestamps. Statistics come from these rows, never from app_queue (DESIGN.md).
 */
import { rowToCall } from '../calls/repo';
import type { CallRecord } from '../calls/types';
import type { Db } from '../store/db';
import { invalid } from '../util/errors';
import { callStatus, type CallStatus } from './status';

export type RecentCategory = 'missed' | 'incoming' | 'outgoing' | 'transferred';

export interface RecentCall {
  id: string;
  category: RecentCategory;
  number: string | null;
  queue: string | null;
  /** Local date YYYY-MM-DD and time HH:MM:SS of the start. */
  date: string;
  time: string;
  startedAt: number;
  durationSeconds: number;
  /** User-facing status (src/history/status.ts). */
  status: CallStatus;
  /** Raw internal end reason (null while in progress), for support and --json. */
  endReason: string | null;
}

export interface HistoryQuery {
  agent?: string;
  since?: number;
  until?: number;
  limit?: number;
  /** A scoped supervisor: calls of these queues, or without a queue, of these agents. */
  within?: { queues: ReadonlySet<string>; agents: ReadonlySet<string> };
}

/** SQL for "queue in scope, or no queue and agent in scope" (an empty scope matches nothing). */
export function withinSql(w: { queues: ReadonlySet<string>; agents: ReadonlySet<string> }, queueCol = 'queue', agentCol = 'agent_ext'): { sql: string; params: string[] } {
  const q = [...w.queues];
  const a = [...w.agents];
  const parts = [q.length ? `${queueCol} IN (${q.map(() => '?').join(',')})` : '', a.length ? `(${queueCol} IS NULL AND ${agentCol} IN (${a.map(() => '?').join(',')}))` : ''].filter(Boolean);
  return { sql: parts.length ? `(${parts.join(' OR ')})` : '0', params: [...q, ...a] };
}

const pad = (n: number) => String(n).padStart(2, '0');

export function localDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export function localTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/**
 * Accepts ms since epoch, an ISO date/time ("2026-11-21", "2026-11-21T08:00") or a relative
 * duration back from now ("30m", "2h", "7d"). Anything else is a clear error.
 */
export function parseSince(value: string, now: number): number {
  const v = value.trim();
  if (/^\d{10,}$/.test(v)) return Number(v);
  const rel = /^(\d+)\s*([smhd])$/.exec(v);
  if (rel) return now - Number(rel[1]) * { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 }[rel[2] as 's' | 'm' | 'h' | 'd'];
  if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?)?$/.test(v)) {
    const ms = new Date(v.length === 10 ? `${v}T00:00:00` : v.replace(' ', 'T')).getTime();
    if (!Number.isNaN(ms)) return ms;
  }
  throw invalid(`since must be a date (2026-11-21[T08:00]), a duration (30m, 2h, 7d) or ms since epoch (got "${value}")`, {
    field: 'since',
  });
}

/**
 * Softphone category. A transfer part the target never answered is a missed call for the target;
 * a transfer the agent started shows as transferred only once it went through (or while ongoing).
 */
export function categorize(call: CallRecord, transferred: boolean): RecentCategory {
  if (call.kind === 'transfer' && call.answeredAt === null) return 'missed';
  const status = callStatus(call);
  if (call.kind === 'transfer' || status === 'transferred' || (transferred && status === 'in-progress')) return 'transferred';
  if (call.direction === 'outbound') return 'outgoing';
  return call.answeredAt ? 'incoming' : 'missed';
}

export class HistoryRepo {
  constructor(private readonly deps: { db: Db; now: () => number }) {}

  list(q: HistoryQuery = {}): CallRecord[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.agent) {
      if (!/^\d{4,5}$/.test(q.agent)) throw invalid('agent must be an extension of 4-5 digits', { field: 'agent' });
      where.push('agent_ext = ?');
      params.push(q.agent);
    }
    if (q.since !== undefined) {
      where.push('started_at >= ?');
      params.push(q.since);
    }
    if (q.until !== undefined) {
      where.push('started_at < ?');
      params.push(q.until);
    }
    if (q.within) {
      const w = withinSql(q.within);
      where.push(w.sql);
      params.push(...w.params);
    }
    const limit = Math.min(Math.max(q.limit ?? 200, 1), 5000);
    const sql = `SELECT * FROM calls ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY started_at DESC, id DESC LIMIT ${limit}`;
    return (this.deps.db.prepare(sql).all(...params) as Parameters<typeof rowToCall>[0][]).map(rowToCall);
  }

  /** The agent's recent calls for the softphone: missed, incoming, outgoing, transferred. */
  recent(ext: string, limit = 20): RecentCall[] {
    const calls = this.list({ agent: ext, limit });
    if (calls.length === 0) return [];
    const transferredIds = new Set(
      (
        this.deps.db
          .prepare(
            `SELECT DISTINCT call_id FROM call_events WHERE type = 'transfer' AND call_id IN (${calls.map(() => '?').join(',')})`,
          )
          .all(...calls.map((c) => c.id)) as { call_id: string }[]
      ).map((r) => r.call_id),
    );
    const now = this.deps.now();
    return calls.map((c) => ({
      id: c.id,
      category: categorize(c, transferredIds.has(c.id)),
      number: c.customerNumber,
      queue: c.queue,
      date: localDate(c.startedAt),
      time: localTime(c.startedAt),
      startedAt: c.startedAt,
      durationSeconds: c.answeredAt ? Math.round(((c.endedAt ?? now) - c.answeredAt) / 1000) : 0,
      status: callStatus(c),
      endReason: c.endReason,
    }));
  }
}
