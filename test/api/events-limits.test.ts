/**
 * /events resource limits: a client that stops reading is closed (1013) once its queue passes
 * maxBufferedBytes, without its queue ever growing past the cap by more than one message; one token
 * may hold maxConnectionsPerToken sockets, the next upgrade is refused with HTTP 429.
 */
import type net from 'node:net';
import WebSocket from 'ws';
import { EVENTS_DEFAULTS, EventsHub, TOO_SLOW_CLOSE } from '../../src/api/events';
import { ApiServer } from '../../src/api/server';
import { configSchema } from '../../src/config/schema';
import { EventBus } from '../../src/events/bus';
import { silentLogger } from '../../src/log/logger';
import { systemClock } from '../../src/util/clock';
import { baseRawConfig, TEST_ADMIN_TOKEN, TEST_AGENT_TOKEN, TEST_SUPERVISOR_TOKEN } from '../helpers/tmp';
import { waitUntil } from '../helpers/wait';

const CAP = 64 * 1024;

describe('/events limits', () => {
  let bus: EventBus;
  let hub: EventsHub;
  let api: ApiServer;
  let url: string;
  const sockets: WebSocket[] = [];
  /** Messages received per socket (counted from the start: the snapshot may arrive with the 101). */
  const received = new Map<WebSocket, number>();

  beforeEach(async () => {
    bus = new EventBus();
    hub = new EventsHub({
      bus,
      state: { agents: () => [{ extension: '1000', queues: ['support'] }], calls: () => [], queues: () => [] },
      clock: systemClock,
      log: silentLogger(),
      pingIntervalMs: 60_000,
      maxBufferedBytes: CAP,
      maxConnectionsPerToken: 2,
    });
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
    api.onUpgrade('/events', hub.handler, () => hub.stop());
    url = await api.start();
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    for (const ws of sockets.splice(0)) ws.terminate();
    await api.stop();
  });

  /** Opens a socket; resolves once open, or with the refused upgrade's status and body. */
  const connect = (token: string, query = false) =>
    new Promise<{ ws: WebSocket } | { status: number; body: unknown }>((resolve, reject) => {
      const ws = new WebSocket(`${url.replace('http', 'ws')}/events${query ? `?token=${token}` : ''}`, {
        headers: query ? {} : { authorization: `Bearer ${token}` },
      });
      received.set(ws, 0);
      ws.on('message', () => received.set(ws, received.get(ws)! + 1));
      ws.once('open', () => {
        sockets.push(ws);
        resolve({ ws });
      });
      ws.once('unexpected-response', (_req, res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      });
      ws.once('error', reject);
    });
  const open = async (token: string, query = false) => {
    const r = await connect(token, query);
    if (!('ws' in r)) throw new Error(`upgrade refused: HTTP ${r.status}`);
    return r.ws;
  };

  it('a client that stops reading is closed with 1013 once over the cap; its queue never exceeds cap + one message', async () => {
    // What the server had queued for each socket right after each send, and the largest message.
    let maxAfterSend = 0;
    let largest = 0;
    const send = WebSocket.prototype.send;
    jest.spyOn(WebSocket.prototype, 'send').mockImplementation(function (this: WebSocket, data: unknown, ...rest: unknown[]) {
      (send as (...a: unknown[]) => void).call(this, data, ...rest);
      largest = Math.max(largest, Buffer.byteLength(data as string | Buffer));
      maxAfterSend = Math.max(maxAfterSend, this.bufferedAmount);
    });
    const stalled = await open(TEST_AGENT_TOKEN);
    const reader = await open(TEST_SUPERVISOR_TOKEN);
    const read = () => received.get(reader)!;
    let stalledClose: { code: number; reason: string } | undefined;
    stalled.on('close', (code, reason) => (stalledClose = { code, reason: String(reason) }));
    // The client-side TCP socket stops reading: the kernel buffers fill, then the server's queue grows.
    const tcp = (stalled as unknown as { _socket: net.Socket })._socket;
    tcp.pause();
    await waitUntil(() => read() === 1, { what: 'snapshot on the reading client' });

    const data = { state: 'on-call', note: 'x'.repeat(2000) };
    let published = 0;
    // Enough to overflow loopback's kernel buffers (a few MB) as well as the cap; yields let I/O run.
    while (hub.stats.tooSlow === 0 && published < 20_000) {
      for (let i = 0; i < 100; i++, published++) bus.publish({ type: 'agent.state', agent: '1000', data });
      await new Promise((r) => setImmediate(r));
    }
    expect(hub.stats.tooSlow).toBe(1);
    expect(hub.clientCount).toBe(1); // the reading one stays
    // The queue did fill up towards the cap (which also counts ~400 bytes per queued message) ...
    expect(maxAfterSend).toBeGreaterThan(CAP / 2);
    expect(maxAfterSend).toBeLessThanOrEqual(CAP + largest + 14); // ... and never past it by more than one frame
    // Once it reads again, the client drains what was queued and then gets the documented close.
    tcp.resume();
    await waitUntil(() => stalledClose !== undefined, { timeoutMs: 5000, what: 'close on the stalled client' });
    expect(stalledClose).toEqual({ code: 1013, reason: TOO_SLOW_CLOSE.reason });
    expect(stalledClose!.reason).toMatch(/^too slow/);
    // The reading client got every event, in order.
    await waitUntil(() => read() === 1 + published, { timeoutMs: 5000, what: 'all events on the reading client' });
  });

  it("tiny events: the cap counts each queued message's bookkeeping, and each event is serialised once for all clients", async () => {
    const sent = new Map<WebSocket, unknown[]>();
    let maxAfterSend = 0;
    const send = WebSocket.prototype.send;
    jest.spyOn(WebSocket.prototype, 'send').mockImplementation(function (this: WebSocket, data: unknown, ...rest: unknown[]) {
      (send as (...a: unknown[]) => void).call(this, data, ...rest);
      if (!sent.has(this)) sent.set(this, []);
      const list = sent.get(this)!;
      if (list.length < 10) list.push(data);
      maxAfterSend = Math.max(maxAfterSend, this.bufferedAmount);
    });
    const stalled = await open(TEST_AGENT_TOKEN);
    const reader = await open(TEST_SUPERVISOR_TOKEN);
    (stalled as unknown as { _socket: net.Socket })._socket.pause();
    await waitUntil(() => received.get(reader) === 1, { what: 'snapshot on the reading client' });
    let published = 0;
    while (hub.stats.tooSlow === 0 && published < 200_000) {
      for (let i = 0; i < 500; i++, published++) bus.publish({ type: 'agent.state', agent: '1000', data: {} });
      await new Promise((r) => setImmediate(r));
    }
    expect(hub.stats.tooSlow).toBe(1);
    expect(hub.clientCount).toBe(1); // the reading one stays
    // ~100-byte frames: ~400 bytes of bookkeeping each is most of what a queued message costs, so
    // the client is closed long before its bytes alone reach the cap.
    expect(maxAfterSend).toBeLessThan(CAP / 3);
    // One Buffer per event, queued for both clients (not one JSON string per client).
    const [toStalled, toReader] = [...sent.values()];
    expect(toStalled).toHaveLength(10);
    for (let i = 1; i < 10; i++) {
      expect(Buffer.isBuffer(toStalled[i])).toBe(true);
      expect(toReader[i]).toBe(toStalled[i]);
    }
  });

  it('refuses the N+1th socket of one token with 429 and a JSON error; other tokens and released slots still connect', async () => {
    const a = await open(TEST_AGENT_TOKEN);
    await open(TEST_AGENT_TOKEN, true); // ?token= counts as the same token
    expect(await connect(TEST_AGENT_TOKEN)).toEqual({
      status: 429,
      body: { error: { code: 'too_many_connections', message: 'this token already has 2 /events connections (api.events_max_connections_per_token)' } },
    });
    expect(hub.stats.refused).toBe(1);
    expect(hub.clientCount).toBe(2);
    await open(TEST_SUPERVISOR_TOKEN);
    // A slot is free again once the socket is gone.
    a.close();
    await waitUntil(async () => 'ws' in (await connect(TEST_AGENT_TOKEN)), { what: 'a slot freed by the close' });
    expect(hub.clientCount).toBe(3);
  });

  it('the schema defaults are the hub defaults', () => {
    const api = configSchema.parse(baseRawConfig()).api;
    expect(api.events_max_buffered_bytes).toBe(EVENTS_DEFAULTS.maxBufferedBytes);
    expect(api.events_max_connections_per_token).toBe(EVENTS_DEFAULTS.maxConnectionsPerToken);
  });
});
