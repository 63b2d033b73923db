import type { Migration } from './index';

/**
 * Callback from the queue (issue 14 item 3). Owned by src/callbacks (callbacks columns) and
 * src/reports (queue_stays outcome).
 *
 * - callbacks.origin: 'scheduled' (a callback someone scheduled, as before) or 'queue' (a waiting
 *   caller pressed the exit key: asterisk-conf [cc-queue-callback]). A queue request keeps the
 *   caller's place: queue_joined_at is when the caller entered the queue (the stay's joined_at), and
 *   it is served only once nobody who entered earlier is still waiting. uniqueid/linkedid are the
 *   caller's channel and contact, so history and reports link the request to the stay it ended.
 * - queue_stays.outcome gains 'callback' (the stay ended by a callback request: neither answered
 *   nor abandoned) and callback_id links the request. SQLite cannot change a CHECK constraint in
 *   place, so the table is copied into a new one with the same columns and indexes.
 */
export const m013QueueCallbacks: Migration = {
  version: 13,
  name: 'queue_callbacks',
  sql: `
ALTER TABLE callbacks ADD COLUMN origin TEXT NOT NULL DEFAULT 'scheduled' CHECK (origin IN ('scheduled', 'queue'));
ALTER TABLE callbacks ADD COLUMN queue_joined_at INTEGER;   -- origin queue: the caller entered the queue (ms)
ALTER TABLE callbacks ADD COLUMN queue_position INTEGER;    -- origin queue: QUEUEPOSITION when the key was pressed
ALTER TABLE callbacks ADD COLUMN uniqueid TEXT;             -- origin queue: the caller's channel (queue_stays.uniqueid)
ALTER TABLE callbacks ADD COLUMN linkedid TEXT;             -- origin queue: the caller's contact (calls.linkedid)
CREATE INDEX callbacks_queue_turn ON callbacks(queue, queue_joined_at) WHERE origin = 'queue' AND status IN ('pending', 'ringing');

CREATE TABLE queue_stays_013 (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  queue         TEXT NOT NULL,
  uniqueid      TEXT NOT NULL,
  linkedid      TEXT,
  channel       TEXT NOT NULL DEFAULT '',
  caller_number TEXT NOT NULL DEFAULT '',
  caller_name   TEXT NOT NULL DEFAULT '',
  joined_at     INTEGER NOT NULL,
  join_source   TEXT NOT NULL CHECK (join_source IN ('event', 'status')),
  position      INTEGER,
  left_at       INTEGER,
  outcome       TEXT NOT NULL DEFAULT 'waiting'
                CHECK (outcome IN ('waiting', 'answered', 'abandoned', 'timeout', 'left', 'blocked', 'lost', 'callback')),
  detail        TEXT,
  agent_ext     TEXT,
  call_id       TEXT,
  root_id       TEXT,
  callback_id   INTEGER                        -- outcome callback: the request (callbacks.id)
);
INSERT INTO queue_stays_013 (id, queue, uniqueid, linkedid, channel, caller_number, caller_name, joined_at, join_source,
                             position, left_at, outcome, detail, agent_ext, call_id, root_id)
SELECT id, queue, uniqueid, linkedid, channel, caller_number, caller_name, joined_at, join_source,
       position, left_at, outcome, detail, agent_ext, call_id, root_id FROM queue_stays;
DROP TABLE queue_stays;
ALTER TABLE queue_stays_013 RENAME TO queue_stays;
CREATE UNIQUE INDEX queue_stays_open ON queue_stays(uniqueid) WHERE outcome = 'waiting';
CREATE INDEX queue_stays_joined ON queue_stays(joined_at);
CREATE INDEX queue_stays_linkedid ON queue_stays(linkedid);
CREATE INDEX queue_stays_uniqueid ON queue_stays(uniqueid);
`,
};
