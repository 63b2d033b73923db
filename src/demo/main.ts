/**
 * `npm run demo`: the daemon on the built-in simulator, a compressed hour of traffic, a summary.
 * Exit 0 when the story played to the end, 1 (with the reason) otherwise. Nothing to configure: no
 * Asterisk, no config file, a throwaway database.
 */
import { formatRows } from '../cli/output';
import { renderReport, type ReportResult } from '../reports/service';
import { Narrator } from './narrator';
import { clockLabel, MINUTE_MS, playHour, type DemoClock } from './script';
import { createCatalogue, startWorld } from './setup';
import { summaryRows } from './summary';

/**
 * `keep`: after the story, leave the daemon and the simulator running (until SIGINT/SIGTERM) so the
 * supervisor console can be opened at the printed URL (`npm run demo -- --keep`).
 */
export async function runDemo(out: (line: string) => void = (l) => process.stdout.write(`${l}\n`), opts: { keep?: boolean } = {}): Promise<number> {
  const started = Date.now();
  out('callcenterd demo: the daemon on the built-in Asterisk simulator, one compressed hour of traffic');
  out(`(1 demo minute = ${MINUTE_MS} ms; wrap-up window 2 s; an agent is paused after 2 missed calls)`);
  const world = await startWorld();
  const hourStarted = Date.now();
  const clock: DemoClock = { minute: 0 };
  const narrator = new Narrator(out, () => clockLabel(clock));
  try {
    out(`daemon up: API ${world.apiUrl}, AMI + ARI connected to the simulator`);
    await createCatalogue(world);
    out('catalogue: queues support, vendas; agents 1000 Ana, 1001 Bruno, 1002 Carla; pause reasons; dispositions');
    await narrator.connect(world.apiUrl, world.supervisorToken);
    out('supervisor screen connected to /events (snapshot received); live events below');

    const notes = await playHour(world, narrator, clock, out);


    out('');
    out('Summary of the hour (calls taken from agent status, talk time from /history, misses/pauses/dispositions from /events; times in demo minutes)');
    const rows = await summaryRows(world, narrator, MINUTE_MS);
    out(formatRows(rows).trimEnd());
    for (const n of notes) out(`note: ${n}`);
    out('');
    out('Reports of the hour (GET /reports/{kind} as the supervisor; times are real seconds: the hour was compressed)');
    for (const kind of ['quantitative', 'summary'] as const) {
      const r = await world.supervisor.request<ReportResult>('GET', `/reports/${kind}?from=${hourStarted}&to=${Date.now() + 1}`);
      out(renderReport(r, 'table').trimEnd());
      out('');
    }
    out(`supervisor console: ${world.apiUrl}/console/ (log in with the supervisor token ${world.supervisorToken})`);
    out(`demo finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (opts.keep) {
      out('--keep: daemon and simulator stay up for the console; Ctrl-C stops them');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
    } else out('(npm run demo -- --keep leaves the daemon running for the console)');
    return 0;
  } finally {
    narrator.close();
    await world.stop();
  }
}

if (require.main === module) {
  runDemo(undefined, { keep: process.argv.includes('--keep') }).then(
    (code) => process.exit(code),
    (err: Error) => {
      process.stderr.write(`demo failed: ${err.message}\n`);
      process.exit(1);
    },
  );
}
