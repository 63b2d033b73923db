/**
 * Agent runtime core shared by login, pause, max-no-answer, wrap-up and re-sync: every state change
 * goes through `transition()`, which checks the state machine, writes the runtime row and the log
 * row in one transaction, then publishes `agent.state`. Nothing here talks to Asterisk except the
 * best-effort helpers at the bottom (used where the store change must happen even if AMI is down:
 * the re-sync on the next AMI connect makes Asterisk match the store).
 */
import type { Config } from '../config/schema';
import type { AgentPresence, AgentStateName } from '../daemon/ports';
import type { EventBus } from '../events/bus';
import type { Logger } from '../log/logger';
import type { QueueMembers } from '../queues/members';
import type { Clock } from '../util/clock';
import { invalid, notFound, refused } from '../util/errors';
import type { AgentCatalogue, CatalogueAgent } from './catalogue-port';
import type { AgentRepository, RuntimePatch, RuntimeRow, SessionRow } from './repository';
import { nextState } from './state-machine';

export interface AgentCoreDeps {
  repo: AgentRepository;
  catalogue: AgentCatalogue;
  members: QueueMembers;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  config: Config;
}

export interface TransitionOpts {
  reason?: string | null;
  statusId?: number | null;
  callId?: string | null;
  detail?: string | null;
  /** Extra runtime fields written in the same transaction. */
  patch?: RuntimePatch;
}

export interface LoggedIn {
  agent: CatalogueAgent;
  session: SessionRow;
  runtime: RuntimeRow;
}

const EXT_RE = /^\d{4,5}$/;

export class AgentCore {
  constructor(readonly deps: AgentCoreDeps) {}

  get policy() {
    return this.deps.config.policy;
  }

  now(): number {
    return this.deps.clock.now();
  }

  validExt(ext: string): string {
    if (!EXT_RE.test(ext ?? '')) throw invalid(`"${ext}" is not an agent extension (4 or 5 digits)`, { field: 'ext' });
    return ext;
  }

  requireAgent(ext: string): CatalogueAgent {
    const agent = this.deps.catalogue.agent(this.validExt(ext));
    if (!agent) throw notFound(`agent ${ext} does not exist`, { agent: ext });
    return agent;
  }

  requireLoggedIn(ext: string): LoggedIn {
    const agent = this.requireAgent(ext);
    const session = this.deps.repo.openSession(ext);
    const runtime = this.deps.repo.runtime(ext);
    if (!session || !runtime || runtime.state === 'offline') throw refused(`agent ${ext} is not logged in`, { agent: ext });
    return { agent, session, runtime };
  }

  /** Logged-in agent or undefined (for AMI/ARI-driven paths where the event may be stale). */
  loggedIn(ext: string): LoggedIn | undefined {
    // Cached runtime/session first: most AMI events concern agents whose state rules them out, and
    // the catalogue read (SQL; the CLI may change it from another process) is then not needed.
    const runtime = this.deps.repo.runtime(ext);
    if (!runtime || runtime.state === 'offline') return undefined;
    const session = this.deps.repo.openSession(ext);
    if (!session) return undefined;
    const agent = this.deps.catalogue.agent(ext);
    if (!agent) return undefined;
    return { agent, session, runtime };
  }

  transition(ext: string, to: AgentStateName, opts: TransitionOpts = {}): RuntimeRow {
    const { repo, bus } = this.deps;
    const at = this.now();
    // Refused before anything is written (a missing row is created 'offline'): inside a call's step
    // a refusal must leave the step's other writes alone (src/store/unit-of-work.ts).
    nextState(repo.runtime(ext)?.state ?? 'offline', to);
    const result = repo.transaction(() => {
      const rt = repo.runtime(ext) ?? repo.ensureRuntime(ext, at);
      const patch: RuntimePatch = { ...opts.patch, state: to };
      // "since" is when the state (or the pause reason) changed; a same-state move keeps it.
      const reasonChanged = to === 'paused' && opts.reason !== undefined && opts.reason !== rt.pauseReason;
      if (to !== rt.state || reasonChanged) patch.since = at;
      repo.patchRuntime(ext, patch);
      repo.logState({
        extension: ext,
        sessionId: patch.sessionId !== undefined ? patch.sessionId : rt.sessionId,
        at,
        previous: rt.state,
        state: to,
        reason: opts.reason,
        statusId: opts.statusId,
        callId: opts.callId,
        detail: opts.detail,
      });
      return { previous: rt.state, runtime: repo.runtime(ext) as RuntimeRow };
    });
    const session = repo.openSession(ext);
    bus.publish({
      type: 'agent.state',
      at,
      agent: ext,
      callId: opts.callId ?? undefined,
      data: {
        state: to,
        previous: result.previous,
        reason: opts.reason ?? null,
        statusId: opts.statusId ?? null,
        detail: opts.detail ?? null,
        queues: session?.queues ?? [],
      },
    });
    return result.runtime;
  }

  /**
   * Where an agent goes when a call (or its wrap-up) is over: the pause asked for during the call,
   * else the pause it was in before the call (paused agents may still take direct/outbound calls),
   * else available.
   */
  restState(rt: RuntimeRow): { state: 'paused' | 'available'; reason: string | null; statusId: number | null } {
    if (rt.pendingPause) return { state: 'paused', reason: rt.pendingPause, statusId: rt.pendingStatusId };
    if (rt.pauseReason) return { state: 'paused', reason: rt.pauseReason, statusId: rt.pauseStatusId };
    return { state: 'available', reason: null, statusId: null };
  }

