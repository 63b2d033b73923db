/**
 * HTTP routes of the internal chat. Every role may call them; ChatService decides per principal
 * (identity, group membership, scope). Conversation routes check the reader first (403 before
 * anything is read or marked).
 */
import { z } from 'zod';
import { route, type RouteDef } from '../api/types';
import { invalid } from '../util/errors';
import type { ChatService } from './service';
import { chatConversationListSchema, chatMessagePageSchema, chatReadSchema, chatSentSchema } from './schema';

const TAG = 'chat';
const roles: RouteDef['roles'] = ['admin', 'supervisor', 'agent'];
const id = z.coerce.number().int().min(1);

const target = z.union([
  z.object({ agent: z.string().regex(/^\d{4,5}$/, 'must be an agent extension of 4 or 5 digits') }).strict(),
  z.object({ group: z.string().min(1).max(64) }).strict(),
  z.object({ conversation: z.number().int().min(1) }).strict(),
]);

function convId(raw: string | undefined): number {
  const r = id.safeParse(raw);
  if (!r.success) throw invalid(`id: must be a conversation id (a positive integer), got ${JSON.stringify(raw)}`, { field: 'id' });
  return r.data;
}

export function chatRoutes(chat: ChatService): RouteDef[] {
  return [
    route({
      method: 'POST',
      path: '/chat/messages',
      summary:
        'Send a chat message: to {agent: "1001"} (private; the same pair always shares one conversation), {group: "<agent group>"} ' +
        '(its members and the supervisors whose scope covers it), or {conversation: id} (reply). Text is plain text: control ' +
        'characters other than newline are dropped; at most chat.max_message_chars characters and chat.max_messages_per_minute per sender (409 past it)',
      tag: TAG,
      roles,
      body: z.object({ to: target, text: z.string().max(1_000_000) }).strict(),
      response: chatSentSchema,
      responseStatus: 201,
      handler: ({ principal, body }) => ({ status: 201, body: chat.send(principal, body.to, body.text) }),
    }),
    route({
      method: 'GET',
      path: '/chat/conversations',
      summary: "This token's conversations, the most recently active first, with unread counts (messages stored while it was offline included)",
      tag: TAG,
      roles,
      response: chatConversationListSchema,
      handler: ({ principal }) => ({ conversations: chat.list(principal) }),
    }),
    route({
      method: 'GET',
      path: '/chat/conversations/:id/messages',
      summary: 'A page of a conversation (participants only, 403 otherwise): the newest `limit` (default 50) messages before message id `before`, oldest first',
      tag: TAG,
      roles,
      query: z
        .object({
          before: z.coerce.number().int().min(1).optional(),
          limit: z.coerce.number().int().min(1).max(200).optional(),
        })
        .strict(),
      response: chatMessagePageSchema,
      handler: ({ principal, params, query }) => chat.messages(principal, convId(params.id), query.before, query.limit ?? 50),
    }),
    route({
      method: 'POST',
      path: '/chat/conversations/:id/read',
      summary: "Mark a conversation read for this token, up to message id `upTo` (default: all). The mark never moves back",
      tag: TAG,
      roles,
      body: z.object({ upTo: z.number().int().min(1).optional() }).strict(),
      response: chatReadSchema,
      handler: ({ principal, params, body }) => chat.markRead(principal, convId(params.id), body.upTo),
    }),
  ];
}
