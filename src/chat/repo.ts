/**
 * SQL of the internal chat (tables of migration 011). No permission logic here: ChatService
 * (./service.ts) decides who may write and read; this only stores and counts.
 */
import type { Db } from '../store/db';

export type ConversationKind = 'private' | 'group';

export interface ConversationRow {
  id: number;
  kind: ConversationKind;
  key: string;
  group_name: string | null;
  created_at: number;
}

export interface ChatMessage {
  id: number;
  conversationId: number;
  from: string;
  text: string;
  at: number;
}

interface MessageRow {
  id: number;
  conversation_id: number;
  sender: string;
  text: string;
  sent_at: number;
}

export interface ConversationSummary {
  id: number;
  kind: ConversationKind;
  group: string | null;
  participants: string[];
  unread: number;
  lastMessage: ChatMessage | null;
  createdAt: number;
}

const toMessage = (r: MessageRow): ChatMessage => ({ id: r.id, conversationId: r.conversation_id, from: r.sender, text: r.text, at: r.sent_at });

export class ChatRepo {
  constructor(private readonly db: Db) {}

  byKey(key: string): ConversationRow | undefined {
    return this.db.prepare('SELECT * FROM chat_conversations WHERE key = ?').get(key) as ConversationRow | undefined;
  }

  byId(id: number): ConversationRow | undefined {
    return this.db.prepare('SELECT * FROM chat_conversations WHERE id = ?').get(id) as ConversationRow | undefined;
  }

  isParticipant(id: number, who: string): boolean {
    return !!this.db.prepare('SELECT 1 FROM chat_participants WHERE conversation_id = ? AND participant = ?').get(id, who);
  }

  participants(id: number): string[] {
    return (this.db.prepare('SELECT participant FROM chat_participants WHERE conversation_id = ? ORDER BY participant').all(id) as { participant: string }[]).map(
      (r) => r.participant,
    );
  }

  /**
   * Stores a message in one transaction: the conversation (found by key or created), every
   * recipient's participant row, the message, and the sender's read mark (its own message is read).
   * A participant new to the conversation starts with everything before this message read: joining
   * a group does not bring its whole history in as unread.
   */
  insert(
    conv: { kind: ConversationKind; key: string; group: string | null },
    sender: string,
    recipients: string[],
    text: string,
    at: number,
  ): { conversation: ConversationRow; message: ChatMessage } {
    return this.db
      .transaction(() => {
        let c = this.byKey(conv.key);
        if (!c) {
          const r = this.db
            .prepare('INSERT INTO chat_conversations (kind, key, group_name, created_at) VALUES (?, ?, ?, ?)')
            .run(conv.kind, conv.key, conv.group, at);
          c = this.byId(Number(r.lastInsertRowid))!;
        }
        const before = (this.db.prepare('SELECT COALESCE(MAX(id), 0) AS m FROM chat_messages WHERE conversation_id = ?').get(c.id) as { m: number }).m;
        const join = this.db.prepare('INSERT OR IGNORE INTO chat_participants (conversation_id, participant, last_read_id) VALUES (?, ?, ?)');
        for (const who of new Set([sender, ...recipients])) join.run(c.id, who, before);
        const m = this.db
          .prepare('INSERT INTO chat_messages (conversation_id, sender, text, sent_at) VALUES (?, ?, ?, ?)')
          .run(c.id, sender, text, at);
        const id = Number(m.lastInsertRowid);
        this.db.prepare('UPDATE chat_participants SET last_read_id = MAX(last_read_id, ?) WHERE conversation_id = ? AND participant = ?').run(id, c.id, sender);
        return { conversation: c, message: { id, conversationId: c.id, from: sender, text, at } };
      })
      .immediate();
  }

  /** Conversations `who` takes part in, the most recently active first, with its unread count. */
  listFor(who: string): ConversationSummary[] {
    const rows = this.db
      .prepare(
        `SELECT c.*, p.last_read_id,
                (SELECT COUNT(*) FROM chat_messages m WHERE m.conversation_id = c.id AND m.id > p.last_read_id AND m.sender <> p.participant) AS unread,
                (SELECT MAX(id) FROM chat_messages m WHERE m.conversation_id = c.id) AS last_id
           FROM chat_participants p JOIN chat_conversations c ON c.id = p.conversation_id
          WHERE p.participant = ?
          ORDER BY last_id DESC, c.id DESC`,
      )
      .all(who) as (ConversationRow & { unread: number; last_id: number | null })[];
    const last = this.db.prepare('SELECT * FROM chat_messages WHERE id = ?');
    return rows.map((r) => {
      const m = r.last_id === null ? undefined : (last.get(r.last_id) as MessageRow | undefined);
      return {
        id: r.id,
        kind: r.kind,
        group: r.group_name,
        participants: this.participants(r.id),
        unread: r.unread,
        lastMessage: m ? toMessage(m) : null,
        createdAt: r.created_at,
      };
    });
  }

  unread(id: number, who: string): number {
    return (
      this.db
        .prepare(
          `SELECT COUNT(*) AS n FROM chat_messages m JOIN chat_participants p ON p.conversation_id = m.conversation_id AND p.participant = ?
            WHERE m.conversation_id = ? AND m.id > p.last_read_id AND m.sender <> p.participant`,
        )
        .get(who, id) as { n: number }
    ).n;
  }

  /** Up to `limit` messages older than `before` (all when absent), returned oldest first. */
  page(id: number, before: number | undefined, limit: number): { messages: ChatMessage[]; more: boolean } {
    const rows = this.db
      .prepare('SELECT * FROM chat_messages WHERE conversation_id = ? AND id < ? ORDER BY id DESC LIMIT ?')
      .all(id, before ?? Number.MAX_SAFE_INTEGER, limit + 1) as MessageRow[];
    const more = rows.length > limit;
    return { messages: rows.slice(0, limit).reverse().map(toMessage), more };
  }

  /**
   * Marks read up to `upTo` (default: the last message). Never moves the mark back: a client
   * marking an older page read must not bring newer messages back as unread. A participant row is
   * created when missing (a supervisor reading a group it was not yet a recipient of).
   */
  markRead(id: number, who: string, upTo: number | undefined): void {
    const last = (this.db.prepare('SELECT COALESCE(MAX(id), 0) AS m FROM chat_messages WHERE conversation_id = ?').get(id) as { m: number }).m;
    const mark = Math.min(upTo ?? last, last);
    this.db
      .prepare(
        `INSERT INTO chat_participants (conversation_id, participant, last_read_id) VALUES (?, ?, ?)
         ON CONFLICT (conversation_id, participant) DO UPDATE SET last_read_id = MAX(last_read_id, excluded.last_read_id)`,
      )
      .run(id, who, mark);
  }
}
