/**
 * Login / logout / "which extensions may log in". Order of work on login: validate everything
 * (nothing touched on bad input), then AMI (QueueAdd per queue, rolled back on failure), then the
 * store. The store is written last so a failed AMI step leaves no session behind.
 */
import { AmiActionError } from '../ami/types';
import type { CallDirectory } from '../daemon/ports';
import { CcError, invalid, notFound, refused } from '../util/errors';
import type { AgentCore } from './core';
import type { DeviceProbe } from './devices';

export interface LoginRequest {
  queues: string[];
  penalty?: number;
}

export interface LogoutOptions {
  /**
   * Supervisor/admin only (the route checks the role): end the agent's calls first
   * (CallDirectory.endCallsOf, reason 'forced-logout', recorded in the calls' history).
   */
  force?: boolean;
}

export interface LoginResult {
  extension: string;
  sessionId: number;
  queues: { queue: string; penalty: number }[];
}

/** Ends an open wrap-up when the agent logs out during it (implemented by the wrap-up service). */
export interface WrapupCloser {
  closeForLogout(ext: string): void;
}

/** A session starts and ends with no pause (asked or pending) and no call. */
const NO_PAUSE_NO_CALL = {
  pauseReason: null,
  pauseStatusId: null,
  pendingPause: null,
  pendingStatusId: null,
  currentCallId: null,
  currentQueue: null,
} as const;

export class LoginService {
  private readonly inflight = new Set<string>();
  private calls?: CallDirectory;

  constructor(
    private readonly core: AgentCore,
    private readonly probe: DeviceProbe,
    private readonly wrapups: WrapupCloser,
  ) {}

  setCalls(calls: CallDirectory): void {
    this.calls = calls;
  }

  private activeCalls(ext: string): string[] {
    return this.calls?.activeCallIds(ext) ?? [];
  }

  async login(ext: string, req: LoginRequest): Promise<LoginResult> {
    const { catalogue, repo, members, config } = this.core.deps;
    const agent = this.core.requireAgent(ext);
    const queues = [...new Set((req.queues ?? []).map((q) => q.trim()).filter(Boolean))];
    if (!queues.length) throw invalid('at least one queue is required (--queues a,b)', { field: 'queues' });
    if (req.penalty !== undefined && (!Number.isInteger(req.penalty) || req.penalty < 0 || req.penalty > 1000)) {
      throw invalid('penalty must be an integer between 0 and 1000', { field: 'penalty' });
    }
    const allowed = new Map(catalogue.allowedQueues(ext).map((a) => [a.queue, a.penalty]));
    for (const q of queues) {
      if (!catalogue.queue(q)) throw notFound(`queue ${q} does not exist`, { queue: q });
      if (!allowed.has(q)) throw refused(`agent ${ext} is not allowed in queue ${q}`, { agent: ext, queue: q });
    }
    const open = repo.openSession(ext);
    if (open) {
      // The open session is this agent's own (one session per extension): say so, with its queues.
      throw refused(`agent ${ext} is already logged in (queues: ${open.queues.join(', ')})`, {
        agent: ext,
        sessionId: open.id,
        queues: open.queues,
        since: open.loginAt,
      });
    }
    if (this.activeCalls(ext).length) throw refused(`extension ${ext} is in use by a call in progress`, { agent: ext });
    if (this.inflight.has(ext)) throw refused(`a login or logout of ${ext} is already in progress`, { agent: ext });

    this.inflight.add(ext);
    const plan = queues.map((q) => ({ queue: q, penalty: req.penalty ?? (allowed.get(q) as number) }));
    const added: string[] = [];
    try {
      // A stale Custom INUSE (e.g. from a crash mid-call) would keep the new session from being offered calls.
      await members.setBusy(ext, false);
      for (const p of plan) {
        try {
          await members.add(p.queue, ext, agent.name, p.penalty);
        } catch (e) {
          if (!(e instanceof AmiActionError && /already there/i.test(e.response.Message ?? ''))) throw e;
          // A member left over from an earlier session: adopt it, and make sure it is not paused.
          await members.pause(p.queue, ext, false);
        }
        added.push(p.queue);
      }
    } catch (e) {
      for (const q of added) await members.remove(q, ext).catch(() => undefined);
      this.inflight.delete(ext);
      if (e instanceof AmiActionError) {
        throw refused(`Asterisk refused the login: ${e.response.Message ?? e.message}`, { agent: ext });
      }
      throw e;
    }
    try {
      const at = this.core.now();
      const sessionId = repo.transaction(() => {
        const id = repo.createSession({
          extension: ext,
          queues,
          penalty: req.penalty ?? null,
          block: config.policy.block_dialing_in_pause,
          at,
        });
        repo.ensureRuntime(ext, at);
        this.core.transition(ext, 'available', {
          reason: 'login',
          patch: { sessionId: id, ...NO_PAUSE_NO_CALL, connectedAt: null, missesInRow: 0 },
        });
        return id;
      });
      this.core.deps.bus.publish({ type: 'agent.login', at, agent: ext, data: { queues: plan, sessionId } });
      return { extension: ext, sessionId, queues: plan };
    } finally {
      this.inflight.delete(ext);
    }
  }

