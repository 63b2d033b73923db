/**
 * The wallboard's state, built from the /events snapshot and kept current by applying each event
 * (src/api/events.ts protocol). Pure (no DOM): jest tests it with real event shapes.
 *
 * What the events do not carry exactly is re-read rather than guessed: when the waiting callers of a
 * queue no longer add up to the count the daemon reports (`queue.caller` data.waiting), or after an
 * AMI re-sync, `needSnapshot` asks the page to reconnect (a new connection starts with a fresh
 * snapshot). Times are the daemon's (epoch ms); the page adds its clock offset when it ticks.
 */

export interface WbAgent {
  extension: string;
  name: string;
  state: string;
  since: number | null;
  pauseReason: string | null;
  pendingPause: string | null;
  queues: string[];
  currentCallId: string | null;
  wrapupUntil: number | null;
}

export interface WbCall {
  id: string;
  agent: string | null;
  number: string | null;
  queue: string | null;
  state: string;
  answeredAt: number | null;
}

export interface WbCaller {
  /** Asterisk's Uniqueid when an event told it; snapshot callers have none. */
  uniqueid: string | null;
  number: string;
  joinedAt: number;
}

export interface WbQueue {
  queue: string;
  callers: WbCaller[];
  abandoned: number;
  /** Open callback requests left with the queue's exit key (callback id → state), still to be served. */
  callbacks: Map<number, string>;
}

export interface WallboardState {
  seq: number;
  agents: Map<string, WbAgent>;
  calls: Map<string, WbCall>;
  queues: Map<string, WbQueue>;
  /** AMI/ARI links as `system` events last said (null: no news since the snapshot). */
  links: { ami: boolean | null; ari: boolean | null };
}

/** What the page announces (aria-live) after an event. */
export type Change =
  | { kind: 'agent'; extension: string; name: string; from: string; to: string }
  | { kind: 'caller'; queue: string; action: 'join' | 'leave' | 'abandon'; waiting: number }
  | { kind: 'link'; link: 'ami' | 'ari'; up: boolean };

export interface Applied {
  changes: Change[];
  /** The local state can no longer be trusted: reconnect for a fresh snapshot. */
  needSnapshot: boolean;
}

/** Agent states in display order; the queue table counts logged-in agents by these. */
export const AGENT_STATES = ['available', 'ringing', 'on-call', 'wrap-up', 'paused', 'inactive', 'offline'] as const;
const IN_CALL = new Set(['ringing', 'on-call', 'wrap-up']);
const ANSWERED = new Set(['bridging', 'connected', 'on-hold']);

type Obj = Record<string, unknown>;
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const strings = (v: unknown): string[] => list(v).filter((x): x is string => typeof x === 'string');

function agentFrom(a: Obj): WbAgent {
  return {
    extension: String(a.extension ?? ''),
    name: str(a.name) ?? '',
    state: str(a.state) ?? 'offline',
    since: num(a.since),
    pauseReason: str(a.pauseReason),
    pendingPause: str(a.pendingPause),
    queues: strings(a.queues),
    currentCallId: str(a.currentCallId),
    wrapupUntil: num(obj(a.wrapup).deadline),
  };
}

function callFrom(c: Obj): WbCall {
  return { id: String(c.id ?? ''), agent: str(c.agent), number: str(c.number), queue: str(c.queue), state: str(c.state) ?? '', answeredAt: num(c.answeredAt) };
}

