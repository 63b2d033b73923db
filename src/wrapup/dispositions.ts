/**
 * Dispositions (table `dispositions`, migration 001): the tags an agent may give a call in wrap-up.
 */
import type { Db } from '../store/db';
import { isUniqueViolation, text } from '../store/validate';
import { systemClock, type Clock } from '../util/clock';
import { invalid, notFound } from '../util/errors';

export interface Disposition {
  tag: string;
  description: string;
  createdAt: number;
}

interface Row {
  tag: string;
  description: string;
  created_at: number;
}

const fromRow = (r: Row): Disposition => ({ tag: r.tag, description: r.description, createdAt: r.created_at });

export class DispositionCatalogue {
  private readonly clock: Clock;
  constructor(private readonly deps: { db: Db; clock?: Clock }) {
    this.clock = deps.clock ?? systemClock;
  }

  list(): Disposition[] {
    return (this.deps.db.prepare('SELECT * FROM dispositions ORDER BY tag').all() as Row[]).map(fromRow);
  }

  get(tag: string): Disposition | undefined {
    const r = this.deps.db.prepare('SELECT * FROM dispositions WHERE tag = ?').get(tag) as Row | undefined;
    return r && fromRow(r);
  }

  add(tag: string, description: unknown = ''): Disposition {
    const t = text('tag', tag, 64);
    const d = text('description', description ?? '', 255, { allowEmpty: true });
    const createdAt = this.clock.now();
    try {
      this.deps.db.prepare('INSERT INTO dispositions (tag, description, created_at) VALUES (?, ?, ?)').run(t, d, createdAt);
    } catch (err) {
      if (isUniqueViolation(err)) throw invalid(`disposition "${t}" already exists`, { field: 'tag' });
      throw err;
    }
    return { tag: t, description: d, createdAt };
  }

  remove(tag: string): void {
    const t = typeof tag === 'string' ? tag.trim() : tag;
    const res = this.deps.db.prepare('DELETE FROM dispositions WHERE tag = ?').run(t);
    if (res.changes === 0) throw notFound(`disposition "${t}" does not exist`, { disposition: t });
  }
}
