/**
 * The reports domain in the daemon: the recorders that persist queue stays and survey scores from
 * AMI (the calls, agents and wrap-up data reports read are written by their own domains; hold,
 * wrap-up and agent-hour totals by the triggers of migration 012), and the /reports routes.
 */
import type { DaemonModule, ModuleFactory } from '../daemon/module';
import { reportRoutes } from './routes';
import { reportSettings } from './service';
import { QueueStayRecorder } from './stays';
import { StaysRepo } from './stays-repo';
import { SurveyRecorder } from './surveys';

export const reportsFactory: ModuleFactory = (deps, ports): DaemonModule => {
  const { ami, db, clock, log, config, bus } = deps;
  const repo = new StaysRepo(db);
  const stays = new QueueStayRecorder({
    ami,
    repo,
    clock,
    log: log.child({ component: 'queue-stays' }),
    // The agents module (registered first) knows which member Interface is whose (native: devices).
    agentOfInterface: (iface) => (iface ? ports.agents?.memberExtension?.(iface) : undefined),
  });
  const surveys = new SurveyRecorder({ ami, repo, clock, log: log.child({ component: 'surveys' }) });
  // Where a caller who asks for a callback waited: the request keeps that stay's entry time.
  ports.queueEntries = {
    entryOf(uniqueid) {
      const s = repo.latestOf(uniqueid);
      return s ? { queue: s.queue, joinedAt: s.joinedAt, linkedid: s.linkedid } : undefined;
    },
  };
  let offBus: (() => void) | undefined;
  return {
    name: 'reports',
    start() {
      stays.start();
      surveys.start();
      // A new queue callback request ends the caller's stay as 'callback' (not left, not abandoned);
      // once its call is placed, the stay points at that call (detailed report: the stay's callId).
      offBus = bus.subscribe((e) => {
        if (e.type !== 'callback.state' || e.data.origin !== 'queue') return;
        const uniqueid = e.data.uniqueid;
        if (e.data.previous === null && typeof uniqueid === 'string') stays.markCallback(uniqueid, Number(e.data.callbackId));
        else if (e.data.state === 'done' && e.callId) repo.linkCallbackCall(Number(e.data.callbackId), e.callId);
      });
    },
    stop() {
      offBus?.();
      stays.stop();
      surveys.stop();
    },
    routes: () => reportRoutes({ db, settings: () => reportSettings(config), now: () => clock.now() }),
    health: () => ({ waitingStays: repo.open().length }),
  };
};
