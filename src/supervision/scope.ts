/**
 * What a principal may see and act on. Admins, agents (handled by their own extension rules) and
 * supervisor tokens without `groups` are unrestricted here (null). A supervisor token with groups is
 * limited to those groups' queues and the agents in them: agents assigned to one of those queues in
 * the catalogue, or logged into one now. One place decides it; the API server checks path params
 * with it before any handler runs (403 before anything changes) and list handlers filter with it.
 */
import type { Principal } from '../api/types';
import type { Db } from '../store/db';
import { forbidden } from '../util/errors';
import { GroupCatalogue } from './groups';

export class Scope {
  private agentSet?: Set<string>;

  constructor(
    readonly groups: readonly string[],
    readonly queues: ReadonlySet<string>,
    private readonly agentsOf: (queues: ReadonlySet<string>) => Set<string>,
  ) {}

  get agents(): ReadonlySet<string> {
    this.agentSet ??= this.agentsOf(this.queues);
    return this.agentSet;
  }

  allowsQueue(queue: string | null | undefined): boolean {
    return !!queue && this.queues.has(queue);
  }

  allowsAgent(ext: string | null | undefined): boolean {
    return !!ext && this.agents.has(ext);
  }

  /** A call part: its queue is in scope, or (no queue: outbound, direct) its agent is. */
  allowsCall(call: { queue: string | null; agentExt: string | null }): boolean {
    return call.queue ? this.allowsQueue(call.queue) : this.allowsAgent(call.agentExt);
  }

  deny(what: string): Error {
    return forbidden(`this token is limited to monitoring group(s) ${this.groups.join(', ')}: ${what} is outside them`);
  }
}

export class ScopeResolver {
  private readonly groups: GroupCatalogue;

  constructor(private readonly db: Db) {
    this.groups = new GroupCatalogue({ db });
  }

  /** null = no restriction from monitoring groups. */
  of(p: Principal | undefined): Scope | null {
    if (!p || p.role !== 'supervisor' || !p.groups?.length) return null;
    return new Scope(p.groups, this.groups.queuesOfGroups(p.groups), (qs) => this.agentsOf(qs));
  }

  private agentsOf(queues: ReadonlySet<string>): Set<string> {
    const out = new Set<string>();
    if (!queues.size) return out;
    const list = [...queues];
    const marks = list.map(() => '?').join(',');
    for (const r of this.db.prepare(`SELECT DISTINCT extension FROM agent_queues WHERE queue IN (${marks})`).all(...list) as { extension: string }[]) out.add(r.extension);
    for (const r of this.db.prepare('SELECT extension, queues FROM agent_sessions WHERE logout_at IS NULL').all() as { extension: string; queues: string }[]) {
      try {
        if ((JSON.parse(r.queues) as string[]).some((q) => queues.has(q))) out.add(r.extension);
      } catch {
        // a session row we cannot read grants nothing
      }
    }
    return out;
  }
}
