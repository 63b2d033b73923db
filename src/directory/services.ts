/**
 * Service names (table `services`, migration 009): what the 3-digit services of the dialplan's
 * [cc-services] context are called, for the softphone directory (`callcenterd service add 301
 * --name "Segunda via"`). Kept in the catalogue rather than in the config so ops add one without a
 * daemon restart, like queues and agents.
 *
 * The dialplan stays what runs a service: a transfer to a 3-digit target goes to
 * <ext>@asterisk.contexts.services whether or not it has a row here (extensions.conf's `_3XX`
 * catch-all plays "invalid" for numbers it does not know). The row only names it.
 */
import type { Db } from '../store/db';
import { isUniqueViolation, matches, text } from '../store/validate';
import { systemClock, type Clock } from '../util/clock';
import { invalid, notFound } from '../util/errors';

export interface Service {
  extension: string;
  name: string;
  createdAt: number;
}

export function validateServiceExtension(v: unknown, field = 'extension'): string {
  return matches(field, typeof v === 'string' ? v.trim() : v, /^\d{3}$/, 'must be a service number of exactly 3 digits').trim();
}

interface Row {
  extension: string;
  name: string;
  created_at: number;
}

const fromRow = (r: Row): Service => ({ extension: r.extension, name: r.name, createdAt: r.created_at });

export class ServiceCatalogue {
  private readonly clock: Clock;
  constructor(private readonly deps: { db: Db; clock?: Clock }) {
    this.clock = deps.clock ?? systemClock;
  }

  list(): Service[] {
    return (this.deps.db.prepare('SELECT * FROM services ORDER BY extension').all() as Row[]).map(fromRow);
  }

  get(extension: string): Service | undefined {
    const r = this.deps.db.prepare('SELECT * FROM services WHERE extension = ?').get(extension) as Row | undefined;
    return r ? fromRow(r) : undefined;
  }

  add(extension: string, name: string): Service {
    const ext = validateServiceExtension(extension);
    const n = text('name', name, 100);
    const createdAt = this.clock.now();
    try {
      this.deps.db.prepare('INSERT INTO services (extension, name, created_at) VALUES (?, ?, ?)').run(ext, n, createdAt);
    } catch (err) {
      if (isUniqueViolation(err)) throw invalid(`service ${ext} already exists`, { field: 'extension' });
      throw err;
    }
    return { extension: ext, name: n, createdAt };
  }

  /** Renames a service. */
  update(extension: string, name: string): Service {
    const ext = validateServiceExtension(extension);
    const n = text('name', name, 100);
    const r = this.deps.db.prepare('UPDATE services SET name = ? WHERE extension = ?').run(n, ext);
    if (r.changes === 0) throw notFound(`service ${ext} does not exist`, { service: ext });
    return this.get(ext)!;
  }

  remove(extension: string): void {
    const ext = validateServiceExtension(extension);
    const r = this.deps.db.prepare('DELETE FROM services WHERE extension = ?').run(ext);
    if (r.changes === 0) throw notFound(`service ${ext} does not exist`, { service: ext });
  }
}
