/**
 * The queue_log reader in the daemon (backfill.ts): native topology with `asterisk.queue_log` set.
 * Checks every CHECK_MS and shortly after every AMI (re)connect (after the queue re-sync and the
 * native discovery had their turn, so what they record is not written twice).
 */
import { SqlAgentCatalogue } from '../agents/catalogue-port';
import { CallRepo } from '../calls/repo';
import type { DaemonModule, ModuleFactory } from '../daemon/module';
import { StaysRepo } from '../reports/stays-repo';
import type { TimerHandle } from '../util/clock';
import { QueueLogBackfill } from './backfill';

export const CHECK_MS = 15_000;
export const AFTER_CONNECT_MS = 3_000;

export const queueLogFactory: ModuleFactory = (deps, ports): DaemonModule => {
  const { config, db, ami, clock, log: rootLog } = deps;
  const file = config.asterisk.queue_log;
  if (!file || config.asterisk.queue_topology !== 'native') return { name: 'queue-log' };
  const log = rootLog.child({ component: 'queue-log' });
  const catalogue = new SqlAgentCatalogue(db);
  const agentsOfMember = (member: string): string[] => {
    const named = catalogue.agents().filter((a) => a.name === member);
    if (named.length > 0) return named.map((a) => a.extension);
    // A member added without MemberName is logged by its Interface (the device under native).
    const ext = ports.agents?.memberExtension?.(member);
    return ext ? [ext] : [];
  };
  const backfill = new QueueLogBackfill({
    file,
    db,
    calls: new CallRepo({ db, clock }),
    stays: new StaysRepo(db),
    agentsOfMember,
    answeredUnseen: (ext, answer) => ports.agents?.answeredUnseen?.(ext, answer),
    log,
  });
  let timer: TimerHandle | undefined;
  let soon: TimerHandle | undefined;
  let lastError = '';
  /** The check running now: one at a time, and stop() waits for it (it writes to the database). */
  let current: Promise<void> | undefined;
  const guarded = (fn: () => unknown): Promise<void> => (current ??= run(fn).finally(() => (current = undefined)));
  const run = async (fn: () => unknown): Promise<void> => {
    try {
      await fn();
      if (lastError) log.info('queue_log readable again', { file });
      lastError = '';
    } catch (err) {
      const msg = (err as Error).message;
      // Once per distinct error: an unreadable file would otherwise log every 15 s.
      if (msg !== lastError) log.warn('cannot read queue_log: calls that begin and end while AMI is out will be missing from the history', { file, err: msg });
      lastError = msg;
    }
  };
  const check = () => guarded(() => backfill.check(ami.state === 'connected'));
  const loop = () => {
    timer = clock.setTimeout(() => {
      void check();
      loop();
    }, CHECK_MS);
  };
  let offConnected: (() => void) | undefined;
  return {
    name: 'queue-log',
    start() {
      void guarded(() => backfill.init());
      offConnected = ami.onConnected(() => {
        backfill.connected();
        if (soon) clock.clearTimeout(soon);
        soon = clock.setTimeout(() => void check(), AFTER_CONNECT_MS);
      });
      loop();
    },
    async stop() {
      offConnected?.();
      if (timer) clock.clearTimeout(timer);
      if (soon) clock.clearTimeout(soon);
      timer = soon = undefined;
      await current;
    },
    health: () => ({ file, ok: lastError === '', ...(lastError ? { error: lastError } : {}) }),
  };
};
