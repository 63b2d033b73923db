/**
 * A compressed hour at the contact center (09:00-10:00; one demo minute = MINUTE_MS real ms), played
 * step by step through the simulator (customers calling, phones answering or not, people hanging up)
 * and the daemon's API (agents, supervisor). Each step waits for its outcome on the /events stream
 * before the next one starts, so the story is the same on every run.
 */
import type { ApiClient } from '../cli/api-client';
import type { QueueCallHandle } from '../sim';
import type { Narrator, StreamEvent } from './narrator';
import { DEMO_AGENTS, DEMO_POLICY, type DemoWorld } from './setup';
import { renderMonitor } from '../cli/commands/monitor';
import type { MonitorView } from '../api/monitor';

export const MINUTE_MS = 40;

export interface DemoClock {
  /** Demo minutes since 09:00. */
  minute: number;
}

export function clockLabel(c: DemoClock): string {
  const h = 9 + Math.floor(c.minute / 60);
  return `${String(h).padStart(2, '0')}:${String(c.minute % 60).padStart(2, '0')}`;
}

interface Ctx {
  w: DemoWorld;
  n: Narrator;
  clock: DemoClock;
  say(line: string): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Lets `minutes` of demo time pass. */
async function pass(ctx: Ctx, minutes: number): Promise<void> {
  ctx.clock.minute += minutes;
  await sleep(minutes * MINUTE_MS);
}

function step(ctx: Ctx, minute: number, text: string): void {
  ctx.clock.minute = Math.max(ctx.clock.minute, minute);
  ctx.say('');
  ctx.say(`${clockLabel(ctx.clock)}  ▶ ${text}`);
}

const connectedIn = (queue: string) => (e: StreamEvent) => e.type === 'call.state' && e.data.state === 'connected' && e.queue === queue;
const ofAgent = (type: string, ext: string) => (e: StreamEvent) => e.type === type && e.agent === ext;

interface LiveCallView {
  id: string;
  agent: string;
  channels: { customer: string | null; agent: string | null };
}

/** A queue call from `number`, answered by whoever app_queue picks; returns the call and agent. */
async function answeredCall(ctx: Ctx, queue: string, number: string): Promise<{ h: QueueCallHandle; callId: string; agent: string }> {
  const from = ctx.n.mark();
  const h = ctx.w.sim.placeQueueCall({ queue, callerNumber: number });
  const e = await ctx.n.waitFor(connectedIn(queue), `a ${queue} call to be answered`, { from });
  return { h, callId: e.callId!, agent: e.agent! };
}

async function customerHangsUp(ctx: Ctx, h: QueueCallHandle, agent: string): Promise<void> {
  const from = ctx.n.mark();
  ctx.w.sim.customerHangup(h);
  await ctx.n.waitFor(ofAgent('wrapup.started', agent), `agent ${agent} to start wrap-up`, { from });
}

async function agentHangsUp(ctx: Ctx, callId: string, agent: string): Promise<void> {
  const from = ctx.n.mark();
  const call = await ctx.w.agent(agent).request<LiveCallView>('GET', `/calls/${encodeURIComponent(callId)}`);
  ctx.w.sim.hangupDevice(call.channels.agent!);
  await ctx.n.waitFor(ofAgent('wrapup.started', agent), `agent ${agent} to start wrap-up`, { from });
}

async function dispose(ctx: Ctx, agent: string, disposition: string): Promise<void> {
  const from = ctx.n.mark();
  await ctx.w.agent(agent).request('POST', `/agents/${agent}/wrapup`, { disposition });
  await ctx.n.waitFor(ofAgent('wrapup.ended', agent), `agent ${agent} to finish wrap-up`, { from });
}

async function waitAvailable(ctx: Ctx, agent: string, api: ApiClient = ctx.w.supervisor): Promise<void> {
  const deadline = Date.now() + 8000;
  for (;;) {
    const a = await api.request<{ state: string }>('GET', `/agents/${agent}`);
    if (a.state === 'available') return;
    if (Date.now() > deadline) throw new Error(`demo: agent ${agent} still ${a.state}`);
    await sleep(20);
  }
}

/** Which optional features this build mounts (transfers, conference): checked in /openapi.json. */
export async function features(w: DemoWorld): Promise<{ transfer?: string; conference?: string }> {
  const doc = (await fetch(`${w.apiUrl}/openapi.json`).then((r) => r.json())) as { paths: Record<string, unknown> };
  const paths = Object.keys(doc.paths);
  return {
    transfer: paths.find((p) => /^\/calls\/\{id\}\/transfer/.test(p)),
    conference: paths.find((p) => /^\/calls\/\{id\}\/conference/.test(p)),
  };
}

export async function playHour(w: DemoWorld, n: Narrator, clock: DemoClock, say: (l: string) => void): Promise<string[]> {
  const ctx: Ctx = { w, n, clock, say };
  const notes: string[] = [];

  step(ctx, 0, 'Agents log in from their softphones (agent tokens)');
  for (const a of DEMO_AGENTS) {
    const from = n.mark();
    await w.agent(a.extension).request('POST', `/agents/${a.extension}/login`, { queues: a.queues });
    await n.waitFor(ofAgent('agent.login', a.extension), `agent ${a.extension} to log in`, { from });
  }

  step(ctx, 3, 'A customer calls support; the agent sells and tabulates "Venda"');
  const c1 = await answeredCall(ctx, 'support', '5511988880001');
  await pass(ctx, 6);
  await customerHangsUp(ctx, c1.h, c1.agent);
  await dispose(ctx, c1.agent, 'Venda');

  step(ctx, 12, 'Another support call: hold, mute, DTMF from the softphone, then the agent hangs up');
  const c2 = await answeredCall(ctx, 'support', '5511988880002');
  const api2 = w.agent(c2.agent);
  await pass(ctx, 2);
  let from = n.mark();
  await api2.request('POST', `/calls/${c2.callId}/hold`);
  await n.waitFor((e) => e.type === 'call.state' && e.callId === c2.callId && e.data.state === 'on-hold', 'hold', { from });
  await pass(ctx, 1);
  from = n.mark();
  await api2.request('POST', `/calls/${c2.callId}/unhold`);
  await n.waitFor((e) => e.type === 'call.state' && e.callId === c2.callId && e.data.previous === 'on-hold', 'unhold', { from });
  await api2.request('POST', `/calls/${c2.callId}/mute`);
  await api2.request('POST', `/calls/${c2.callId}/unmute`);
  await api2.request('POST', `/calls/${c2.callId}/dtmf`, { digits: '1234#' });
  say(`         (agent ${c2.agent} muted/unmuted and sent DTMF 1234# to the customer's IVR)`);
  await pass(ctx, 3);
  await agentHangsUp(ctx, c2.callId, c2.agent);
  await dispose(ctx, c2.agent, 'Dúvida resolvida');

  step(ctx, 20, 'Ana goes to lunch; Carla\'s headset is unplugged: vendas calls ring her and nobody answers');
  from = n.mark();
  await w.agent('1000').request('POST', '/agents/1000/pause', { reason: 'Almoço' });
  await n.waitFor(ofAgent('agent.pause', '1000'), 'Ana to pause', { from });
  w.sim.setDevice('PJSIP/1002', { answer: 'never' });
  const from3 = n.mark();
  const h3 = w.sim.placeQueueCall({ queue: 'vendas', callerNumber: '5511977770003' });
  await n.waitFor((e) => ofAgent('agent.pause', '1002')(e) && e.data.auto === true, 'Carla to be paused automatically', { from: from3, timeoutMs: 10_000 });
  await n.waitFor((e) => e.type === 'queue.caller' && e.queue === 'vendas' && e.data.action === 'join', 'the vendas caller to wait', { from: from3 });
  say('');
  say(`${clockLabel(ctx.clock)}  ▶ The supervisor looks at the monitor (GET /monitor, as \`callcenterd monitor\` shows it)`);
  const view = await w.supervisor.request<MonitorView>('GET', '/monitor');
  for (const line of renderMonitor(view).trimEnd().split('\n').slice(2)) say(line ? `         ${line}` : '');

  step(ctx, 26, 'Ana is back from lunch and takes the waiting vendas caller; no disposition: the window closes');
  const from4 = n.mark();
  await w.agent('1000').request('POST', '/agents/1000/unpause');
  const e4 = await n.waitFor(connectedIn('vendas'), 'the waiting vendas call to reach Ana', { from: from4 });
  await pass(ctx, 5);
  await customerHangsUp(ctx, h3, e4.agent!);
  await n.waitFor((e) => ofAgent('wrapup.ended', e4.agent!)(e) && e.data.auto === true, 'the automatic disposition', { timeoutMs: 10_000 });

  step(ctx, 33, 'The supervisor plugs Carla\'s headset back in and unpauses her');
  w.sim.setDevice('PJSIP/1002', { answer: 'auto', answerDelayMs: 150 });
  await w.supervisor.request('POST', '/agents/1002/unpause');
  await waitAvailable(ctx, '1002');

  step(ctx, 36, 'A prank caller: the agent hangs up on them and the number is blocked');
  const c5 = await answeredCall(ctx, 'support', '5511966660666');
  await pass(ctx, 1);
  const from5 = n.mark();
  const p = await w.agent(c5.agent).request<{ blocked: boolean; expiresAt: number | null }>('POST', `/calls/${c5.callId}/prank`);
  if (!p.blocked) throw new Error('demo: the prank number was not blocked');
  say(`         (prank: agent hung up, 5511966660666 blocked until ${clockLabel({ minute: ctx.clock.minute + DEMO_POLICY.prank_block_minutes })})`);
  // A prank needs no after-call work: the daemon closes the wrap-up with the automatic disposition.
  await n.waitFor(ofAgent('wrapup.ended', c5.agent), 'the wrap-up after the prank to close', { from: from5 });
  await waitAvailable(ctx, c5.agent);

  step(ctx, 40, 'The supervisor ends a wrap-up an agent forgot');
  const c6 = await answeredCall(ctx, 'support', '5511955550006');
  await pass(ctx, 4);
  await customerHangsUp(ctx, c6.h, c6.agent);
  const from6 = n.mark();
  await w.supervisor.request('POST', `/agents/${c6.agent}/wrapup/finish`, { disposition: 'Venda' });
  await n.waitFor(ofAgent('wrapup.ended', c6.agent), 'the supervisor to finish the wrap-up', { from: from6 });

  const f = await features(w);
  step(ctx, 47, 'Attended transfer: the agent consults a colleague, then hands the customer over');
  if (f.transfer) await attendedTransfer(ctx);
  else skip(ctx, notes, 'attended transfer: not available in this build (no /calls/{id}/transfer route) — step skipped');

  step(ctx, 52, 'Conference: the agent brings a colleague into the call (3-way)');
  if (f.conference) await conference(ctx);
  else skip(ctx, notes, 'conference: not available in this build (no /calls/{id}/conference route) — step skipped');

  step(ctx, 58, 'End of the hour: agents log out');
  for (const a of DEMO_AGENTS) {
    await waitAvailable(ctx, a.extension);
    await w.agent(a.extension).request('POST', `/agents/${a.extension}/logout`);
  }
  await sleep(50);
  return notes;
}

function skip(ctx: Ctx, notes: string[], note: string): void {
  notes.push(note);
  ctx.say(`         ${note}`);
}

/** An available logged-in agent other than `not` (the supervisor's view decides, as a person would). */
async function colleagueOf(ctx: Ctx, not: string): Promise<string> {
  const { agents } = await ctx.w.supervisor.request<{ agents: { extension: string; state: string }[] }>('GET', '/agents');
  const other = agents.find((a) => a.extension !== not && a.state === 'available');
  if (!other) throw new Error(`demo: no available colleague for agent ${not}`);
  return other.extension;
}

/** Polls a sub-resource (transfer / conference) until its state is one of `states`. */
async function untilState(api: ApiClient, path: string, states: string[], what: string): Promise<string> {
  const deadline = Date.now() + 8000;
  for (;;) {
    const r = await api.request<{ state: string }>('GET', path);
    if (states.includes(r.state)) return r.state;
    if (Date.now() > deadline) throw new Error(`demo: ${what} still ${r.state}`);
    await sleep(20);
  }
}

async function attendedTransfer(ctx: Ctx): Promise<void> {
  const { w, n } = ctx;
  const c = await answeredCall(ctx, 'support', '5511944440007');
  const target = await colleagueOf(ctx, c.agent);
  const api = w.agent(c.agent);
  await pass(ctx, 2);
  await api.request('POST', `/calls/${c.callId}/transfer`, { target });
  ctx.say(`         (agent ${c.agent} puts the customer on hold and calls agent ${target})`);
  await untilState(api, `/calls/${c.callId}/transfer`, ['consulting'], 'the consultation');
  await pass(ctx, 1);
  const from = n.mark();
  await api.request('POST', `/calls/${c.callId}/transfer/complete`);
  await n.waitFor(ofAgent('wrapup.started', c.agent), `agent ${c.agent} to leave the call`, { from });
  ctx.say(`         (transfer completed: the customer now talks to agent ${target})`);
  await dispose(ctx, c.agent, 'Dúvida resolvida');
  await pass(ctx, 2);
  // The transfer made a new call part (its own protocol number) for the target agent.
  const t = await api.request<{ childCallId: string }>('GET', `/calls/${c.callId}/transfer`);
  await agentHangsUp(ctx, t.childCallId, target);
  await dispose(ctx, target, 'Venda');
}

async function conference(ctx: Ctx): Promise<void> {
  const { w } = ctx;
  const c = await answeredCall(ctx, 'support', '5511933330008');
  const colleague = await colleagueOf(ctx, c.agent);
  const api = w.agent(c.agent);
  await pass(ctx, 1);
  await api.request('POST', `/calls/${c.callId}/conference`, { agent: colleague });
  await untilState(api, `/calls/${c.callId}/conference`, ['joined'], 'the conference');
  ctx.say(`         (3-way call: customer, agent ${c.agent} and agent ${colleague})`);
  await pass(ctx, 3);
  const from = ctx.n.mark();
  w.sim.customerHangup(c.h);
  await ctx.n.waitFor(ofAgent('wrapup.started', c.agent), `agent ${c.agent} to start wrap-up`, { from });
  await dispose(ctx, c.agent, 'Venda');
  await waitAvailable(ctx, colleague);
}
