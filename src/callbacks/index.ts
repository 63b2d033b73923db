/**
 * Scheduled callbacks (issue 4 item 9). `createCallbacksModule` wires store, scheduler and routes;
 * the composition root passes the agents' presence (AgentDirectory) and the calls core's dialer.
 */
import type { Policy } from '../config/schema';
import type { DaemonDeps, DaemonModule, ModuleFactory } from '../daemon/module';
import type { AgentDirectory } from '../daemon/ports';
import type { CallService } from '../calls/service';
import type { DncGuard } from '../dnc/guard';
import { callServiceDialer } from './dialer';
import { AgentPicker } from './agent-picker';
import type { CallbackDialer } from './model';
import { CallbacksRepo } from './repo';
import { callbackRoutes } from './routes';
import { CallbackScheduler, type SchedulerLink, type SchedulerOptions } from './scheduler';
import { CallbackService } from './service';

export * from './model';
export { CallbacksRepo } from './repo';
export { CallbackService, parseCallbackTime } from './service';
export { CallbackScheduler } from './scheduler';
export { AgentPicker } from './agent-picker';
export { callServiceDialer } from './dialer';

export interface CallbacksModuleDeps extends Pick<DaemonDeps, 'db' | 'bus' | 'clock' | 'config' | 'log'> {
  agents: Pick<AgentDirectory, 'presence'>;
  dialer: CallbackDialer;
  /** The ARI link: callbacks fire only while it is up (and at once when it comes back). */
  link?: SchedulerLink;
  /** Overrides of what config.policy.callbacks gives (tests shorten the re-check/rescan periods). */
  options?: Partial<SchedulerOptions>;
  /** The do-not-call list (the calls core's): asked when a callback is scheduled and when it fires. */
  dnc?: Pick<DncGuard, 'assertCallable'>;
}

/** Scheduler options from `policy.callbacks` (minutes in the config, ms in the scheduler). */
export function schedulerOptionsFromPolicy(policy: Policy): Partial<SchedulerOptions> {
  const c = policy.callbacks;
  return { maxAttempts: c.max_attempts, retryDelayMs: c.retry_minutes * 60_000, giveUpAfterMs: c.wait_for_agent_minutes * 60_000 };
}

export interface CallbacksModule extends DaemonModule {
  service: CallbackService;
  scheduler: CallbackScheduler;
}

export function createCallbacksModule(deps: CallbacksModuleDeps): CallbacksModule {
  const repo = new CallbacksRepo(deps.db, deps.clock);
  const picker = new AgentPicker({ directory: deps.agents, db: deps.db, bus: deps.bus });
  const scheduler = new CallbackScheduler({
    repo,
    picker,
    dialer: deps.dialer,
    link: deps.link,
    dnc: deps.dnc,
    clock: deps.clock,
    log: deps.log,
    options: { ...schedulerOptionsFromPolicy(deps.config.policy), ...deps.options },
  });
  const service = new CallbackService({
    db: deps.db,
    repo,
    clock: deps.clock,
    policy: deps.config.policy,
    dnc: deps.dnc,
    onChange: () => scheduler.rearm(),
  });
  return {
    name: 'callbacks',
    service,
    scheduler,
    start() {
      picker.start();
      scheduler.start();
    },
    stop() {
      scheduler.stop();
      picker.stop();
    },
    routes: () => callbackRoutes(service),
    health: () => scheduler.health(),
  };
}

/** Entry for src/daemon/modules.ts (after the agents and calls modules). */
export const callbacksFactory: ModuleFactory = (deps, ports) => {
  const control = ports.callControl as CallService | undefined;
  if (!control || !ports.agents) throw new Error('callbacks module needs the agents and calls modules first');
  return createCallbacksModule({
    ...deps,
    agents: ports.agents,
    link: deps.ari,
    dialer: callServiceDialer(control, deps.bus),
    dnc: control.dnc,
  });
};
