import type { Migration } from './index';

/** Catalogue managed by the admin CLI: queues, agents, pause reasons, dispositions, rooms, blocklist. */
export const m001Core: Migration = {
  version: 1,
  name: 'core catalogue',
  sql: `
CREATE TABLE queues (
  name                 TEXT PRIMARY KEY,
  wrapup_seconds       INTEGER,          -- NULL = policy default
  max_no_answer        INTEGER,          -- NULL = policy default, 0 = off
  caller_id            TEXT,             -- outbound caller id for agents of this queue
  survey_extension     TEXT,             -- customer goes here when the agent hangs up
  call_timeout_seconds INTEGER,          -- NULL = policy default, 0 = off
  created_at           INTEGER NOT NULL
);

CREATE TABLE agents (
  extension  TEXT PRIMARY KEY CHECK (length(extension) IN (4, 5)),
  name       TEXT NOT NULL,
  device     TEXT NOT NULL,              -- Asterisk dial string, e.g. PJSIP/1000
  created_at INTEGER NOT NULL
);

-- Queues an agent is allowed to log into.
CREATE TABLE agent_queues (
  extension TEXT NOT NULL REFERENCES agents(extension) ON DELETE CASCADE,
  queue     TEXT NOT NULL REFERENCES queues(name) ON DELETE CASCADE,
  penalty   INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (extension, queue)
);

CREATE TABLE pause_reasons (
  name       TEXT PRIMARY KEY,           -- exactly as the dialer uses it
  status_id  INTEGER NOT NULL,           -- dialer status id, travels with pause events
  created_at INTEGER NOT NULL
);

CREATE TABLE dispositions (
  tag         TEXT PRIMARY KEY,
  description TEXT NOT NULL DEFAULT '',
  created_at  INTEGER NOT NULL
);

-- Conference rooms *<ext>: one per agent extension that has one configured.
CREATE TABLE rooms (
  extension  TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL
);

CREATE TABLE blocklist (
  number     TEXT PRIMARY KEY,
  reason     TEXT NOT NULL,
  call_id    TEXT,
  blocked_by TEXT,
  created_at INTEGER NOT NULL,
  expires_at INTEGER                      -- NULL = until removed
);
CREATE INDEX blocklist_expires ON blocklist(expires_at);
`,
};
