/** The /chat answers as the CLI reads them (src/chat/schema.ts documents them). */
import type { z } from 'zod';
import type { chatConversationListSchema, chatMessageSchema, chatSentSchema } from '../../chat/schema';

export type ChatMessageView = z.infer<typeof chatMessageSchema>;
export type ChatSentView = z.infer<typeof chatSentSchema>;
export type ChatConversationSummary = z.infer<typeof chatConversationListSchema>['conversations'][number];
