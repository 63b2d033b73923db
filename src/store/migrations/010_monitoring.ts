import type { Migration } from './index';

/**
 * Live monitoring sessions (a supervisor listening to, whispering into or barging into a call).
 * Owned by src/live-monitor. One row per session, kept after it ends (history: who monitored which
 * call, when, in which modes). 005 belongs to recordings (developed in parallel).
 *  - call_id: the call part the supervisor asked for; current_call_id: the part the session follows
 *    now (after a completed transfer or a conference hand-over the customer is on another part).
 *  - changes: JSON list of {at, mode, callId, by}: from `at` on, the supervisor was in `mode` on
 *    call part `callId` (first entry = the mode asked for at the start; `by` = who switched, or
 *    "daemon" when the session followed the call to a new part).
 *  - state ringing → active → ended, or ringing → failed (the supervisor's device never answered or
 *    could not be connected); end_reason says why it ended, end_detail the details (e.g. BUSY).
 * Rows with ended_at IS NULL at daemon start belonged to the previous process: they are closed
 * with end_reason 'daemon-restart' (their channels are cleaned up as orphans by call recovery).
 */
export const m010Monitoring: Migration = {
  version: 10,
  name: 'monitoring',
  sql: `
CREATE TABLE monitor_sessions (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  call_id         TEXT NOT NULL REFERENCES calls(id),
  current_call_id TEXT NOT NULL REFERENCES calls(id),
  supervisor      TEXT NOT NULL,               -- token principal name (or its role when unnamed)
  device          TEXT NOT NULL,               -- dial string rung for the supervisor
  mode            TEXT NOT NULL CHECK (mode IN ('listen', 'whisper', 'barge')),  -- current / last
  changes         TEXT NOT NULL DEFAULT '[]',
  state           TEXT NOT NULL CHECK (state IN ('ringing', 'active', 'ended', 'failed')),
  started_at      INTEGER NOT NULL,
  answered_at     INTEGER,
  ended_at        INTEGER,
  end_reason      TEXT,
  end_detail      TEXT
);
CREATE INDEX monitor_sessions_call ON monitor_sessions(call_id);
CREATE INDEX monitor_sessions_current ON monitor_sessions(current_call_id);
CREATE INDEX monitor_sessions_open ON monitor_sessions(ended_at) WHERE ended_at IS NULL;
`,
};
