/**
 * The internal chat in the daemon: its routes, and the service publishing chat.message on the bus
 * (the /events hub shows it to the sender and recipients only).
 */
import type { ModuleFactory } from '../daemon/module';
import { ScopeResolver } from '../supervision/scope';
import { chatRoutes } from './routes';
import { ChatService, type ChatUserToken } from './service';

export const chatFactory: ModuleFactory = (deps) => {
  const scopes = new ScopeResolver(deps.db);
  const supervisors: ChatUserToken[] = deps.config.api.tokens.flatMap((t) =>
    (t.role === 'supervisor' || t.role === 'admin') && t.name?.trim() ? [{ role: t.role, name: t.name, groups: t.groups }] : [],
  );
  const chat = new ChatService({
    db: deps.db,
    bus: deps.bus,
    clock: deps.clock,
    limits: { maxMessageChars: deps.config.chat.max_message_chars, maxMessagesPerMinute: deps.config.chat.max_messages_per_minute },
    scopeOf: (p) => scopes.of(p),
    supervisors,
  });
  return { name: 'chat', routes: () => chatRoutes(chat) };
};
