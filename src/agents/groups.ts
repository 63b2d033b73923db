/**
 * Agent groups (tables `agent_groups`, `agent_group_members`, migration 009): named lists of agents a
 * call can be transferred to (`call transfer <call> group:<name>`), rung by the group's strategy
 * (src/transfers/group-strategy.ts). Admin data: the CLI (`callcenterd agent-group ...`) and the
 * /catalogue/agent-groups routes write here; transfers and the directory read it.
 *
 * Not the supervisors' "monitoring groups" (`callcenterd group`, queues watched together).
 */
import type { Db } from '../store/db';
import { int, isUniqueViolation, matches } from '../store/validate';
import { systemClock, type Clock } from '../util/clock';
import { invalid, notFound } from '../util/errors';
import { validateExtension } from './catalogue';

export const GROUP_STRATEGIES = ['simultaneous', 'random', 'sequential'] as const;
export type GroupStrategy = (typeof GROUP_STRATEGIES)[number];

/** Same shape as queue names: it is typed after `group:` in a transfer target. */
export const GROUP_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const GROUP_NAME_RULE = 'must be 1-64 lower-case letters, digits, _ or -, starting with a letter or digit';

export interface AgentGroup {
  name: string;
  strategy: GroupStrategy;
  /** Members in ring order (sequential rings them in this order). */
  agents: string[];
  /** Seconds each member (simultaneous: all of them) rings; null = the transfer ring timeout. */
  ringSeconds: number | null;
  createdAt: number;
}

export interface AgentGroupInput {
  name: string;
  agents: string[];
  strategy?: GroupStrategy;
  ringSeconds?: number | null;
}

export function validateGroupName(name: unknown, field = 'name'): string {
  return matches(field, typeof name === 'string' ? name.trim() : name, GROUP_NAME, GROUP_NAME_RULE).trim();
}

export function validateStrategy(v: unknown, field = 'strategy'): GroupStrategy {
  if (typeof v === 'string' && (GROUP_STRATEGIES as readonly string[]).includes(v)) return v as GroupStrategy;
  throw invalid(`${field}: must be one of ${GROUP_STRATEGIES.join(', ')} (got ${JSON.stringify(v)})`, { field });
}

function validateRingSeconds(v: unknown): number | null {
  return v === undefined || v === null ? null : int('ring_seconds', v, 5, 300);
}

/** At least one agent, each an extension, none twice; order kept (it is the ring order). */
function validateMembers(list: unknown): string[] {
  if (!Array.isArray(list) || list.length === 0) throw invalid('agents: at least one agent extension is required', { field: 'agents' });
  if (list.length > 100) throw invalid('agents: at most 100 agents', { field: 'agents' });
  const out: string[] = [];
  for (const raw of list) {
    const ext = validateExtension(typeof raw === 'string' ? raw.trim() : raw, 'agents');
    if (out.includes(ext)) throw invalid(`agents: ${ext} is listed twice`, { field: 'agents' });
    out.push(ext);
  }
  return out;
}

interface GroupRow {
  name: string;
  strategy: GroupStrategy;
  ring_seconds: number | null;
  created_at: number;
}

export class AgentGroupCatalogue {
  private readonly clock: Clock;
  constructor(private readonly deps: { db: Db; clock?: Clock }) {
    this.clock = deps.clock ?? systemClock;
  }

  list(): AgentGroup[] {
    const rows = this.deps.db.prepare('SELECT * FROM agent_groups ORDER BY name').all() as GroupRow[];
    const members = this.deps.db
      .prepare('SELECT group_name, extension FROM agent_group_members ORDER BY group_name, position')
      .all() as { group_name: string; extension: string }[];
    return rows.map((r) => this.fromRow(r, members.filter((m) => m.group_name === r.name).map((m) => m.extension)));
  }

