/**
 * Monitoring groups (migration 007): named sets of queues a supervisor is responsible for. The admin
 * CLI (`callcenterd group add|update|list|remove`) and /catalogue/groups share this repository.
 */
import type { Db } from '../store/db';
import { systemClock, type Clock } from '../util/clock';
import { invalid, notFound } from '../util/errors';

export interface MonitoringGroup {
  name: string;
  queues: string[];
  createdAt: number;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

function validName(name: unknown): string {
  const n = typeof name === 'string' ? name.trim() : '';
  if (!NAME.test(n)) throw invalid(`group name must be 1-64 letters, digits, _ . or -, starting with a letter or digit (got ${JSON.stringify(name)})`, { field: 'name' });
  return n;
}

export class GroupCatalogue {
  private readonly clock: Clock;
  constructor(private readonly deps: { db: Db; clock?: Clock }) {
    this.clock = deps.clock ?? systemClock;
  }

  list(): MonitoringGroup[] {
    const rows = this.deps.db.prepare('SELECT name, created_at AS createdAt FROM monitoring_groups ORDER BY name').all() as { name: string; createdAt: number }[];
    return rows.map((r) => ({ ...r, queues: this.queuesOf(r.name) }));
  }

  get(name: string): MonitoringGroup | undefined {
    const r = this.deps.db.prepare('SELECT name, created_at AS createdAt FROM monitoring_groups WHERE name = ?').get(name) as { name: string; createdAt: number } | undefined;
    return r && { ...r, queues: this.queuesOf(r.name) };
  }

  /** Queues of the named groups (unknown names contribute nothing). */
  queuesOfGroups(names: readonly string[]): Set<string> {
    if (!names.length) return new Set();
    const rows = this.deps.db
      .prepare(`SELECT DISTINCT queue FROM monitoring_group_queues WHERE group_name IN (${names.map(() => '?').join(',')})`)
      .all(...names) as { queue: string }[];
    return new Set(rows.map((r) => r.queue));
  }

  add(name: string, queues: string[]): MonitoringGroup {
    const n = validName(name);
    const qs = this.validQueues(queues);
    const { db } = this.deps;
    db.transaction(() => {
      if (this.get(n)) throw invalid(`group ${n} already exists`, { field: 'name' });
      db.prepare('INSERT INTO monitoring_groups (name, created_at) VALUES (?, ?)').run(n, this.clock.now());
      for (const q of qs) db.prepare('INSERT INTO monitoring_group_queues (group_name, queue) VALUES (?, ?)').run(n, q);
    })();
    return this.get(n)!;
  }

  update(name: string, queues: string[]): MonitoringGroup {
    const g = this.require(name);
    const qs = this.validQueues(queues);
    const { db } = this.deps;
    db.transaction(() => {
      db.prepare('DELETE FROM monitoring_group_queues WHERE group_name = ?').run(g.name);
      for (const q of qs) db.prepare('INSERT INTO monitoring_group_queues (group_name, queue) VALUES (?, ?)').run(g.name, q);
    })();
    return this.get(g.name)!;
  }

  remove(name: string): void {
    const g = this.require(name);
    this.deps.db.transaction(() => {
      this.deps.db.prepare('DELETE FROM monitoring_group_queues WHERE group_name = ?').run(g.name);
      this.deps.db.prepare('DELETE FROM monitoring_groups WHERE name = ?').run(g.name);
    })();
  }

  require(name: string): MonitoringGroup {
    const g = this.get(name);
    if (!g) throw notFound(`group ${name} does not exist`, { group: name });
    return g;
  }

  private queuesOf(name: string): string[] {
    return (this.deps.db.prepare('SELECT queue FROM monitoring_group_queues WHERE group_name = ? ORDER BY queue').all(name) as { queue: string }[]).map((r) => r.queue);
  }

  private validQueues(queues: string[]): string[] {
    const qs = [...new Set((queues ?? []).map((q) => String(q).trim()).filter(Boolean))];
    if (!qs.length) throw invalid('a group needs at least one queue (--queues a,b)', { field: 'queues' });
    const known = new Set((this.deps.db.prepare('SELECT name FROM queues').all() as { name: string }[]).map((r) => r.name));
    const unknown = qs.filter((q) => !known.has(q));
    if (unknown.length) throw invalid(`unknown queue(s): ${unknown.join(', ')} (add them with \`queue add\` first)`, { field: 'queues' });
    return qs;
  }
}
