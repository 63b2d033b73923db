/**
 * `npm run bench -- --only events`: RSS of the /events server with clients that never read
 * (issue: 20 stalled softphones on one agent token took the daemon from 93 MB to a 529 MB peak).
 *
 * Each scenario runs the server in a fresh child process (bench/events-server.ts) so its RSS is the
 * stream's alone; the stalled clients live here: raw TCP sockets that complete the WebSocket upgrade
 * and then stop reading (socket.pause()), so the server's queue to them can only grow. The same
 * workload (--events agent events of ~300 bytes, published in batches with I/O in between) runs in
 * every scenario; the baseline has no client, so peak minus baseline peak is what the clients cost.
 * Budget: stalled clients may add at most EVENTS_RSS_BUDGET_MB.
 */
import { fork, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { EVENTS_DEFAULTS } from '../src/api/events';
import type { BenchOptions } from './args';
import { BENCH_AGENT_TOKEN, type EventsServerReady, type EventsServerRequest, type EventsServerResult } from './events-server';
import { fmt, verdict } from './measure';

/** Issue 9 item 6b: 20 stalled clients must stay under +100 MB against the same run without them. */
export const EVENTS_RSS_BUDGET_MB = 100;

interface Scenario {
  name: string;
  stalled: number;
  maxBufferedBytes?: number;
  maxConnectionsPerToken?: number;
}

export interface ScenarioResult extends EventsServerResult {
  name: string;
  stalled: number;
  idleRss: number;
  /** Upgrades answered 101 / refused (429) as seen by the clients. */
  connected: number;
  refusedSeen: number;
}

export interface EventsResult {
  events: number;
  stalled: number;
  scenarios: ScenarioResult[];
  /** Peak delta of the "all connected, default buffer cap" scenario against the baseline (MB). */
  deltaMb: number;
  verdict: 'PASS' | 'OVER';
}

const MB = 1e6;

class ServerChild {
  private readonly child: ChildProcess;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor() {
    this.child = fork(path.join(__dirname, `events-server${path.extname(__filename)}`), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (m: { id: number; ok: boolean; result?: unknown; error?: string }) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.ok) p?.resolve(m.result);
      else p?.reject(new Error(`events server: ${m.error}`));
    });
    this.child.on('exit', () => {
      for (const p of this.pending.values()) p.reject(new Error('events server exited'));
      this.pending.clear();
    });
  }

  request<T>(req: EventsServerRequest): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ ...req, id });
    });
  }

  async stop(): Promise<void> {
    const gone = new Promise<void>((r) => this.child.once('exit', () => r()));
    await this.request({ cmd: 'stop' }).catch(() => undefined);
    const kill = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await gone;
    clearTimeout(kill);
  }
}

/** A client that upgrades and then never reads again. Resolves with the HTTP status it got. */
function stalledClient(url: string, sockets: net.Socket[]): Promise<number> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const s = net.connect(Number(u.port), u.hostname, () =>
      s.write(
        'GET /events HTTP/1.1\r\nHost: bench\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          `Sec-WebSocket-Key: ${Buffer.from('bench-0123456789').toString('base64')}\r\nSec-WebSocket-Version: 13\r\n` +
          `Authorization: Bearer ${BENCH_AGENT_TOKEN}\r\n\r\n`,
      ),
    );
    sockets.push(s);
    s.once('error', reject);
    s.once('data', (d: Buffer) => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(d.toString('latin1'))?.[1] ?? 0);
      if (status === 101) s.pause();
      else s.destroy();
      resolve(status);
    });
  });
}

async function runScenario(sc: Scenario, o: BenchOptions): Promise<ScenarioResult> {
  const child = new ServerChild();
  const sockets: net.Socket[] = [];
  try {
    const ready = await child.request<EventsServerReady>({ cmd: 'init', maxBufferedBytes: sc.maxBufferedBytes, maxConnectionsPerToken: sc.maxConnectionsPerToken });
    const statuses: number[] = [];
    for (let i = 0; i < sc.stalled; i++) statuses.push(await stalledClient(ready.url, sockets));
    const r = await child.request<EventsServerResult>({ cmd: 'publish', events: o.events, batch: 200, settleMs: 500 });
    return {
      ...r,
      name: sc.name,
      stalled: sc.stalled,
      idleRss: ready.idleRss,
      connected: statuses.filter((s) => s === 101).length,
      refusedSeen: statuses.filter((s) => s === 429).length,
    };
  } finally {
    for (const s of sockets) s.destroy();
    await child.stop();
  }
}

export async function runEventsBench(o: BenchOptions, say: (line: string) => void): Promise<EventsResult> {
  const n = o.stalled;
  const scenarios: Scenario[] = [
    { name: 'baseline: no client', stalled: 0 },
    { name: `${n} stalled, one agent token, defaults`, stalled: n },
    { name: `${n} stalled, per-token cap raised to ${n}`, stalled: n, maxConnectionsPerToken: n },
    { name: `${n} stalled, limits off (reference)`, stalled: n, maxConnectionsPerToken: n, maxBufferedBytes: 2 ** 40 },
  ];
  say(`${o.events} agent events of ~300 bytes; api.events_max_buffered_bytes ${EVENTS_DEFAULTS.maxBufferedBytes}, api.events_max_connections_per_token ${EVENTS_DEFAULTS.maxConnectionsPerToken} (defaults)`);
  const results: ScenarioResult[] = [];
  for (const sc of scenarios) {
    results.push(await runScenario(sc, o));
    say(`  ran: ${sc.name}`);
  }
  const base = results[0].peakRss;
  const capped = results[2];
  const deltaMb = (capped.peakRss - base) / MB;
  return { events: o.events, stalled: n, scenarios: results, deltaMb, verdict: verdict(deltaMb, EVENTS_RSS_BUDGET_MB) };
}

export function printEvents(r: EventsResult, say: (line: string) => void): void {
  const base = r.scenarios[0].peakRss;
  say('scenario                                        clients  refused  closed-slow  idle MB  peak MB  Δ peak MB  × baseline');
  for (const s of r.scenarios) {
    say(
      `${s.name.padEnd(46)}  ${String(s.connected).padStart(7)}  ${String(s.refusedSeen).padStart(7)}  ${String(s.tooSlow).padStart(11)}  ` +
        `${fmt(s.idleRss / MB, 0).padStart(7)}  ${fmt(s.peakRss / MB, 0).padStart(7)}  ${fmt((s.peakRss - base) / MB, 0).padStart(9)}  ${fmt(s.peakRss / base, 2).padStart(10)}`,
    );
  }
  say(`${r.stalled} stalled clients all connected, default buffer cap: +${fmt(r.deltaMb, 0)} MB peak RSS vs baseline (budget +${EVENTS_RSS_BUDGET_MB} MB: ${r.verdict})`);
}
