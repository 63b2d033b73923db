/**
 * Server-side wrap-up (after-call work). The window and its deadline live in SQLite, the timer in
 * the Clock: a restarted daemon reloads pending deadlines (`reload()`), and overdue ones fire at once.
 * While in wrap-up app_queue does not ring the agent because Custom:agent-<ext> stays INUSE from the
 * call (see src/queues/members.ts for why not a "Wrap-up" pause); it is set NOT_INUSE when the
 * window ends: disposition typed by the agent, forced by a supervisor, or the automatic one.
 *
 * A queue without time limit (queues.wrapup_limit = 0) keeps the window open until the agent (or a
 * supervisor) finishes it. It is still a deadline, the safety cap policy.wrapup_max_seconds, fixed
 * when the window opens: the same timer, reload and expiry close it (finished_by 'cap' instead of
 * 'timer'), so there is one way a wrap-up closes by itself, whichever the rule.
 */
import type { AgentCore } from '../agents/core';
import type { WrapupCloser } from '../agents/login';
import type { RuntimePatch } from '../agents/repository';
import type { TimerHandle } from '../util/clock';
import { refused } from '../util/errors';
import { checkDisposition } from './late';
import type { WrapupRepository, WrapupRow } from './repository';

/** Retry period of a wrap-up expiry that failed to be written (locked or full database). */
export const EXPIRY_RETRY_MS = 1000;

export class WrapupService implements WrapupCloser {
  private timers = new Map<number, TimerHandle>();

  constructor(
    private readonly core: AgentCore,
    private readonly repo: WrapupRepository,
  ) {}

  hasOpen(ext: string): boolean {
    return !!this.repo.openOf(ext);
  }

  open(ext: string): WrapupRow | undefined {
    return this.repo.openOf(ext);
  }

  /** Starts the window for an answered call that just ended; `patch` joins the agent's state change. */
  start(ext: string, call: { callId: string; queue?: string | null }, patch: RuntimePatch = {}): WrapupRow {
    const old = this.repo.openOf(ext);
    // A call made during after-call work ends: the older window is closed automatically so the
    // agent has one window (for the latest call) to type into.
    if (old) this.close(old, this.core.policy.auto_disposition, null, true, 'superseded');
    const at = this.core.now();
    const rule = this.core.wrapupRule(call.queue);
    const seconds = rule.limited ? rule.seconds : rule.capSeconds;
    const row = this.repo.insert({
      extension: ext,
      callId: call.callId,
      queue: call.queue ?? null,
      startedAt: at,
      deadline: at + seconds * 1000,
      limited: rule.limited,
    });
    const rt = this.core.deps.repo.runtime(ext);
    if (rt && (rt.state === 'on-call' || rt.state === 'ringing')) {
      this.core.transition(ext, 'wrap-up', {
        reason: 'call ended',
        callId: call.callId,
        detail: `${rule.limited ? 'deadline' : 'no time limit, cap'} ${new Date(row.deadline).toISOString()}`,
        patch: { ...patch, currentCallId: null, currentQueue: null, connectedAt: null },
      });
    } else {
      this.core.deps.repo.patchRuntime(ext, patch);
    }
    this.core.deps.bus.publish({
      type: 'wrapup.started',
      at,
      agent: ext,
      callId: call.callId,
      queue: call.queue ?? undefined,
      // limit false: the window stays open until finished; capSeconds/deadline say when it closes anyway.
      data: rule.limited
        ? { deadline: row.deadline, seconds, limit: true, capSeconds: null, wrapupId: row.id }
        : { deadline: row.deadline, seconds: null, limit: false, capSeconds: seconds, wrapupId: row.id },
    });
    this.schedule(row);
    return row;
  }

  /** Reloads pending deadlines after a restart; overdue ones fire now. */
  reload(): { scheduled: number; fired: number } {
    let fired = 0;
    let scheduled = 0;
    for (const row of this.repo.pending()) {
      if (row.deadline <= this.core.now()) {
        this.expire(row.id);
        fired++;
      } else {
        this.schedule(row);
        scheduled++;
      }
    }
    return { scheduled, fired };
  }

