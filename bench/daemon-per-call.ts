/**
 * Daemon CPU per queue call, end to end: the whole daemon (startDaemon, every shipped module, temp
 * SQLite, real AMI/ARI clients, API) in THIS process, the simulator (stand-in for Asterisk) and the
 * customers in a child process (bench/sim-server.ts). So process.cpuUsage() here is the daemon's own
 * CPU: AMI parsing and handlers, ARI events and REST requests, SQLite, the event bus, logging, GC.
 *
 * Each call: the customer enters the queue, app_queue rings an agent's Local member, the leg enters
 * Stasis, the daemon originates the agent's device (auto-answer), answers and bridges, the parties
 * talk `talkMs`, the customer hangs up, the daemon tears down and records the call.
 *
 * Run: `npm run bench -- --only calls [--calls 500 --agents 10 ...]` (see bench/args.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfigObject } from '../src/config/load';
import type { AriLinkInfo } from '../src/ari/client';
import { startDaemon, type DaemonHandle } from '../src/daemon/app';
import { createLogger } from '../src/log/logger';
import type { BenchOptions } from './args';
import {
  BUDGET_MS_PER_CALL,
  countStatementRuns,
  delta,
  discardStream,
  fmt,
  resetStatementHistogram,
  snapshot,
  statementHistogram,
  verdict,
  type Delta,
} from './measure';
import { SimProcess } from './sim-process';
import type { SimRunResult } from './sim-protocol';

const QUEUE = 'support';
const ADMIN = 'bench-admin-token-0123456789abcdef';

export interface CallsResult {
  options: Pick<BenchOptions, 'calls' | 'agents' | 'concurrency' | 'talkMs' | 'answerMs' | 'wrapupSeconds' | 'logLevel' | 'dbMemory'>;
  sim: SimRunResult;
  daemon: Delta;
  /** Calls the daemon recorded as answered and ended during the measured run (from its own DB). */
  recorded: number;
  leftover: { channels: number; bridges: number };
  perCall: {
    cpuMs: number;
    /**
     * The two parts of cpuMs (process.cpuUsage): JavaScript, V8 and libuv in user mode, and the kernel
     * working for this process (socket writes and reads, SQLite's file I/O, epoll). On loopback a
     * socket write also runs the peer's TCP receive path in this process's system time.
     */
    userMs: number;
    systemMs: number;
    amiEvents: number;
    ariEvents: number;
    ariRequests: number;
    /** Of those, sent as RESTRequest frames on the event socket (rest_transport auto/websocket). */
    ariRequestsOverSocket: number;
    amiActions: number;
    writeStatements: number;
    /** Transactions committed (COMMITs and autocommitted writes). */
    commits: number;
    rowsChanged: number;
  };
  /** --sql-histogram: pages written to the WAL per call (checkpoints held off during the run). */
  walFramesPerCall?: number;
  /** --sql-histogram: statements per call by SQL text, and the µs per call spent in them. */
  statements?: Array<{ sql: string; perCall: number; usPerCall: number; cpuUsPerCall: number }>;
  callsPerSecond: number;
  verdict: 'PASS' | 'OVER';
}