/** The state as of a `snapshot` message. */
export function fromSnapshot(snapshot: unknown): WallboardState {
  const s = obj(snapshot);
  const at = num(s.at) ?? 0;
  const state: WallboardState = { seq: num(s.seq) ?? 0, agents: new Map(), calls: new Map(), queues: new Map(), links: { ami: null, ari: null } };
  for (const a of list(s.agents).map(obj)) {
    const agent = agentFrom(a);
    if (agent.extension) state.agents.set(agent.extension, agent);
  }
  for (const c of list(s.calls).map(obj)) {
    const call = callFrom(c);
    if (call.id && call.state !== 'ended') state.calls.set(call.id, call);
  }
  for (const q of list(s.queues).map(obj)) {
    const name = str(q.queue);
    if (!name) continue;
    const callers = list(q.callers)
      .map(obj)
      .map((c): WbCaller => ({ uniqueid: null, number: str(c.number) ?? '', joinedAt: at - (num(c.waitSeconds) ?? 0) * 1000 }));
    const callbacks = new Map<number, string>();
    for (const r of list(q.callbackRequests).map(obj)) {
      const id = num(r.id);
      if (id !== null) callbacks.set(id, str(r.status) ?? 'pending');
    }
    state.queues.set(name, { queue: name, callers, abandoned: num(q.abandoned) ?? 0, callbacks });
  }
  return state;
}

function agentOf(state: WallboardState, ext: string): WbAgent {
  let a = state.agents.get(ext);
  if (!a) {
    // An agent added to the catalogue after the snapshot: known by its extension until the next one.
    a = { extension: ext, name: '', state: 'offline', since: null, pauseReason: null, pendingPause: null, queues: [], currentCallId: null, wrapupUntil: null };
    state.agents.set(ext, a);
  }
  return a;
}

function queueOf(state: WallboardState, name: string): WbQueue {
  let q = state.queues.get(name);
  if (!q) state.queues.set(name, (q = { queue: name, callers: [], abandoned: 0, callbacks: new Map() }));
  return q;
}

/** Applies one event message (mutates `state`). Events already in the snapshot are ignored. */
export function applyEvent(state: WallboardState, message: unknown): Applied {
  const e = obj(message);
  const out: Applied = { changes: [], needSnapshot: false };
  const seq = num(e.seq);
  if (seq !== null) {
    if (seq <= state.seq) return out;
    state.seq = seq;
  }
  const at = num(e.at) ?? Date.now();
  const data = obj(e.data);
  const ext = str(e.agent);
  const type = str(e.type);
  if (type?.startsWith('agent.') && ext) applyAgentEvent(state, type, ext, str(e.callId), data, at, out);
  else if ((type === 'wrapup.started' || type === 'wrapup.ended') && ext) {
    agentOf(state, ext).wrapupUntil = type === 'wrapup.started' ? num(data.deadline) : null;
  } else if (type === 'call.state' || type === 'call.ended') applyCallEvent(state, type, e, data, at);
  else if (type === 'queue.caller') applyCallerEvent(state, str(e.queue), data, at, out);
  else if (type === 'callback.state') applyCallbackEvent(state, str(e.queue), data);
  else if (type === 'system') {
    const link = str(data.link);
    if ((link === 'ami' || link === 'ari') && typeof data.connected === 'boolean') {
      state.links[link] = data.connected;
      out.changes.push({ kind: 'link', link, up: data.connected });
    }
  }
  return out;
}

function applyAgentEvent(state: WallboardState, type: string, ext: string, callId: string | null, data: Obj, at: number, out: Applied): void {
  const a = agentOf(state, ext);
  if (type === 'agent.pause') {
    // A pause after the call is announced when it is applied (agent.state follows); keep the reason.
    a.pauseReason = str(data.reason) ?? a.pauseReason;
    return;
  }
  if (type === 'agent.unpause') {
    a.pauseReason = null;
    a.pendingPause = null;
    return;
  }
  if (type !== 'agent.state') return; // login/logout: their agent.state carries the change
  const to = str(data.state) ?? a.state;
  const from = a.state;
  const reason = str(data.reason);
  // The daemon's rule (src/agents/core.ts): "since" moves with the state or a new pause reason.
  if (to !== from || (to === 'paused' && reason !== null && reason !== a.pauseReason)) a.since = at;
  a.state = to;
  if ('queues' in data) a.queues = strings(data.queues);
  if ('pendingPause' in data) a.pendingPause = str(data.pendingPause);
  if ('pauseReason' in data) a.pauseReason = str(data.pauseReason); // paused now, during a call
  if (to === 'paused') {
    a.pauseReason = reason ?? a.pauseReason;
    a.pendingPause = null;
  } else if (to === 'available' || to === 'offline') {
    a.pauseReason = null;
    a.pendingPause = null;
  }
  if (to === 'offline') {
    a.queues = [];
    a.wrapupUntil = null;
  }
  if (IN_CALL.has(to) && callId && to !== 'wrap-up') a.currentCallId = callId;
  if (!IN_CALL.has(to)) a.currentCallId = null;
  if (to !== from) out.changes.push({ kind: 'agent', extension: ext, name: a.name, from, to });
}

