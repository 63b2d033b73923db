/**
 * The JSON shapes of the /chat routes for /openapi.json (RouteDef.response). Strict, so a field added
 * to a message or a conversation without documenting it fails test/api/openapi-responses.test.ts.
 */
import { z } from 'zod';

const ms = z.number().int().describe('epoch milliseconds');
const who = z.string().describe('a chat participant: "agent:<extension>" or "user:<supervisor/admin token name>"');

export const chatMessageSchema = z
  .object({
    id: z.number().int(),
    conversationId: z.number().int(),
    from: who,
    text: z.string().describe('as sent, minus control characters other than newline; plain text, never markup'),
    at: ms,
  })
  .strict();

const conversationRefSchema = z
  .object({
    id: z.number().int(),
    kind: z.enum(['private', 'group']),
    group: z.string().nullable().describe('kind group: the agent group'),
  })
  .strict();

/** POST /chat/messages (also the data of a chat.message event on /events). */
export const chatSentSchema = z
  .object({
    conversation: conversationRefSchema,
    message: chatMessageSchema,
    recipients: z.array(who).describe('everyone the message went to, the sender included'),
  })
  .strict();

export const chatConversationListSchema = z
  .object({
    conversations: z.array(
      z
        .object({
          id: z.number().int(),
          kind: z.enum(['private', 'group']),
          group: z.string().nullable(),
          participants: z.array(who),
          unread: z.number().int().describe("messages of others after this token's read mark"),
          lastMessage: chatMessageSchema.nullable(),
          createdAt: ms,
        })
        .strict(),
    ),
  })
  .strict();

export const chatMessagePageSchema = z
  .object({
    conversationId: z.number().int(),
    messages: z.array(chatMessageSchema).describe('oldest first'),
    more: z.boolean().describe('older messages exist: ask again with before = the first id here'),
  })
  .strict();

export const chatReadSchema = z.object({ conversationId: z.number().int(), unread: z.number().int() }).strict();
