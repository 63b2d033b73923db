/** Records the statements run through Statement#run on a connection, by SQL text (as bench/measure.ts counts them). */
import type { Db } from '../../src/store/db';

export function recordRuns(db: Db): { runs: string[]; restore: () => void } {
  const proto = Object.getPrototypeOf(db.prepare('SELECT 1')) as { run: (...a: unknown[]) => unknown };
  const real = proto.run;
  const runs: string[] = [];
  proto.run = function (this: { source: string }, ...args: unknown[]) {
    runs.push(this.source.replace(/\s+/g, ' ').trim());
    return real.apply(this, args);
  };
  return { runs, restore: () => (proto.run = real) };
}