function applyCallEvent(state: WallboardState, type: string, e: Obj, data: Obj, at: number): void {
  const id = str(e.callId);
  if (!id) return;
  if (type === 'call.ended' || data.state === 'ended') {
    const old = state.calls.get(id);
    state.calls.delete(id);
    const ext = old?.agent ?? str(e.agent);
    const a = ext ? state.agents.get(ext) : undefined;
    if (a?.currentCallId === id) a.currentCallId = null;
    return;
  }
  const prev = state.calls.get(id);
  const call: WbCall = {
    id,
    agent: str(e.agent) ?? prev?.agent ?? null,
    number: str(data.number) ?? prev?.number ?? null,
    queue: str(e.queue) ?? prev?.queue ?? null,
    state: str(data.state) ?? prev?.state ?? '',
    answeredAt: prev?.answeredAt ?? null,
  };
  if (call.answeredAt === null && ANSWERED.has(call.state)) call.answeredAt = at;
  state.calls.set(id, call);
  if (call.agent) {
    const a = agentOf(state, call.agent);
    if (a.state !== 'wrap-up') a.currentCallId = id;
  }
}

function applyCallerEvent(state: WallboardState, queue: string | null, data: Obj, at: number, out: Applied): void {
  const action = str(data.action);
  if (action === 'resync' || !queue) {
    // QueueStatus rebuilt the daemon's list after an AMI reconnect: ours may be off.
    if (action === 'resync') out.needSnapshot = true;
    return;
  }
  const q = queueOf(state, queue);
  const uniqueid = str(data.uniqueid);
  const number = str(data.number) ?? '';
  if (action === 'join') {
    q.callers.push({ uniqueid, number, joinedAt: at - (num(data.waitSeconds) ?? 0) * 1000 });
  } else if (action === 'leave' || action === 'abandon') {
    // By Uniqueid; snapshot callers have none, so the oldest one without it and the same number.
    let i = uniqueid ? q.callers.findIndex((c) => c.uniqueid === uniqueid) : -1;
    if (i < 0) i = q.callers.findIndex((c) => c.uniqueid === null && c.number === number);
    if (i < 0) i = q.callers.findIndex((c) => c.uniqueid === null);
    if (i >= 0) q.callers.splice(i, 1);
    if (action === 'abandon') q.abandoned++;
  } else return;
  const waiting = num(data.waiting);
  if (waiting !== null && waiting !== q.callers.length) out.needSnapshot = true;
  out.changes.push({ kind: 'caller', queue, action, waiting: waiting ?? q.callers.length });
}

/** Callback requests from a queue's exit key: open while pending or ringing (src/callbacks/model.ts). */
const OPEN_CALLBACK = new Set(['pending', 'ringing']);

function applyCallbackEvent(state: WallboardState, queue: string | null, data: Obj): void {
  const id = num(data.callbackId);
  // Scheduled callbacks are not queue traffic; only requests left while waiting count here.
  if (!queue || id === null || data.origin !== 'queue') return;
  const q = queueOf(state, queue);
  const st = str(data.state) ?? '';
  if (OPEN_CALLBACK.has(st)) q.callbacks.set(id, st);
  else q.callbacks.delete(id);
}

