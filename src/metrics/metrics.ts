/**
 * Prometheus metrics for GET /metrics. One prom-client Registry per daemon (never the global
 * default), so tests and the demo can run several daemons in one process.
 *
 * State gauges are computed at scrape time from the domains (no second copy of the state that could
 * drift); counters that the AMI/ARI clients already keep (reconnects, events received) are exposed as
 * they are; domain events are counted from the bus. Every known state is always exported (0 when
 * empty) so dashboards and alerts see stable series.
 *
 * Access (decided here, documented in the README): /metrics answers without a token to loopback
 * clients (a Prometheus on the same host); from any other address, or through a proxy, it needs an
 * admin or supervisor bearer token. See metricsAllowed().
 */
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { LinkHealthInfo } from '../ami/types';
import type { Principal } from '../api/types';
import type { EventBus } from '../events/bus';
import { PROM_CLIENT_SAMPLE_MS, replaceEventLoopLag } from './event-loop';

export interface MetricsSources {
  agents(): readonly { state: string }[];
  calls(): readonly { state: string }[];
  queues(): readonly { queue: string; waiting: number; longestWaitSeconds: number; abandoned: number }[];
  links(): { ami: { up: boolean; info?: LinkHealthInfo }; ari: { up: boolean; info?: LinkHealthInfo } };
  eventClients(): number;
  /** /events clients closed for falling behind, upgrades refused by the per-token cap (since start). */
  eventLimits(): { tooSlow: number; refused: number };
}

export interface MetricsOptions {
  bus?: EventBus;
  agentStates: readonly string[];
  callStates: readonly string[];
  version?: string;
  /** Node process metrics incl. nodejs_eventloop_lag_seconds (default true). */
  defaultMetrics?: boolean;
}

