/**
 * The demo's closing table, per agent: calls taken (the daemon's own count, GET /agents: the same
 * number the monitor's CALLS column shows; conference participations and unfinished consults are not
 * calls taken), talk time (from the daemon's call history, GET /history — DESIGN.md: count your own
 * statistics), missed rings, pauses and dispositions (as the supervisor's /events stream saw them).
 */
import type { Narrator } from './narrator';
import { DEMO_AGENTS, type DemoWorld } from './setup';

interface HistoryCall {
  agent: string | null;
  answeredAt: number | null;
  endedAt: number | null;
}

/** Real ms → whole demo minutes (one demo minute = minuteMs real ms): stable from run to run. */
function demoDuration(realMs: number, minuteMs: number): string {
  return `${Math.round(realMs / minuteMs)} min`;
}

interface AgentRow {
  extension: string;
  callsTaken: number;
}

export async function summaryRows(w: DemoWorld, n: Narrator, minuteMs: number): Promise<Record<string, unknown>[]> {
  const { calls } = await w.supervisor.request<{ calls: HistoryCall[] }>('GET', '/history?limit=5000');
  const { agents } = await w.supervisor.request<{ agents: AgentRow[] }>('GET', '/agents');
  return DEMO_AGENTS.map((a) => {
    const taken = agents.find((s) => s.extension === a.extension)?.callsTaken ?? 0;
    const mine = calls.filter((c) => c.agent === a.extension && c.answeredAt !== null);
    const talkMs = mine.reduce((sum, c) => sum + Math.max(0, (c.endedAt ?? c.answeredAt!) - c.answeredAt!), 0);
    const t = n.tally.get(a.extension) ?? { misses: 0, pauses: 0, dispositions: [] };
    return {
      agent: `${a.extension} ${a.name}`,
      calls: taken,
      talk: demoDuration(talkMs, minuteMs),
      misses: t.misses,
      pauses: t.pauses,
      dispositions: t.dispositions.join(', ') || '-',
    };
  });
}
