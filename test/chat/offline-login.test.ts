/**
 * Delivery to an agent that was offline: the message is stored, survives a daemon restart, and
 * when the agent logs in its client (snapshot from /events, then GET /chat/conversations) finds it
 * unread, with the text in the history; a mark-read clears it. Simulator-backed (real login).
 */
import WebSocket from 'ws';
import { AGENT_1000, AGENT_1001, bootEach, until } from '../e2e/helpers';

describe('chat to an offline agent', () => {
  const boot = bootEach({ '1000': ['support'] });

  it('is unread at its next login, and read once marked', async () => {
    const x = await boot();
    expect((await x.agent('1001')).state).toBe('offline');
    const sent = await x.api('POST', '/chat/messages', { to: { agent: '1001' }, text: 'quando voltar, me liga' }, AGENT_1000);
    expect(sent.status).toBe(201);
    await x.restartDaemon();

    await x.login('1001', ['support']);
    const ws = new WebSocket(`${x.apiUrl.replace(/^http/, 'ws')}/events`, { headers: { authorization: `Bearer ${AGENT_1001}` } });
    const got: any[] = [];
    ws.on('message', (d) => got.push(JSON.parse(String(d))));
    try {
      await until(() => got.length > 0, 3000, 'snapshot');
      expect(got[0].agents.map((a: { extension: string; state: string }) => [a.extension, a.state])).toEqual([['1001', 'available']]);
      const list = await x.api('GET', '/chat/conversations', undefined, AGENT_1001);
      expect(list.body.conversations).toEqual([
        expect.objectContaining({ id: sent.body.conversation.id, unread: 1, lastMessage: expect.objectContaining({ text: 'quando voltar, me liga', from: 'agent:1000' }) }),
      ]);
      const page = await x.api('GET', `/chat/conversations/${sent.body.conversation.id}/messages`, undefined, AGENT_1001);
      expect(page.body.messages.map((m: { text: string }) => m.text)).toEqual(['quando voltar, me liga']);
      expect((await x.api('POST', `/chat/conversations/${sent.body.conversation.id}/read`, {}, AGENT_1001)).body.unread).toBe(0);
      expect((await x.api('GET', '/chat/conversations', undefined, AGENT_1001)).body.conversations[0].unread).toBe(0);
    } finally {
      ws.close();
    }
  });
});
