import type { Migration } from './index';

/**
 * Indexes over the rows still open, for lookups that run on every call or every reconnect and must
 * not grow with the history (found with EXPLAIN QUERY PLAN on the simulator bench's statements).
 * Owned by src/wrapup, src/recordings and src/reports.
 *
 * - wrapups: "the agent's open wrap-up" (three times per call) searched wrapups_ext by extension and
 *   then read every wrap-up the agent ever had to find the one with ended_at NULL: after a year of
 *   50 calls a day that is ~12,000 rows per lookup. The partial index holds only open ones.
 * - recordings / queue_stays: the lists of open recordings (recovery, /health) and waiting stays
 *   (queue re-sync after every AMI connect) were full table scans.
 */
export const m014OpenRowIndexes: Migration = {
  version: 14,
  name: 'open_row_indexes',
  sql: `
CREATE INDEX wrapups_open_ext ON wrapups(extension) WHERE ended_at IS NULL;
CREATE INDEX recordings_open_id ON recordings(id) WHERE ended_at IS NULL;
CREATE INDEX queue_stays_waiting ON queue_stays(id) WHERE outcome = 'waiting';
`,
};
