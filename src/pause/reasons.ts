/**
 * Pause reasons (table `pause_reasons`, migration 001). The name travels to the dialer exactly as
 * written (only trimmed), with its `status_id`; names are unique (case-sensitive, like the dialer).
 */
import type { Db } from '../store/db';
import { int, isUniqueViolation, text } from '../store/validate';
import { systemClock, type Clock } from '../util/clock';
import { invalid, notFound } from '../util/errors';

export interface PauseReason {
  name: string;
  statusId: number;
  createdAt: number;
}

interface Row {
  name: string;
  status_id: number;
  created_at: number;
}

const fromRow = (r: Row): PauseReason => ({ name: r.name, statusId: r.status_id, createdAt: r.created_at });

export function validatePauseReasonName(name: unknown): string {
  return text('name', name, 64);
}

export class PauseReasonCatalogue {
  private readonly clock: Clock;
  constructor(private readonly deps: { db: Db; clock?: Clock }) {
    this.clock = deps.clock ?? systemClock;
  }

  list(): PauseReason[] {
    return (this.deps.db.prepare('SELECT * FROM pause_reasons ORDER BY name').all() as Row[]).map(fromRow);
  }

  get(name: string): PauseReason | undefined {
    const r = this.deps.db.prepare('SELECT * FROM pause_reasons WHERE name = ?').get(name) as Row | undefined;
    return r && fromRow(r);
  }

  add(name: string, statusId: unknown): PauseReason {
    const n = validatePauseReasonName(name);
    const id = int('status_id', statusId, -2147483648, 2147483647);
    const createdAt = this.clock.now();
    try {
      this.deps.db.prepare('INSERT INTO pause_reasons (name, status_id, created_at) VALUES (?, ?, ?)').run(n, id, createdAt);
    } catch (err) {
      if (isUniqueViolation(err)) throw invalid(`pause reason "${n}" already exists`, { field: 'name' });
      throw err;
    }
    return { name: n, statusId: id, createdAt };
  }

  remove(name: string): void {
    const n = typeof name === 'string' ? name.trim() : name;
    const res = this.deps.db.prepare('DELETE FROM pause_reasons WHERE name = ?').run(n);
    if (res.changes === 0) throw notFound(`pause reason "${n}" does not exist`, { pauseReason: n });
  }
}
