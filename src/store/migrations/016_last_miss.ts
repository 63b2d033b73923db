import type { Migration } from './index';

/**
 * When the agent's last counted miss was (src/pause/no-answer.ts): an answer the daemon did not see
 * live, found later in app_queue's queue_log (src/queue-log), resets the misses in a row only when
 * every miss counted came before it. NULL: no miss counted since this column exists.
 */
export const m016LastMiss: Migration = {
  version: 16,
  name: 'agent_runtime_last_miss',
  sql: `
ALTER TABLE agent_runtime ADD COLUMN last_miss_at INTEGER;
`,
};
