/**
 * Child-process entry of the /events slow-client benchmark (bench/events-slow-clients.ts): the
 * measured side, an ApiServer with the /events hub and an EventBus, nothing else, so its RSS is the
 * cost of the stream and of the clients connected to it. Commands come over the Node IPC channel;
 * never run by hand. One child per scenario, so no scenario inherits another's heap.
 */
import { EventsHub } from '../src/api/events';
import { ApiServer } from '../src/api/server';
import { EventBus } from '../src/events/bus';
import { silentLogger } from '../src/log/logger';
import { systemClock } from '../src/util/clock';

export const BENCH_AGENT_TOKEN = 'bench-agent-token-1000-0123456789';

export type EventsServerRequest =
  | { cmd: 'init'; maxBufferedBytes?: number; maxConnectionsPerToken?: number }
  | { cmd: 'publish'; events: number; batch: number; settleMs: number }
  | { cmd: 'stop' };

export interface EventsServerReady {
  url: string;
  /** RSS once listening, before any client or event. */
  idleRss: number;
}

export interface EventsServerResult {
  /** Highest RSS seen while publishing and during settleMs after. */
  peakRss: number;
  endRss: number;
  clientsAtStart: number;
  clientsAtEnd: number;
  tooSlow: number;
  refused: number;
  publishMs: number;
}

const send = (m: unknown) => process.send?.(m);

let bus: EventBus | undefined;
let hub: EventsHub | undefined;
let api: ApiServer | undefined;

async function init(o: Extract<EventsServerRequest, { cmd: 'init' }>): Promise<EventsServerReady> {
  bus = new EventBus();
  // Agent 1000 in one queue: the stream the stalled softphones of the issue subscribed to.
  hub = new EventsHub({
    bus,
    state: { agents: () => [{ extension: '1000', queues: ['support'] }], calls: () => [], queues: () => [{ queue: 'support' }] },
    clock: systemClock,
    log: silentLogger(),
    maxBufferedBytes: o.maxBufferedBytes,
    maxConnectionsPerToken: o.maxConnectionsPerToken,
  });
  api = new ApiServer({
    listen: '127.0.0.1:0',
    tokens: [{ token: BENCH_AGENT_TOKEN, role: 'agent', agent: '1000' }],
    routes: [],
    health: () => ({ status: 'ok' }),
    log: silentLogger(),
  });
  api.onUpgrade('/events', hub.handler, () => hub!.stop());
  const url = await api.start();
  return { url, idleRss: process.memoryUsage.rss() };
}

async function publish(o: Extract<EventsServerRequest, { cmd: 'publish' }>): Promise<EventsServerResult> {
  if (!bus || !hub) throw new Error('send init first');
  let peak = process.memoryUsage.rss();
  const sample = () => (peak = Math.max(peak, process.memoryUsage.rss()));
  const timer = setInterval(sample, 10);
  const clientsAtStart = hub.clientCount;
  // What an agent's state change carries (src/agents): ~300 bytes as JSON.
  const data = { state: 'on-call', previous: 'ringing', reason: 'queue call answered', statusId: 'st-000000001', queues: ['support', 'vendas'], callId: '1795240001.1234', since: 1795240001000 };
  const started = Date.now();
  for (let sent = 0; sent < o.events; ) {
    for (let i = 0; i < o.batch && sent < o.events; i++, sent++) bus.publish({ type: 'agent.state', agent: '1000', data });
    sample();
    // Yield to I/O between batches, as the daemon does between AMI/ARI reads.
    await new Promise((r) => setImmediate(r));
  }
  const publishMs = Date.now() - started;
  await new Promise((r) => setTimeout(r, o.settleMs));
  clearInterval(timer);
  sample();
  return { peakRss: peak, endRss: process.memoryUsage.rss(), clientsAtStart, clientsAtEnd: hub.clientCount, ...hub.stats, publishMs };
}

process.on('message', (m: EventsServerRequest & { id: number }) => {
  const run = async (): Promise<unknown> => {
    if (m.cmd === 'init') return init(m);
    if (m.cmd === 'publish') return publish(m);
    await api?.stop();
    return {};
  };
  run().then(
    (result) => {
      send({ id: m.id, ok: true, result });
      if (m.cmd === 'stop') process.disconnect();
    },
    (err: unknown) => send({ id: m.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
  );
});
