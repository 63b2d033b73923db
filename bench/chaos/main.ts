/**
 * `npm run chaos`: the fault bench on a real Asterisk (README 'Reliability'). A throwaway Asterisk,
 * the daemon as a child process behind two fault proxies, a steady customer load (load.ts); then,
 * one at a time with recovery in between, each fault of faults.ts, the invariants after each
 * (invariants.ts) and a table of figures per fault; optionally a soak (soak.ts).
 * Exit 0 when every invariant holds, 1 when one does not, 2 on bad options, 3 without Asterisk.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CcError } from '../../src/util/errors';
import { findAsterisk } from '../../test/integration/asterisk';
import { HelpRequested, parseChaosArgs, USAGE, type ChaosOptions } from './args';
import { Load } from './load';
import { runSoak } from './soak';
import { ChaosStack } from './stack';

const say = (line: string) => console.log(line);

async function main(argv: string[]): Promise<number> {
  let o: ChaosOptions;
  try {
    o = parseChaosArgs(argv);
  } catch (err) {
    if (err instanceof HelpRequested) {
      say(USAGE);
      return 0;
    }
    if (err instanceof CcError) {
      console.error(`chaos: ${err.message}`);
      return 2;
    }
    throw err;
  }
  const install = findAsterisk();
  if (!install) {
    say('chaos: SKIPPED: no Asterisk binary (set ASTERISK_BIN)');
    return 3;
  }
  say(`callcenterd fault bench — node ${process.version}, ${os.cpus().length} CPU(s), load avg ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  say(`load: ${o.customers === 'trunk' ? 'trunk customers via [cc-inbound]' : 'customers straight into cc-queues'}, queue_topology ${o.topology || 'stand-in (config default)'}, ${o.rate} calls/s, ${o.agents} agents (Local auto-answer), talk ${o.talkMs} ms, wrap-up ${o.wrapupSeconds} s, patience ${o.patienceMs} ms; hold ${o.holdPct} %, transfer ${o.transferPct} %, service ${o.servicePct} %`);
  const probeFile = path.join(os.tmpdir(), `ccd-chaos-probe-${process.pid}.jsonl`);
  fs.rmSync(probeFile, { force: true });
  const { prepareDbDir } = o.faults.includes('disk-full') ? await import('./faults') : { prepareDbDir: undefined };
  const dbDir = prepareDbDir ? await prepareDbDir(say) : undefined;
  const stack = await ChaosStack.start(install, { agents: o.agents, wrapupSeconds: o.wrapupSeconds, topology: o.topology, probeFile: o.soakMinutes ? probeFile : undefined, dbDir: dbDir?.dir, log: say });
  say(`Asterisk ${install.bin}, temp dir ${stack.ast.dir}; daemon log ${stack.daemonLog}`);
  const load = new Load(stack, {
    rate: o.rate,
    talkMs: o.talkMs,
    patienceMs: o.patienceMs,
    hold: o.holdPct / 100,
    transfer: o.transferPct / 100,
    service: o.servicePct / 100,
    path: o.customers,
  });
  let failed = false;
  try {
    if (o.faults.length) {
      const { runFaults } = await import('./faults');
      failed = !(await runFaults(stack, load, o, say, dbDir));
    }
    if (o.soakMinutes) {
      say(`\n== soak: ${o.soakMinutes} min at ${o.rate} calls/s`);
      const r = await runSoak(stack, load, o.soakMinutes, probeFile, say);
      say(`soak ${r.minutes} min, ${r.samples} samples: calls ${r.calls.connected}/${r.calls.offered} connected, ${r.calls.gaveUp} gave up, ${r.calls.failed} failed`);
      say(`  RSS  MiB: first ${r.rssMiB.first}, last ${r.rssMiB.last}, min ${r.rssMiB.min}, max ${r.rssMiB.max}, trend ${r.rssMiB.slopePerHour} MiB/h`);
      say(`  heap MiB: first ${r.heapMiB.first}, last ${r.heapMiB.last}, min ${r.heapMiB.min}, max ${r.heapMiB.max}, trend ${r.heapMiB.slopePerHour} MiB/h`);
      say(`  event-loop lag: mean ${r.lagMs.meanOfMeans} ms, worst p99 ${r.lagMs.worstP99} ms, max ${r.lagMs.max} ms, p99 trend ${r.lagMs.p99SlopePerHour} ms/h`);
      say(`  verdict: ${r.verdict}`);
      if (o.json) say(JSON.stringify(r));
      say(`  samples (kept): ${probeFile}`);
    }
  } finally {
    load.dispose();
    await stack.stop();
    await dbDir?.release();
  }
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('chaos failed:', err instanceof Error ? err.stack : err);
    process.exit(1);
  },
);
