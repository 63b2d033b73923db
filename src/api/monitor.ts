/**
 * Supervisor monitoring (GET /monitor and `callcenterd monitor`): per queue the waiting callers,
 * the longest wait and the agents by state; per agent its state, since when, the current call and
 * the pause reason. Built on demand from the domains' own state (agents, live calls) and the
 * queue-waiting tracker, so it can never disagree with /agents or /calls.
 */
import { z } from 'zod';
import type { AgentStatus } from '../agents/service';
import type { AgentStateName } from '../daemon/ports';
import type { QueueWaiting } from '../monitor/waiting';
import { notFound } from '../util/errors';
import { MONITOR_AGENT_STATES, monitorAgentSchema, monitorQueueSchema, monitorSchema } from './monitor-schema';
import { route, type RouteDef } from './types';

/** What a live call looks like to the monitor (publicCall() output has these fields). */
export interface MonitorCall {
  id: string;
  agent: string | null;
  number: string | null;
  queue: string | null;
  direction: string;
  kind: string;
  state: string;
  talkSeconds: number;
  durationSeconds: number;
}

export interface MonitorSources {
  now(): number;
  agents(): AgentStatus[];
  calls(): MonitorCall[];
  /** Queue names from the catalogue (reported even when idle). */
  queueNames(): string[];
  waiting(queues: string[]): QueueWaiting[];
  /** Callback requests callers left in each queue, not yet served (src/callbacks). Absent: none. */
  callbackRequests?(): Map<string, { id: number; number: string; queueJoinedAt: number; status: string }[]>;
}

/** A callback request a caller left in the queue (pressed the callback key), oldest place first. */
export interface MonitorCallbackRequest {
  id: number;
  number: string;
  /** pending (waiting for its turn / a free agent) or ringing (an agent is being rung for it). */
  status: string;
  /** Seconds since the caller entered the queue: the place the request keeps. */
  waitSeconds: number;
}

export { MONITOR_AGENT_STATES };

export interface MonitorAgent {
  extension: string;
  name: string;
  state: AgentStateName;
  since: number | null;
  /** Seconds in the current state. */
  forSeconds: number | null;
  pauseReason: string | null;
  pendingPause: string | null;
  queues: string[];
  call: { id: string; number: string | null; queue: string | null; direction: string; state: string; talkSeconds: number } | null;
  callsTaken: number;
  missesInRow: number;
  /** When the wrap-up closes by itself (the safety cap when wrapupLimit is false). */
  wrapupUntil: number | null;
  wrapupSince: number | null;
  /** Seconds in wrap-up so far (supervisors watch the ones without time limit). */
  wrapupSeconds: number | null;
  /** false: the queue has no wrap-up time limit. null when not in wrap-up. */
  wrapupLimit: boolean | null;
}

export interface MonitorQueue extends QueueWaiting {
  /** Logged-in agents of this queue by state (every state present, 0 when none). */
  agents: Record<string, number>;
  loggedIn: number;
  callbackRequests: MonitorCallbackRequest[];
}

export interface MonitorView {
  at: number;
  queues: MonitorQueue[];
  agents: MonitorAgent[];
}

function agentView(a: AgentStatus, calls: MonitorCall[], now: number): MonitorAgent {
  const mine = calls.filter((c) => c.agent === a.extension && c.state !== 'ended');
  const current = mine.find((c) => c.id === a.currentCallId) ?? mine[0];
  return {
    extension: a.extension,
    name: a.name,
    state: a.state,
    since: a.since,
    forSeconds: a.since === null ? null : Math.max(0, Math.floor((now - a.since) / 1000)),
    pauseReason: a.pauseReason,
    pendingPause: a.pendingPause,
    queues: a.queues,
    call: current
      ? { id: current.id, number: current.number, queue: current.queue, direction: current.direction, state: current.state, talkSeconds: current.talkSeconds }
      : null,
    callsTaken: a.callsTaken,
    missesInRow: a.missesInRow,
    wrapupUntil: a.wrapup?.deadline ?? null,
    wrapupSince: a.wrapup?.since ?? null,
    wrapupSeconds: a.wrapup ? Math.max(0, Math.floor((now - a.wrapup.since) / 1000)) : null,
    wrapupLimit: a.wrapup?.limit ?? null,
  };
}

export function buildMonitor(src: MonitorSources): MonitorView {
  const now = src.now();
  const calls = src.calls();
  const agents = src.agents().map((a) => agentView(a, calls, now));
  const requests: ReturnType<NonNullable<MonitorSources['callbackRequests']>> = src.callbackRequests?.() ?? new Map();
  const names = [...new Set([...src.queueNames(), ...requests.keys()])];
  const queues = src.waiting(names).map((w): MonitorQueue => {
    const byState: Record<string, number> = Object.fromEntries(MONITOR_AGENT_STATES.map((s) => [s, 0]));
    let loggedIn = 0;
    for (const a of agents) {
      if (a.state === 'offline' || !a.queues.includes(w.queue)) continue;
      loggedIn++;
      byState[a.state] = (byState[a.state] ?? 0) + 1;
    }
    const callbackRequests = (requests.get(w.queue) ?? []).map((r) => ({
      id: r.id,
      number: r.number,
      status: r.status,
      waitSeconds: Math.max(0, Math.floor((now - r.queueJoinedAt) / 1000)),
    }));
    return { ...w, agents: byState, loggedIn, callbackRequests };
  });
  return { at: now, queues, agents };
}

export function monitorRoutes(src: MonitorSources): RouteDef[] {
  return [
    route({
      method: 'GET',
      path: '/monitor',
      summary: 'Supervisor view: per queue waiting callers, longest wait, agents by state; per agent state, since, call, pause',
      tag: 'monitor',
      roles: ['admin', 'supervisor'],
      response: monitorSchema,
      handler: ({ scope }) => {
        const view = buildMonitor(src);
        if (!scope) return view;
        return { ...view, queues: view.queues.filter((q) => scope.allowsQueue(q.queue)), agents: view.agents.filter((a) => scope.allowsAgent(a.extension)) };
      },
    }),
    route({
      method: 'GET',
      path: '/monitor/queues/:queue',
      summary: 'One queue: waiting callers, longest wait, abandoned, logged-in agents by state',
      tag: 'monitor',
      roles: ['admin', 'supervisor'],
      response: monitorQueueSchema,
      handler: ({ params }) => {
        const q = buildMonitor(src).queues.find((x) => x.queue === params.queue);
        if (!q) throw notFound(`queue ${params.queue} does not exist`, { queue: params.queue });
        return q;
      },
    }),
    route({
      method: 'GET',
      path: '/monitor/agents/:ext',
      summary: 'One agent: state, since when, current call, pause reason (agent tokens: their own)',
      tag: 'monitor',
      roles: ['admin', 'supervisor', 'agent'],
      agentParam: 'ext',
      query: z.object({}).strict(),
      response: monitorAgentSchema,
      handler: ({ params }) => {
        const a = src.agents().find((x) => x.extension === params.ext);
        if (!a) throw notFound(`agent ${params.ext} does not exist`, { agent: params.ext });
        return agentView(a, src.calls(), src.now());
      },
    }),
  ];
}
