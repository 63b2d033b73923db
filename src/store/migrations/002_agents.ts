import type { Migration } from './index';

/**
 * Agent runtime: sessions, current state, state log, wrap-ups. Owned by src/agents.
 * The store is the source of truth: AMI is made to match it (on every action and on every
 * reconnect), so a daemon or Asterisk restart loses neither logins, pauses nor wrap-up deadlines.
 */
export const m002Agents: Migration = {
  version: 2,
  name: 'agent runtime',
  sql: `
-- One row per login; logout_at NULL = the session is open (at most one open per extension).
CREATE TABLE agent_sessions (
  id                     INTEGER PRIMARY KEY AUTOINCREMENT,
  extension              TEXT NOT NULL,
  queues                 TEXT NOT NULL,          -- JSON array of queue names
  penalty                INTEGER,                -- NULL = per-queue penalty from the catalogue
  block_dialing_in_pause INTEGER NOT NULL,       -- policy snapshot taken at login
  login_at               INTEGER NOT NULL,
  logout_at              INTEGER,
  logout_reason          TEXT
);
CREATE UNIQUE INDEX agent_sessions_open ON agent_sessions(extension) WHERE logout_at IS NULL;
CREATE INDEX agent_sessions_login ON agent_sessions(login_at);

-- Current state per extension (a row survives logout so counters/last state stay visible).
CREATE TABLE agent_runtime (
  extension        TEXT PRIMARY KEY,
  session_id       INTEGER,
  state            TEXT NOT NULL,
  since            INTEGER NOT NULL,
  pause_reason     TEXT,                   -- set while paused (kept while inactive to restore it)
  pause_status_id  INTEGER,
  pending_pause    TEXT,                   -- "pause after this call"
  pending_status_id INTEGER,
  current_call_id  TEXT,
  current_queue    TEXT,
  connected_at     INTEGER,
  misses_in_row    INTEGER NOT NULL DEFAULT 0,
  calls_taken      INTEGER NOT NULL DEFAULT 0,
  talk_ms          INTEGER NOT NULL DEFAULT 0
);

-- Every state change: pause and occupancy reports are built on it.
CREATE TABLE agent_state_log (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  extension  TEXT NOT NULL,
  session_id INTEGER,
  at         INTEGER NOT NULL,
  previous   TEXT NOT NULL,
  state      TEXT NOT NULL,
  reason     TEXT,                         -- pause reason, or why (e.g. max-no-answer)
  status_id  INTEGER,
  call_id    TEXT,
  detail     TEXT
);
CREATE INDEX agent_state_log_ext_at ON agent_state_log(extension, at);

CREATE TABLE wrapups (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  extension   TEXT NOT NULL,
  call_id     TEXT NOT NULL,
  queue       TEXT,
  started_at  INTEGER NOT NULL,
  deadline    INTEGER NOT NULL,
  ended_at    INTEGER,
  disposition TEXT,
  notes       TEXT,
  auto        INTEGER NOT NULL DEFAULT 0,
  finished_by TEXT                         -- 'agent' | 'supervisor:<name>' | 'timer'
);
CREATE INDEX wrapups_pending ON wrapups(deadline) WHERE ended_at IS NULL;
CREATE INDEX wrapups_ext ON wrapups(extension, started_at);
`,
};
