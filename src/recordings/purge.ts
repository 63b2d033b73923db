/**
 * Removing old recording files (retention job, `callcenterd recording purge`): the file goes, the
 * row stays, marked `deleted` with the time, so history still shows that a recording existed.
 * Works on the store and the directory only: the CLI runs it without a daemon.
 */
import { invalid } from '../util/errors';
import { nextRecordingState } from './model';
import type { RecordingRepository } from './repository';
import type { RecordingFiles } from './service';

export interface PurgeResult {
  /** Rows marked deleted. */
  deleted: number;
  /** Of those, files that were already gone. */
  missing: number;
}

export function purgeRecordings(repo: RecordingRepository, files: RecordingFiles, before: number, now: number): PurgeResult {
  if (!Number.isFinite(before)) throw invalid('a valid date is required', { field: 'before' });
  if (before > now) throw invalid('--before must not be in the future: recordings still being made would go', { field: 'before' });
  let deleted = 0;
  let missing = 0;
  for (const rec of repo.purgeable(before)) {
    if (!files.remove(rec.file)) missing++;
    repo.setState(rec.id, nextRecordingState(rec.state, 'purge'), { deletedAt: now });
    deleted++;
  }
  return { deleted, missing };
}