  async logout(
    ext: string,
    reason = 'logout',
    opts: LogoutOptions = {},
  ): Promise<{ extension: string; queues: string[]; endedCalls?: string[] }> {
    let { session, runtime } = this.core.requireLoggedIn(ext);
    const busy = () => this.activeCalls(ext).length > 0 || runtime.state === 'on-call' || runtime.state === 'ringing';
    if (busy() && !opts.force) {
      throw refused('cannot log out while calls are in progress (a supervisor may force it: --force)', { agent: ext });
    }
    if (this.inflight.has(ext)) throw refused(`a login or logout of ${ext} is already in progress`, { agent: ext });
    this.inflight.add(ext);
    let endedCalls: string[] | undefined;
    try {
      if (opts.force) {
        endedCalls = await this.endCallsForLogout(ext);
        ({ session, runtime } = this.core.requireLoggedIn(ext));
      }
      for (const q of session.queues) await this.core.deps.members.remove(q, ext);
      await this.core.setBusyBestEffort(ext, false);
      if (runtime.state === 'wrap-up') this.wrapups.closeForLogout(ext);
      this.finishSession(ext, session.id, reason);
      return endedCalls ? { extension: ext, queues: session.queues, endedCalls } : { extension: ext, queues: session.queues };
    } catch (e) {
      if (e instanceof AmiActionError) throw refused(`Asterisk refused the logout: ${e.response.Message ?? e.message}`);
      throw e;
    } finally {
      this.inflight.delete(ext);
    }
  }

  /**
   * Forced logout: ends every call of the agent (the calls domain frees the agent: wrap-up for an
   * answered call, rest for a ringing one); a state still on-call/ringing without any live call
   * (events lost) is closed here so the session can end.
   */
  private async endCallsForLogout(ext: string): Promise<string[]> {
    const ids = this.activeCalls(ext);
    if (ids.length) {
      if (!this.calls) throw refused('the calls domain is not available to end the calls', { agent: ext });
      await this.calls.endCallsOf(ext, 'forced-logout');
    }
    if (this.activeCalls(ext).length) throw refused(`the calls of agent ${ext} could not be ended`, { agent: ext });
    const rt = this.core.deps.repo.runtime(ext);
    if (rt?.state === 'on-call') this.core.transition(ext, 'wrap-up', { reason: 'forced-logout', patch: { currentCallId: null, currentQueue: null } });
    if (rt?.state === 'ringing') this.core.transition(ext, 'available', { reason: 'forced-logout', patch: { currentCallId: null, currentQueue: null } });
    return ids;
  }

  private finishSession(ext: string, sessionId: number, reason: string): void {
    const { repo, bus } = this.core.deps;
    const at = this.core.now();
    repo.transaction(() => {
      repo.closeSession(sessionId, at, reason);
      const rt = repo.runtime(ext);
      // inactive/paused/available/wrap-up may all log out; state machine enforces the rest.
      if (rt && rt.state !== 'offline') {
        this.core.transition(ext, 'offline', {
          reason,
          patch: { ...NO_PAUSE_NO_CALL },
        });
      }
    });
    bus.publish({ type: 'agent.logout', at, agent: ext, data: { reason, sessionId } });
  }

  /**
   * Extensions an agent may log in with for these queues: bound to all of them in the catalogue,
   * registered on Asterisk, and not used by an open session or a call.
   */
  async extensions(queues: string[]): Promise<{ extension: string; name: string; device: string }[]> {
    const { catalogue, repo } = this.core.deps;
    const wanted = [...new Set(queues.map((q) => q.trim()).filter(Boolean))];
    if (!wanted.length) throw invalid('at least one queue is required (--queues a,b)', { field: 'queues' });
    for (const q of wanted) if (!catalogue.queue(q)) throw notFound(`queue ${q} does not exist`, { queue: q });
    let candidates = catalogue.extensionsOfQueue(wanted[0]);
    for (const q of wanted.slice(1)) {
      const set = new Set(catalogue.extensionsOfQueue(q));
      candidates = candidates.filter((c) => set.has(c));
    }
    const out: { extension: string; name: string; device: string }[] = [];
    for (const ext of candidates) {
      if (repo.openSession(ext) || this.activeCalls(ext).length) continue;
      const agent = catalogue.agent(ext);
      if (!agent) continue;
      try {
        if (!(await this.probe.registered(agent.device))) continue;
      } catch (e) {
        if (e instanceof CcError) throw e;
        throw new CcError('unavailable', `cannot read device state of ${agent.device}: ${(e as Error).message}`);
      }
      out.push({ extension: ext, name: agent.name, device: agent.device });
    }
    return out;
  }
}