export interface QueueRow {
  queue: string;
  waiting: number;
  /** Open callback requests (they keep their turn in the queue). */
  callbacks: number;
  longestWaitSeconds: number;
  abandoned: number;
  loggedIn: number;
  byState: Record<string, number>;
}

/** One row per queue (sorted), with the logged-in agents of the queue counted by state. */
export function queueRows(state: WallboardState, now: number): QueueRow[] {
  const names = new Set(state.queues.keys());
  for (const a of state.agents.values()) if (a.state !== 'offline') for (const q of a.queues) names.add(q);
  return [...names].sort().map((name) => {
    const q = state.queues.get(name);
    const callers = q?.callers ?? [];
    const oldest = callers.reduce((m, c) => Math.min(m, c.joinedAt), Infinity);
    const byState: Record<string, number> = {};
    let loggedIn = 0;
    for (const a of state.agents.values()) {
      if (a.state === 'offline' || !a.queues.includes(name)) continue;
      loggedIn++;
      byState[a.state] = (byState[a.state] ?? 0) + 1;
    }
    return {
      queue: name,
      waiting: callers.length,
      callbacks: q?.callbacks.size ?? 0,
      longestWaitSeconds: callers.length ? Math.max(0, Math.floor((now - oldest) / 1000)) : 0,
      abandoned: q?.abandoned ?? 0,
      loggedIn,
      byState,
    };
  });
}

export interface AgentRow {
  extension: string;
  name: string;
  state: string;
  forSeconds: number | null;
  pauseReason: string | null;
  pendingPause: string | null;
  queues: string[];
  call: { id: string; number: string | null; queue: string | null; state: string; talkSeconds: number | null } | null;
  wrapupLeftSeconds: number | null;
  actions: SupervisorAction[];
}

export type SupervisorAction = 'finish-wrapup' | 'pause' | 'unpause' | 'logout';

/** The supervisor actions that make sense for an agent now (the daemon still decides: 409 otherwise). */
export function actionsFor(a: Pick<WbAgent, 'state' | 'pauseReason' | 'pendingPause'>): SupervisorAction[] {
  if (a.state === 'offline') return [];
  const out: SupervisorAction[] = [];
  if (a.state === 'wrap-up') out.push('finish-wrapup');
  const paused = a.state === 'paused' || a.pauseReason !== null;
  if (!paused) out.push('pause');
  if (paused || a.pendingPause !== null) out.push('unpause');
  out.push('logout');
  return out;
}

/** One row per agent, by extension. Offline agents last. */
export function agentRows(state: WallboardState, now: number): AgentRow[] {
  const rows = [...state.agents.values()].map((a): AgentRow => {
    const c = a.currentCallId ? state.calls.get(a.currentCallId) : [...state.calls.values()].find((x) => x.agent === a.extension);
    return {
      extension: a.extension,
      name: a.name,
      state: a.state,
      forSeconds: a.since === null ? null : Math.max(0, Math.floor((now - a.since) / 1000)),
      pauseReason: a.pauseReason,
      pendingPause: a.pendingPause,
      queues: a.queues,
      call: c
        ? { id: c.id, number: c.number, queue: c.queue, state: c.state, talkSeconds: c.answeredAt === null ? null : Math.max(0, Math.floor((now - c.answeredAt) / 1000)) }
        : null,
      wrapupLeftSeconds: a.state === 'wrap-up' && a.wrapupUntil !== null ? Math.max(0, Math.ceil((a.wrapupUntil - now) / 1000)) : null,
      actions: actionsFor(a),
    };
  });
  const offline = (r: AgentRow) => (r.state === 'offline' ? 1 : 0);
  return rows.sort((x, y) => offline(x) - offline(y) || x.extension.localeCompare(y.extension, 'en', { numeric: true }));
}
