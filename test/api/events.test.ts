/**
 * /events: authentication on the upgrade, snapshot first then changes in bus order (nothing lost or
 * duplicated around the snapshot, even when events are published while it is built), agent scope,
 * reconnect = fresh snapshot, clean stop.
 */
import WebSocket from 'ws';
import { EventsHub, type LiveState } from '../../src/api/events';
import { ApiServer } from '../../src/api/server';
import { EventBus } from '../../src/events/bus';
import { silentLogger } from '../../src/log/logger';
import { systemClock } from '../../src/util/clock';
import { TEST_ADMIN_TOKEN, TEST_AGENT_TOKEN, TEST_SUPERVISOR_TOKEN } from '../helpers/tmp';

type Msg = { type: string; seq: number; agent?: string; queue?: string; agents?: { extension: string }[]; calls?: { id: string }[]; queues?: { queue: string }[]; data?: Record<string, unknown> };

class Client {
  readonly messages: Msg[] = [];
  private waiters: (() => void)[] = [];
  closed?: { code: number };
  constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      this.messages.push(JSON.parse(String(d)) as Msg);
      for (const w of this.waiters.splice(0)) w();
    });
    ws.on('close', (code) => {
      this.closed = { code };
      for (const w of this.waiters.splice(0)) w();
    });
  }
  /** Resolves once `n` messages arrived (fails fast instead of hanging). */
  async upTo(n: number, ms = 2000): Promise<Msg[]> {
    const deadline = Date.now() + ms;
    while (this.messages.length < n) {
      if (Date.now() > deadline || this.closed) throw new Error(`got ${this.messages.length} of ${n} messages`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
    return this.messages.slice(0, n);
  }
}

function connect(url: string, opts: { token?: string; query?: string } = {}): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/events${opts.query ?? ''}`, {
      headers: opts.token ? { authorization: `Bearer ${opts.token}` } : {},
    });
    const c = new Client(ws);
    ws.once('open', () => resolve(c));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

describe('/events WebSocket', () => {
  let bus: EventBus;
  let hub: EventsHub;
  let api: ApiServer;
  let url: string;
  let state: { agents: { extension: string; queues: string[]; state: string }[]; calls: { id: string; agent: string | null }[]; queues: { queue: string; waiting: number }[] };
  let duringSnapshot: (() => void) | undefined;
  const clients: Client[] = [];

  beforeEach(async () => {
    bus = new EventBus();
    state = {
      agents: [
        { extension: '1000', queues: ['support'], state: 'available' },
        { extension: '1001', queues: ['vendas'], state: 'paused' },
      ],
      calls: [
        { id: 'c1', agent: '1000' },
        { id: 'c2', agent: '1001' },
      ],
      queues: [
        { queue: 'support', waiting: 1 },
        { queue: 'vendas', waiting: 0 },
      ],
    };
    duringSnapshot = undefined;
    const live: LiveState = {
      agents: () => {
        duringSnapshot?.();
        return state.agents;
      },
      calls: () => state.calls,
      queues: () => state.queues,
    };
    hub = new EventsHub({ bus, state: live, clock: systemClock, log: silentLogger(), pingIntervalMs: 60_000 });
    api = new ApiServer({
      listen: '127.0.0.1:0',
      tokens: [
        { token: TEST_ADMIN_TOKEN, role: 'admin' },
        { token: TEST_SUPERVISOR_TOKEN, role: 'supervisor' },
        { token: TEST_AGENT_TOKEN, role: 'agent', agent: '1000' },
      ],
      routes: [],
      health: () => ({ status: 'ok' }),
      log: silentLogger(),
    });
    api.onUpgrade('/events', hub.handler);
    url = await api.start();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.ws.terminate();
    await hub.stop();
    await api.stop();
  });
  const open = async (o: { token?: string; query?: string }) => {
    const c = await connect(url, o);
    clients.push(c);
    return c;
  };

  it('refuses the upgrade with 401 without a valid token, and accepts ?token= for browsers', async () => {
    await expect(connect(url)).rejects.toThrow('HTTP 401');
    await expect(connect(url, { token: 'wrong-token-wrong-token' })).rejects.toThrow('HTTP 401');
    await expect(connect(url, { query: '?token=wrong-token-wrong-token' })).rejects.toThrow('HTTP 401');
    const c = await open({ query: `?token=${TEST_SUPERVISOR_TOKEN}` });
    expect((await c.upTo(1))[0].type).toBe('snapshot');
    expect(hub.clientCount).toBe(1);
  });

  it('sends the snapshot first, then every change in order with increasing seq', async () => {
    bus.publish({ type: 'system', data: { link: 'ami', connected: true } });
    const c = await open({ token: TEST_ADMIN_TOKEN });
    const [snap] = await c.upTo(1);
    expect(snap).toMatchObject({ type: 'snapshot', seq: 1, agents: state.agents, calls: state.calls, queues: state.queues });
    bus.publish({ type: 'agent.state', agent: '1000', data: { state: 'ringing' } });
    bus.publish({ type: 'call.state', agent: '1000', callId: 'c3', data: { state: 'connected' } });
    bus.publish({ type: 'queue.caller', queue: 'support', data: { action: 'leave' } });
    const msgs = await c.upTo(4);
    expect(msgs.map((m) => `${m.type}#${m.seq}`)).toEqual(['snapshot#1', 'agent.state#2', 'call.state#3', 'queue.caller#4']);
  });

  it('events published while the snapshot is built are sent once, after it, in order', async () => {
    bus.publish({ type: 'agent.state', agent: '1000', data: { state: 'available' } }); // seq 1, before
    duringSnapshot = () => {
      duringSnapshot = undefined;
      bus.publish({ type: 'agent.state', agent: '1001', data: { state: 'paused' } }); // seq 2, during
    };
    const c = await open({ token: TEST_ADMIN_TOKEN });
    bus.publish({ type: 'agent.state', agent: '1000', data: { state: 'ringing' } }); // seq 3, after
    const msgs = await c.upTo(3);
    expect(msgs.map((m) => `${m.type}#${m.seq}`)).toEqual(['snapshot#1', 'agent.state#2', 'agent.state#3']);
    await new Promise((r) => setTimeout(r, 30));
    expect(c.messages).toHaveLength(3);
  });

  it('agent tokens see only their own agent, calls and queues', async () => {
    const c = await open({ token: TEST_AGENT_TOKEN });
    const [snap] = await c.upTo(1);
    expect(snap.agents!.map((a) => a.extension)).toEqual(['1000']);
    expect(snap.calls!.map((x) => x.id)).toEqual(['c1']);
    expect(snap.queues!.map((q) => q.queue)).toEqual(['support']);
    bus.publish({ type: 'agent.state', agent: '1001', data: { state: 'available' } });
    bus.publish({ type: 'call.state', agent: '1001', callId: 'c2', data: { state: 'ended' } });
    bus.publish({ type: 'queue.caller', queue: 'vendas', data: { action: 'join' } });
    bus.publish({ type: 'system', data: { link: 'ari', connected: false } });
    bus.publish({ type: 'agent.pause', agent: '1000', data: { reason: 'Almoço' } });
    bus.publish({ type: 'queue.caller', queue: 'support', data: { action: 'join' } });
    const msgs = await c.upTo(3);
    expect(msgs.slice(1).map((m) => `${m.type}#${m.seq}`)).toEqual(['agent.pause#5', 'queue.caller#6']);
    await new Promise((r) => setTimeout(r, 30));
    expect(c.messages).toHaveLength(3);
  });

  it("an agent's queue scope follows its own login changes", async () => {
    const c = await open({ token: TEST_AGENT_TOKEN });
    await c.upTo(1);
    bus.publish({ type: 'queue.caller', queue: 'vendas', data: { action: 'join' } }); // seq 1: not its queue
    state.agents[0].queues = ['support', 'vendas'];
    bus.publish({ type: 'agent.login', agent: '1000', data: { queues: [{ queue: 'support' }, { queue: 'vendas' }] } }); // seq 2
    bus.publish({ type: 'queue.caller', queue: 'vendas', data: { action: 'leave' } }); // seq 3: now visible
    const msgs = await c.upTo(3);
    expect(msgs.slice(1).map((m) => `${m.type}#${m.seq}`)).toEqual(['agent.login#2', 'queue.caller#3']);
  });

  it('a reconnecting client gets a fresh snapshot at the current seq', async () => {
    const a = await open({ token: TEST_ADMIN_TOKEN });
    await a.upTo(1);
    bus.publish({ type: 'agent.state', agent: '1000', data: { state: 'on-call' } });
    await a.upTo(2);
    a.ws.close();
    state.agents[0].state = 'on-call';
    bus.publish({ type: 'call.state', agent: '1000', callId: 'c1', data: { state: 'connected' } });
    const b = await open({ token: TEST_ADMIN_TOKEN });
    const [snap] = await b.upTo(1);
    expect(snap).toMatchObject({ type: 'snapshot', seq: 2 });
    expect(snap.agents![0]).toMatchObject({ extension: '1000', state: 'on-call' });
  });

  it('stop() closes clients with 1001 and unsubscribes them from the bus', async () => {
    const c = await open({ token: TEST_ADMIN_TOKEN });
    await c.upTo(1);
    await hub.stop();
    await new Promise((r) => setTimeout(r, 30));
    expect(c.closed?.code).toBe(1001);
    expect(hub.clientCount).toBe(0);
    bus.publish({ type: 'system', data: {} });
    expect(c.messages).toHaveLength(1);
  });
});
