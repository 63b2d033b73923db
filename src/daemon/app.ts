/**
 * Composition root: config → logger → store (migrations) → AMI client → ARI client → domain modules
 * → API. The only place that knows every concrete implementation; everything is injectable through
 * `overrides` so tests and the demo run a whole daemon in-process (against src/sim or fakes).
 */
import { createAmiClient } from '../ami/client';
import type { AmiClient } from '../ami/types';
import { createAriClient } from '../ari/client';
import type { AriClient } from '../ari/types';
import { catalogueRoutes } from '../api/routes/catalogue';
import { directoryCatalogueRoutes } from '../directory/routes';
import { meRoutes } from '../api/routes/me';
import { ApiServer, type HealthReport } from '../api/server';
import type { RouteDef } from '../api/types';
import type { Config } from '../config/schema';
import { EventBus } from '../events/bus';
import { createLogger, type Logger } from '../log/logger';
import { openDatabase } from '../store/db';
import { systemClock, type Clock } from '../util/clock';
import type { DaemonDeps, DaemonModule, DaemonPorts, ModuleFactory } from './module';
import { moduleFactories } from './modules';
import { createLiveModule } from '../monitor/module';
import { metricsAllowed } from '../metrics/metrics';
import type { CallService } from '../calls/service';
import { GroupCatalogue } from '../supervision/groups';
import { ScopeResolver } from '../supervision/scope';
import { groupRoutes } from '../supervision/routes';
import { createConsoleModule } from '../console/module';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const VERSION: string = (require('../../package.json') as { version: string }).version;

export interface DaemonOverrides {
  log?: Logger;
  clock?: Clock;
  bus?: EventBus;
  /** Defaults to src/ami/client.ts createAmiClient with config.asterisk.ami. */
  amiFactory?: (config: Config, log: Logger, clock: Clock) => AmiClient;
  /** Defaults to src/ari/client.ts createAriClient with config.asterisk.ari. */
  ariFactory?: (config: Config, log: Logger, clock: Clock) => AriClient;
  /** Defaults to src/daemon/modules.ts. */
  modules?: ModuleFactory[];
  /** The supervisor console's built files (default: dist/console/static, next to the module). */
  consoleStaticDir?: string;
}

export interface DaemonHandle {
  /** Base URL of the API actually bound (port 0 in the config resolves here). */
  readonly apiUrl: string;
  readonly deps: DaemonDeps;
  readonly modules: DaemonModule[];
  readonly ports: DaemonPorts;
  readonly api: ApiServer;
  health(): HealthReport;
  /** Stops API, modules, clients and closes the DB. Idempotent. */
  stop(): Promise<void>;
}

const defaultAmi = (config: Config, log: Logger, clock: Clock): AmiClient =>
  createAmiClient({
    ...config.asterisk.ami,
    bootGraceMs: config.asterisk.ami.boot_grace_ms,
    log: log.child({ component: 'ami' }),
    clock,
  });

const defaultAri = (config: Config, log: Logger, clock: Clock): AriClient =>
  createAriClient({ ...config.asterisk.ari, restTransport: config.asterisk.ari.rest_transport, log: log.child({ component: 'ari' }), clock });

/** Builds and starts the daemon. On a startup failure everything already started is stopped again. */
export async function startDaemon(config: Config, overrides: DaemonOverrides = {}): Promise<DaemonHandle> {
  const log = overrides.log ?? createLogger(config.log.level);
  const clock = overrides.clock ?? systemClock;
  const bus = overrides.bus ?? new EventBus();
  const cleanup: Array<() => unknown> = [];
  // Set once the daemon stops (or a start fails): links closing then are expected, not "retrying".
  const lifecycle = { stopping: false };
  const unwind = async () => {
    lifecycle.stopping = true;
    for (const fn of cleanup.splice(0).reverse()) {
      try {
        await fn();
      } catch (err) {
        log.warn('shutdown step failed', { error: err instanceof Error ? err.message : String(err) });
      }
    }
  };

  try {
    const db = openDatabase(config.database.path, { migrate: true });
    cleanup.push(() => db.close());
    log.info('database ready', { path: config.database.path });

    const ami = (overrides.amiFactory ?? defaultAmi)(config, log, clock);
    const ari = (overrides.ariFactory ?? defaultAri)(config, log, clock);
    watchLinks(ami, ari, config, log, bus, clock, lifecycle);

    const deps: DaemonDeps = { config, db, ami, ari, bus, clock, log };
    const ports: DaemonPorts = {};
    const domainModules = (overrides.modules ?? moduleFactories).map((f) => f(deps, ports));
    // Last, so its wire() sees every port the domains published: /events, /monitor, /metrics.
    const live = createLiveModule(deps, { version: VERSION });
    ports.queueWaiting = live.waiting;
    const consoleModule = createConsoleModule({ staticDir: overrides.consoleStaticDir, log: log.child({ component: 'console' }) });
    const modules = [catalogueModule(deps), ...domainModules, live, consoleModule];
    for (const m of modules) m.wire?.(ports);
    // Modules subscribe before the clients connect, so no event of the first session is missed.
    for (const m of modules) {
      await m.start?.();
      cleanup.push(() => m.stop?.());
      log.debug('module started', { module: m.name });
    }
    ami.start();
    cleanup.push(() => ami.stop());
    ari.start();
    cleanup.push(() => ari.stop());

    const health = (): HealthReport => buildHealth(deps, modules);
    const routes: RouteDef[] = modules.flatMap((m) => m.routes?.() ?? []);
    const metrics = { contentType: live.metrics.contentType, render: live.metrics.render, allowed: metricsAllowed };
    const scopes = new ScopeResolver(db);
    const calls = ports.callControl as CallService | undefined;
    const api = new ApiServer({
      listen: config.api.listen,
      tokens: config.api.tokens,
      routes,
      health,
      log,
      version: VERSION,
      metrics,
      scopeOf: (p) => scopes.of(p),
      callOf: (id) => calls?.get(id) ?? calls?.repo.get(id) ?? undefined,
    });
    warnUnknownGroups(config, db, log);
    for (const m of modules) for (const u of m.upgrades?.() ?? []) api.onUpgrade(u.path, u.handler, u.close);
    for (const m of modules) for (const s of m.statics?.() ?? []) api.onStatic(s);
    const apiUrl = await api.start();
    cleanup.push(() => api.stop());
    for (const m of modules) await m.ready?.();
    if (config.api.tokens.length === 0) log.warn('api.tokens is empty: every API call except /healthz will be refused');
    log.info('callcenterd started', { api: apiUrl, version: VERSION, modules: modules.map((m) => m.name) });

    let stopping: Promise<void> | undefined;
    return {
      apiUrl,
      deps,
      modules,
      ports,
      api,
      health,
      stop() {
        stopping ??= (async () => {
          log.info('callcenterd stopping');
          await unwind();
          log.info('callcenterd stopped');
        })();
        return stopping;
      },
    };
  } catch (err) {
    await unwind();
    throw err;
  }
}

