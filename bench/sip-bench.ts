/**
 * `npm run bench -- --asterisk`: the SIP load bench. A throwaway real Asterisk (asterisk-conf/ plus
 * bench-only endpoints, bench/sip-conf.ts), SIPp agent phones (ring, answer, RTP echo, hang up after
 * the talk time) and SIPp customers (G.711 µ-law both ways) at a fixed call rate; native app_queue
 * and callcenterd alternate in one run (bench/sip-phase.ts) so both see the same machine load.
 * Prints per mode: calls completed/failed, Asterisk and daemon CPU ms per call, answer-to-connected
 * latency p50/p99, the media check, and the daemon's AMI/ARI/SQLite traffic per call.
 * Without Asterisk or SIPp it says "skipped: ..." and returns (exit 0).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createAmiClient } from '../src/ami/client';
import { createLogger } from '../src/log/logger';
import type { BenchOptions } from './args';
import { discardStream, fmt } from './measure';
import { BenchAsterisk, findAsterisk, freeTcpPorts } from './sip-asterisk';
import { benchConfFiles, uacScenario, uasScenario, ulawTone } from './sip-conf';
import { newSecret, runPhase, type Mode, type PhaseEnv, type PhaseResult } from './sip-phase';
import { schedCountsUnavailable, type SchedCounts } from './sip-sched';
import { findSipp, freeUdpPair, startAgentsUas } from './sip-sipp';

/** Goals of issue 12 (benchmark figures, never tests). */
export const SIP_GOALS = { asteriskRatio: 1.25, daemonMsPerCall: 3, addedP99Ms: 150 };

export interface ModeSummary {
  mode: Mode;
  windows: number;
  calls: number;
  successful: number;
  failed: number;
  asteriskMsPerCall: number;
  daemonMsPerCall?: number;
  daemonIdleMsPerS?: number;
  p50?: number;
  p99?: number;
  latencySamples: number;
  media: PhaseResult['media'];
  perCall?: Record<string, number>;
  amiByName?: Record<string, number>;
  sqlBySource?: Record<string, number>;
  /** --sched-counts per call: of Asterisk, and of the daemon in daemon modes. */
  schedPerCall?: { asterisk: SchedCounts; daemon?: SchedCounts };
}

export interface SipResult {
  skipped?: string;
  asterisk?: string;
  options?: Record<string, unknown>;
  phases: PhaseResult[];
  modes: ModeSummary[];
  maxRate?: Partial<Record<Mode, { rate: number; tried: Array<{ rate: number; failed: number; p99?: number }> }>>;
}

export function pct(sorted: number[], p: number): number | undefined {
  if (!sorted.length) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * `b` ÷ `a` per round (the n-th window of each mode at one rate ran in the same round), with the
 * median: on a shared machine a run's windows drift together, so the within-round ratio is the
 * figure to compare (issue 12 saw 2-round runs disagree by ±10 %).
 */
export function roundRatios(phases: PhaseResult[], a: Mode, b: Mode): { daemon: number[]; asterisk: number[]; median: { daemon?: number; asterisk?: number } } {
  const of = (m: Mode) => phases.filter((p) => p.mode === m);
  const [pa, pb] = [of(a), of(b)];
  const daemon: number[] = [];
  const asterisk: number[] = [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i].rate !== pb[i].rate || !pa[i].calls || !pb[i].calls) continue;
    asterisk.push(pb[i].asteriskCpuMs / pb[i].calls / (pa[i].asteriskCpuMs / pa[i].calls));
    const [da, db] = [pa[i].daemonCpuMs, pb[i].daemonCpuMs];
    if (da !== undefined && db !== undefined) daemon.push(db / pb[i].calls / (da / pa[i].calls));
  }
  const median = (xs: number[]) => (xs.length ? [...xs].sort((x, y) => x - y)[Math.floor((xs.length - 1) / 2)] : undefined);
  return { daemon, asterisk, median: { daemon: median(daemon), asterisk: median(asterisk) } };
}

