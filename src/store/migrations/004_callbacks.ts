import type { Migration } from './index';

/**
 * Scheduled callbacks. Owned by src/callbacks. Exactly one of agent_ext / queue is set: a callback
 * for a named agent, or for whichever agent of the queue is free (longest idle) at due time.
 */
export const m004Callbacks: Migration = {
  version: 4,
  name: 'callbacks',
  sql: `
CREATE TABLE callbacks (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  agent_ext   TEXT,
  queue       TEXT,
  number      TEXT NOT NULL,               -- national digits, validated by src/dialing/number.ts
  ddi         TEXT NOT NULL,               -- country code (DDI) the number belongs to
  at          INTEGER NOT NULL,            -- due time asked for, ms since epoch
  next_at     INTEGER NOT NULL,            -- when the scheduler tries next (at, then retries)
  status      TEXT NOT NULL DEFAULT 'pending'
              CHECK (status IN ('pending', 'ringing', 'done', 'failed', 'cancelled')),
  attempts    INTEGER NOT NULL DEFAULT 0,
  call_id     TEXT,                        -- protocol number of the call placed for it
  last_error  TEXT,
  created_by  TEXT,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  CHECK ((agent_ext IS NULL) <> (queue IS NULL))
);
CREATE INDEX callbacks_status_next ON callbacks(status, next_at);
`,
};
