import type { Migration } from './index';

/**
 * Calls, legs, call events. Owned by src/calls (history, prank and dialing read/write through it).
 * One `calls` row per part of a customer contact (the first queue/outbound call, each transfer or
 * conference part...). `root_id` groups them; `parent_id` points at the part it came from.
 * Rows with `ended_at IS NULL` are the calls restart recovery (src/calls/recovery.ts) re-adopts.
 */
export const m003Calls: Migration = {
  version: 3,
  name: 'calls',
  sql: `
CREATE TABLE calls (
  id                  TEXT PRIMARY KEY,          -- protocol number, e.g. 20261121-000042
  parent_id           TEXT REFERENCES calls(id),
  root_id             TEXT NOT NULL,
  kind                TEXT NOT NULL CHECK (kind IN ('inbound','outbound','transfer','conference','callback')),
  direction           TEXT NOT NULL CHECK (direction IN ('inbound','outbound','internal')),
  queue               TEXT,
  agent_ext           TEXT,
  customer_number     TEXT,
  caller_id           TEXT,
  state               TEXT NOT NULL,
  started_at          INTEGER NOT NULL,
  answered_at         INTEGER,
  ended_at            INTEGER,
  end_reason          TEXT,
  disposition         TEXT,
  disposition_at      INTEGER,
  customer_channel_id TEXT,                       -- agent-leg ;2 (queue), direct inbound or outbound channel
  agent_channel_id    TEXT,                       -- the agent device the daemon originated
  bridge_id           TEXT,
  hold_bridge_id      TEXT,
  linkedid            TEXT,
  muted               INTEGER NOT NULL DEFAULT 0,
  timeout_at          INTEGER                     -- max-duration deadline (ms), re-armed after restart
);
CREATE INDEX calls_agent_started ON calls(agent_ext, started_at);
CREATE INDEX calls_started ON calls(started_at);
CREATE INDEX calls_open ON calls(ended_at) WHERE ended_at IS NULL;
CREATE INDEX calls_root ON calls(root_id);

CREATE TABLE call_events (
  id      INTEGER PRIMARY KEY AUTOINCREMENT,
  call_id TEXT NOT NULL REFERENCES calls(id),
  type    TEXT NOT NULL,                          -- state, hold, unhold, mute, unmute, dtmf, prank, transfer, timeout...
  at      INTEGER NOT NULL,
  data    TEXT NOT NULL DEFAULT '{}'              -- JSON
);
CREATE INDEX call_events_call ON call_events(call_id, at);

-- Per-day protocol number sequence (restart-safe, shared by daemon instances on one file).
CREATE TABLE call_sequence (
  day  TEXT PRIMARY KEY,                          -- YYYYMMDD (local time)
  last INTEGER NOT NULL
);
`,
};
