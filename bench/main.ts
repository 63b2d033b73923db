/**
 * `npm run bench`: the daemon's CPU per queue call (bench/daemon-per-call.ts) and per AMI event
 * (bench/replay-ami.ts), compared with the budget of docs/CALL-TOPOLOGY.md ("Load"), the RSS
 * cost of /events clients that never read (bench/events-slow-clients.ts), and the time of every
 * report on a generated month (bench/reports.ts). Report only:
 * exit 0 unless --strict and a figure is over budget (exit 1); bad options exit 2.
 * Benchmarks are kept out of `npm test` (jest roots are test/ only) and out of the unit tests.
 */
import os from 'node:os';
import { CcError } from '../src/util/errors';
import { parseArgs, type BenchOptions } from './args';
import { printCalls, runCallsBench, type CallsResult } from './daemon-per-call';
import { BUDGET_MS_PER_CALL, REAL_AMI_EVENTS_PER_CALL, fmt, verdict } from './measure';
import { printEvents, runEventsBench, type EventsResult } from './events-slow-clients';
import { printReplay, runReplayBench, type ReplayResult } from './replay-ami';
import { printReports, runReportsBench, type ReportsResult } from './reports';
import { printSip, runSipBench, SIP_GOALS } from './sip-bench';

const say = (line: string) => console.log(line);

async function main(argv: string[]): Promise<number> {
  let o: BenchOptions;
  try {
    o = parseArgs(argv);
  } catch (err) {
    if (err instanceof CcError) {
      console.error(`bench: ${err.message}`);
      return 2;
    }
    throw err;
  }
  say(`callcenterd benchmark — node ${process.version}, ${os.cpus().length} CPU(s) ${os.cpus()[0]?.model ?? ''}, load avg ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  if (o.asterisk) {
    say('\n== SIP load bench: real Asterisk + SIPp, native app_queue vs callcenterd alternating (bench/sip-bench.ts)');
    const sip = await runSipBench(o, say);
    printSip(sip, say);
    if (o.json) say(JSON.stringify(sip, null, 2));
    const cc = sip.modes.find((m) => m.mode === 'callcenterd');
    const native = sip.modes.find((m) => m.mode === 'native');
    const over =
      sip.modes.some((m) => m.failed > 0) ||
      (cc?.daemonMsPerCall ?? 0) > SIP_GOALS.daemonMsPerCall ||
      (cc && native ? cc.asteriskMsPerCall / native.asteriskMsPerCall > SIP_GOALS.asteriskRatio : false);
    if (o.strict && over) {
      say('\n--strict: over a goal (or failed calls) → exit 1');
      return 1;
    }
    return 0;
  }
  let calls: CallsResult | undefined;
  let replay: ReplayResult | undefined;
  let events: EventsResult | undefined;
  let reports: ReportsResult | undefined;
  if (o.only === 'all' || o.only === 'calls') {
    say('\n== daemon CPU per queue call (daemon in this process, simulator in a child process)');
    calls = await runCallsBench(o, say);
    printCalls(calls, say);
  }
  if (o.only === 'all' || o.only === 'replay') {
    say('\n== AMI replay: real Asterisk 22 captures → AMI parser → daemon AMI handlers (no sockets)');
    replay = await runReplayBench(o, say);
    printReplay(replay, say);
  }
  if (o.only === 'all' || o.only === 'events') {
    say('\n== /events: RSS of the server with clients that never read (server in a child process per scenario)');
    events = await runEventsBench(o, say);
    printEvents(events, say);
  }
  if (o.only === 'all' || o.only === 'reports') {
    say('\n== reports on a generated month (temp SQLite, every kind and grouping; budget 2 s each)');
    reports = await runReportsBench(o, say);
    printReports(reports, say);
  }
  let over = false;
  if (calls) over ||= calls.verdict === 'OVER' || calls.sim.failed > 0;
  if (replay) over ||= replay.verdict === 'OVER';
  if (events) over ||= events.verdict === 'OVER';
  if (reports) over ||= reports.verdict === 'OVER';
  if (calls && replay) {
    // A real Asterisk sends the daemon REAL_AMI_EVENTS_PER_CALL events per call through the shipped
    // filters (the simulator applies none); price any missing ones at the replay's cost per event.
    const missing = Math.max(0, REAL_AMI_EVENTS_PER_CALL - calls.perCall.amiEvents);
    const estimate = calls.perCall.cpuMs + (missing * replay.usPerEvent) / 1000;
    say(`\n== estimate on a real Asterisk: ${fmt(calls.perCall.cpuMs, 3)} ms + ${fmt(missing, 0)} more AMI events × ${fmt(replay.usPerEvent, 2)} µs = ${fmt(estimate, 3)} ms/call (budget ${BUDGET_MS_PER_CALL}: ${verdict(estimate, BUDGET_MS_PER_CALL)})`);
  }
  if (o.json) say(JSON.stringify({ calls, replay, events, reports }, null, 2));
  if (o.strict && over) {
    say('\n--strict: over budget (or failed calls) → exit 1');
    return 1;
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('bench failed:', err instanceof Error ? err.stack : err);
    process.exit(1);
  },
);
