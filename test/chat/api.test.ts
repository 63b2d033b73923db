/**
 * The /chat routes on a running daemon (fake links) and chat.message on /events: the recipient's
 * socket gets the message, a third agent's and an unscoped supervisor's do not; a supervisor scoped
 * outside a group or a conversation gets 403. Every answer validates against its documented schema.
 */
import WebSocket from 'ws';
import { startDaemon, type DaemonHandle } from '../../src/daemon/app';
import type { RouteDef } from '../../src/api/types';
import { parseConfigObject } from '../../src/config/load';
import { silentLogger } from '../../src/log/logger';
import { createFakeAri, FakeAmi } from '../helpers/fake-links';
import { apiRequest } from '../helpers/api';
import { cleanupTmpDirs, makeTmpDir, TEST_ADMIN_TOKEN, withOverrides } from '../helpers/tmp';
import { until } from '../e2e/helpers';

afterAll(cleanupTmpDirs);

const T = {
  admin: TEST_ADMIN_TOKEN,
  boss: 'chat-boss-token-0123456789ab',
  floor: 'chat-floor-token-0123456789a',
  a1000: 'chat-agent-1000-token-01234',
  a1001: 'chat-agent-1001-token-01234',
  a1002: 'chat-agent-1002-token-01234',
  anon: 'chat-anon-super-token-01234',
};

