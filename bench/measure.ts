/**
 * Counters shared by the benchmarks: process CPU, event-loop utilisation and SQLite writes of the
 * measured process, and the budget figures from docs/CALL-TOPOLOGY.md ("Load").
 */
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import type { Db } from '../src/store/db';

/** CALL-TOPOLOGY.md: aim for ≤ 1.5 ms of daemon CPU per queue call. */
export const BUDGET_MS_PER_CALL = 1.5;
/** CALL-TOPOLOGY.md: each queue call emits 80–87 AMI events on a real Asterisk 22.10.1 (no filter). */
export const UNFILTERED_AMI_EVENTS_PER_CALL = 85;
/**
 * AMI events per queue call that reach the daemon through the shipped manager.conf whitelist,
 * measured by the SIP bench (`npm run bench -- --asterisk --ami-breakdown`): 7 with AgentComplete, which
 * the native topology reads (45 before the whitelist, 9 while the in-call device and member states
 * still passed, 6 before AgentComplete).
 */
export const REAL_AMI_EVENTS_PER_CALL = 7;
/**
 * The whole per-call budget spread over an unfiltered call's AMI events (the replay captures are
 * unfiltered streams): an upper bound for AMI work alone.
 */
export const BUDGET_US_PER_AMI_EVENT = (BUDGET_MS_PER_CALL * 1000) / UNFILTERED_AMI_EVENTS_PER_CALL;

export const verdict = (value: number, budget: number): 'PASS' | 'OVER' => (value <= budget ? 'PASS' : 'OVER');

/**
 * better-sqlite3 write statements, counted by wrapping Statement#run (the daemon's repositories write
 * with run(); reads use get/all/iterate). better-sqlite3 runs its transaction control (BEGIN, COMMIT,
 * SAVEPOINT, RELEASE) through run() too, so those are in the count; commits are also counted on
 * their own (COMMITs and writes outside a transaction: each one appends to the WAL). One counter for the process:
 * the measured daemon is the only SQLite user in it. The wrapper costs an increment and a compare
 * per statement; `histogram` (diagnostic) also counts and times them by SQL text, reads (get, all,
 * iterate) included.
 */
const CONTROL = /^(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)/;

/** Whether running this statement commits a transaction: a COMMIT, or a write outside BEGIN…COMMIT. */
export function commitsWhenRun(source: string, inTransaction: boolean): boolean {
  return source === 'COMMIT' || (!inTransaction && !CONTROL.test(source));
}
let runCalls = 0;
let commits = 0;
let histogram: Map<string, { runs: number; ns: bigint; cpuUs: number }> | undefined;
let installed = false;
export function countStatementRuns(db: Db, opts: { histogram?: boolean } = {}): void {
  if (opts.histogram) histogram ??= new Map();
  if (installed) return;
  const proto = Object.getPrototypeOf(db.prepare('SELECT 1')) as Record<'run' | 'get' | 'all' | 'iterate', (...a: unknown[]) => unknown>;
  const run = proto.run;
  proto.run = function (this: { source: string; database: Db }, ...args: unknown[]) {
    runCalls++;
    const source = this.source;
    // A write outside BEGIN…COMMIT commits on its own (autocommit): a transaction too.
    if (commitsWhenRun(source, this.database.inTransaction)) commits++;
    return histogram ? timed(source, run, this, args) : run.apply(this, args);
  };
  // Reads are only timed for the histogram (they are not counted as writes).
  for (const m of ['get', 'all', 'iterate'] as const) {
    const read = proto[m];
    proto[m] = function (this: { source: string }, ...args: unknown[]) {
      return histogram ? timed(this.source, read, this, args) : read.apply(this, args);
    };
  }
  installed = true;
}

function timed(source: string, fn: (...a: unknown[]) => unknown, self: unknown, args: unknown[]): unknown {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  try {
    return fn.apply(self, args);
  } finally {
    const c = process.cpuUsage(c0);
    const h = histogram!.get(source) ?? { runs: 0, ns: 0n, cpuUs: 0 };
    h.runs++;
    h.ns += process.hrtime.bigint() - t0;
    h.cpuUs += c.user + c.system;
    histogram!.set(source, h);
  }
}

/**
 * Statements run since countStatementRuns(…, { histogram: true }), by SQL text, most time first,
 * with the wall and CPU time spent in them (process CPU: better-sqlite3 runs on the main thread;
 * the wall time also counts waits, e.g. a checkpoint's fsync).
 */
export function statementHistogram(): Array<{ sql: string; runs: number; ms: number; cpuMs: number }> {
  return [...(histogram ?? new Map<string, { runs: number; ns: bigint; cpuUs: number }>())]
    .map(([sql, h]) => ({ sql: sql.replace(/\s+/g, ' ').trim(), runs: h.runs, ms: Number(h.ns) / 1e6, cpuMs: h.cpuUs / 1000 }))
    .sort((a, b) => b.ms - a.ms);
}

/** Clears the histogram (e.g. after a warm-up). */
export function resetStatementHistogram(): void {
  histogram?.clear();
}

export interface Snapshot {
  cpuUs: number;
  userUs: number;
  systemUs: number;
  wallMs: number;
  elu: EventLoopUtilization;
  runs: number;
  commits: number;
  /** SQLite total_changes(): rows inserted/updated/deleted through this connection. */
  rowsChanged: number;
  heapUsed: number;
}

export function snapshot(db?: Db): Snapshot {
  const cpu = process.cpuUsage();
  return {
    cpuUs: cpu.user + cpu.system,
    userUs: cpu.user,
    systemUs: cpu.system,
    wallMs: performance.now(),
    elu: performance.eventLoopUtilization(),
    runs: runCalls,
    commits,
    rowsChanged: db ? (db.prepare('SELECT total_changes()').pluck().get() as number) : 0,
    heapUsed: process.memoryUsage().heapUsed,
  };
}

export interface Delta {
  cpuMs: number;
  userMs: number;
  systemMs: number;
  wallMs: number;
  /** Share of wall time the event loop was busy (0-1). */
  eventLoopUtilization: number;
  writeStatements: number;
  /** Transactions committed: COMMITs and writes run outside a transaction (autocommit). */
  commits: number;
  rowsChanged: number;
  heapDeltaMb: number;
}

export function delta(a: Snapshot, b: Snapshot): Delta {
  return {
    cpuMs: (b.cpuUs - a.cpuUs) / 1000,
    userMs: (b.userUs - a.userUs) / 1000,
    systemMs: (b.systemUs - a.systemUs) / 1000,
    wallMs: b.wallMs - a.wallMs,
    eventLoopUtilization: performance.eventLoopUtilization(b.elu, a.elu).utilization,
    writeStatements: b.runs - a.runs,
    commits: b.commits - a.commits,
    rowsChanged: b.rowsChanged - a.rowsChanged,
    heapDeltaMb: (b.heapUsed - a.heapUsed) / 1048576,
  };
}

/** A log destination that formats nothing itself and drops what it gets (winston still formats). */
export function discardStream(): Writable {
  return new Writable({
    write(_chunk, _enc, cb) {
      cb();
    },
  });
}

export const fmt = (n: number, digits = 2): string => (Number.isFinite(n) ? n.toFixed(digits) : '-');
