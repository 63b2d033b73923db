/**
 * Periodic removal of expired blocks. Only housekeeping: `Blocklist.active()` already ignores expired
 * rows, so a missed run never un-expires or over-extends a block.
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from '../log/logger';
import type { Blocklist } from './blocklist';

/** node-cron's Logger shape, routed to our winston logger instead of console. */
export function cronLogger(log: Logger) {
  return {
    info: (m: string) => log.info(m, { component: 'cron' }),
    warn: (m: string) => log.warn(m, { component: 'cron' }),
    error: (m: string | Error, err?: Error) =>
      log.error(String(m instanceof Error ? m.message : m), { component: 'cron', err: err?.message }),
    debug: (m: string | Error, err?: Error) =>
      log.debug(String(m instanceof Error ? m.message : m), { component: 'cron', err: err?.message }),
  };
}

export function scheduleBlocklistCleanup(blocklist: Blocklist, log: Logger, expression = '* * * * *'): ScheduledTask {
  return cron.schedule(
    expression,
    () => {
      const removed = blocklist.purgeExpired();
      if (removed > 0) log.info('expired blocks removed', { removed });
    },
    { name: 'blocklist-cleanup', noOverlap: true, logger: cronLogger(log), unref: true },
  );
}
