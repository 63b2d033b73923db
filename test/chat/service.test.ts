import { AgentCatalogueRepo } from '../../src/agents/catalogue';
import { AgentGroupCatalogue } from '../../src/agents/groups';
import type { Principal, RouteScope } from '../../src/api/types';
import { eventVisible } from '../../src/api/events';
import { ChatService, cleanText } from '../../src/chat/service';
import { EventBus, type DomainEvent } from '../../src/events/bus';
import { openDatabase, type Db } from '../../src/store/db';
import { FakeClock } from '../../src/util/clock';
import { forbidden } from '../../src/util/errors';

const agent = (ext: string): Principal => ({ role: 'agent', agent: ext });
const sup = (name: string, groups?: string[]): Principal => ({ role: 'supervisor', name, groups });

/** A scope that allows a fixed set of agents (the real one derives it from queues). */
function fixedScope(agents: string[]): RouteScope {
  const set = new Set(agents);
  return {
    queues: new Set(),
    agents: set,
    allowsQueue: () => false,
    allowsAgent: (a) => !!a && set.has(a),
    allowsCall: () => false,
    deny: (what) => forbidden(`outside: ${what}`),
  };
}

describe('ChatService', () => {
  let db: Db;
  let clock: FakeClock;
  let bus: EventBus;
  let events: DomainEvent[];
  let chat: ChatService;
  const make = (limits = { maxMessageChars: 20, maxMessagesPerMinute: 3 }) =>
    new ChatService({
      db,
      bus,
      clock,
      limits,
      // "floor" is limited to 1000 and 1001; "other" to 1002; "boss" unscoped.
      scopeOf: (p) => (p.role === 'supervisor' && p.groups?.length ? fixedScope(p.name === 'floor' ? ['1000', '1001'] : ['1002']) : null),
      supervisors: [
        { role: 'supervisor', name: 'floor', groups: ['vendas-floor'] },
        { role: 'supervisor', name: 'other', groups: ['other-floor'] },
        { role: 'supervisor', name: 'boss' },
        { role: 'admin', name: 'ops' },
      ],
    });

  beforeEach(() => {
    db = openDatabase(':memory:');
    clock = new FakeClock(1_000_000);
    const agents = new AgentCatalogueRepo({ db, clock });
    for (const ext of ['1000', '1001', '1002']) agents.add({ extension: ext, name: `A ${ext}`, device: `PJSIP/${ext}` });
    new AgentGroupCatalogue({ db, clock }).add({ name: 'vendas-team', agents: ['1000', '1001'] });
    bus = new EventBus();
    events = [];
    bus.subscribe((e) => events.push(e));
    chat = make();
  });
  afterEach(() => db.close());

  it('reuses one private conversation per pair, whichever side writes', () => {
    const a = chat.send(agent('1000'), { agent: '1001' }, 'oi');
    const b = chat.send(agent('1001'), { agent: '1000' }, 'olá');
    expect(b.conversation.id).toBe(a.conversation.id);
    expect(a.recipients).toEqual(['agent:1000', 'agent:1001']);
    expect(chat.send(agent('1000'), { agent: '1002' }, 'x').conversation.id).not.toBe(a.conversation.id);
  });

  it('counts unread per participant and marks read (never backwards)', () => {
    const m1 = chat.send(agent('1000'), { agent: '1001' }, 'um').message;
    chat.send(agent('1000'), { agent: '1001' }, 'dois');
    const [c] = chat.list(agent('1001'));
    expect(c).toMatchObject({ kind: 'private', unread: 2, lastMessage: { text: 'dois', from: 'agent:1000' } });
    expect(chat.list(agent('1000'))[0].unread).toBe(0);
    expect(chat.markRead(agent('1001'), c.id, m1.id)).toEqual({ conversationId: c.id, unread: 1 });
    expect(chat.markRead(agent('1001'), c.id)).toEqual({ conversationId: c.id, unread: 0 });
    expect(chat.markRead(agent('1001'), c.id, m1.id).unread).toBe(0);
    // the recipient's reply does not count as unread for itself, and is unread for the other side
    chat.send(agent('1001'), { conversation: c.id }, 'ok');
    expect(chat.list(agent('1001'))[0].unread).toBe(0);
    expect(chat.list(agent('1000'))[0].unread).toBe(1);
  });

  it('group: members write, the group and covering supervisors receive, others get 403', () => {
    const r = chat.send(agent('1000'), { group: 'vendas-team' }, 'bom dia');
    expect(r.conversation).toMatchObject({ kind: 'group', group: 'vendas-team' });
    expect(r.recipients).toEqual(['agent:1000', 'agent:1001', 'user:boss', 'user:floor']);
    expect(chat.list(agent('1001'))[0].unread).toBe(1);
    expect(chat.list(sup('floor', ['vendas-floor']))[0].unread).toBe(1);
    expect(() => chat.send(agent('1002'), { group: 'vendas-team' }, 'x')).toThrow(expect.objectContaining({ kind: 'forbidden' }));
    expect(() => chat.send(sup('other', ['other-floor']), { group: 'vendas-team' }, 'x')).toThrow(expect.objectContaining({ kind: 'forbidden' }));
    expect(() => chat.messages(sup('other', ['other-floor']), r.conversation.id, undefined, 50)).toThrow(expect.objectContaining({ kind: 'forbidden' }));
    expect(() => chat.messages(agent('1002'), r.conversation.id, undefined, 50)).toThrow(expect.objectContaining({ kind: 'forbidden' }));
    // an admin may write anywhere and is then in the conversation
    expect(chat.send({ role: 'admin', name: 'ops' }, { group: 'vendas-team' }, 'aviso').recipients).toContain('user:ops');
    expect(() => chat.send(agent('1000'), { group: 'nope' }, 'x')).toThrow(expect.objectContaining({ kind: 'not_found' }));
  });

  it('a scoped supervisor writes privately only to agents of its scope; a token without name cannot chat', () => {
    expect(chat.send(sup('floor', ['vendas-floor']), { agent: '1000' }, 'oi').recipients).toEqual(['agent:1000', 'user:floor']);
    expect(() => chat.send(sup('floor', ['vendas-floor']), { agent: '1002' }, 'oi')).toThrow(expect.objectContaining({ kind: 'forbidden' }));
    expect(() => chat.send({ role: 'supervisor' }, { agent: '1000' }, 'oi')).toThrow(expect.objectContaining({ kind: 'forbidden', message: expect.stringMatching(/name/) }));
    expect(() => chat.list({ role: 'agent' })).toThrow(expect.objectContaining({ kind: 'forbidden' }));
    expect(() => chat.send(agent('1000'), { agent: '1000' }, 'me')).toThrow(expect.objectContaining({ kind: 'invalid' }));
    expect(() => chat.send(agent('1000'), { agent: '1009' }, 'x')).toThrow(expect.objectContaining({ kind: 'not_found' }));
  });

  it('the agent replies to a supervisor through the conversation', () => {
    const c = chat.send(sup('boss'), { agent: '1002' }, 'tudo bem?').conversation;
    expect(chat.send(agent('1002'), { conversation: c.id }, 'sim').recipients).toEqual(['agent:1002', 'user:boss']);
    expect(() => chat.send(agent('1001'), { conversation: c.id }, 'intruso')).toThrow(expect.objectContaining({ kind: 'forbidden' }));
  });

  it('limits size (code points, after cleaning) and rate per sender in a sliding minute', () => {
    expect(() => chat.send(agent('1000'), { agent: '1001' }, 'x'.repeat(21))).toThrow(expect.objectContaining({ kind: 'invalid', details: { field: 'text', max: 20 } }));
    expect(chat.send(agent('1000'), { agent: '1001' }, '😀'.repeat(20)).message.text).toHaveLength(40);
    expect(() => chat.send(agent('1000'), { agent: '1001' }, '\u0000\u0007 ')).toThrow(expect.objectContaining({ kind: 'invalid' }));
    chat.send(agent('1000'), { agent: '1001' }, '2');
    clock.advance(30_000);
    chat.send(agent('1000'), { agent: '1001' }, '3');
    expect(() => chat.send(agent('1000'), { agent: '1001' }, '4')).toThrow(expect.objectContaining({ kind: 'refused', details: { retryAfterSeconds: 30 } }));
    chat.send(agent('1001'), { agent: '1000' }, 'own window');
    clock.advance(30_001);
    expect(chat.send(agent('1000'), { agent: '1001' }, '4').message.text).toBe('4');
  });

  it('stores text as given minus control characters other than newline', () => {
    expect(cleanText('a\r\nb\rc\td\u0000e\u001b[31m<b>&amp;</b>\u0085')).toBe('a\nb\ncde[31m<b>&amp;</b>');
    chat = make({ maxMessageChars: 100, maxMessagesPerMinute: 100 });
    const m = chat.send(agent('1000'), { agent: '1001' }, '<script>alert(1)</script>\nlinha 2').message;
    expect(chat.messages(agent('1001'), m.conversationId, undefined, 50).messages[0].text).toBe('<script>alert(1)</script>\nlinha 2');
  });

  it('pages history oldest first with before/limit', () => {
    const ids = ['1', '2', '3', '4', '5'].map((t) => {
      clock.advance(20_000); // stay under the rate limit
      return chat.send(agent('1000'), { agent: '1001' }, t).message.id;
    });
    const cid = chat.list(agent('1000'))[0].id;
    const p1 = chat.messages(agent('1001'), cid, undefined, 2);
    expect(p1.messages.map((m) => m.text)).toEqual(['4', '5']);
    expect(p1.more).toBe(true);
    const p2 = chat.messages(agent('1001'), cid, p1.messages[0].id, 10);
    expect(p2).toMatchObject({ more: false });
    expect(p2.messages.map((m) => m.id)).toEqual(ids.slice(0, 3));
  });

  it('publishes chat.message that only the sender and recipients see on /events', () => {
    chat = make({ maxMessageChars: 100, maxMessagesPerMinute: 100 });
    chat.send(agent('1000'), { agent: '1001' }, 'segredo');
    const e = events.find((x) => x.type === 'chat.message')!;
    expect(e.data).toMatchObject({ recipients: ['agent:1000', 'agent:1001'], message: { text: 'segredo' } });
    const none = new Set<string>();
    expect(eventVisible(agent('1000'), e, none)).toBe(true);
    expect(eventVisible(agent('1001'), e, none)).toBe(true);
    expect(eventVisible(agent('1002'), e, none)).toBe(false);
    expect(eventVisible(sup('boss'), e, none)).toBe(false);
    expect(eventVisible({ role: 'admin', name: 'ops' }, e, none)).toBe(false);
    expect(eventVisible(sup('floor', ['vendas-floor']), e, none, fixedScope(['1000', '1001']))).toBe(false);
  });

  it('a new group member does not inherit the history as unread', () => {
    chat.send(agent('1000'), { group: 'vendas-team' }, 'antes');
    new AgentGroupCatalogue({ db, clock }).update('vendas-team', { agents: ['1000', '1001', '1002'] });
    chat.send(agent('1001'), { group: 'vendas-team' }, 'depois');
    const [c] = chat.list(agent('1002'));
    expect(c.unread).toBe(1);
  });
});
