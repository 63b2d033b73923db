import type { Migration } from './index';

/**
 * Internal chat (issue 14 item 5, src/chat). 012 because another branch lands 011.
 *  - chat_conversations: one row per private pair (key "p:<id>|<id>", ids sorted, so a second
 *    message between the same two reuses it) or per agent group (key "g:<group>").
 *  - chat_participants: who may read it and how far each has read (last_read_id): unread counts
 *    survive restarts and reach an agent who was offline when the message was sent. A participant
 *    id is "agent:<extension>" or "user:<token name>" (supervisors and admins).
 *  - chat_messages: the text as stored after dropping control characters; never interpreted.
 * Conversations outlive the agent group or agent they name: they are history, not catalogue.
 */
export const m011Chat: Migration = {
  version: 11,
  name: 'internal chat (conversations, participants, messages)',
  sql: `
CREATE TABLE chat_conversations (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  kind       TEXT NOT NULL CHECK (kind IN ('private', 'group')),
  key        TEXT NOT NULL UNIQUE,
  group_name TEXT,                      -- kind 'group': the agent group's name
  created_at INTEGER NOT NULL
);

CREATE TABLE chat_participants (
  conversation_id INTEGER NOT NULL REFERENCES chat_conversations(id) ON DELETE CASCADE,
  participant     TEXT NOT NULL,        -- agent:<ext> | user:<token name>
  last_read_id    INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (conversation_id, participant)
);
CREATE INDEX chat_participants_who ON chat_participants(participant);

CREATE TABLE chat_messages (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  conversation_id INTEGER NOT NULL REFERENCES chat_conversations(id) ON DELETE CASCADE,
  sender          TEXT NOT NULL,
  text            TEXT NOT NULL,
  sent_at         INTEGER NOT NULL
);
CREATE INDEX chat_messages_conversation ON chat_messages(conversation_id, id);
`,
};