export interface DaemonMetrics {
  readonly registry: Registry;
  readonly contentType: string;
  render(): Promise<string>;
  stop(): void;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

/**
 * Loopback scrapers need no token; remote ones need an admin or supervisor token. `proxied`: the
 * request carries forwarding headers, so a reverse proxy on this host relayed it (the socket is
 * loopback, the client is anyone the proxy serves): it needs a token too. The headers' addresses
 * are never trusted (any client can send them); their presence only takes the shortcut away.
 */
export function metricsAllowed(remoteAddress: string | undefined, principal: Principal | undefined, proxied = false): boolean {
  if (!proxied && remoteAddress && LOOPBACK.test(remoteAddress)) return true;
  return principal?.role === 'admin' || principal?.role === 'supervisor';
}

function countBy(items: readonly { state: string }[], known: readonly string[]): Map<string, number> {
  const m = new Map<string, number>(known.map((s) => [s, 0]));
  for (const i of items) m.set(i.state, (m.get(i.state) ?? 0) + 1);
  return m;
}

export function createMetrics(src: MetricsSources, opts: MetricsOptions): DaemonMetrics {
  const registry = new Registry();
  const registers = [registry];
  let eventLoop: { stop(): void } | undefined;
  if (opts.defaultMetrics !== false) {
    collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: PROM_CLIENT_SAMPLE_MS });
    eventLoop = replaceEventLoopLag(registry);
  }

  new Gauge({
    name: 'callcenterd_build_info',
    help: 'Always 1; the version label says which build is running',
    labelNames: ['version'],
    registers,
    collect() {
      this.set({ version: opts.version ?? 'unknown' }, 1);
    },
  });
  new Gauge({
    name: 'callcenterd_agents',
    help: 'Agents by state (offline included)',
    labelNames: ['state'],
    registers,
    collect() {
      this.reset();
      for (const [state, n] of countBy(src.agents(), opts.agentStates)) this.set({ state }, n);
    },
  });
  new Gauge({
    name: 'callcenterd_calls',
    help: 'Live calls by state',
    labelNames: ['state'],
    registers,
    collect() {
      this.reset();
      // 'ended' calls are history, not live: they are never counted here.
      const states = opts.callStates.filter((s) => s !== 'ended');
      for (const [state, n] of countBy(src.calls().filter((c) => c.state !== 'ended'), states)) this.set({ state }, n);
    },
  });
  new Gauge({
    name: 'callcenterd_queue_waiting_callers',
    help: 'Callers waiting in the queue',
    labelNames: ['queue'],
    registers,
    collect() {
      this.reset();
      for (const q of src.queues()) this.set({ queue: q.queue }, q.waiting);
    },
  });
  new Gauge({
    name: 'callcenterd_queue_longest_wait_seconds',
    help: 'Wait of the longest-waiting caller in the queue',
    labelNames: ['queue'],
    registers,
    collect() {
      this.reset();
      for (const q of src.queues()) this.set({ queue: q.queue }, q.longestWaitSeconds);
    },
  });
  new Counter({
    name: 'callcenterd_queue_abandoned_total',
    help: 'Callers that hung up while waiting, since the daemon started',
    labelNames: ['queue'],
    registers,
    collect() {
      this.reset();
      for (const q of src.queues()) this.inc({ queue: q.queue }, q.abandoned);
    },
  });
  new Gauge({
    name: 'callcenterd_link_up',
    help: '1 when the AMI / ARI link is connected',
    labelNames: ['link'],
    registers,
    collect() {
      const l = src.links();
      this.set({ link: 'ami' }, l.ami.up ? 1 : 0);
      this.set({ link: 'ari' }, l.ari.up ? 1 : 0);
    },
  });
  // The clients own these counts (they survive our scrapes); mirror them, never count twice.
  new Counter({
    name: 'callcenterd_link_reconnects_total',
    help: 'Successful AMI / ARI re-connections after the first one',
    labelNames: ['link'],
    registers,
    collect() {
      this.reset();
      const l = src.links();
      this.inc({ link: 'ami' }, l.ami.info?.reconnects ?? 0);
      this.inc({ link: 'ari' }, l.ari.info?.reconnects ?? 0);
    },
  });
  new Counter({
    name: 'callcenterd_link_events_received_total',
    help: 'Events received on the AMI / ARI link',
    labelNames: ['link'],
    registers,
    collect() {
      this.reset();
      const l = src.links();
      this.inc({ link: 'ami' }, l.ami.info?.eventsReceived ?? 0);
      this.inc({ link: 'ari' }, l.ari.info?.eventsReceived ?? 0);
    },
  });
  new Gauge({
    name: 'callcenterd_events_clients',
    help: 'WebSocket clients connected to /events',
    registers,
    collect() {
      this.set(src.eventClients());
    },
  });
  // The hub owns these counts (like the links' reconnects): mirror them at scrape time.
  new Counter({
    name: 'callcenterd_events_clients_closed_total',
    help: '/events clients closed by the daemon; reason too_slow = queue over api.events_max_buffered_bytes',
    labelNames: ['reason'],
    registers,
    collect() {
      this.reset();
      this.inc({ reason: 'too_slow' }, src.eventLimits().tooSlow);
    },
  });
  new Counter({
    name: 'callcenterd_events_connections_refused_total',
    help: '/events upgrades refused (HTTP 429) because the token held api.events_max_connections_per_token sockets',
    registers,
    collect() {
      this.reset();
      this.inc(src.eventLimits().refused);
    },
  });
  const domainEvents = new Counter({
    name: 'callcenterd_domain_events_total',
    help: 'Domain events published (agent.state, call.state, queue.caller, ...)',
    labelNames: ['type'],
    registers,
  });
  const unsubscribe = opts.bus?.subscribe((e) => domainEvents.inc({ type: e.type }));

  return {
    registry,
    contentType: registry.contentType,
    render: () => registry.metrics(),
    stop() {
      unsubscribe?.();
      eventLoop?.stop();
      registry.clear();
    },
  };
}
