/**
 * Live monitoring module (issue 10): supervisors listen to, whisper into or barge into calls. Built
 * on the calls core primitives (originations, Stasis routing, call-ended listeners, recovery
 * claims); owns table monitor_sessions (migration 010).
 */
import { validateDevice } from '../agents/catalogue';
import { SqlAgentCatalogue } from '../agents/catalogue-port';
import type { CallService } from '../calls/service';
import type { DaemonDeps, DaemonModule, ModuleFactory } from '../daemon/module';
import { MonitorRepo } from './repo';
import { monitorRoutes } from './routes';
import { MonitorService } from './service';
import { MonitorTopology, SNOOP_TAG } from './topology';

export * from './model';
export { MonitorRepo } from './repo';
export { MonitorService } from './service';
export { MonitorTopology } from './topology';

export type LiveMonitorModule = DaemonModule & { monitors: MonitorService };

export function createLiveMonitorModule(
  deps: Pick<DaemonDeps, 'db' | 'clock' | 'log'> & { control: CallService; ringTimeoutSec?: number; relinkGraceMs?: number },
): LiveMonitorModule {
  const { control, clock, log } = deps;
  const ari = control.core.deps.ari;
  const repo = new MonitorRepo(deps.db, clock);
  const topology = new MonitorTopology({ ari, clock, log });
  const catalogue = new SqlAgentCatalogue(deps.db);
  const monitors = new MonitorService({
    control,
    repo,
    topology,
    clock,
    log,
    deviceOfAgent: (ext) => catalogue.agent(ext)?.device,
    validateDevice,
    ringTimeoutSec: deps.ringTimeoutSec,
    relinkGraceMs: deps.relinkGraceMs,
  });
  // Registered at construction: the calls module's router is already built, events start later.
  control.onStasisStart(SNOOP_TAG, (e) => topology.onStasisStart(e));
  // An ARI reconnect is not a restart: keep the live sessions' snoops and bridges out of the orphan sweep.
  control.claimOnRecovery({ channel: (ch) => topology.owns(ch.id), bridge: (id) => topology.owns(id) });
  let unsubscribe: (() => void) | undefined;
  return {
    name: 'live-monitor',
    monitors,
    start() {
      // Sessions of a previous process cannot be resumed (their state lived in memory); recovery
      // hangs their channels up as orphans. Closed before anything new starts.
      const closed = repo.closeLeftOpen('daemon-restart', 'the daemon restarted during the session');
      if (closed > 0) log.info('monitoring sessions closed after a restart', { closed });
      topology.start();
      monitors.install();
      unsubscribe = ari.onConnected(() => void monitors.resync());
    },
    stop() {
      unsubscribe?.();
      monitors.shutdown();
      topology.stop();
    },
    routes: () => monitorRoutes(monitors, control),
    health: () => ({ live: monitors.liveSessions().length }),
  };
}

/** Entry for src/daemon/modules.ts (after the calls module). */
export const liveMonitorFactory: ModuleFactory = (deps, ports) => {
  const control = ports.callControl as CallService | undefined;
  if (!control) throw new Error('live-monitor module needs the calls module (ports.callControl) first');
  return createLiveMonitorModule({ ...deps, control });
};
