/**
 * The agents domain assembled: login, pauses, max-no-answer, wrap-up, device watch and re-sync
 * around one AgentCore. Implements AgentDirectory for the calls domain and receives its
 * CallDirectory through setCalls() (the composition root wires both directions).
 */
import type { AmiClient } from '../ami/types';
import type { AgentDirectory, AgentPresence, AgentStateName, CallDirectory, CallDirection, CallPart } from '../daemon/ports';
import { NoAnswerService, type NoAnswerOptions } from '../pause/no-answer';
import { PauseService } from '../pause/pause';
import { ResyncRetry } from '../net/resync-retry';
import { QueueResync } from '../queues/resync';
import { invalid } from '../util/errors';
import { WrapupRepository } from '../wrapup/repository';
import { LateDisposition } from '../wrapup/late';
import { WrapupService } from '../wrapup/service';
import { CallHooks } from './call-hooks';
import { AgentCore, type AgentCoreDeps } from './core';
import { DeviceWatcher, type DeviceProbe } from './devices';
import { LoginService } from './login';

export interface AgentStatus {
  extension: string;
  name: string;
  device: string;
  state: AgentStateName;
  since: number | null;
  pauseReason: string | null;
  pauseStatusId: number | null;
  pendingPause: string | null;
  queues: string[];
  loginAt: number | null;
  callsTaken: number;
  missesInRow: number;
  talkSeconds: number;
  currentCallId: string | null;
  /**
   * The open wrap-up: `since` when it started, `elapsedSeconds` so far, `limit` false when the queue
   * has no time limit (then `deadline` is the safety cap, policy.wrapup_max_seconds).
   */
  wrapup: { callId: string; queue: string | null; deadline: number; since: number; elapsedSeconds: number; limit: boolean } | null;
}

/** Sweep period of the agent/call reconciliation: a stale agent is freed within two periods. */
export const RECONCILE_MS = 5000;

export class AgentService implements AgentDirectory {
  readonly core: AgentCore;
  readonly login: LoginService;
  readonly pause: PauseService;
  readonly noAnswer: NoAnswerService;
  readonly wrapup: WrapupService;
  /** Dispositions given after the call (supervisors; parts recovered from queue_log). */
  readonly late: LateDisposition;
  readonly devices: DeviceWatcher;
  readonly resync: QueueResync;
  private readonly hooks: CallHooks;
  private unsubs: (() => void)[] = [];

  constructor(deps: AgentCoreDeps & { probe: DeviceProbe; wrapupRepo: WrapupRepository; noAnswer?: NoAnswerOptions }) {
    this.core = new AgentCore(deps);
    this.wrapup = new WrapupService(this.core, deps.wrapupRepo);
    this.late = new LateDisposition(this.core, deps.wrapupRepo);
    this.login = new LoginService(this.core, deps.probe, this.wrapup);
    this.pause = new PauseService(this.core);
    this.noAnswer = new NoAnswerService(this.core, deps.noAnswer);
    this.devices = new DeviceWatcher(this.core, (ext) => this.wrapup.hasOpen(ext));
    this.resync = new QueueResync(this.core);
    this.hooks = new CallHooks(this.core, this.wrapup);
  }

  setCalls(calls: CallDirectory): void {
    this.calls = calls;
    this.login.setCalls(calls);
    this.devices.setCalls(calls);
    this.late.setCalls(calls);
  }

  private calls?: CallDirectory;
  private sweepTimer?: ReturnType<AgentCore['deps']['clock']['setTimeout']>;

  /** Every RECONCILE_MS: agents whose call ended without telling them are freed (CallHooks.reconcile). */
  private scheduleSweep(): void {
    const { clock, log } = this.core.deps;
    this.sweepTimer = clock.setTimeout(() => {
      try {
        if (this.calls) this.hooks.reconcile(this.calls);
      } catch (e) {
        log.warn('agent reconcile failed (retried next sweep)', { error: (e as Error).message });
      }
      this.scheduleSweep();
    }, RECONCILE_MS);
  }

  /** Subscribes to AMI and starts the queue re-sync on every (re)connect. */
  start(ami: AmiClient): void {
    this.noAnswer.attach(ami);
    this.devices.attach(ami);
    // On every (re)connect, retried while the link stays up: one failed QueueStatus/QueueAdd must
    // not leave logged-in agents out of their queues until the next reconnect.
    const retry = new ResyncRetry({
      name: 'queue re-sync',
      link: ami,
      clock: this.core.deps.clock,
      log: this.core.deps.log,
      run: async () => {
        const report = await this.resync.run();
        if (report.errors.length) throw new Error(`${report.errors.length} action(s) failed, first: ${report.errors[0]}`);
      },
    });
    retry.start();
    this.unsubs.push(() => retry.stop());
    this.scheduleSweep();
    this.unsubs.push(() => {
      if (this.sweepTimer) this.core.deps.clock.clearTimeout(this.sweepTimer);
      this.sweepTimer = undefined;
    });
  }