  get(name: string): AgentGroup | undefined {
    const r = this.deps.db.prepare('SELECT * FROM agent_groups WHERE name = ?').get(typeof name === 'string' ? name.trim() : name) as GroupRow | undefined;
    return r ? this.fromRow(r, this.membersOf(r.name)) : undefined;
  }

  require(name: string): AgentGroup {
    const g = this.get(name);
    if (!g) throw notFound(`agent group ${name} does not exist`, { group: name });
    return g;
  }

  /** Adds the group and its members in one transaction: all or nothing. */
  add(input: AgentGroupInput): AgentGroup {
    const name = validateGroupName(input.name);
    const strategy = validateStrategy(input.strategy ?? 'simultaneous');
    const agents = validateMembers(input.agents);
    const ringSeconds = validateRingSeconds(input.ringSeconds);
    const createdAt = this.clock.now();
    this.deps.db
      .transaction(() => {
        if (this.get(name)) throw invalid(`agent group ${name} already exists`, { field: 'name' });
        try {
          this.deps.db
            .prepare('INSERT INTO agent_groups (name, strategy, ring_seconds, created_at) VALUES (?, ?, ?, ?)')
            .run(name, strategy, ringSeconds, createdAt);
        } catch (err) {
          if (isUniqueViolation(err)) throw invalid(`agent group ${name} already exists`, { field: 'name' });
          throw err;
        }
        this.writeMembers(name, agents);
      })
      .immediate();
    return { name, strategy, agents, ringSeconds, createdAt };
  }

  /** Changes strategy / ring time and, when given, replaces the member list (one transaction). */
  update(name: string, patch: { agents?: string[]; strategy?: GroupStrategy; ringSeconds?: number | null }): AgentGroup {
    const strategy = patch.strategy === undefined ? undefined : validateStrategy(patch.strategy);
    const agents = patch.agents === undefined ? undefined : validateMembers(patch.agents);
    const ringSeconds = patch.ringSeconds === undefined ? undefined : validateRingSeconds(patch.ringSeconds);
    const key = this.require(name).name;
    this.deps.db
      .transaction(() => {
        this.require(key);
        if (strategy !== undefined) this.deps.db.prepare('UPDATE agent_groups SET strategy = ? WHERE name = ?').run(strategy, key);
        if (ringSeconds !== undefined) this.deps.db.prepare('UPDATE agent_groups SET ring_seconds = ? WHERE name = ?').run(ringSeconds, key);
        if (agents !== undefined) {
          this.deps.db.prepare('DELETE FROM agent_group_members WHERE group_name = ?').run(key);
          this.writeMembers(key, agents);
        }
      })
      .immediate();
    return this.require(key);
  }

  remove(name: string): void {
    const key = this.require(name).name;
    this.deps.db.prepare('DELETE FROM agent_groups WHERE name = ?').run(key);
  }

  private membersOf(name: string): string[] {
    return (
      this.deps.db.prepare('SELECT extension FROM agent_group_members WHERE group_name = ? ORDER BY position').all(name) as {
        extension: string;
      }[]
    ).map((r) => r.extension);
  }

  private writeMembers(name: string, agents: string[]): void {
    const exists = this.deps.db.prepare('SELECT 1 FROM agents WHERE extension = ?');
    const insert = this.deps.db.prepare('INSERT INTO agent_group_members (group_name, extension, position) VALUES (?, ?, ?)');
    agents.forEach((ext, i) => {
      // An unknown agent is bad admin input (exit 2), as for `agent add --queues nope`.
      if (!exists.get(ext)) throw invalid(`agents: agent ${ext} does not exist (add it with \`callcenterd agent add ${ext}\`)`, { field: 'agents' });
      insert.run(name, ext, i);
    });
  }

  private fromRow(r: GroupRow, agents: string[]): AgentGroup {
    return { name: r.name, strategy: r.strategy, agents, ringSeconds: r.ring_seconds, createdAt: r.created_at };
  }
}