describe('/chat API and chat.message on /events', () => {
  let daemon: DaemonHandle;
  const sockets: WebSocket[] = [];
  const api = (method: string, path: string, token: string, body?: unknown) => apiRequest(daemon.apiUrl, method, path, token, body);
  const routeOf = (method: string, path: string): RouteDef => daemon.modules.flatMap((m) => m.routes?.() ?? []).find((x) => x.method === method && x.path === path)!;
  const documented = (method: string, path: string, body: unknown) => {
    const parsed = routeOf(method, path).response!.safeParse(body);
    expect(parsed.success ? 'valid' : parsed.error.issues).toBe('valid');
  };
  /** An /events client: every frame it received, once its snapshot arrived. */
  const listen = async (token: string): Promise<any[]> => {
    const ws = new WebSocket(`${daemon.apiUrl.replace(/^http/, 'ws')}/events`, { headers: { authorization: `Bearer ${token}` } });
    sockets.push(ws);
    const got: any[] = [];
    ws.on('message', (d) => got.push(JSON.parse(String(d))));
    await until(() => got.length > 0, 3000, 'snapshot');
    return got;
  };
  const chats = (frames: any[]) => frames.filter((f) => f.type === 'chat.message');

  beforeAll(async () => {
    const raw = withOverrides({
      api: {
        tokens: [
          { token: T.admin, role: 'admin', name: 'ops' },
          { token: T.boss, role: 'supervisor', name: 'boss' },
          { token: T.floor, role: 'supervisor', name: 'floor', groups: ['vendas-floor'] },
          { token: T.anon, role: 'supervisor' },
          { token: T.a1000, role: 'agent', agent: '1000' },
          { token: T.a1001, role: 'agent', agent: '1001' },
          { token: T.a1002, role: 'agent', agent: '1002' },
        ],
      },
      chat: { max_message_chars: 50, max_messages_per_minute: 4 },
    });
    const config = parseConfigObject(raw, {}, { baseDir: makeTmpDir() });
    daemon = await startDaemon(config, { log: silentLogger(), amiFactory: () => new FakeAmi(), ariFactory: () => createFakeAri() });
    const admin = (path: string, body: unknown) => api('POST', path, T.admin, body);
    expect((await admin('/catalogue/queues', { name: 'vendas' })).status).toBe(201);
    expect((await admin('/catalogue/queues', { name: 'support' })).status).toBe(201);
    for (const [ext, queue] of [['1000', 'vendas'], ['1001', 'vendas'], ['1002', 'support']]) {
      expect((await admin('/catalogue/agents', { extension: ext, name: `A ${ext}`, device: `PJSIP/${ext}`, queues: [{ queue }] })).status).toBe(201);
    }
    expect((await admin('/catalogue/groups', { name: 'vendas-floor', queues: ['vendas'] })).status).toBe(201);
    expect((await admin('/catalogue/agent-groups', { name: 'vendas-team', agents: ['1000', '1001'] })).status).toBe(201);
    expect((await admin('/catalogue/agent-groups', { name: 'mixed', agents: ['1000', '1002'] })).status).toBe(201);
  });
  afterAll(async () => {
    for (const ws of sockets) ws.close();
    await daemon.stop();
  });

  it('a private message reaches the recipient live, not a third agent nor a supervisor outside it', async () => {
    const [to1001, to1002, toBoss, toSender] = await Promise.all([listen(T.a1001), listen(T.a1002), listen(T.boss), listen(T.a1000)]);
    const sent = await api('POST', '/chat/messages', T.a1000, { to: { agent: '1001' }, text: 'oi <b>1001</b>\u0007\nlinha 2' });
    expect(sent.status).toBe(201);
    documented('POST', '/chat/messages', sent.body);
    expect(sent.body.message).toMatchObject({ from: 'agent:1000', text: 'oi <b>1001</b>\nlinha 2' });
    await until(() => chats(to1001).length === 1 && chats(toSender).length === 1, 3000, 'chat.message at 1001 and at the sender');
    expect(chats(to1001)[0].data).toEqual(sent.body);
    // A later message to 1002 arrives there: by then the first one would have arrived too if leaked.
    const second = await api('POST', '/chat/messages', T.a1000, { to: { agent: '1002' }, text: 'só para 1002' });
    await until(() => chats(to1002).length === 1, 3000, 'the message for 1002');
    expect(chats(to1002).map((f) => f.data.message.id)).toEqual([second.body.message.id]);
    expect(chats(toBoss)).toEqual([]);
    expect(chats(to1001)).toHaveLength(1);
  });

  it('lists, pages and marks read; only participants read (403 first)', async () => {
    const list = await api('GET', '/chat/conversations', T.a1001);
    expect(list.status).toBe(200);
    documented('GET', '/chat/conversations', list.body);
    const [c] = list.body.conversations;
    expect(c).toMatchObject({ kind: 'private', participants: ['agent:1000', 'agent:1001'], unread: 1 });
    const page = await api('GET', `/chat/conversations/${c.id}/messages?limit=10`, T.a1001);
    documented('GET', '/chat/conversations/:id/messages', page.body);
    expect(page.body.messages.map((m: any) => m.text)).toEqual(['oi <b>1001</b>\nlinha 2']);
    expect((await api('GET', `/chat/conversations/${c.id}/messages`, T.a1002)).status).toBe(403);
    expect((await api('GET', `/chat/conversations/${c.id}/messages`, T.boss)).status).toBe(403);
    expect((await api('POST', `/chat/conversations/${c.id}/read`, T.a1002, {})).status).toBe(403);
    const read = await api('POST', `/chat/conversations/${c.id}/read`, T.a1001, {});
    expect(read).toEqual({ status: 200, body: { conversationId: c.id, unread: 0 } });
    documented('POST', '/chat/conversations/:id/read', read.body);
    expect((await api('GET', '/chat/conversations', T.a1001)).body.conversations[0].unread).toBe(0);
    expect((await api('GET', '/chat/conversations/999/messages', T.a1001)).status).toBe(404);
  });

  it('group chat: a scoped supervisor writes in a group inside its scope, 403 in one reaching outside', async () => {
    const [to1001, to1002] = await Promise.all([listen(T.a1001), listen(T.a1002)]);
    const outside = await api('POST', '/chat/messages', T.floor, { to: { group: 'mixed' }, text: 'x' });
    expect(outside.status).toBe(403);
    const inside = await api('POST', '/chat/messages', T.floor, { to: { group: 'vendas-team' }, text: 'reunião às 10' });
    expect(inside.status).toBe(201);
    expect(inside.body.recipients).toEqual(['agent:1000', 'agent:1001', 'user:boss', 'user:floor']);
    await until(() => chats(to1001).some((f) => f.data.message.id === inside.body.message.id), 3000, 'group message at 1001');
    // 1002 is in "mixed": a message there reaches it, the vendas-team one never did.
    const mixed = await api('POST', '/chat/messages', T.a1000, { to: { group: 'mixed' }, text: 'olá mixed' });
    expect(mixed.status).toBe(201);
    await until(() => chats(to1002).length === 1, 3000, 'mixed message at 1002');
    expect(chats(to1002)[0].data.message.id).toBe(mixed.body.message.id);
    expect((await api('GET', `/chat/conversations/${mixed.body.conversation.id}/messages`, T.floor)).status).toBe(403);
    expect((await api('POST', '/chat/messages', T.a1002, { to: { group: 'vendas-team' }, text: 'x' })).status).toBe(403);
  });

  it('refuses bad input: too long, empty, unknown shape, a token without name', async () => {
    const long = await api('POST', '/chat/messages', T.a1000, { to: { agent: '1001' }, text: 'x'.repeat(51) });
    expect(long.status).toBe(400);
    expect((await api('POST', '/chat/messages', T.a1000, { to: { agent: '1001' }, text: '\u0000' })).status).toBe(400);
    expect((await api('POST', '/chat/messages', T.a1000, { to: { queue: 'vendas' }, text: 'x' })).status).toBe(400);
    expect((await api('POST', '/chat/messages', T.anon, { to: { agent: '1001' }, text: 'x' })).status).toBe(403);
    expect((await api('GET', '/chat/conversations/abc/messages', T.a1000)).status).toBe(400);
  });

  it('refuses a sender past chat.max_messages_per_minute (409), not the others', async () => {
    for (let i = 0; i < 4; i++) expect((await api('POST', '/chat/messages', T.a1002, { to: { agent: '1000' }, text: `m${i}` })).status).toBe(201);
    const over = await api('POST', '/chat/messages', T.a1002, { to: { agent: '1000' }, text: 'm4' });
    expect(over.status).toBe(409);
    expect(over.body.error.details.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect((await api('POST', '/chat/messages', T.a1001, { to: { agent: '1002' }, text: 'ok' })).status).toBe(201);
  });
});
