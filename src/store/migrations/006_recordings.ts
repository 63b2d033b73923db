import type { Migration } from './index';

/**
 * Call recordings. Owned by src/recordings. One row per recording of a call part (an attended
 * transfer leaves two: the first agent's part and the target's part, consultation included); the
 * file is written by Asterisk (ARI recording of a snoop channel on the agent's device), the row says
 * where it is, how long, who started it, and the pauses (sensitive data) kept with it.
 * queues.record: per-queue mode (NULL = policy.recording).
 */
export const m006Recordings: Migration = {
  version: 6,
  name: 'recordings',
  sql: `
ALTER TABLE queues ADD COLUMN record TEXT CHECK (record IN ('always', 'never', 'on-demand'));

CREATE TABLE recordings (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  call_id      TEXT NOT NULL REFERENCES calls(id),
  root_id      TEXT NOT NULL,              -- the customer's call (protocol number of the first part)
  agent_ext    TEXT,
  queue        TEXT,
  name         TEXT NOT NULL UNIQUE,       -- ARI recording name: <subdir>/<YYYYMMDD>/<call id>[-n]
  file         TEXT NOT NULL,              -- path below recording.dir: name + '.' + format
  format       TEXT NOT NULL,
  state        TEXT NOT NULL CHECK (state IN ('starting', 'recording', 'paused', 'done', 'failed', 'deleted')),
  channel_id   TEXT,                       -- the recorded channel (agent device)
  snoop_id     TEXT,                       -- the snoop channel the recording runs on
  started_at   INTEGER NOT NULL,
  ended_at     INTEGER,
  duration_ms  INTEGER,
  size_bytes   INTEGER,
  started_by   TEXT NOT NULL,              -- 'policy' (always) or the principal who asked
  end_reason   TEXT,
  deleted_at   INTEGER
);
CREATE INDEX recordings_call ON recordings(call_id);
CREATE INDEX recordings_started ON recordings(started_at);
CREATE INDEX recordings_agent ON recordings(agent_ext, started_at);
CREATE INDEX recordings_open ON recordings(state) WHERE ended_at IS NULL;

CREATE TABLE recording_pauses (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  recording_id  INTEGER NOT NULL REFERENCES recordings(id),
  paused_at     INTEGER NOT NULL,
  resumed_at    INTEGER,
  paused_by     TEXT NOT NULL,
  resumed_by    TEXT
);
CREATE INDEX recording_pauses_rec ON recording_pauses(recording_id);
`,
};