export function summarize(mode: Mode, ps: PhaseResult[]): ModeSummary {
  const sum = (f: (p: PhaseResult) => number) => ps.reduce((a, p) => a + f(p), 0);
  const calls = sum((p) => p.calls);
  const lat = ps.flatMap((p) => p.latenciesMs).sort((a, b) => a - b);
  const s: ModeSummary = {
    mode,
    windows: ps.length,
    calls,
    successful: sum((p) => p.successful),
    failed: sum((p) => p.failed),
    asteriskMsPerCall: sum((p) => p.asteriskCpuMs) / calls,
    p50: pct(lat, 50),
    p99: pct(lat, 99),
    latencySamples: lat.length,
    media: { ok: sum((p) => p.media.ok), bad: sum((p) => p.media.bad), badSample: ps.flatMap((p) => p.media.badSample).slice(0, 3) },
  };
  if (ps.every((p) => p.daemonCpuMs !== undefined)) {
    s.daemonMsPerCall = sum((p) => p.daemonCpuMs ?? 0) / calls;
    s.daemonIdleMsPerS = sum((p) => p.daemonIdleMsPerS ?? 0) / ps.length;
  }
  if (ps.every((p) => p.counters)) {
    s.perCall = {};
    for (const k of Object.keys(ps[0].counters ?? {}) as Array<keyof NonNullable<PhaseResult['counters']>>) s.perCall[k] = sum((p) => p.counters?.[k] ?? 0) / calls;
  }
  const sched = (who: 'asterisk' | 'daemon'): SchedCounts | undefined =>
    ps.length && ps.every((p) => p.sched?.[who])
      ? { threads: sum((p) => p.sched![who]!.threads) / calls, switches: sum((p) => p.sched![who]!.switches) / calls, syscalls: sum((p) => p.sched![who]!.syscalls) / calls }
      : undefined;
  const ast = sched('asterisk');
  if (ast) s.schedPerCall = { asterisk: ast, daemon: sched('daemon') };
  if (ps.every((p) => p.amiByName)) {
    s.amiByName = {};
    for (const p of ps) for (const [k, v] of Object.entries(p.amiByName ?? {})) s.amiByName[k] = (s.amiByName[k] ?? 0) + v / calls;
    s.sqlBySource = {};
    for (const p of ps) for (const [k, v] of Object.entries(p.sqlBySource ?? {})) s.sqlBySource[k] = (s.sqlBySource[k] ?? 0) + v / calls;
  }
  return s;
}

