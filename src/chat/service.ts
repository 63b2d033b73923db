/**
 * Internal chat: private messages between two people and group chats in agent groups
 * (src/agents/groups.ts). Who may do what:
 *  - an agent writes to any agent of the catalogue, and in the agent groups it is a member of;
 *  - a supervisor token limited to monitoring groups writes to the agents of its scope, and in the
 *    agent groups whose members are ALL in its scope (a group half outside would let it talk to
 *    agents it must not reach); an unscoped supervisor or an admin anywhere;
 *  - a conversation is read (and replied to) only by its participants, plus, for a group chat,
 *    whoever may write in that group now (a supervisor opening a group it has not written in yet).
 * A group message goes to the group's members at send time, to the supervisor tokens whose scope
 * covers the group (so a supervisor sees its team's chat without having written in it first), and
 * to everyone already in the conversation. Admins take part once they write.
 *
 * Everything is stored before it is published, so a recipient offline now finds it unread at its
 * next login (GET /chat/conversations). Text is data: control characters other than newline are
 * dropped, nothing else changes, and nothing here or in the console interprets it.
 */
import type { Principal, RouteScope } from '../api/types';
import type { EventBus } from '../events/bus';
import { AgentGroupCatalogue } from '../agents/groups';
import type { Db } from '../store/db';
import type { Clock } from '../util/clock';
import { forbidden, invalid, notFound, refused } from '../util/errors';
import { chatIdentity } from './identity';
import { ChatRepo, type ChatMessage, type ConversationRow, type ConversationSummary } from './repo';

export type ChatTarget = { agent: string } | { group: string } | { conversation: number };

export interface ChatLimits {
  maxMessageChars: number;
  maxMessagesPerMinute: number;
}

/** A supervisor or admin token of the config that can chat (it has a name). */
export interface ChatUserToken {
  role: 'admin' | 'supervisor';
  name: string;
  groups?: string[];
}

export interface ChatServiceDeps {
  db: Db;
  bus: EventBus;
  clock: Clock;
  limits: ChatLimits;
  /** Monitoring-group scope of a principal (src/supervision/scope.ts); null = unrestricted. */
  scopeOf: (p: Principal) => RouteScope | null;
  /** The configured supervisor tokens: who, besides the members, receives a group's messages. */
  supervisors: ChatUserToken[];
}

export interface SentMessage {
  conversation: { id: number; kind: 'private' | 'group'; group: string | null };
  message: ChatMessage;
  recipients: string[];
}

const WINDOW_MS = 60_000;

/**
 * Drops C0/C1 control characters except newline (a tab becomes nothing too: chat lines are not
 * aligned text). \r\n and lone \r become \n, so a Windows client's line breaks survive.
 */
export function cleanText(raw: string): string {
  // eslint-disable-next-line no-control-regex
  return raw.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/g, '');
}

export class ChatService {
  readonly repo: ChatRepo;
  private readonly groups: AgentGroupCatalogue;
  /** Send times per sender in the last minute (memory only: a restart forgets, which is harmless). */
  private readonly sent = new Map<string, number[]>();

  constructor(private readonly deps: ChatServiceDeps) {
    this.repo = new ChatRepo(deps.db);
    this.groups = new AgentGroupCatalogue({ db: deps.db, clock: deps.clock });
  }

  /** The chat identity of `p`, or 403 (agent token without extension, supervisor token without name). */
  identity(p: Principal): string {
    const me = chatIdentity(p);
    if (!me) {
      throw forbidden(
        p.role === 'agent' ? 'this agent token names no extension: it cannot chat' : 'chat needs a token with a name (api.tokens[].name): it is who you are in chat',
      );
    }
    return me;
  }

  send(p: Principal, to: ChatTarget, rawText: string): SentMessage {
    const me = this.identity(p);
    const target = this.resolveTarget(p, me, to);
    const text = cleanText(rawText);
    if (!text.trim()) throw invalid('text: must not be empty', { field: 'text' });
    const max = this.deps.limits.maxMessageChars;
    // Characters as a person counts them (code points), not UTF-16 units.
    const length = [...text].length;
    if (length > max) throw invalid(`text: at most ${max} characters (chat.max_message_chars); got ${length}`, { field: 'text', max });
    this.takeRateSlot(me);
    const at = this.deps.clock.now();
    const { conversation, message } = this.repo.insert(target.conv, me, target.recipients, text, at);
    const recipients = this.repo.participants(conversation.id);
    const conv = { id: conversation.id, kind: conversation.kind, group: conversation.group_name };
    // No `agent`/`agents` on the event: those drive other filters (queues, scopes); chat has its own.
    this.deps.bus.publish({ type: 'chat.message', at, data: { conversation: conv, message, recipients } });
    return { conversation: conv, message, recipients };
  }

  list(p: Principal): ConversationSummary[] {
    return this.repo.listFor(this.identity(p));
  }

