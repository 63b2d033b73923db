/**
 * The "live" module: /events (WebSocket), /monitor routes, the queue-waiting tracker and the
 * /metrics registry, assembled from what the other domains publish in DaemonPorts. Created by the
 * composition root after the domain modules, so wire() sees their ports.
 *
 * It reads the domains through the typed views the module factories publish (ports.agentsView,
 * ports.callsView). When a domain is not mounted (tests with fake modules) its list is empty rather
 * than invented.
 */
import { AGENT_STATES } from '../agents/state-machine';
import { EventsHub, type LiveState } from '../api/events';
import { ScopeResolver } from '../supervision/scope';
import { buildMonitor, monitorRoutes, type MonitorCall, type MonitorSources } from '../api/monitor';
import type { RouteDef } from '../api/types';
import { CALL_STATES } from '../calls/state-machine';
import { publicCall } from '../calls/types';
import type { AgentsView, CallsView, DaemonDeps, DaemonModule, DaemonPorts, QueueCallbacksView } from '../daemon/module';
import { createMetrics, type DaemonMetrics } from '../metrics/metrics';
import { QueueCatalogue } from '../queues/catalogue';
import { QueueWaitingTracker } from './waiting';

export type LiveModule = DaemonModule & {
  hub: EventsHub;
  waiting: QueueWaitingTracker;
  metrics: DaemonMetrics;
  sources: MonitorSources;
};

export function createLiveModule(deps: DaemonDeps, opts: { version?: string; pingIntervalMs?: number } = {}): LiveModule {
  const { bus, clock, log, ami, ari } = deps;
  let agents: AgentsView | undefined;
  let calls: CallsView | undefined;
  let callbacks: QueueCallbacksView | undefined;
  const catalogue = new QueueCatalogue({ db: deps.db, clock });
  const waiting = new QueueWaitingTracker({ ami, clock, log: log.child({ component: 'queue-waiting' }), bus });

  const sources: MonitorSources = {
    now: () => clock.now(),
    agents: () => agents?.list() ?? [],
    calls: () => (calls?.list() ?? []).map((c) => publicCall(c, clock.now()) as unknown as MonitorCall),
    queueNames: () => catalogue.list().map((q) => q.name),
    waiting: (names) => waiting.summary(names),
    callbackRequests: () => callbacks?.pendingByQueue() ?? new Map(),
  };
  const live: LiveState = {
    agents: () => sources.agents(),
    calls: () => sources.calls(),
    queues: () => buildMonitor(sources).queues,
  };
  const scopes = new ScopeResolver(deps.db);
  const hub = new EventsHub({
    bus,
    state: live,
    clock,
    log: log.child({ component: 'events' }),
    pingIntervalMs: opts.pingIntervalMs,
    maxBufferedBytes: deps.config.api.events_max_buffered_bytes,
    maxConnectionsPerToken: deps.config.api.events_max_connections_per_token,
    scopeOf: (p) => scopes.of(p),
  });
  const metrics = createMetrics(
    {
      agents: () => sources.agents(),
      calls: () => calls?.list() ?? [],
      queues: () => waiting.summary(sources.queueNames()),
      links: () => ({ ami: { up: ami.state === 'connected', info: ami.info }, ari: { up: ari.connected, info: ari.info } }),
      eventClients: () => hub.clientCount,
      eventLimits: () => hub.stats,
    },
    { bus, agentStates: AGENT_STATES, callStates: CALL_STATES, version: opts.version },
  );

  return {
    name: 'live',
    hub,
    waiting,
    metrics,
    sources,
    wire(ports: DaemonPorts) {
      agents = ports.agentsView;
      calls = ports.callsView;
      callbacks = ports.queueCallbacks;
      if (!agents) log.warn('live: no ports.agentsView; /monitor and /events report no agents');
      if (!calls) log.warn('live: no ports.callsView; /monitor and /events report no calls');
    },
    start() {
      waiting.start();
    },
    async stop() {
      waiting.stop();
      await hub.stop();
      metrics.stop();
    },
    routes(): RouteDef[] {
      return monitorRoutes(sources);
    },
    // close: the API's stop() runs first (reverse start order) and must not cut /events clients off
    // before the hub sends 1001; hub.stop() is idempotent, so stop() above calling it again is fine.
    upgrades: () => [{ path: '/events', handler: hub.handler, close: () => hub.stop() }],
    health: () => ({ eventClients: hub.clientCount, waiting: waiting.summary().reduce((n, q) => n + q.waiting, 0) }),
  };
}
