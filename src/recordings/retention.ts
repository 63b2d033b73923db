/**
 * Daily removal of recording files older than recording.retention_days (rows stay, marked
 * deleted, so the history still says a recording existed and when it was removed).
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from '../log/logger';
import { cronLogger } from '../prank/cleanup';
import type { Clock } from '../util/clock';
import type { RecordingService } from './service';

const DAY_MS = 86_400_000;

/** One retention pass: files of recordings started before now - days are removed. */
export function applyRetention(svc: RecordingService, days: number, clock: Clock, log: Logger): { deleted: number; missing: number } {
  if (days <= 0) return { deleted: 0, missing: 0 };
  const r = svc.purge(clock.now() - days * DAY_MS);
  if (r.deleted > 0) log.info('recordings past retention removed', { ...r, days });
  return r;
}

export function scheduleRetention(svc: RecordingService, days: number, clock: Clock, log: Logger, expression = '17 3 * * *'): ScheduledTask | undefined {
  if (days <= 0) return undefined;
  return cron.schedule(expression, () => void applyRetention(svc, days, clock, log), {
    name: 'recording-retention',
    noOverlap: true,
    logger: cronLogger(log),
    unref: true,
  });
}