export async function runSipBench(o: BenchOptions, say: (line: string) => void): Promise<SipResult> {
  const install = findAsterisk();
  const sipp = findSipp();
  if (typeof install === 'string' || !sipp) {
    const why = [typeof install === 'string' ? install : '', sipp ? '' : 'no sipp on PATH (apt-get install sip-tester, or set SIPP_BIN)'].filter(Boolean).join('; ');
    say(`  skipped: ${why}`);
    return { skipped: why, phases: [], modes: [] };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccd-sipbench-run-'));
  const agents = Array.from({ length: o.agents }, (_, i) => String(2000 + i));
  const [http, amiPort, sip, uasPort] = await freeTcpPorts(4);
  const benchAmiSecret = newSecret();
  fs.writeFileSync(path.join(dir, 'uas.xml'), uasScenario(o.ringMs, o.talkMs));
  fs.writeFileSync(path.join(dir, 'tone.ulaw'), ulawTone());
  fs.writeFileSync(path.join(dir, 'uac.xml'), uacScenario(path.join(dir, 'tone.ulaw'), 60000));
  const extra = benchConfFiles({ agents, uasPort, benchAmiSecret });
  let baseline: PhaseEnv['baseline'];
  if (o.baseline) {
    const b = loadBaseline(o.baseline);
    baseline = { entry: b.entry, amiUser: 'callcenterd-base' };
    extra['manager.conf'] += b.managerSection;
  }
  const ast = new BenchAsterisk(install, { http, ami: amiPort, sip }, { ari: newSecret(), ami: newSecret() }, extra);
  const ami = createAmiClient({ host: '127.0.0.1', port: amiPort, username: 'bench', secret: benchAmiSecret, log: createLogger('error', { stream: discardStream() }), bootGraceMs: 2000 });
  const sippDirs = { dir, bin: sipp };
  const uas = startAgentsUas(sippDirs, uasPort, await freeUdpPair());
  const result: SipResult = { phases: [], modes: [] };
  try {
    await ast.start();
    ami.start();
    for (const end = Date.now() + 20000; ami.state !== 'connected'; await new Promise((r) => setTimeout(r, 50))) {
      if (Date.now() > end) throw new Error('bench AMI user not connected after 20 s');
    }
    result.asterisk = (await ast.cli('core show version')).trim().split('\n')[0];
    result.options = { rate: o.rate, calls: o.calls, agents: o.agents, ringMs: o.ringMs, talkMs: o.talkMs, rounds: o.sipRounds, modes: o.modes, logLevel: o.logLevel };
    say(`  ${result.asterisk}; ${sipp}; ${o.agents} agents (SIPp phones: ring ${o.ringMs} ms, RTP echo, hang up after ${o.talkMs} ms); customers send G.711 µ-law`);
    say(`  ${o.sipRounds} round(s) of [${o.modes.join(', ')}], ${o.calls} calls at ${o.rate}/s per window (after a warm-up); temp dir ${ast.dir}`);
    let schedCounts = o.schedCounts;
    const noSched = schedCounts ? schedCountsUnavailable() : '';
    if (noSched) {
      say(`  --sched-counts: skipped, ${noSched}`);
      schedCounts = false;
    }
    const env: PhaseEnv = { ast, ami, sipp: sippDirs, agents, dir, logLevel: o.logLevel, breakdown: o.amiBreakdown, schedCounts, daemonNodeArgs: o.daemonCpuProf ? ['--cpu-prof', `--cpu-prof-dir=${o.daemonCpuProf}`] : [], baseline, queueTopology: o.queueTopology, ariRest: o.ariRest, say };
    for (let round = 1; round <= o.sipRounds; round++) {
      for (const mode of o.modes) {
        const p = await runPhase(env, mode, o.rate, o.calls);
        result.phases.push(p);
        say(`  round ${round} ${phaseLine(p)}`);
        if (p.errors) say(`      sipp: ${p.errors}`);
      }
    }
    result.modes = o.modes.map((m) => summarize(m, result.phases.filter((p) => p.mode === m && p.rate === o.rate)));
    if (o.findMax) {
      result.maxRate = {};
      for (const mode of o.modes) {
        const tried: Array<{ rate: number; failed: number; p99?: number }> = [];
        let best = 0;
        for (let rate = o.rate, step = 0; step < 12; step++, rate += Math.max(2, Math.round(o.rate / 4))) {
          const p = await runPhase(env, mode, rate, Math.max(o.calls, rate * 20));
          const lat = [...p.latenciesMs].sort((a, b) => a - b);
          tried.push({ rate, failed: p.failed, p99: pct(lat, 99) });
          say(`  find-max ${phaseLine(p)}`);
          if (p.errors) say(`      sipp: ${p.errors}`);
          if (p.failed > 0) break;
          best = rate;
        }
        result.maxRate[mode] = { rate: best, tried };
      }
    }
    uas.stop().catch(() => undefined);
    return result;
  } finally {
    await uas.stop();
    await ami.stop().catch(() => undefined);
    await ast.stop();
    if (!process.env.KEEP_ASTERISK_DIR) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The baseline checkout: its compiled bench daemon, and its manager.conf [callcenterd] section as a
 * second AMI user `callcenterd-base` (secret: the run's), so its permissions and event filters apply
 * to its daemon in the same Asterisk.
 */
function loadBaseline(dir: string): { entry: string; managerSection: string } {
  const entry = path.resolve(dir, 'tmp', 'bench', 'bench', 'sip-daemon.js');
  if (!fs.existsSync(entry)) {
    throw new Error(`--baseline ${dir}: ${entry} not found (copy bench/sip-*.ts there and run npx tsc -p tsconfig.bench.json in it; README "Performance")`);
  }
  const conf = fs.readFileSync(path.resolve(dir, 'asterisk-conf', 'manager.conf'), 'utf8');
  const m = /^\[callcenterd\][^\n]*\n([\s\S]*?)(?=^\[|(?![\s\S]))/m.exec(conf);
  if (!m) throw new Error(`--baseline ${dir}: no [callcenterd] section in asterisk-conf/manager.conf`);
  return { entry, managerSection: `\n[callcenterd-base]\n${m[1].replace(/^secret\s*=.*$/m, 'secret = @AMI_SECRET@')}\n` };
}

function phaseLine(p: PhaseResult): string {
  const lat = [...p.latenciesMs].sort((a, b) => a - b);
  return (
    `${p.mode.padEnd(11)} ${p.rate}/s: ${p.calls} calls, ${p.failed} failed; Asterisk ${fmt(p.asteriskCpuMs / p.calls)} ms/call` +
    (p.daemonCpuMs !== undefined ? `, daemon ${fmt(p.daemonCpuMs / p.calls)} ms/call` : '') +
    `; answer→connected p50 ${fmt(pct(lat, 50) ?? NaN, 0)} p99 ${fmt(pct(lat, 99) ?? NaN, 0)} ms (${lat.length}); media ${p.media.ok} ok ${p.media.bad} bad; ${fmt(p.wallMs / 1000, 1)} s`
  );
}

export function printSip(r: SipResult, say: (line: string) => void): void {
  if (r.skipped) return;
  const native = r.modes.find((m) => m.mode === 'native');
  const cc = r.modes.find((m) => m.mode === 'callcenterd');
  say('');
  say('  mode         calls  failed  Asterisk ms/call  daemon ms/call  answer→connected p50 / p99  media (channels sampled: rx&tx / not)');
  for (const m of r.modes) {
    const ratio = native && m !== native ? ` (${fmt(m.asteriskMsPerCall / native.asteriskMsPerCall)}x)` : '';
    say(
      `  ${m.mode.padEnd(12)} ${String(m.calls).padStart(5)}  ${String(m.failed).padStart(6)}  ${(fmt(m.asteriskMsPerCall) + ratio).padEnd(16)}  ${(m.daemonMsPerCall === undefined ? '-' : fmt(m.daemonMsPerCall)).padEnd(14)}  ${`${fmt(m.p50 ?? NaN, 0)} / ${fmt(m.p99 ?? NaN, 0)} ms`.padEnd(26)}  ${m.media.ok} / ${m.media.bad}`,
    );
    for (const b of m.media.badSample) say(`      no media: ${b}`);
  }
  for (const m of r.modes) {
    if (!m.perCall) continue;
    const p = m.perCall;
    say(`  ${m.mode}: daemon idle ${fmt(m.daemonIdleMsPerS ?? NaN)} ms CPU per second with no call (part of its per-call figure at low rates)`);
    say(`  ${m.mode} per call: AMI events in ${fmt(p.amiEvents, 1)}, ARI events in ${fmt(p.ariEvents, 1)}, ARI requests ${fmt(p.ariRequests, 1)} (${fmt(p.ariOverSocket ?? 0, 1)} over the event socket), AMI actions ${fmt(p.amiActions, 1)}, SQLite writes ${fmt(p.sqlWrites, 1)}, commits ${fmt(p.sqlCommits, 1)}`);
    if (m.amiByName) {
      const top = Object.entries(m.amiByName).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${fmt(v, 1)}`);
      say(`    AMI events by name per call: ${top.filter((t) => !t.startsWith('ari:')).join(', ')}`);
      say(`    ARI events by type per call: ${top.filter((t) => t.startsWith('ari:')).map((t) => t.slice(4)).join(', ')}`);
    }
    if (m.sqlBySource) {
      const rows = Object.entries(m.sqlBySource).sort((a, b) => b[1] - a[1]);
      say('    ARI requests per call:');
      for (const [k, v] of rows.filter(([k]) => k.startsWith('ari '))) say(`      ${fmt(v, 2)}  ${k.slice(4)}`);
      say('    SQLite writes per call by statement:');
      for (const [k, v] of rows.filter(([k]) => !k.startsWith('ari '))) say(`      ${fmt(v, 2)}  ${k}`);
    }
  }
  for (const m of r.modes) {
    if (!m.schedPerCall) continue;
    const c = (x: SchedCounts) => `threads started ${fmt(x.threads, 1)}, context switches ${fmt(x.switches, 0)}, system calls ${fmt(x.syscalls, 0)}`;
    say(`  ${m.mode} per call (perf): Asterisk ${c(m.schedPerCall.asterisk)}` + (m.schedPerCall.daemon ? `; daemon ${c(m.schedPerCall.daemon)}` : ''));
  }
  if (cc && r.modes.some((m) => m.mode === 'baseline')) {
    const q = roundRatios(r.phases, 'baseline', 'callcenterd');
    const list = (xs: number[]) => xs.map((x) => fmt(x)).join(', ');
    say(`  callcenterd ÷ baseline per round: daemon ${list(q.daemon)} (median ${fmt(q.median.daemon ?? NaN)}); Asterisk ${list(q.asterisk)} (median ${fmt(q.median.asterisk ?? NaN)})`);
  }
  if (native && cc) {
    const ratio = cc.asteriskMsPerCall / native.asteriskMsPerCall;
    const added = cc.p99 !== undefined && native.p99 !== undefined ? cc.p99 - native.p99 : NaN;
    const v = (ok: boolean) => (ok ? 'PASS' : 'OVER');
    say(
      `  goals: Asterisk with callcenterd ${fmt(ratio)}x native (<= ${SIP_GOALS.asteriskRatio}: ${v(ratio <= SIP_GOALS.asteriskRatio)}); ` +
        `daemon ${fmt(cc.daemonMsPerCall ?? NaN)} ms/call (<= ${SIP_GOALS.daemonMsPerCall}: ${v((cc.daemonMsPerCall ?? Infinity) <= SIP_GOALS.daemonMsPerCall)}); ` +
        `failed ${native.failed + cc.failed} (0: ${v(native.failed + cc.failed === 0)}); added p99 ${fmt(added, 0)} ms (< ${SIP_GOALS.addedP99Ms}: ${v(added < SIP_GOALS.addedP99Ms)})`,
    );
  }
  if (r.maxRate) {
    const o = r.options as { agents: number; ringMs: number; talkMs: number };
    const cap = o.agents / ((o.ringMs + o.talkMs) / 1000);
    say(`  (the agents alone cap the rate at ~${fmt(cap, 0)} calls/s = agents / (ring + talk); beyond it callers queue and, past 60 s, fail: raise --agents to find where Asterisk or the daemon gives out)`);
    for (const [mode, m] of Object.entries(r.maxRate)) {
      say(`  highest rate with 0 failed calls, ${mode}: ${m.rate ? `${m.rate}/s` : 'none of the rates tried'} (tried ${m.tried.map((t) => `${t.rate}/s→${t.failed} failed`).join(', ')})`);
    }
  }
}
