/** Recording rows (migration 005 `recordings`, `recording_pauses`). */
import type { Db } from '../store/db';
import { preparedOnce } from '../store/statements';
import type { RecordingState } from './model';
import { withinSql } from '../history/repo';

export interface RecordingPause {
  pausedAt: number;
  resumedAt: number | null;
  pausedBy: string;
  resumedBy: string | null;
}

export interface Recording {
  id: number;
  callId: string;
  rootId: string;
  agentExt: string | null;
  queue: string | null;
  name: string;
  file: string;
  format: string;
  state: RecordingState;
  channelId: string | null;
  snoopId: string | null;
  startedAt: number;
  endedAt: number | null;
  durationMs: number | null;
  sizeBytes: number | null;
  startedBy: string;
  endReason: string | null;
  deletedAt: number | null;
  pauses: RecordingPause[];
}

export interface RecordingFilter {
  callId?: string;
  /** Any part of the customer's call (root protocol number). */
  rootId?: string;
  agent?: string;
  since?: number;
  until?: number;
  /** Only these queues' recordings (plus, with `agents`, those agents'): a scoped supervisor. */
  limit?: number;
}

const COLUMNS = `id, call_id AS callId, root_id AS rootId, agent_ext AS agentExt, queue, name, file, format, state,
  channel_id AS channelId, snoop_id AS snoopId, started_at AS startedAt, ended_at AS endedAt, duration_ms AS durationMs,
  size_bytes AS sizeBytes, started_by AS startedBy, end_reason AS endReason, deleted_at AS deletedAt`;

type Row = Omit<Recording, 'pauses'>;

export class RecordingRepository {
  private readonly sql: ReturnType<typeof preparedOnce>;

  constructor(private readonly db: Db) {
    this.sql = preparedOnce(db);
  }

  insert(r: { callId: string; rootId: string; agentExt: string | null; queue: string | null; name: string; file: string; format: string; channelId: string | null; startedAt: number; startedBy: string }): Recording {
    const info = this.sql(
      `INSERT INTO recordings (call_id, root_id, agent_ext, queue, name, file, format, state, channel_id, started_at, started_by)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'starting', ?, ?, ?)`,
    ).run(r.callId, r.rootId, r.agentExt, r.queue, r.name, r.file, r.format, r.channelId, r.startedAt, r.startedBy);
    return this.get(Number(info.lastInsertRowid))!;
  }

  get(id: number): Recording | undefined {
    const row = this.sql(`SELECT ${COLUMNS} FROM recordings WHERE id = ?`).get(id) as Row | undefined;
    return row && this.withPauses(row);
  }

  byName(name: string): Recording | undefined {
    const row = this.sql(`SELECT ${COLUMNS} FROM recordings WHERE name = ?`).get(name) as Row | undefined;
    return row && this.withPauses(row);
  }

  /** How many recordings a call part already has (names the next one). */
  countOf(callId: string): number {
    return (this.sql('SELECT COUNT(*) AS n FROM recordings WHERE call_id = ?').get(callId) as { n: number }).n;
  }

  ofCall(callId: string): Recording[] {
    return (this.sql(`SELECT ${COLUMNS} FROM recordings WHERE call_id = ? ORDER BY id`).all(callId) as Row[]).map((r) => this.withPauses(r));
  }

  /** Recordings still running as far as the store knows (after a restart: to re-attach or close). */
  open(): Recording[] {
    return (this.sql(`SELECT ${COLUMNS} FROM recordings WHERE ended_at IS NULL ORDER BY id`).all() as Row[]).map((r) => this.withPauses(r));
  }

  list(f: RecordingFilter & { queues?: string[]; agents?: string[] }): Recording[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (f.callId) (where.push('call_id = ?'), args.push(f.callId));
    if (f.rootId) (where.push('root_id = ?'), args.push(f.rootId));
    if (f.agent) (where.push('agent_ext = ?'), args.push(f.agent));
    if (f.since !== undefined) (where.push('started_at >= ?'), args.push(f.since));
    if (f.until !== undefined) (where.push('started_at < ?'), args.push(f.until));
    if (f.queues || f.agents) {
      const w = withinSql({ queues: new Set(f.queues ?? []), agents: new Set(f.agents ?? []) });
      where.push(w.sql);
      args.push(...w.params);
    }
    const sql = `SELECT ${COLUMNS} FROM recordings ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at DESC, id DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...args, Math.min(Math.max(f.limit ?? 100, 1), 1000)) as Row[]).map((r) => this.withPauses(r));
  }

  setState(id: number, state: RecordingState, patch: { snoopId?: string; endedAt?: number; durationMs?: number | null; sizeBytes?: number | null; endReason?: string; deletedAt?: number } = {}): void {
    this.sql(
      `UPDATE recordings SET state = ?, snoop_id = COALESCE(?, snoop_id), ended_at = COALESCE(?, ended_at),
         duration_ms = COALESCE(?, duration_ms), size_bytes = COALESCE(?, size_bytes), end_reason = COALESCE(?, end_reason),
         deleted_at = COALESCE(?, deleted_at)
       WHERE id = ?`,
    ).run(state, patch.snoopId ?? null, patch.endedAt ?? null, patch.durationMs ?? null, patch.sizeBytes ?? null, patch.endReason ?? null, patch.deletedAt ?? null, id);
  }

  addPause(id: number, at: number, by: string): void {
    this.sql('INSERT INTO recording_pauses (recording_id, paused_at, paused_by) VALUES (?, ?, ?)').run(id, at, by);
  }

  /** Closes the open pause (resume, or the recording ended while paused). */
  closePause(id: number, at: number, by: string): void {
    this.sql('UPDATE recording_pauses SET resumed_at = ?, resumed_by = ? WHERE recording_id = ? AND resumed_at IS NULL').run(at, by, id);
  }

  /** Finished recordings started before `before` whose file is still there (retention, purge). */
  purgeable(before: number): Recording[] {
    return (this.sql(`SELECT ${COLUMNS} FROM recordings WHERE started_at < ? AND state IN ('done', 'failed') ORDER BY id`).all(before) as Row[]).map((r) => this.withPauses(r));
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  private withPauses(r: Row): Recording {
    const pauses = this.sql(
      'SELECT paused_at AS pausedAt, resumed_at AS resumedAt, paused_by AS pausedBy, resumed_by AS resumedBy FROM recording_pauses WHERE recording_id = ? ORDER BY id',
    ).all(r.id) as RecordingPause[];
    return { ...r, pauses };
  }
}