  /**
   * Moves a logged-in agent to its rest state (see restState). A pause asked for during the call
   * is applied to the queues now (best effort) and announced like any pause. `patch`: more runtime
   * fields for the same UPDATE.
   */
  enterRest(
    ext: string,
    rt: RuntimeRow,
    opts: { reason?: string; callId?: string | null; detail?: string; patch?: RuntimePatch } = {},
  ): RuntimeRow {
    const rest = this.restState(rt);
    const fromPending = !!rt.pendingPause;
    const row = this.transition(ext, rest.state, {
      reason: rest.state === 'paused' ? rest.reason : (opts.reason ?? null),
      statusId: rest.statusId,
      callId: opts.callId,
      detail: rest.state === 'paused' ? (opts.reason ?? opts.detail ?? null) : (opts.detail ?? null),
      patch:
        rest.state === 'paused'
          ? { ...opts.patch, pauseReason: rest.reason, pauseStatusId: rest.statusId, pendingPause: null, pendingStatusId: null }
          : { ...opts.patch },
    });
    if (fromPending && rest.reason) {
      const queues = this.deps.repo.openSession(ext)?.queues ?? [];
      this.publishPause(ext, rest.reason, rest.statusId, { afterCall: true });
      void this.pauseInQueuesBestEffort(ext, queues, true, rest.reason);
    }
    return row;
  }

  /** `agent.pause` carries the dialer status id (dialer integration). */
  publishPause(ext: string, reason: string, statusId: number | null, extra: Record<string, unknown> = {}): void {
    this.deps.bus.publish({ type: 'agent.pause', at: this.now(), agent: ext, data: { reason, statusId, ...extra } });
  }

  wrapupSeconds(queue?: string | null): number {
    const q = queue ? this.deps.catalogue.queue(queue) : undefined;
    return q?.wrapupSeconds ?? this.policy.wrapup_seconds;
  }

  /**
   * How a wrap-up after a call of `queue` ends by itself: after the queue's window (`limited`), or,
   * for a queue without time limit, only at the safety cap policy.wrapup_max_seconds. A call without
   * a queue follows the policy window.
   */
  wrapupRule(queue?: string | null): { limited: true; seconds: number } | { limited: false; capSeconds: number } {
    const q = queue ? this.deps.catalogue.queue(queue) : undefined;
    if (q && !q.wrapupLimit) return { limited: false, capSeconds: this.policy.wrapup_max_seconds };
    return { limited: true, seconds: q?.wrapupSeconds ?? this.policy.wrapup_seconds };
  }

  maxNoAnswer(queue?: string | null): number {
    const q = queue ? this.deps.catalogue.queue(queue) : undefined;
    return q?.maxNoAnswer ?? this.policy.max_no_answer;
  }

  /** Status id of a catalogue pause reason; system reasons missing from the catalogue have none. */
  statusIdOf(reason: string): number | null {
    return this.deps.catalogue.pauseReason(reason)?.statusId ?? null;
  }

  presence(ext: string): AgentPresence | undefined {
    const agent = this.deps.catalogue.agent(ext);
    if (!agent) return undefined;
    const session = this.deps.repo.openSession(ext);
    const rt = this.deps.repo.runtime(ext);
    const state = session && rt ? rt.state : 'offline';
    const pauseReason = state === 'paused' ? rt?.pauseReason : rt?.pendingPause;
    return {
      extension: ext,
      name: agent.name,
      device: agent.device,
      loggedIn: !!session && state !== 'offline',
      state,
      pauseReason: session ? (pauseReason ?? undefined) : undefined,
      queues: session?.queues ?? [],
      blockDialingInPause: session?.blockDialingInPause ?? this.policy.block_dialing_in_pause,
    };
  }

  /** Best effort: pause/unpause in every queue of the session; failures are logged, re-sync repairs. */
  async pauseInQueuesBestEffort(ext: string, queues: string[], paused: boolean, reason?: string): Promise<void> {
    if (!this.deps.members.linkUp) {
      // Not an error: the queue re-sync run on every AMI (re)connect applies the pause from the store.
      this.deps.log.debug('AMI down: pause left to the re-sync on connect', { agent: ext, paused });
      return;
    }
    for (const q of queues) {
      try {
        await this.deps.members.pause(q, ext, paused, reason);
      } catch (e) {
        this.deps.log.warn('QueuePause failed; the next AMI re-sync will repair it', {
          agent: ext,
          queue: q,
          paused,
          error: (e as Error).message,
        });
      }
    }
  }

  async setBusyBestEffort(ext: string, busy: boolean): Promise<void> {
    if (!this.deps.members.linkUp) {
      // The re-sync on every AMI (re)connect sets Custom:agent-<ext> from the agent's state.
      this.deps.log.debug('AMI down: device state left to the re-sync on connect', { agent: ext, busy });
      return;
    }
    try {
      await this.deps.members.setBusy(ext, busy);
    } catch (e) {
      this.deps.log.warn('Custom device state not set; the next AMI re-sync will repair it', {
        agent: ext,
        busy,
        error: (e as Error).message,
      });
    }
  }
}