  /**
   * Reloads wrap-up deadlines; overdue ones close now. Called once every module has started (the
   * daemon's ready phase), never from start(): closing a window publishes 'wrapup.ended', which the
   * calls domain turns into the call's disposition and /events into a message. Closed from start(),
   * before those subscribers exist, an overdue window lost its disposition on the call.
   */
  ready(): { scheduled: number; fired: number } {
    return this.wrapup.reload();
  }

  stop(): void {
    this.noAnswer.detach();
    this.devices.detach();
    for (const u of this.unsubs.splice(0)) u();
    this.wrapup.stop();
  }

  // AgentDirectory ------------------------------------------------------------------------------
  presence(extension: string): AgentPresence | undefined {
    return this.core.presence(extension);
  }
  callRinging(extension: string, call: { callId: string; queue?: string; direction: CallDirection }): void {
    this.guard('callRinging', extension, () => this.hooks.callRinging(extension, call));
  }
  callConnected(extension: string, call: { callId: string; queue?: string; direction: CallDirection; part?: CallPart }): void {
    this.guard('callConnected', extension, () => this.hooks.callConnected(extension, call));
  }
  callTaken(extension: string, call: { callId: string; queue?: string }): void {
    this.guard('callTaken', extension, () => this.hooks.callTaken(extension, call));
  }
  callEnded(extension: string, call: { callId: string; queue?: string; answered: boolean }): void {
    this.guard('callEnded', extension, () => this.hooks.callEnded(extension, call));
  }
  callRejected(extension: string, leg: { linkedid: string; reason: string; callId?: string }): void {
    this.guard('callRejected', extension, () => this.noAnswer.callRejected(extension, leg));
  }
  answeredUnseen(extension: string, answer: { at: number; queue: string; callId?: string }): void {
    this.guard('answeredUnseen', extension, () => this.noAnswer.answeredUnseen(extension, answer));
  }
  memberExtension(iface: string): string | undefined {
    return this.core.deps.members.extOf(iface);
  }

  /** The calls domain must never be broken by an out-of-order event here: log and go on. */
  private guard(what: string, ext: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.core.deps.log.warn(`agent ${what} ignored`, { agent: ext, error: (e as Error).message });
    }
  }

  // Status --------------------------------------------------------------------------------------
  status(ext: string): AgentStatus {
    const agent = this.core.requireAgent(ext);
    return this.statusOf(agent.extension, agent.name, agent.device);
  }

  list(): AgentStatus[] {
    return this.core.deps.catalogue.agents().map((a) => this.statusOf(a.extension, a.name, a.device));
  }

  private statusOf(extension: string, name: string, device: string): AgentStatus {
    const { repo } = this.core.deps;
    const session = repo.openSession(extension);
    const rt = repo.runtime(extension);
    const state: AgentStateName = session && rt ? rt.state : 'offline';
    const w = session ? this.wrapup.open(extension) : undefined;
    return {
      extension,
      name,
      device,
      state,
      since: rt?.since ?? null,
      pauseReason: session && rt?.pauseReason ? rt.pauseReason : null,
      pauseStatusId: session && rt?.pauseReason ? rt.pauseStatusId : null,
      pendingPause: session ? (rt?.pendingPause ?? null) : null,
      queues: session?.queues ?? [],
      loginAt: session?.loginAt ?? null,
      callsTaken: rt?.callsTaken ?? 0,
      missesInRow: rt?.missesInRow ?? 0,
      talkSeconds: Math.round((rt?.talkMs ?? 0) / 1000),
      currentCallId: rt?.currentCallId ?? null,
      wrapup: w
        ? {
            callId: w.callId,
            queue: w.queue,
            deadline: w.deadline,
            since: w.startedAt,
            elapsedSeconds: Math.max(0, Math.floor((this.core.now() - w.startedAt) / 1000)),
            limit: w.limited,
          }
        : null,
    };
  }

  /** State log of one agent (newest first), for reports and `agent status --history`. */
  history(ext: string, limit = 50) {
    this.core.requireAgent(ext);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw invalid('limit must be an integer 1-1000', { field: 'limit' });
    return this.core.deps.repo.stateLog(ext, limit);
  }
}
