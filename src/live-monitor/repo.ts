/**
 * Persistence of monitoring sessions (table monitor_sessions, migration 010). The service keeps
 * the live sessions in memory and writes every change through here, so the history row always
 * says what happened even if the daemon dies right after.
 */
import type { Db } from '../store/db';
import { preparedOnce } from '../store/statements';
import type { Clock } from '../util/clock';
import type { ModeChange, MonitorEndReason, MonitorMode, MonitorSession, MonitorState } from './model';

interface Row {
  id: number;
  call_id: string;
  current_call_id: string;
  supervisor: string;
  device: string;
  mode: MonitorMode;
  changes: string;
  state: MonitorState;
  started_at: number;
  answered_at: number | null;
  ended_at: number | null;
  end_reason: MonitorEndReason | null;
  end_detail: string | null;
}

export interface NewSession {
  callId: string;
  supervisor: string;
  device: string;
  mode: MonitorMode;
}

export class MonitorRepo {
  private readonly sql: ReturnType<typeof preparedOnce>;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    this.sql = preparedOnce(db);
  }

  insert(n: NewSession): MonitorSession {
    const now = this.clock.now();
    const changes: ModeChange[] = [{ at: now, mode: n.mode, callId: n.callId, by: n.supervisor }];
    const res = this.sql(
      `INSERT INTO monitor_sessions (call_id, current_call_id, supervisor, device, mode, changes, state, started_at)
       VALUES (?, ?, ?, ?, ?, ?, 'ringing', ?)`,
    ).run(n.callId, n.callId, n.supervisor, n.device, n.mode, JSON.stringify(changes), now);
    return {
      id: Number(res.lastInsertRowid),
      callId: n.callId,
      currentCallId: n.callId,
      supervisor: n.supervisor,
      device: n.device,
      mode: n.mode,
      state: 'ringing',
      changes,
      startedAt: now,
      answeredAt: null,
      endedAt: null,
      endReason: null,
      endDetail: null,
    };
  }

  /** Writes the whole session (a handful of columns; sessions change a few times in their life). */
  save(s: MonitorSession): void {
    this.sql(
      `UPDATE monitor_sessions SET current_call_id = ?, mode = ?, changes = ?, state = ?, answered_at = ?,
       ended_at = ?, end_reason = ?, end_detail = ? WHERE id = ?`,
    ).run(s.currentCallId, s.mode, JSON.stringify(s.changes), s.state, s.answeredAt, s.endedAt, s.endReason, s.endDetail, s.id);
  }

  get(id: number): MonitorSession | undefined {
    const row = this.sql('SELECT * FROM monitor_sessions WHERE id = ?').get(id) as Row | undefined;
    return row ? toSession(row) : undefined;
  }

  /** Sessions on a call part: asked for it, or following it now; oldest first. */
  ofCall(callId: string): MonitorSession[] {
    const rows = this.sql('SELECT * FROM monitor_sessions WHERE call_id = ? OR current_call_id = ? ORDER BY id').all(callId, callId) as Row[];
    return rows.map(toSession);
  }

  /**
   * Closes the sessions a previous process left open (its channels are cleaned up as orphans by
   * call recovery). Returns how many.
   */
  closeLeftOpen(reason: MonitorEndReason, detail: string): number {
    const now = this.clock.now();
    const res = this.sql(
      `UPDATE monitor_sessions SET state = 'ended',
       ended_at = ?, end_reason = ?, end_detail = ? WHERE ended_at IS NULL`,
    ).run(now, reason, detail);
    return res.changes;
  }
}

function toSession(r: Row): MonitorSession {
  return {
    id: r.id,
    callId: r.call_id,
    currentCallId: r.current_call_id,
    supervisor: r.supervisor,
    device: r.device,
    mode: r.mode,
    state: r.state,
    changes: JSON.parse(r.changes) as ModeChange[],
    startedAt: r.started_at,
    answeredAt: r.answered_at,
    endedAt: r.ended_at,
    endReason: r.end_reason,
    endDetail: r.end_detail,
  };
}
