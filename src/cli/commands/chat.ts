/**
 * `callcenterd chat send|list|history|read`: the internal chat through the daemon API, as the
 * token's identity (an admin or supervisor token needs a `name` in api.tokens: it is who writes).
 * For ops (a notice to a group, checking that messages arrive); people chat from their clients.
 */
import type { ChatConversationSummary, ChatMessageView, ChatSentView } from './chat-types';
import type { CliContext } from '../context';
import { CliError } from '../errors';
import { intOption } from '../context';
import { tableTime } from '../output';

const idArg = (id: string): string => {
  if (!/^\d+$/.test(id)) throw new CliError(2, `ID: must be a conversation number, got "${id}"`);
  return id;
};

/** One row per message: line breaks shown as ⏎ so a message stays one table row. */
const msgRow = (m: ChatMessageView) => ({ id: m.id, at: tableTime(m.at), from: m.from, text: m.text.replace(/\n/g, ' ⏎ ') });

export function registerChatCommands(ctx: CliContext): void {
  const chat = ctx.group('chat', 'internal chat (live): private and agent-group messages, as this token');

  chat
    .command('send')
    .description('send a chat message to an agent (--agent), an agent group (--group) or a conversation (--conversation)')
    .argument('<text>', 'the message (plain text)')
    .option('--agent <ext>', 'agent extension (private conversation)')
    .option('--group <name>', 'agent group')
    .option('--conversation <id>', 'reply in this conversation', intOption('--conversation', 1, Number.MAX_SAFE_INTEGER))
    .action(async (text: string, o: { agent?: string; group?: string; conversation?: number }) => {
      const given = [o.agent, o.group, o.conversation].filter((v) => v !== undefined);
      if (given.length !== 1) throw new CliError(2, 'give exactly one of --agent, --group or --conversation');
      const to = o.agent !== undefined ? { agent: o.agent } : o.group !== undefined ? { group: o.group } : { conversation: o.conversation };
      const r = await ctx.api().request<ChatSentView>('POST', '/chat/messages', { to, text });
      ctx.out(`message ${r.message.id} sent in conversation ${r.conversation.id} to ${r.recipients.filter((x) => x !== r.message.from).join(', ')}`);
    });

  chat
    .command('list')
    .description("this token's conversations, most recent first, with unread counts")
    .option('--json', 'JSON output')
    .action(async (o: { json?: boolean }) => {
      const { conversations } = await ctx.api().request<{ conversations: ChatConversationSummary[] }>('GET', '/chat/conversations');
      const rows = conversations.map((c) => ({
        id: c.id,
        with: c.kind === 'group' ? `group ${c.group}` : c.participants.join(', '),
        unread: c.unread,
        last: c.lastMessage ? tableTime(c.lastMessage.at) : '',
      }));
      ctx.print(o.json ? conversations : rows, { json: o.json, empty: 'no conversations' });
    });

  chat
    .command('history')
    .description('messages of a conversation, oldest first (the newest --limit before --before)')
    .argument('<id>', 'conversation id')
    .option('--before <message-id>', 'only messages older than this one', intOption('--before', 1, Number.MAX_SAFE_INTEGER))
    .option('--limit <n>', 'at most n (default 50)', intOption('--limit', 1, 200))
    .option('--json', 'JSON output')
    .action(async (id: string, o: { before?: number; limit?: number; json?: boolean }) => {
      const q = new URLSearchParams();
      if (o.before) q.set('before', String(o.before));
      if (o.limit) q.set('limit', String(o.limit));
      const qs = q.toString();
      const page = await ctx.api().request<{ messages: ChatMessageView[]; more: boolean }>('GET', `/chat/conversations/${idArg(id)}/messages${qs ? `?${qs}` : ''}`);
      ctx.print(o.json ? page.messages : page.messages.map(msgRow), { json: o.json, empty: 'no messages' });
    });

  chat
    .command('read')
    .description('mark a conversation read (up to --up-to, default all)')
    .argument('<id>', 'conversation id')
    .option('--up-to <message-id>', 'last message read', intOption('--up-to', 1, Number.MAX_SAFE_INTEGER))
    .action(async (id: string, o: { upTo?: number }) => {
      const r = await ctx.api().request<{ conversationId: number; unread: number }>('POST', `/chat/conversations/${idArg(id)}/read`, o.upTo ? { upTo: o.upTo } : {});
      ctx.out(`conversation ${r.conversationId}: ${r.unread} unread`);
    });
}