/** A token limited to a group that does not exist sees nothing of it: say so at start. */
function warnUnknownGroups(config: Config, db: DaemonDeps['db'], log: Logger): void {
  const groups = new GroupCatalogue({ db });
  config.api.tokens.forEach((t, i) => {
    for (const g of t.groups ?? []) {
      if (!groups.get(g)) log.warn('api token names a monitoring group that does not exist (it grants nothing)', { token: `api.tokens[${i}]`, name: t.name, group: g });
    }
  });
}

/** The catalogue's HTTP routes (monitoring groups, agent groups, services and contacts included) and GET /me, always present (the admin CLI's counterpart over the API). */
function catalogueModule(deps: DaemonDeps): DaemonModule {
  const directory = { db: deps.db, clock: deps.clock, defaultDdi: deps.config.policy.default_country_code };
  const cat = { db: deps.db, clock: deps.clock };
  return {
    name: 'catalogue',
    routes: () => [...catalogueRoutes(cat), ...groupRoutes(cat), ...directoryCatalogueRoutes(directory), ...meRoutes()],
  };
}

function buildHealth(deps: DaemonDeps, modules: DaemonModule[]): HealthReport {
  let dbOk = true;
  try {
    deps.db.prepare('SELECT 1').get();
  } catch {
    dbOk = false;
  }
  const ami = { ...(deps.ami.info ?? {}), state: deps.ami.state };
  const ari = { ...(deps.ari.info ?? {}), connected: deps.ari.connected, app: deps.ari.app };
  const extra: Record<string, unknown> = {};
  for (const m of modules) {
    if (!m.health) continue;
    try {
      extra[m.name] = m.health();
    } catch (err) {
      extra[m.name] = { error: err instanceof Error ? err.message : String(err) };
    }
  }
  const up = ami.state === 'connected' && deps.ari.connected && dbOk;
  return { status: up ? 'ok' : 'degraded', ami, ari, db: { ok: dbOk }, modules: extra };
}

/** Asterisk being away is not fatal: the clients retry forever; we say so in the logs and on the bus. */
function watchLinks(
  ami: AmiClient,
  ari: AriClient,
  config: Config,
  log: Logger,
  bus: EventBus,
  clock: Clock,
  lifecycle: { readonly stopping: boolean },
): void {
  // While stopping, the clients close their links on purpose (reason 'stopped') and never retry:
  // a "retrying" warning then would send operators looking for an Asterisk problem that is not there.
  const lost = (link: 'AMI' | 'ARI', fields: Record<string, unknown>) => {
    if (lifecycle.stopping) log.info(`${link} link closed (daemon stopping)`, fields);
    else log.warn(`${link} not connected, retrying`, fields);
  };
  const amiAt = `${config.asterisk.ami.host}:${config.asterisk.ami.port}`;
  ami.onConnected(() => {
    log.info('AMI connected', { at: amiAt });
    bus.publish({ type: 'system', at: clock.now(), data: { link: 'ami', connected: true } });
  });
  ami.onDisconnected((reason) => {
    lost('AMI', { at: amiAt, reason });
    bus.publish({ type: 'system', at: clock.now(), data: { link: 'ami', connected: false, reason } });
  });
  ari.onConnected(() => {
    log.info('ARI connected', { url: config.asterisk.ari.url, app: ari.app });
    bus.publish({ type: 'system', at: clock.now(), data: { link: 'ari', connected: true } });
  });
  ari.onDisconnected((reason) => {
    lost('ARI', { url: config.asterisk.ari.url, reason });
    bus.publish({ type: 'system', at: clock.now(), data: { link: 'ari', connected: false, reason } });
  });
}
