/**
 * Daemon CPU per AMI event on the real event mix: every AMI capture of a real Asterisk 22.10.1
 * (test/fixtures/captures/*.ami.txt) fed as socket-sized chunks through the AMI parser and the
 * daemon's own AMI subscribers (agents/devices, no-answer, calls' AgentCalled, queue monitor), inside
 * a whole daemon (startDaemon with every shipped module) whose links are bench/replay-links.ts.
 * The captures' agents (1000, 1001) are logged in to `support`, so member events reach real state.
 *
 * Run: `npm run bench -- --only replay [--rounds 50]`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfigObject } from '../src/config/load';
import { startDaemon } from '../src/daemon/app';
import { createLogger } from '../src/log/logger';
import type { BenchOptions } from './args';
import { BUDGET_US_PER_AMI_EVENT, countStatementRuns, delta, discardStream, fmt, snapshot, verdict, type Delta } from './measure';
import { ReplayAmi, createIdleAri } from './replay-links';

const ADMIN = 'bench-admin-token-0123456789abcdef';
const CAPTURE_AGENTS = ['1000', '1001', '1002'];

export interface ReplayResult {
  files: number;
  rounds: number;
  eventsPerRound: number;
  handledPerRound: number;
  cpu: Delta;
  usPerEvent: number;
  /** Parser alone on the same bytes (no subscribers), to split parse vs handler cost. */
  parseOnlyUsPerEvent: number;
  actionsPerRound: number;
  handlerErrors: number;
  /** Heaviest event names by time in subscribers (timed pass). */
  breakdown: Array<{ event: string; count: number; usEach: number; sharePct: number }>;
  verdict: 'PASS' | 'OVER';
}

/** test/fixtures/captures of the repo, found upwards from this file (compiled to tmp/bench/bench/). */
export function capturesDir(): string {
  for (let d = __dirname; ; d = path.dirname(d)) {
    const candidate = path.join(d, 'test', 'fixtures', 'captures');
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(d) === d) throw new Error(`test/fixtures/captures not found above ${__dirname}`);
  }
}

/** Frames Asterisk sent in one capture: "### SENT" blocks dropped, CRLF as on the wire. */
export function wireOf(file: string): string {
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
  let out = `${lines[0]}\r\n`; // banner
  let block: string[] = [];
  let skipping = false;
  const flush = () => {
    if (!skipping && block.length) out += `${block.join('\r\n')}\r\n\r\n`;
    block = [];
    skipping = false;
  };
  for (const line of lines.slice(1)) {
    if (line.startsWith('### SENT')) skipping = true;
    else if (line === '') flush();
    else if (!skipping) block.push(line);
  }
  flush();
  return out;
}

/** One session per capture file, cut into 4 KB chunks as a socket would deliver them. */
function sessions(dir: string): Buffer[][] {
  const files = fs.readdirSync(dir).filter((n) => n.endsWith('.ami.txt')).sort();
  if (files.length === 0) throw new Error(`no *.ami.txt captures in ${dir}`);
  return files.map((f) => {
    const bytes = Buffer.from(wireOf(path.join(dir, f)), 'utf8');
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 4096) chunks.push(bytes.subarray(i, i + 4096));
    return chunks;
  });
}

