import type { Migration } from './index';

/**
 * Do-not-call list (owned by src/dnc) and after-call work without a time limit (src/wrapup,
 * src/queues). One file for both: 007 belongs to another branch, and a second number here would
 * collide with whatever comes after it.
 *
 * dnc: numbers a customer asked never to be called again, as E.164 digits without '+' (the
 * blocklist's canonical form, src/prank/blocklist.ts), for every queue (queue = '') or for one
 * queue (campaign). '' rather than NULL so the primary key makes (number, queue) unique: SQLite
 * treats NULLs as distinct in a key. No foreign key to queues: removing a queue must not silently
 * drop what customers asked for; the entries come back into force if the queue is re-created.
 *
 * dnc_refusals: every dial, callback or transfer refused because of the list, with who tried. A
 * refused attempt never becomes a call (nothing is originated, no protocol number is spent), so it
 * cannot be a call_events row; this table is its history.
 *
 * queues.wrapup_limit: 1 = the wrap-up window closes by itself after wrapup_seconds (as before);
 * 0 = it stays open until the agent (or a supervisor) finishes it, closed anyway at
 * policy.wrapup_max_seconds. wrapups.limited records which rule a window was opened with, and its
 * deadline is then the queue's window or the cap, fixed at start (a restart reloads it as is).
 */
export const m008DncWrapupLimit: Migration = {
  version: 8,
  name: 'do-not-call list, wrap-up without time limit',
  sql: `
CREATE TABLE dnc (
  number     TEXT NOT NULL,                 -- E.164 digits without '+'
  queue      TEXT NOT NULL DEFAULT '',      -- '' = every queue (global)
  reason     TEXT NOT NULL DEFAULT '',
  added_by   TEXT,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (number, queue)
);

CREATE TABLE dnc_refusals (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  at          INTEGER NOT NULL,
  number      TEXT NOT NULL,                -- E.164 digits without '+'
  action      TEXT NOT NULL CHECK (action IN ('dial', 'callback-schedule', 'callback-dial', 'transfer')),
  queue       TEXT,                         -- the queue (campaign) the attempt was made for
  entry_queue TEXT NOT NULL,                -- the list entry that refused it: '' = global
  reason      TEXT NOT NULL DEFAULT '',     -- the entry's reason, as it was then
  agent_ext   TEXT,
  tried_by    TEXT,                         -- who asked: agent, token name, 'callback <id>'
  call_id     TEXT,                         -- the call being transferred
  callback_id INTEGER
);
CREATE INDEX dnc_refusals_at ON dnc_refusals(at);

ALTER TABLE queues ADD COLUMN wrapup_limit INTEGER NOT NULL DEFAULT 1 CHECK (wrapup_limit IN (0, 1));
ALTER TABLE wrapups ADD COLUMN limited INTEGER NOT NULL DEFAULT 1;
`,
};
