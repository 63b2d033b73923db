/**
 * Who takes a callback. For a named agent: that agent, if logged in and available. For a queue:
 * the queue's next available agent = logged into the queue, available, longest idle.
 *
 * Presence comes from the agents domain (AgentDirectory). "Idle since" is not part of presence, so
 * the picker learns it from the bus: the last time each agent's state became `available`. Agents
 * not seen becoming available since the daemon started count as idle since then (oldest).
 */
import type { AgentDirectory, AgentPresence } from '../daemon/ports';
import type { EventBus } from '../events/bus';
import type { Db } from '../store/db';

export interface AgentPickerDeps {
  directory: Pick<AgentDirectory, 'presence'>;
  db: Db;
  bus: EventBus;
}

export type PickResult = { agent: AgentPresence } | { agent?: undefined; reason: string };

export class AgentPicker {
  private idleSince = new Map<string, number>();
  private unsubscribe?: () => void;

  constructor(private readonly deps: AgentPickerDeps) {}

  start(): void {
    this.unsubscribe = this.deps.bus.subscribe((e) => {
      if (e.type !== 'agent.state' || !e.agent) return;
      if (e.data.state === 'available' && e.data.previous !== 'available') this.idleSince.set(e.agent, e.at);
    });
  }

  stop(): void {
    this.unsubscribe?.();
  }

  /** The named agent if free right now. */
  pickAgent(extension: string, busy: ReadonlySet<string>): PickResult {
    const p = this.deps.directory.presence(extension);
    if (!p) return { reason: `agent ${extension} is not configured` };
    if (!p.loggedIn) return { reason: `agent ${extension} is not logged in` };
    if (busy.has(extension)) return { reason: `agent ${extension} is taking another callback` };
    if (p.state !== 'available') {
      return { reason: `agent ${extension} is ${p.state}${p.pauseReason ? ` (${p.pauseReason})` : ''}` };
    }
    return { agent: p };
  }

  /** The queue's longest-idle available agent, skipping agents already busy with a callback. */
  pickFromQueue(queue: string, busy: ReadonlySet<string>): PickResult {
    const exts = (this.deps.db.prepare('SELECT extension FROM agents ORDER BY extension').all() as {
      extension: string;
    }[]).map((r) => r.extension);
    const free: AgentPresence[] = [];
    for (const ext of exts) {
      if (busy.has(ext)) continue;
      const p = this.deps.directory.presence(ext);
      if (p && p.loggedIn && p.state === 'available' && p.queues.includes(queue)) free.push(p);
    }
    if (free.length === 0) return { reason: `no agent of queue ${queue} is available` };
    free.sort((a, b) => this.idle(a.extension) - this.idle(b.extension) || a.extension.localeCompare(b.extension));
    return { agent: free[0] };
  }

  private idle(ext: string): number {
    return this.idleSince.get(ext) ?? 0;
  }
}