  stop(): void {
    for (const h of this.timers.values()) this.core.deps.clock.clearTimeout(h);
    this.timers.clear();
  }

  private schedule(row: WrapupRow): void {
    const h = this.core.deps.clock.setTimeout(() => this.expire(row.id), row.deadline - this.core.now());
    this.timers.set(row.id, h);
  }

  private expire(id: number): void {
    this.timers.delete(id);
    const row = this.repo.get(id);
    if (!row || row.endedAt !== null) return;
    // Node timers may fire a millisecond early (sub-ms rounding): the window is the agent's until
    // the deadline, so wait out the remainder instead of closing it early.
    if (this.core.now() < row.deadline) {
      this.schedule(row);
      return;
    }
    try {
      this.close(row, this.core.policy.auto_disposition, null, true, row.limited ? 'timer' : 'cap');
    } catch (e) {
      // A locked or full database: the window stays open (agent out of the queues) until this
      // lands, so try again shortly instead of leaving it open for good.
      this.core.deps.log.error('wrap-up expiry failed, retrying', { wrapupId: id, error: (e as Error).message, retryInMs: EXPIRY_RETRY_MS });
      const h = this.core.deps.clock.setTimeout(() => this.expire(id), EXPIRY_RETRY_MS);
      this.timers.set(id, h);
    }
  }

  /** The agent's own disposition, within the window. */
  set(ext: string, disposition: string, notes?: string): WrapupRow {
    return this.finishWith(ext, disposition, notes, 'agent');
  }

  /** A supervisor ends the window now. */
  finish(ext: string, disposition: string, by: string, notes?: string): WrapupRow {
    return this.finishWith(ext, disposition, notes, `supervisor:${by}`);
  }

  private finishWith(ext: string, disposition: string, notes: string | undefined, by: string): WrapupRow {
    this.core.requireAgent(ext);
    const tag = checkDisposition(this.core, disposition, notes);
    const row = this.repo.openOf(ext);
    if (!row) throw refused(`agent ${ext} is not in wrap-up`, { agent: ext });
    this.close(row, tag, notes ?? null, false, by);
    return this.repo.get(row.id) as WrapupRow;
  }

  /** Logout during wrap-up: record the automatic disposition; the login service goes offline. */
  closeForLogout(ext: string): void {
    const row = this.repo.openOf(ext);
    if (row) this.close(row, this.core.policy.auto_disposition, null, true, 'logout', false);
  }

  private close(row: WrapupRow, disposition: string, notes: string | null, auto: boolean, by: string, release = true): void {
    const at = this.core.now();
    const h = this.timers.get(row.id);
    if (h) this.core.deps.clock.clearTimeout(h);
    this.timers.delete(row.id);
    // The wrap-up row, what 'wrapup.ended' subscribers write (the call's disposition) and the agent's
    // state change commit once (three transactions before).
    this.core.deps.repo.transaction(() => this.closeRow(row, at, disposition, notes, auto, by, release));
  }

  private closeRow(row: WrapupRow, at: number, disposition: string, notes: string | null, auto: boolean, by: string, release: boolean): void {
    if (!this.repo.close(row.id, { endedAt: at, disposition, notes, auto, finishedBy: by })) return;
    this.core.deps.bus.publish({
      type: 'wrapup.ended',
      at,
      agent: row.extension,
      callId: row.callId,
      queue: row.queue ?? undefined,
      data: { wrapupId: row.id, disposition, notes, auto, finishedBy: by, late: at > row.deadline },
    });
    if (release && by !== 'superseded') this.release(row);
  }

  /** Frees the agent: back to available, or to the pause asked for during the call. */
  private release(row: WrapupRow): void {
    const li = this.core.loggedIn(row.extension);
    if (!li || li.runtime.state !== 'wrap-up') return;
    void this.core.setBusyBestEffort(row.extension, false);
    this.core.enterRest(row.extension, li.runtime, { reason: 'wrap-up ended', callId: row.callId });
  }
}
