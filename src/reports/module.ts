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

export const reportsFactory: ModuleFactory = (deps): DaemonModule => {
  const { ami, db, clock, log, config } = deps;
  const repo = new StaysRepo(db);
  const stays = new QueueStayRecorder({
    ami,
    repo,
    clock,
    log: log.child({ component: 'queue-stays' }),
    agentLegContext: config.asterisk.contexts.agent_leg,
  });
  const surveys = new SurveyRecorder({ ami, repo, clock, log: log.child({ component: 'surveys' }) });
  return {
    name: 'reports',
    start() {
      stays.start();
      surveys.start();
    },
    stop() {
      stays.stop();
      surveys.stop();
    },
    routes: () => reportRoutes({ db, settings: () => reportSettings(config), now: () => clock.now() }),
    health: () => ({ waitingStays: repo.open().length }),
  };
};
