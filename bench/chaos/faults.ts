/**
 * The faults of the bench, one at a time under the steady load, with the figures of each:
 *   kill              kill -9 of the daemon, restarted 2 s later (link back = healthz ok again)
 *   ami-cut           AMI socket closed, link down 5 s (proxy refuses), then back
 *   ari-cut           HTTP/ARI (WebSocket and REST) closed, link down 5 s, then back
 *   half-open         both links go silent without a close for 10 s (new connections dead too)
 *   asterisk-restart  `core restart now` (link back = Asterisk fully booted)
 *   db-lock           another writer holds BEGIN EXCLUSIVE on the daemon's DB for 5 s
 *   disk-full         the DB's filesystem (a small tmpfs) is filled for 5 s
 */
import { execFileSync } from 'node:child_process';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChaosOptions, FaultName } from './args';
import { InvariantChecker, problems, type InvariantReport } from './invariants';
import type { Load } from './load';
import { sleep, type ChaosStack } from './stack';

export interface DbDir {
  dir: string;
  release(): Promise<void>;
}

/** A 64 MiB tmpfs for the daemon's DB (disk-full fault); undefined (said why) when mount is not permitted. */
export async function prepareDbDir(say: (l: string) => void): Promise<DbDir | undefined> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccd-chaos-db-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    say(`disk-full: SKIPPED: cannot mount a tmpfs for the DB (${(err as Error).message.split('\n')[0]}); needs root or CAP_SYS_ADMIN`);
    fs.rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  return {
    dir,
    release: async () => {
      try {
        execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      } catch {
        /* already gone */
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface FaultFigures {
  fault: FaultName;
  skipped?: string;
  /** Customers waiting or talking when the fault hit. */
  inFlight: number;
  /** Of those and of the ones arriving until the link was back: gave up, failed or dropped. */
  failed: number;
  offeredInWindow: number;
  recordsLost: number;
  stuckChannels: number;
  /** Seconds from "link back" to the first customer connected after it. */
  flowAgainS: number | null;
  /** Longest gap between two connected customers from the fault to the end of recovery. */
  longestGapS: number;
  faultS: number;
  invariants: string[];
}

interface Injected {
  /** When the link was back (or the resource free again). */
  back: number;
}

async function inject(name: FaultName, stack: ChaosStack, dbDir: DbDir | undefined): Promise<Injected | string> {
  switch (name) {
    case 'kill': {
      await stack.killDaemon();
      await sleep(2000);
      await stack.startDaemon();
      return { back: Date.now() };
    }
    case 'ami-cut': {
      stack.amiProxy.down(5000);
      await sleep(5000);
      return { back: Date.now() };
    }
    case 'ari-cut': {
      stack.httpProxy.down(5000);
      await sleep(5000);
      return { back: Date.now() };
    }
    case 'half-open': {
      stack.amiProxy.blackhole(10_000);
      stack.httpProxy.blackhole(10_000);
      await sleep(10_000);
      return { back: Date.now() };
    }
    case 'asterisk-restart': {
      await stack.restartAsterisk();
      return { back: Date.now() };
    }
    case 'db-lock': {
      const other = new Database(stack.dbPath);
      try {
        other.exec('BEGIN EXCLUSIVE');
        await sleep(5000);
        other.exec('COMMIT');
      } finally {
        other.close();
      }
      return { back: Date.now() };
    }
    case 'disk-full': {
      if (!dbDir) return 'no tmpfs for the DB (see above)';
      const filler = path.join(dbDir.dir, 'filler');
      try {
        // Fill to the last block: writes of the daemon now fail with ENOSPC / SQLITE_FULL.
        execFileSync('sh', ['-c', `dd if=/dev/zero of=${filler} bs=1M 2>/dev/null; dd if=/dev/zero of=${filler}.2 bs=4k 2>/dev/null; true`]);
        await sleep(5000);
      } finally {
        fs.rmSync(filler, { force: true });
        fs.rmSync(`${filler}.2`, { force: true });
      }
      return { back: Date.now() };
    }
  }
}

function connectTimes(load: Load, from: number, to: number): number[] {
  return [...load.customers.values()]
    .map((c) => c.connectedAt)
    .filter((t): t is number => t !== undefined && t >= from && t < to)
    .sort((a, b) => a - b);
}

export async function runFault(name: FaultName, stack: ChaosStack, load: Load, o: ChaosOptions, checker: InvariantChecker, dbDir: DbDir | undefined, say: (l: string) => void): Promise<FaultFigures> {
  // Back to steady state first (the previous fault's backlog served), so figures do not mix.
  const waitStart = Date.now();
  const waiting = () => [...load.customers.values()].filter((c) => c.outcome === 'waiting' && Date.now() - c.at > 2000).length;
  while (waiting() > Math.max(5, o.rate) && Date.now() - waitStart < 120_000) await sleep(1000);
  if (Date.now() - waitStart > 1500) say(`   (waited ${((Date.now() - waitStart) / 1000).toFixed(0)} s for the queue to drain: ${waiting()} waiting > 2 s)`);
  const lateBefore = checker.writtenLate();
  const tFault = Date.now();
  const inFlightIds = [...load.customers.values()].filter((c) => c.outcome === 'waiting' || c.outcome === 'connected').map((c) => c.id);
  say(`\n-- ${name}: ${inFlightIds.length} customers in flight`);
  const r = await inject(name, stack, dbDir);
  if (typeof r === 'string') {
    say(`   skipped: ${r}`);
    return { fault: name, skipped: r, inFlight: inFlightIds.length, failed: 0, offeredInWindow: 0, recordsLost: 0, stuckChannels: 0, flowAgainS: null, longestGapS: 0, faultS: 0, invariants: [] };
  }
  const { back } = r;
  // Healthy again (the daemon reconnects by itself), then recovery time.
  await stack.waitHealthy(120_000).catch((err: Error) => say(`   daemon not healthy: ${err.message}`));
  await sleep(o.settleSeconds * 1000);
  // Channels must be gone within 10 s of the links being back: the checker's age limit covers it.
  const report: InvariantReport = await checker.check(Date.now() - 5000);
  const after = connectTimes(load, back, Date.now());
  const all = connectTimes(load, tFault, Date.now());
  let gap = 0;
  for (let i = 1; i < all.length; i++) gap = Math.max(gap, all[i] - all[i - 1]);
  if (all.length) gap = Math.max(gap, all[0] - tFault);
  const window = new Set(inFlightIds);
  for (const c of load.customers.values()) if (c.at >= tFault && c.at <= back) window.add(c.id);
  let failed = 0;
  for (const id of window) {
    const c = load.customers.get(id)!;
    if (c.outcome === 'gave-up' || c.outcome === 'failed' || c.outcome === 'dropped') failed++;
  }
  const fig: FaultFigures = {
    fault: name,
    inFlight: inFlightIds.length,
    failed,
    offeredInWindow: window.size,
    recordsLost: report.recordsLost.length,
    stuckChannels: report.stuckChannels.length + report.stuckBridges.length,
    flowAgainS: after.length ? Math.max(0, (after[0] - back) / 1000) : null,
    longestGapS: gap / 1000,
    faultS: (back - tFault) / 1000,
    invariants: problems(report),
  };
  const late = checker.writtenLate();
  say(`   parts written after the fact: ${Object.entries(late).map(([k, v]) => `${k} ${v - lateBefore[k as keyof typeof late]}`).join(', ')}`);
  say(`   fault ${fig.faultS.toFixed(1)} s; failed ${failed}/${window.size} in window; flow again ${fig.flowAgainS === null ? 'NEVER' : fig.flowAgainS.toFixed(1) + ' s'} after link back; longest gap ${fig.longestGapS.toFixed(1)} s`);
  say(fig.invariants.length ? `   INVARIANTS BROKEN: ${fig.invariants.join(' | ')}` : '   invariants: all hold');
  return fig;
}

export function printTable(figs: FaultFigures[], say: (l: string) => void): void {
  say('\n| fault | in flight | failed in window | records lost | stuck channels | flow again after link back | longest gap | invariants |');
  say('|---|---|---|---|---|---|---|---|');
  for (const f of figs) {
    if (f.skipped) {
      say(`| ${f.fault} | skipped: ${f.skipped} | | | | | | |`);
      continue;
    }
    say(`| ${f.fault} | ${f.inFlight} | ${f.failed} of ${f.offeredInWindow} | ${f.recordsLost} | ${f.stuckChannels} | ${f.flowAgainS === null ? 'never' : f.flowAgainS.toFixed(1) + ' s'} | ${f.longestGapS.toFixed(1)} s | ${f.invariants.length ? f.invariants.join('; ') : 'hold'} |`);
  }
}

/** Runs the faults in order under the load; true when every invariant held. */
export async function runFaults(stack: ChaosStack, load: Load, o: ChaosOptions, say: (l: string) => void, dbDir?: DbDir): Promise<boolean> {
  const maxCall = (o.patienceMs * 2 + o.talkMs * 2) / 1000 + 20;
  const checker = new InvariantChecker(stack, load, maxCall);
  load.start();
  say(`warm-up ${o.warmupSeconds} s`);
  await sleep(o.warmupSeconds * 1000);
  const base = await checker.check(Date.now() - 5000);
  say(problems(base).length ? `baseline INVARIANTS BROKEN: ${problems(base).join(' | ')}` : 'baseline: invariants hold');
  const figs: FaultFigures[] = [];
  for (const f of o.faults) figs.push(await runFault(f, stack, load, o, checker, dbDir, say));
  load.stop();
  say('\nload stopped; draining');
  await load.drain(o.patienceMs + o.talkMs + 10_000);
  await sleep(o.wrapupSeconds * 1000 + 5000);
  const end = await checker.check(Date.now(), { quiet: true });
  const agents = (await stack.ok('GET', '/agents')).agents as { extension: string; state: string }[];
  const notFree = agents.filter((a) => a.state !== 'available');
  const w = load.window(0, Date.now());
  say(`\nend: ${w.connected}/${w.offered} customers connected, ${w.gaveUp} gave up, ${w.failed} failed; action errors ${load.actionErrors}`);
  say(notFree.length ? `agents not available at the end: ${notFree.map((a) => `${a.extension} ${a.state}`).join(', ')}` : `all ${agents.length} agents available at the end`);
  for (const a of notFree.slice(0, 3)) {
    const st = await stack.ok('GET', `/agents/${a.extension}`);
    const call = st.currentCallId ? await stack.api('GET', `/calls/${st.currentCallId}`) : undefined;
    say(`  ${a.extension}: ${JSON.stringify({ state: st.state, since: st.since, currentCallId: st.currentCallId, call: call?.body })}`.slice(0, 3000));
  }
  const errs = new Map<string, number>();
  for (const c of load.customers.values()) if (c.actionError) errs.set(`${c.action}: ${c.actionError}`, (errs.get(`${c.action}: ${c.actionError}`) ?? 0) + 1);
  for (const [e, n] of [...errs].sort((x, y) => y[1] - x[1]).slice(0, 8)) say(`  action error x${n}: ${e}`);
  const endProblems = problems(end);
  say(endProblems.length ? `end INVARIANTS BROKEN: ${endProblems.join(' | ')}` : 'end: invariants hold');
  printTable(figs, say);
  if (o.json) say(JSON.stringify({ faults: figs, end: endProblems }));
  return endProblems.length === 0 && notFree.length === 0 && figs.every((f) => f.invariants.length === 0);
}
