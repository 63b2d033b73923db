import type { Migration } from './index';

/**
 * Transfer targets and the softphone directory (issue 14 items 1 and 2).
 *  - agent_groups / agent_group_members (src/agents/groups.ts): a group a call is transferred to
 *    (`group:<name>`), rung by its strategy; members in ring order (`position`, used by
 *    'sequential'). A member row goes with its agent (ON DELETE CASCADE), like agent_queues.
 *    Not the supervisors' "monitoring groups" (queues watched together): a different thing.
 *  - services (src/directory/services.ts): names of the 3-digit services of [cc-services], for the
 *    directory. The dialplan stays what runs a service; the row only names it.
 *  - contacts (src/directory/contacts.ts): external numbers kept for the directory, read by the one
 *    number parser (src/dialing/phone.ts) and stored as E.164 digits without '+'.
 */
export const m009Directory: Migration = {
  version: 9,
  name: 'agent groups, services, contacts (directory)',
  sql: `
CREATE TABLE agent_groups (
  name         TEXT PRIMARY KEY,
  strategy     TEXT NOT NULL CHECK (strategy IN ('simultaneous', 'random', 'sequential')),
  ring_seconds INTEGER,                  -- NULL = the transfer ring timeout
  created_at   INTEGER NOT NULL
);

CREATE TABLE agent_group_members (
  group_name TEXT NOT NULL REFERENCES agent_groups(name) ON DELETE CASCADE,
  extension  TEXT NOT NULL REFERENCES agents(extension) ON DELETE CASCADE,
  position   INTEGER NOT NULL,           -- ring order (sequential), 0 first
  PRIMARY KEY (group_name, extension)
);
CREATE INDEX agent_group_members_ext ON agent_group_members(extension);

CREATE TABLE services (
  extension  TEXT PRIMARY KEY CHECK (length(extension) = 3),
  name       TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE contacts (
  name       TEXT PRIMARY KEY COLLATE NOCASE,
  number     TEXT NOT NULL,              -- E.164 digits without '+' (DDI + national)
  ddi        TEXT NOT NULL,
  national   TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX contacts_number ON contacts(number);
`,
};