  /** The conversation if `p` may read it; 403 otherwise, checked before anything else is done. */
  open(p: Principal, id: number): ConversationRow {
    const me = this.identity(p);
    const c = this.repo.byId(id);
    if (!c) throw notFound(`conversation ${id} does not exist`, { conversation: id });
    if (this.repo.isParticipant(c.id, me)) return c;
    if (c.kind === 'group' && c.group_name && this.mayWriteInGroup(p, c.group_name)) return c;
    throw forbidden(`conversation ${id}: only its participants can read it`);
  }

  messages(p: Principal, id: number, before: number | undefined, limit: number): { conversationId: number; messages: ChatMessage[]; more: boolean } {
    const c = this.open(p, id);
    return { conversationId: c.id, ...this.repo.page(c.id, before, limit) };
  }

  markRead(p: Principal, id: number, upTo?: number): { conversationId: number; unread: number } {
    const c = this.open(p, id);
    const me = this.identity(p);
    this.repo.markRead(c.id, me, upTo);
    return { conversationId: c.id, unread: this.repo.unread(c.id, me) };
  }

  private resolveTarget(p: Principal, me: string, to: ChatTarget): { conv: { kind: 'private' | 'group'; key: string; group: string | null }; recipients: string[] } {
    if ('agent' in to) {
      const ext = to.agent;
      const scope = this.deps.scopeOf(p);
      if (scope && !scope.allowsAgent(ext)) throw scope.deny(`agent ${ext}`);
      const other = `agent:${ext}`;
      if (other === me) throw invalid('to.agent: you cannot write to yourself', { field: 'to' });
      if (!this.deps.db.prepare('SELECT 1 FROM agents WHERE extension = ?').get(ext)) throw notFound(`agent ${ext} does not exist`, { agent: ext });
      return { conv: privateConv(me, other), recipients: [other] };
    }
    if ('group' in to) {
      const g = this.groups.require(to.group);
      if (!this.mayWriteInGroup(p, g.name)) throw forbidden(`agent group ${g.name}: you are not one of its members or supervisors`, { group: g.name });
      const key = `g:${g.name}`;
      const existing = this.repo.byKey(key);
      return { conv: { kind: 'group', key, group: g.name }, recipients: this.groupRecipients(g.name, existing) };
    }
    // A reply in a conversation: the only way an agent answers a supervisor's private message.
    const c = this.open(p, to.conversation);
    if (c.kind === 'group' && c.group_name && this.groups.get(c.group_name)) {
      if (!this.mayWriteInGroup(p, c.group_name)) throw forbidden(`agent group ${c.group_name}: you are no longer one of its members or supervisors`);
      return { conv: { kind: 'group', key: c.key, group: c.group_name }, recipients: this.groupRecipients(c.group_name, c) };
    }
    return { conv: { kind: c.kind, key: c.key, group: c.group_name }, recipients: this.repo.participants(c.id) };
  }

  private mayWriteInGroup(p: Principal, group: string): boolean {
    const g = this.groups.get(group);
    if (!g) return false;
    if (p.role === 'agent') return !!p.agent && g.agents.includes(p.agent);
    if (p.role === 'admin') return true;
    const scope = this.deps.scopeOf(p);
    return !scope || g.agents.every((a) => scope.allowsAgent(a));
  }

  private groupRecipients(group: string, existing: ConversationRow | undefined): string[] {
    const g = this.groups.require(group);
    const out = new Set(g.agents.map((a) => `agent:${a}`));
    for (const t of this.deps.supervisors) {
      if (t.role !== 'supervisor') continue;
      const principal: Principal = { role: 'supervisor', name: t.name, groups: t.groups };
      if (this.mayWriteInGroup(principal, group)) out.add(`user:${t.name.trim()}`);
    }
    if (existing) for (const who of this.repo.participants(existing.id)) out.add(who);
    return [...out];
  }

  /** Sliding 60-second window per sender; refused (409) with the seconds until a slot frees. */
  private takeRateSlot(me: string): void {
    const now = this.deps.clock.now();
    const recent = (this.sent.get(me) ?? []).filter((t) => t > now - WINDOW_MS);
    const max = this.deps.limits.maxMessagesPerMinute;
    if (recent.length >= max) {
      this.sent.set(me, recent);
      const retryAfterSeconds = Math.max(1, Math.ceil((recent[0] + WINDOW_MS - now) / 1000));
      throw refused(`too many messages: at most ${max} per minute (chat.max_messages_per_minute); retry in ${retryAfterSeconds} s`, { retryAfterSeconds });
    }
    recent.push(now);
    this.sent.set(me, recent);
  }
}

function privateConv(a: string, b: string): { kind: 'private'; key: string; group: null } {
  const [x, y] = [a, b].sort();
  return { kind: 'private', key: `p:${x}|${y}`, group: null };
}
