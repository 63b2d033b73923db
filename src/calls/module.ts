/**
 * Composition of the call core for the daemon: createCallsModule(deps) returns the module
 * (start/stop/routes/health), the CallDirectory the agents domain uses, and `control`: the
 * primitives transfers, conference, survey and callbacks build on (see src/calls/index.ts).
 */
import type { ScheduledTask } from 'node-cron';
import type { RouteDef } from '../api/types';
import type { DaemonDeps, DaemonModule } from '../daemon/module';
import type { AgentDirectory, CallDirectory } from '../daemon/ports';
import { HistoryRepo } from '../history/repo';
import { scheduleBlocklistCleanup } from '../prank/cleanup';
import { callRoutes } from './routes';
import { CallService } from './service';

export type CallsModule = DaemonModule & {
  directory: CallDirectory;
  control: CallService;
  history: HistoryRepo;
};

export function createCallsModule(deps: DaemonDeps & { agents: AgentDirectory }): CallsModule {
  const control = new CallService(deps);
  const history = new HistoryRepo({ db: deps.db, now: () => deps.clock.now() });
  let cleanup: ScheduledTask | undefined;
  let unsubDisposition: (() => void) | undefined;
  return {
    name: 'calls',
    directory: control,
    control,
    history,
    start() {
      control.start();
      // The wrap-up (agents domain) decides the disposition; the call's own row must carry it so
      // history and recent calls show what was tabulated (typed, forced or automatic).
      unsubDisposition = deps.bus.subscribe((e) => {
        if (e.type !== 'wrapup.ended' || !e.callId || typeof e.data.disposition !== 'string') return;
        try {
          control.setDisposition(e.callId, e.data.disposition, String(e.data.finishedBy ?? ''));
        } catch (err) {
          deps.log.warn('cannot record the wrap-up disposition on the call', { callId: e.callId, error: (err as Error).message });
        }
      });
      cleanup = scheduleBlocklistCleanup(control.blocklist, deps.log);
    },
    async stop() {
      unsubDisposition?.();
      unsubDisposition = undefined;
      control.stop();
      await cleanup?.destroy();
      cleanup = undefined;
    },
    routes(): RouteDef[] {
      return callRoutes(control, history);
    },
    health() {
      const calls = control.list();
      const byState: Record<string, number> = {};
      for (const c of calls) byState[c.state] = (byState[c.state] ?? 0) + 1;
      return { calls: byState, lastRecovery: control.lastRecovery ?? null };
    },
  };
}