export async function runReplayBench(o: BenchOptions, say: (line: string) => void): Promise<ReplayResult> {
  const input = sessions(capturesDir());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callcenterd-replay-'));
  const ami = new ReplayAmi();
  const config = parseConfigObject(
    {
      asterisk: {
        ari: { url: 'http://127.0.0.1:1', username: 'replay', password: 'replay-secret', app: 'callcenter' },
        ami: { host: '127.0.0.1', port: 1, username: 'replay', secret: 'replay-secret' },
      },
      database: { path: path.join(dir, 'replay.db') },
      api: { listen: '127.0.0.1:0', tokens: [{ token: ADMIN, role: 'admin', name: 'bench' }] },
      log: { level: o.logLevel },
      // Long wrap-up: the replayed calls never fire wrap-up timers inside the measurement.
      policy: { wrapup_seconds: 3600, max_no_answer: 0 },
    },
    {},
    { baseDir: dir },
  );
  const daemon = await startDaemon(config, {
    log: createLogger(o.logLevel, { stream: discardStream() }),
    amiFactory: () => ami,
    ariFactory: (c) => createIdleAri(c.asterisk.ari.app),
  });
  try {
    countStatementRuns(daemon.deps.db);
    const api = async (method: string, p: string, body: unknown) => {
      const res = await fetch(`${daemon.apiUrl}${p}`, {
        method,
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`${method} ${p}: HTTP ${res.status} ${await res.text()}`);
    };
    await api('POST', '/catalogue/queues', { name: 'support' });
    for (const ext of CAPTURE_AGENTS) {
      await api('POST', '/catalogue/agents', { extension: ext, name: `Agent ${ext}`, device: `PJSIP/${ext}`, queues: [{ queue: 'support', penalty: 0 }] });
      await api('POST', `/agents/${ext}/login`, { queues: ['support'] });
    }
    say(`  ${input.length} capture files, agents ${CAPTURE_AGENTS.join(', ')} logged in to support; ${o.rounds} rounds`);

    const replayOnce = () => {
      for (const chunks of input) for (const c of chunks) ami.push(c);
    };
    // Warm-up (JIT); then let promises started by handlers (AMI actions, DB work) settle.
    for (let i = 0; i < 3; i++) replayOnce();
    await new Promise((r) => setTimeout(r, 50));

    const counts0 = { handled: ami.handled, skipped: ami.skipped, actions: ami.actions };
    const before = snapshot(daemon.deps.db);
    for (let i = 0; i < o.rounds; i++) {
      replayOnce();
      // Yield between rounds so asynchronous follow-ups run inside the measurement, as they would live.
      await new Promise((r) => setImmediate(r));
    }
    await new Promise((r) => setTimeout(r, 20));
    const cpu = delta(before, snapshot(daemon.deps.db));
    const handled = (ami.handled - counts0.handled) / o.rounds;
    const events = handled + (ami.skipped - counts0.skipped) / o.rounds;
    const actions = (ami.actions - counts0.actions) / o.rounds;
    const usPerEvent = (cpu.cpuMs * 1000) / (events * o.rounds);

    // Timed pass for the per-event-name breakdown (hrtime around each dispatch; not used for totals).
    ami.timing = new Map();
    for (let i = 0; i < Math.min(o.rounds, 5); i++) replayOnce();
    const timing = ami.timing;
    ami.timing = undefined;
    let totalNs = 0n;
    for (const t of timing.values()) totalNs += t.ns;
    const breakdown = [...timing.entries()]
      .map(([event, t]) => ({ event, count: t.count, usEach: Number(t.ns) / 1000 / t.count, sharePct: totalNs ? (Number(t.ns) * 100) / Number(totalNs) : 0 }))
      .sort((a, b) => b.sharePct - a.sharePct)
      .slice(0, 8);

    return {
      files: input.length,
      rounds: o.rounds,
      eventsPerRound: events,
      handledPerRound: handled,
      cpu,
      usPerEvent,
      parseOnlyUsPerEvent: parseOnly(input, o.rounds),
      actionsPerRound: actions,
      handlerErrors: ami.handlerErrors,
      breakdown,
      verdict: verdict(usPerEvent, BUDGET_US_PER_AMI_EVENT),
    };
  } finally {
    await daemon.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The same bytes through a ReplayAmi with no subscribers: framing + skip only, the floor. */
function parseOnly(input: Buffer[][], rounds: number): number {
  const bare = new ReplayAmi();
  const once = () => {
    for (const chunks of input) for (const c of chunks) bare.push(c);
  };
  for (let i = 0; i < 3; i++) once();
  const n0 = bare.skipped + bare.handled;
  const t0 = process.cpuUsage();
  for (let i = 0; i < rounds; i++) once();
  const cpu = process.cpuUsage(t0);
  return (cpu.user + cpu.system) / (bare.skipped + bare.handled - n0);
}

export function printReplay(r: ReplayResult, say: (line: string) => void): void {
  say(`  ${fmt(r.eventsPerRound, 0)} AMI events per round (${fmt(r.handledPerRound, 0)} reach a daemon subscriber, the rest are split off unparsed)`);
  say(`  CPU ${fmt(r.cpu.cpuMs, 0)} ms for ${fmt(r.eventsPerRound * r.rounds, 0)} events → ${fmt(r.usPerEvent, 2)} µs per event ` +
    `(framing only: ${fmt(r.parseOnlyUsPerEvent, 2)} µs); budget ${fmt(BUDGET_US_PER_AMI_EVENT, 1)} µs/event (1.5 ms / 85 events): ${r.verdict}`);
  say(`  per round: AMI actions sent ${fmt(r.actionsPerRound, 1)}, SQLite write statements ${fmt(r.cpu.writeStatements / r.rounds, 1)}, rows changed ${fmt(r.cpu.rowsChanged / r.rounds, 1)}`);
  if (r.handlerErrors) say(`  WARNING: daemon AMI handlers threw ${r.handlerErrors} times`);
  say('  heaviest events in daemon subscribers (timed pass):');
  for (const b of r.breakdown) say(`    ${b.event.padEnd(22)} ${String(b.count).padStart(6)}×  ${fmt(b.usEach, 2).padStart(7)} µs each  ${fmt(b.sharePct, 0).padStart(3)} %`);
}
