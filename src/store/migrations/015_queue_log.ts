import type { Migration } from './index';

/**
 * Where the daemon stopped reading app_queue's queue_log (src/queue-log, native topology): one row
 * per file path, so a new path in the config starts at that file's end. inode tells a rotated file.
 */
export const m015QueueLog: Migration = {
  version: 15,
  name: 'queue_log',
  sql: `
CREATE TABLE queue_log_cursor (
  file    TEXT PRIMARY KEY,
  inode   INTEGER NOT NULL,
  offset  INTEGER NOT NULL
);
`,
};
