/**
 * The softphone directory (GET /directory, `callcenterd directory`): who and what a call can be sent
 * to, each entry with the `target` to give `call transfer` / POST /calls/{id}/transfer:
 *   agents    live state from the agents domain (the same as /agents), target = extension
 *   groups    agent groups with how many members are available now, target = group:<name>
 *   queues    catalogue queues with the callers waiting now (src/monitor), target = queue:<name>
 *   services  named 3-digit services, target = extension
 *   contacts  external numbers, target = +<E.164>
 * Built on demand from the domains' own state, so it cannot disagree with /agents or /monitor.
 */
import type { AgentStatus } from '../agents/service';
import type { AgentGroup, GroupStrategy } from '../agents/groups';
import type { AgentStateName } from '../daemon/ports';
import type { QueueWaiting } from '../monitor/waiting';
import type { Contact } from './contacts';
import { matches, parseQuery } from './search';
import type { Service } from './services';

export interface DirectorySources {
  agents(): AgentStatus[];
  groups(): AgentGroup[];
  /** Queue names of the catalogue. */
  queues(): string[];
  /** Waiting callers of those queues (empty when the queue tracker is not mounted). */
  waiting(names: string[]): QueueWaiting[];
  services(): Service[];
  contacts(): Contact[];
}

export interface Directory {
  query: string;
  agents: {
    extension: string;
    name: string;
    state: AgentStateName;
    since: number | null;
    pauseReason: string | null;
    queues: string[];
    available: boolean;
    target: string;
  }[];
  groups: { name: string; strategy: GroupStrategy; agents: string[]; available: number; target: string }[];
  queues: { name: string; waiting: number; longestWaitSeconds: number; target: string }[];
  services: { extension: string; name: string; target: string }[];
  contacts: { name: string; number: string; target: string }[];
}

export function buildDirectory(src: DirectorySources, rawQuery?: string): Directory {
  const q = parseQuery(rawQuery);
  const agents = src.agents();
  const stateOf = new Map(agents.map((a) => [a.extension, a.state]));
  const queueNames = src.queues();
  const waiting = new Map(src.waiting(queueNames).map((w) => [w.queue, w]));
  return {
    query: rawQuery ?? '',
    agents: agents
      .filter((a) => matches(q, { texts: [a.name, a.extension], numbers: [a.extension] }))
      .map((a) => ({
        extension: a.extension,
        name: a.name,
        state: a.state,
        since: a.since,
        pauseReason: a.pauseReason,
        queues: a.queues,
        available: a.state === 'available',
        target: a.extension,
      })),
    groups: src
      .groups()
      .filter((g) => matches(q, { texts: [g.name, `group:${g.name}`] }))
      .map((g) => ({
        name: g.name,
        strategy: g.strategy,
        agents: g.agents,
        available: g.agents.filter((ext) => stateOf.get(ext) === 'available').length,
        target: `group:${g.name}`,
      })),
    queues: queueNames
      .filter((name) => matches(q, { texts: [name, `queue:${name}`] }))
      .map((name) => {
        const w = waiting.get(name);
        return { name, waiting: w?.waiting ?? 0, longestWaitSeconds: w?.longestWaitSeconds ?? 0, target: `queue:${name}` };
      }),
    services: src
      .services()
      .filter((s) => matches(q, { texts: [s.name, s.extension], numbers: [s.extension] }))
      .map((s) => ({ extension: s.extension, name: s.name, target: s.extension })),
    contacts: src
      .contacts()
      .filter((c) => matches(q, { texts: [c.name], numbers: [c.number, c.national] }))
      .map((c) => ({ name: c.name, number: c.number, target: `+${c.number}` })),
  };
}
