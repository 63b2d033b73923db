/**
 * Scheduled callbacks (issue 4 item 9) and callback requests from a queue (issue 14 item 3).
 * `createCallbacksModule` wires store, scheduler and routes; the composition root passes the
 * agents' presence (AgentDirectory) and the calls core's dialer; wire() reads the live callers
 * waiting per queue (a queue request's turn) and the queue stays (its caller's entry time).
 */
import type { AriClient } from '../ari/types';
import type { Policy } from '../config/schema';
import type { DaemonDeps, DaemonModule, DaemonPorts, ModuleFactory, QueueCallbacksView, QueueWaitingView } from '../daemon/module';
import type { EventBus } from '../events/bus';
import type { AgentDirectory } from '../daemon/ports';
import type { CallService } from '../calls/service';
import type { DncGuard } from '../dnc/guard';
import { callServiceDialer } from './dialer';
import { AgentPicker } from './agent-picker';
import type { Callback, CallbackDialer, CallbackStatus } from './model';
import { QueueCallbackIntake, QUEUE_CALLBACK_TAG } from './queue-intake';
import { queueTurn } from './queue-turn';
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
export { QueueCallbackIntake, QUEUE_CALLBACK_TAG } from './queue-intake';
export { queueTurn } from './queue-turn';

export interface CallbacksModuleDeps extends Pick<DaemonDeps, 'db' | 'bus' | 'clock' | 'config' | 'log'> {
  agents: Pick<AgentDirectory, 'presence'>;
  dialer: CallbackDialer;
  /** The ARI link: callbacks fire only while it is up (and at once when it comes back). */
  link?: SchedulerLink;
  /** ARI channels: answers a caller's callback request (queue-callback channels). */
  ari?: Pick<AriClient, 'channels'>;
  /** Overrides of what config.policy.callbacks gives (tests shorten the re-check/rescan periods). */
  options?: Partial<SchedulerOptions>;
  /** The do-not-call list (the calls core's): asked when a callback is scheduled and when it fires. */
  dnc?: Pick<DncGuard, 'assertCallable'>;
  /** A queue caller's request was accepted (the calls core thanks a stand-in's customer). */
  onQueueRequestAccepted?: (uniqueid: string) => Promise<void> | void;
}

/** Scheduler options from `policy.callbacks` (minutes/seconds in the config, ms in the scheduler). */
export function schedulerOptionsFromPolicy(policy: Policy): Partial<SchedulerOptions> {
  const c = policy.callbacks;
  const q = c.queue_requests;
  return {
    maxAttempts: c.max_attempts,
    retryDelayMs: c.retry_minutes * 60_000,
    giveUpAfterMs: c.wait_for_agent_minutes * 60_000,
    queue: {
      maxAttempts: q.max_attempts,
      retryDelayMs: q.retry_seconds * 1000,
      waitRetryMs: q.recheck_seconds * 1000,
      giveUpAfterMs: q.give_up_minutes * 60_000,
    },
  };
}

/** `callback.state` on the bus for every new callback and status change (/events, history views). */
function publishChange(bus: EventBus, c: Callback, previous: CallbackStatus | null): void {
  bus.publish({
    type: 'callback.state',
    ...(c.agent ? { agent: c.agent } : {}),
    ...(c.queue ? { queue: c.queue } : {}),
    ...(c.callId ? { callId: c.callId } : {}),
    data: {
      callbackId: c.id,
      origin: c.origin,
      state: c.status,
      previous,
      number: c.number,
      ddi: c.ddi,
      attempts: c.attempts,
      ...(c.lastError ? { lastError: c.lastError } : {}),
      ...(c.uniqueid ? { uniqueid: c.uniqueid, linkedid: c.linkedid ?? null, queueJoinedAt: c.queueJoinedAt } : {}),
    },
  });
}

export interface CallbacksModule extends DaemonModule {
  service: CallbackService;
  scheduler: CallbackScheduler;
  intake: QueueCallbackIntake;
  /** Open queue requests per queue (ports.queueCallbacks). */
  queueView: QueueCallbacksView;
}

export function createCallbacksModule(deps: CallbacksModuleDeps): CallbacksModule {
  const repo = new CallbacksRepo(deps.db, deps.clock, (c, previous) => publishChange(deps.bus, c, previous));
  let waiting: Pick<QueueWaitingView, 'waitingCallers'> | undefined;
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
    turn: (c) =>
      queueTurn(
        { id: c.id, queueJoinedAt: c.queueJoinedAt ?? c.at, uniqueid: c.uniqueid },
        waiting?.waitingCallers(c.queue ?? '') ?? [],
        repo.openQueueRequests(c.queue ?? '').map((r) => ({ id: r.id, status: r.status, queueJoinedAt: r.queueJoinedAt ?? r.at })),
      ),
  });
  const intake = new QueueCallbackIntake({
    ari: deps.ari,
    db: deps.db,
    repo,
    policy: deps.config.policy,
    clock: deps.clock,
    log: deps.log,
    dnc: deps.dnc,
    onRequest: () => scheduler.rearm(),
    onAccepted: deps.onQueueRequestAccepted,
  });
  let offAgents: (() => void) | undefined;
  const queueView: QueueCallbacksView = {
    pendingByQueue() {
      const out = new Map<string, { id: number; number: string; queueJoinedAt: number; status: string }[]>();
      for (const c of repo.list({ origin: 'queue', status: 'pending' }).concat(repo.list({ origin: 'queue', status: 'ringing' }))) {
        const list = out.get(c.queue!) ?? [];
        list.push({ id: c.id, number: c.number, queueJoinedAt: c.queueJoinedAt ?? c.at, status: c.status });
        out.set(c.queue!, list);
      }
      for (const list of out.values()) list.sort((a, b) => a.queueJoinedAt - b.queueJoinedAt || a.id - b.id);
      return out;
    },
  };
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
    intake,
    queueView,
    wire(ports: DaemonPorts) {
      waiting = ports.queueWaiting;
      intake.setEntries(ports.queueEntries);
      if (!waiting) deps.log.warn('callbacks: no ports.queueWaiting; queue requests do not wait for earlier callers');
    },
    start() {
      picker.start();
      scheduler.start();
      // An agent just became free: a queue request at the head may take it now.
      offAgents = deps.bus.subscribe((e) => {
        if (e.type === 'agent.state' && e.data.state === 'available' && e.data.previous !== 'available') scheduler.poke();
      });
    },
    stop() {
      offAgents?.();
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
  const m = createCallbacksModule({
    ...deps,
    agents: ports.agents,
    link: deps.ari,
    ari: deps.ari,
    dialer: callServiceDialer(control, deps.bus),
    dnc: control.dnc,
    onQueueRequestAccepted: (uniqueid) => control.standIns?.callbackAccepted(uniqueid),
  });
  control.onStasisStart(QUEUE_CALLBACK_TAG, (e) => m.intake.onStart(e));
  control.claimOnRecovery({ channel: (ch) => m.intake.claimOnRecovery(ch, deps.config.asterisk.ari.app) });
  ports.queueCallbacks = m.queueView;
  return m;
};