export async function runCallsBench(o: BenchOptions, say: (line: string) => void): Promise<CallsResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callcenterd-bench-'));
  const agents = Array.from({ length: o.agents }, (_, i) => String(1000 + i));
  const sim = new SimProcess();
  let daemon: DaemonHandle | undefined;
  try {
    const ready = await sim.init({ agents, queue: QUEUE, answerDelayMs: o.answerMs, queueTimeoutMs: 10000, retryMs: 20 });
    const config = parseConfigObject(
      {
        asterisk: {
          ari: {
            url: ready.ariUrl,
            username: ready.credentials.ari.username,
            password: ready.credentials.ari.password,
            app: ready.app,
            ...(o.ariRest ? { rest_transport: o.ariRest } : {}),
          },
          ami: { host: '127.0.0.1', port: ready.amiPort, username: ready.credentials.ami.username, secret: ready.credentials.ami.secret },
          ...(o.queueTopology ? { queue_topology: o.queueTopology } : {}),
        },
        database: { path: o.dbMemory ? ':memory:' : path.join(dir, 'bench.db') },
        api: { listen: '127.0.0.1:0', tokens: [{ token: ADMIN, role: 'admin', name: 'bench' }] },
        log: { level: o.logLevel },
        // No auto-pause on a miss: a slow ring under load must not take agents out of the run.
        policy: { wrapup_seconds: o.wrapupSeconds, max_no_answer: 0 },
      },
      {},
      { baseDir: dir },
    );
    daemon = await startDaemon(config, { log: createLogger(o.logLevel, { stream: process.env.BENCH_DAEMON_LOG ? fs.createWriteStream(process.env.BENCH_DAEMON_LOG) : discardStream() }) });
    const d = daemon;
    await until(() => d.deps.ami.state === 'connected' && d.deps.ari.connected, 10000, 'daemon links up');
    countStatementRuns(d.deps.db, { histogram: o.sqlHistogram });

    const api = apiClient(d.apiUrl);
    await api('POST', '/catalogue/queues', { name: QUEUE });
    for (const ext of agents) {
      await api('POST', '/catalogue/agents', { extension: ext, name: `Agent ${ext}`, device: `PJSIP/${ext}`, queues: [{ queue: QUEUE, penalty: 0 }] });
      await api('POST', `/agents/${ext}/login`, { queues: [QUEUE] });
    }
    await sim.waitMembers(QUEUE, agents, 10000);
    say(`  ${agents.length} agents logged in; daemon API ${d.apiUrl}`);

    const connectTimeoutMs = 15000 + o.wrapupSeconds * 1000;
    // --queue-topology: trunk customers through [cc-inbound] under that topology; without it they dial
    // straight into Queue(), i.e. the member-leg path (figures comparable with the earlier runs).
    const trunk = o.queueTopology !== '';
    say(`  customers: ${trunk ? `from the trunk through [cc-inbound], queue_topology ${o.queueTopology}` : 'straight into Queue() (member-leg path)'}`);
    // Warm-up: JIT, prepared statements, HTTP keep-alive sockets; not measured.
    const warm = Math.min(o.calls, Math.max(o.concurrency * 2, 20));
    await sim.run({ calls: warm, concurrency: o.concurrency, talkMs: o.talkMs, connectTimeoutMs, trunk });
    await settle(d, sim, o);

    const idAtStart = lastCallRowid(d);
    resetStatementHistogram();
    // --sql-histogram: also count the WAL frames (pages) the run appends; checkpoints are held off
    // meanwhile so the WAL keeps them all (the CPU figure then lacks checkpoint work).
    const walFile = path.join(dir, 'bench.db-wal');
    const wal = o.sqlHistogram && !o.dbMemory;
    if (wal) {
      d.deps.db.pragma('wal_checkpoint(TRUNCATE)');
      d.deps.db.pragma('wal_autocheckpoint = 0');
    }
    const before = snapshot(d.deps.db);
    const ev0 = linkEvents(d);
    const simResult = await sim.run({ calls: o.calls, concurrency: o.concurrency, talkMs: o.talkMs, connectTimeoutMs, trunk });
    const leftover = await settle(d, sim, o);
    const after = snapshot(d.deps.db);
    const ev1 = linkEvents(d);
    // A WAL frame = a 24-byte header + one page; the file starts with a 32-byte header.
    const walFrames = wal ? Math.max(0, fs.statSync(walFile).size - 32) / (24 + (d.deps.db.pragma('page_size', { simple: true }) as number)) : undefined;
    if (wal) d.deps.db.pragma('wal_autocheckpoint = 1000');
    const daemonDelta = delta(before, after);
    const recorded = d.deps.db
      .prepare('SELECT COUNT(*) FROM calls WHERE rowid > ? AND answered_at IS NOT NULL AND ended_at IS NOT NULL')
      .pluck()
      .get(idAtStart) as number;

    const n = o.calls;
    const cpuMs = daemonDelta.cpuMs / n;
    return {
      options: { calls: o.calls, agents: o.agents, concurrency: o.concurrency, talkMs: o.talkMs, answerMs: o.answerMs, wrapupSeconds: o.wrapupSeconds, logLevel: o.logLevel, dbMemory: o.dbMemory },
      sim: simResult,
      daemon: daemonDelta,
      recorded,
      leftover,
      perCall: {
        cpuMs,
        userMs: daemonDelta.userMs / n,
        systemMs: daemonDelta.systemMs / n,
        amiEvents: (ev1.ami - ev0.ami) / n,
        ariEvents: (ev1.ari - ev0.ari) / n,
        ariRequests: simResult.ariRequests / n,
        ariRequestsOverSocket: (ev1.restWs - ev0.restWs) / n,
        amiActions: simResult.amiActions / n,
        writeStatements: daemonDelta.writeStatements / n,
        commits: daemonDelta.commits / n,
        rowsChanged: daemonDelta.rowsChanged / n,
      },
      // Throughput of the closed loop (talk time included), not a saturation figure.
      callsPerSecond: n / (simResult.wallMs / 1000),
      verdict: verdict(cpuMs, BUDGET_MS_PER_CALL),
      ...(walFrames !== undefined ? { walFramesPerCall: walFrames / n } : {}),
      ...(o.sqlHistogram ? { statements: statementHistogram().map((h) => ({ sql: h.sql, perCall: h.runs / n, usPerCall: (h.ms * 1000) / n, cpuUsPerCall: (h.cpuMs * 1000) / n })) } : {}),
    };
  } finally {
    await daemon?.stop();
    await sim.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function printCalls(r: CallsResult, say: (line: string) => void): void {
  const o = r.options;
  const p = r.perCall;
  say(`  ${r.sim.placed} calls: ${r.sim.connected} answered, ${r.sim.failed} failed; the daemon recorded ${r.recorded} answered+ended`);
  for (const f of r.sim.failures) say(`    failure: ${f}`);
  if (r.leftover.channels || r.leftover.bridges) say(`    NOT IDLE after the run: ${r.leftover.channels} channels, ${r.leftover.bridges} bridges left in the simulator`);
  say(`  closed loop: concurrency ${o.concurrency}, talk ${o.talkMs} ms, answer ${o.answerMs} ms, wrap-up ${o.wrapupSeconds} s, log level ${o.logLevel}${o.dbMemory ? ', database in memory (--db-memory: no file I/O)' : ''}`);
  say(`  wall ${fmt(r.sim.wallMs / 1000, 1)} s → ${fmt(r.callsPerSecond, 1)} calls/s (loop throughput, not saturation)`);
  say(`  daemon CPU ${fmt(r.daemon.cpuMs, 0)} ms (user ${fmt(r.daemon.userMs, 0)}, system ${fmt(r.daemon.systemMs, 0)}), event loop busy ${fmt(r.daemon.eventLoopUtilization * 100, 0)} %`);
  say(`  → ${fmt(p.cpuMs, 3)} ms CPU per call   budget ${BUDGET_MS_PER_CALL} ms: ${r.verdict}`);
  say(`    of which user ${fmt(p.userMs, 3)} ms, system (kernel: sockets incl. loopback peer receive, SQLite file I/O) ${fmt(p.systemMs, 3)} ms`);
  say(`  per call: AMI events in ${fmt(p.amiEvents, 1)}, ARI events in ${fmt(p.ariEvents, 1)}, ARI requests out ${fmt(p.ariRequests, 1)} (${fmt(p.ariRequestsOverSocket, 1)} over the event socket), AMI actions out ${fmt(p.amiActions, 1)}`);
  say(`            SQLite write statements ${fmt(p.writeStatements, 1)} (transaction control included), commits ${fmt(p.commits, 1)}, rows changed ${fmt(p.rowsChanged, 1)}`);
  if (r.statements) {
    if (r.walFramesPerCall !== undefined) say(`      WAL frames (pages written) per call ${fmt(r.walFramesPerCall, 1)} (checkpoints held off during this run)`);
    const wall = r.statements.reduce((t, h) => t + h.usPerCall, 0);
    const cpu = r.statements.reduce((t, h) => t + h.cpuUsPerCall, 0);
    say(`      per call: runs, wall µs and CPU µs per statement, reads included (the timing adds its own cost); total ${fmt(wall, 0)} µs wall, ${fmt(cpu, 0)} µs CPU`);
    for (const h of r.statements) {
      say(`      ${fmt(h.perCall, 2).padStart(6)} ${fmt(h.usPerCall, 1).padStart(7)} ${fmt(h.cpuUsPerCall, 1).padStart(7)}  ${h.sql.length > 130 ? h.sql.slice(0, 127) + '...' : h.sql}`);
    }
  }
  say(`  simulator (stand-in for Asterisk, other process): ${fmt(r.sim.simCpuMs / r.sim.placed, 3)} ms CPU per call`);
}

/** Waits until the simulator holds no channel/bridge and the daemon's links have been quiet a moment. */
async function settle(d: DaemonHandle, sim: SimProcess, o: BenchOptions) {
  const leftover = await sim.waitIdle(10000 + o.wrapupSeconds * 1000);
  let last = linkEvents(d);
  for (let quiet = 0; quiet < 3; ) {
    await new Promise((r) => setTimeout(r, 50));
    const now = linkEvents(d);
    quiet = now.ami === last.ami && now.ari === last.ari ? quiet + 1 : 0;
    last = now;
  }
  // Wrap-up timers end after the calls; wait them out so their work falls inside the measurement.
  if (o.wrapupSeconds > 0) await new Promise((r) => setTimeout(r, o.wrapupSeconds * 1000 + 200));
  return leftover;
}

function linkEvents(d: DaemonHandle): { ami: number; ari: number; restWs: number } {
  const restWs = (d.deps.ari.info as AriLinkInfo | undefined)?.restRequests?.websocket ?? 0;
  return { ami: d.deps.ami.info?.eventsReceived ?? 0, ari: d.deps.ari.info?.eventsReceived ?? 0, restWs };
}

function lastCallRowid(d: DaemonHandle): number {
  return (d.deps.db.prepare('SELECT COALESCE(MAX(rowid), 0) FROM calls').pluck().get() as number) ?? 0;
}

function apiClient(base: string) {
  return async (method: string, p: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${base}${p}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${p}: HTTP ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
