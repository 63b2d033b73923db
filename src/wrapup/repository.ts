/** Wrap-up rows (002_agents `wrapups`): one per answered call of an agent. */
import { preparedOnce } from '../store/statements';
import type { Db } from '../store/db';

export interface WrapupRow {
  id: number;
  extension: string;
  callId: string;
  queue: string | null;
  startedAt: number;
  deadline: number;
  endedAt: number | null;
  disposition: string | null;
  notes: string | null;
  auto: boolean;
  finishedBy: string | null;
  /** false: the window had no time limit (its deadline is the safety cap, policy.wrapup_max_seconds). */
  limited: boolean;
}

const COLUMNS = `id, extension, call_id AS callId, queue, started_at AS startedAt, deadline, ended_at AS endedAt,
  disposition, notes, auto, finished_by AS finishedBy, limited`;

type DbRow = Omit<WrapupRow, 'auto' | 'limited'> & { auto: number; limited: number };
const toRow = (r: DbRow): WrapupRow => ({ ...r, auto: r.auto === 1, limited: r.limited !== 0 });

export class WrapupRepository {
  /** Prepared once per SQL text: a wrap-up opens and closes on every answered call. */
  private readonly sql: ReturnType<typeof preparedOnce>;

  constructor(private readonly db: Db) {
    this.sql = preparedOnce(db);
  }

  insert(w: { extension: string; callId: string; queue: string | null; startedAt: number; deadline: number; limited: boolean }): WrapupRow {
    const info = this
      .sql('INSERT INTO wrapups (extension, call_id, queue, started_at, deadline, limited) VALUES (?, ?, ?, ?, ?, ?)')
      .run(w.extension, w.callId, w.queue, w.startedAt, w.deadline, w.limited ? 1 : 0);
    return this.get(Number(info.lastInsertRowid)) as WrapupRow;
  }

  get(id: number): WrapupRow | undefined {
    const r = this.sql(`SELECT ${COLUMNS} FROM wrapups WHERE id = ?`).get(id) as DbRow | undefined;
    return r && toRow(r);
  }

  /** The open wrap-up of an agent (at most one: a new one supersedes the old, see service). */
  openOf(extension: string): WrapupRow | undefined {
    const r = this
      .sql(`SELECT ${COLUMNS} FROM wrapups WHERE extension = ? AND ended_at IS NULL ORDER BY id DESC LIMIT 1`)
      .get(extension) as DbRow | undefined;
    return r && toRow(r);
  }

  pending(): WrapupRow[] {
    return (
      this.sql(`SELECT ${COLUMNS} FROM wrapups WHERE ended_at IS NULL ORDER BY deadline`).all() as DbRow[]
    ).map(toRow);
  }

  /** Closes the row only if still open; false when someone else closed it first. */
  close(
    id: number,
    c: { endedAt: number; disposition: string; notes: string | null; auto: boolean; finishedBy: string },
  ): boolean {
    const info = this
      .sql(
        `UPDATE wrapups SET ended_at = ?, disposition = ?, notes = ?, auto = ?, finished_by = ?
         WHERE id = ? AND ended_at IS NULL`,
      )
      .run(c.endedAt, c.disposition, c.notes, c.auto ? 1 : 0, c.finishedBy, id);
    return info.changes === 1;
  }

  recent(extension: string, limit = 20): WrapupRow[] {
    return (
      this
        .sql(`SELECT ${COLUMNS} FROM wrapups WHERE extension = ? ORDER BY id DESC LIMIT ?`)
        .all(extension, limit) as DbRow[]
    ).map(toRow);
  }
}
