/**
 * Queue stays, persisted from AMI (src/monitor/waiting.ts keeps the same callers live in memory only).
 *
 * app_queue tells how a stay ended only by the events around QueueCallerLeave:
 *   answered   QueueCallerLeave, then AgentConnect (same burst; captures/queue-call-answered)
 *   abandoned  QueueCallerAbandon (the caller hung up), then QueueCallerLeave. app_queue also sends it
 *              for a caller withdrawn by AMI QueueWithdrawCaller (app_queue.c record_abandoned): that
 *              caller's channel goes on and CcQueueExit WITHDRAW follows, which makes the stay left
 *   blocked    an abandon of a caller the daemon refused (calls row 'blocked'): the daemon hung it up
 *   timeout    QueueCallerLeave, then UserEvent CcQueueExit Status: TIMEOUT (asterisk-conf
 *              [cc-queues] raises it after Queue() returns with QUEUESTATUS)
 *   left       any other exit: CcQueueExit with another QUEUESTATUS (LEAVEEMPTY, WITHDRAW, CONTINUE...),
 *              or a leave nothing explains within LEAVE_GRACE_MS (an exit key to a service, a
 *              redirect, a dialplan without the UserEvent)
 *   callback   the caller pressed the callback key and the daemon accepted the request (the bus's
 *              callback.state of a new queue request names the channel): the leave it explains, or
 *              the stay already closed as left when the request came after LEAVE_GRACE_MS
 *   lost       still open after an AMI reconnect but no longer in QueueStatus, with no answered
 *              call part for it: Asterisk restarted, or it ended while the daemon could not see
 * So a leave is held for LEAVE_GRACE_MS (in memory) and the stay is written once, closed.
 *
 * Restarts: an open stay is a row with outcome 'waiting'. On every AMI (re)connect QueueStatus lists
 * the callers waiting now: those with an open row keep it (one stay across a daemon restart), new
 * ones get a row (join time = now - Wait), open rows not listed are closed (answered when a call
 * part of theirs was answered meanwhile, else lost). Events seen while QueueStatus is in flight win.
 */
import type { AmiClient, AmiEvent } from '../ami/types';
import type { Logger } from '../log/logger';
import { ResyncRetry } from '../net/resync-retry';
import { sanitizeCallerName, sanitizeCallerNumber } from '../util/caller-id';
import type { Clock, TimerHandle } from '../util/clock';
import type { StayClose, StaysRepo } from './stays-repo';

/** How long a QueueCallerLeave waits for the event that explains it (AgentConnect, CcQueueExit). */
export const LEAVE_GRACE_MS = 2000;

export type StaysAmi = Pick<AmiClient, 'onEvent' | 'onConnected' | 'onDisconnected' | 'actionList'>;

export interface StayRecorderDeps {
  ami: StaysAmi;
  repo: StaysRepo;
  clock: Clock;
  log: Logger;
  /** Member Interface → agent (Local/<ext>@<agent_leg>/n, or the device in the native topology). */
  agentOfInterface: (iface: string | undefined) => string | undefined;
}

/** QUEUESTATUS (CcQueueExit Status) → outcome. Empty: Queue() returned after an answered call. */
export function exitOutcome(status: string): 'timeout' | 'left' | undefined {
  if (!status) return undefined;
  return status === 'TIMEOUT' ? 'timeout' : 'left';
}

const unknownAsEmpty = (v: string | undefined) => (!v || v === 'unknown' || v === '<unknown>' ? '' : v);

export class QueueStayRecorder {
  /** uniqueid → a leave not yet explained. */
  private readonly pending = new Map<string, { stayId: number; leftAt: number; timer: TimerHandle }>();
  /** uniqueid → a stay just closed as abandoned, for LEAVE_GRACE_MS (a withdrawal shows up as one first). */
  private readonly recentAbandons = new Map<string, { stayId: number; at: number }>();
  private unsubs: (() => void)[] = [];
  private inFlight?: { joined: Set<string>; left: Set<string> };

  constructor(private readonly deps: StayRecorderDeps) {}

  start(): void {
    if (this.unsubs.length) return;
    const { ami, clock, log } = this.deps;
    const on = (name: string, fn: (e: AmiEvent) => void) =>
      ami.onEvent(name, (e) => {
        try {
          fn(e);
        } catch (err) {
          // A failed write must not break the AMI dispatch of the other domains.
          log.error('queue stay not recorded', { event: name, err: (err as Error).message });
        }
      });
    this.unsubs.push(
      on('QueueCallerJoin', (e) => this.onJoin(e)),
      on('QueueCallerLeave', (e) => this.onLeave(e)),
      on('QueueCallerAbandon', (e) => this.onAbandon(e)),
      on('AgentConnect', (e) => this.onConnect(e)),
      on('UserEvent', (e) => {
        if (e.UserEvent === 'CcQueueExit') this.onQueueExit(e);
      }),
    );
    const retry = new ResyncRetry({ name: 'queue stays re-sync', link: ami, clock, log, run: () => this.resync() });
    retry.start();
    this.unsubs.push(() => retry.stop());
  }

  /** Pending leaves stay open rows: the next start's re-sync closes them from what it finds. */
  stop(): void {
    for (const u of this.unsubs.splice(0)) u();
    for (const p of this.pending.values()) this.deps.clock.clearTimeout(p.timer);
    this.pending.clear();
  }

  onJoin(e: AmiEvent): void {
    if (!e.Queue || !e.Uniqueid) return;
    const now = this.deps.clock.now();
    this.inFlight?.joined.add(e.Uniqueid);
    this.inFlight?.left.delete(e.Uniqueid);
    const open = this.deps.repo.openOf(e.Uniqueid);
    if (open) {
      if (open.queue === e.Queue) return; // already known (a re-sync raced the event)
      // A channel waits in one queue at a time: the earlier stay ended unseen.
      this.close(open.id, e.Uniqueid, { outcome: 'left', leftAt: now, detail: `joined ${e.Queue}` });
    }
    this.deps.repo.insert({
      queue: e.Queue,
      uniqueid: e.Uniqueid,
      linkedid: e.Linkedid || null,
      channel: e.Channel ?? '',
      callerNumber: sanitizeCallerNumber(unknownAsEmpty(e.CallerIDNum)),
      callerName: sanitizeCallerName(unknownAsEmpty(e.CallerIDName)),
      joinedAt: now,
      joinSource: 'event',
      position: Number(e.Position) || null,
    });
  }

  onLeave(e: AmiEvent): void {
    if (!e.Uniqueid) return;
    this.inFlight?.left.add(e.Uniqueid);
    this.inFlight?.joined.delete(e.Uniqueid);
    const open = this.deps.repo.openOf(e.Uniqueid);
    if (!open || this.pending.has(e.Uniqueid)) return;
    const { clock } = this.deps;
    const leftAt = clock.now();
    const timer = clock.setTimeout(() => {
      this.pending.delete(e.Uniqueid);
      this.close(open.id, e.Uniqueid, { outcome: 'left', leftAt, detail: 'left the queue' });
    }, LEAVE_GRACE_MS);
    this.pending.set(e.Uniqueid, { stayId: open.id, leftAt, timer });
  }

  onAbandon(e: AmiEvent): void {
    if (!e.Uniqueid) return;
    this.inFlight?.left.add(e.Uniqueid);
    const open = this.deps.repo.openOf(e.Uniqueid);
    if (!open) return;
    const linkedid = open.linkedid ?? (e.Linkedid || null);
    const blocked = linkedid !== null && this.deps.repo.wasBlocked(linkedid);
    this.close(open.id, e.Uniqueid, {
      outcome: blocked ? 'blocked' : 'abandoned',
      leftAt: this.leftAt(e.Uniqueid),
      linkedid,
    });
    if (blocked) return;
    const now = this.deps.clock.now();
    for (const [id, a] of this.recentAbandons) {
      if (now - a.at <= LEAVE_GRACE_MS) break;
      this.recentAbandons.delete(id);
    }
    this.recentAbandons.set(e.Uniqueid, { stayId: open.id, at: now });
  }

  onConnect(e: AmiEvent): void {
    if (!e.Uniqueid) return;
    const open = this.deps.repo.openOf(e.Uniqueid);
    if (!open) return;
    const linkedid = open.linkedid ?? (e.Linkedid || null);
    const agent = this.deps.agentOfInterface(e.Interface) ?? null;
    const part = linkedid && agent ? this.deps.repo.answeredPart(linkedid, agent) : undefined;
    this.close(open.id, e.Uniqueid, {
      outcome: 'answered',
      leftAt: this.leftAt(e.Uniqueid),
      agentExt: agent ?? (e.MemberName || null),
      callId: part?.id ?? null,
      rootId: part?.rootId ?? null,
      linkedid,
    });
  }

  onQueueExit(e: AmiEvent): void {
    const outcome = exitOutcome(e.Status ?? '');
    if (!outcome || !e.Uniqueid) return;
    const info = (e.Info ?? '').trim();
    const detail = info ? `${e.Status} ${info}`.slice(0, 120) : e.Status;
    const open = this.deps.repo.openOf(e.Uniqueid);
    if (!open) {
      // Withdrawn (QueueWithdrawCaller): app_queue reported it as an abandon a moment ago.
      const recent = this.recentAbandons.get(e.Uniqueid);
      this.recentAbandons.delete(e.Uniqueid);
      if (recent && this.deps.clock.now() - recent.at <= LEAVE_GRACE_MS) this.deps.repo.reclassify(recent.stayId, 'abandoned', outcome, detail);
      return;
    }
    if (e.Queue && e.Queue !== open.queue) return;
    this.close(open.id, e.Uniqueid, {
      outcome,
      leftAt: this.leftAt(e.Uniqueid),
      detail,
      linkedid: open.linkedid ?? (e.Linkedid || null),
    });
  }

  /** Re-attaches open stays to the callers QueueStatus lists; closes the ones that are gone. */
  async resync(): Promise<{ kept: number; added: number; closed: number }> {
    if (this.inFlight) return { kept: 0, added: 0, closed: 0 };
    this.inFlight = { joined: new Set(), left: new Set() };
    try {
      const { events } = await this.deps.ami.actionList('QueueStatus');
      const { repo, clock, log } = this.deps;
      const now = clock.now();
      const waiting = new Map<string, AmiEvent>();
      for (const e of events) if (e.Event === 'QueueEntry' && e.Uniqueid && e.Queue) waiting.set(e.Uniqueid, e);
      let kept = 0;
      let added = 0;
      let closed = 0;
      for (const stay of repo.open()) {
        const entry = waiting.get(stay.uniqueid);
        if (entry && entry.Queue === stay.queue) {
          kept++;
          waiting.delete(stay.uniqueid);
          continue;
        }
        // Joined while QueueStatus was in flight, or its leave is being explained: not gone.
        if (this.inFlight.joined.has(stay.uniqueid) || this.pending.has(stay.uniqueid)) continue;
        const part = stay.linkedid ? repo.answeredPart(stay.linkedid) : undefined;
        const close: StayClose = part
          ? { outcome: 'answered', leftAt: part.answeredAt, agentExt: part.agentExt, callId: part.id, rootId: part.rootId, detail: 'seen after reconnect' }
          : { outcome: 'lost', leftAt: now, detail: 'not waiting any more after an AMI reconnect (Asterisk restart, or ended unseen)' };
        if (this.close(stay.id, stay.uniqueid, close)) closed++;
      }
      for (const [uniqueid, e] of waiting) {
        if (this.inFlight.left.has(uniqueid) || repo.openOf(uniqueid)) continue;
        repo.insert({
          queue: e.Queue,
          uniqueid,
          linkedid: e.Linkedid || null,
          channel: e.Channel ?? '',
          callerNumber: sanitizeCallerNumber(unknownAsEmpty(e.CallerIDNum)),
          callerName: sanitizeCallerName(unknownAsEmpty(e.CallerIDName)),
          joinedAt: now - (Number(e.Wait) || 0) * 1000,
          joinSource: 'status',
          position: Number(e.Position) || null,
        });
        added++;
      }
      if (closed || added) log.info('queue stays re-synced', { kept, added, closed });
      return { kept, added, closed };
    } finally {
      this.inFlight = undefined;
    }
  }

  /** The caller on `uniqueid` left the queue with a callback request (src/callbacks accepted it). */
  markCallback(uniqueid: string, callbackId: number): boolean {
    const detail = `callback ${callbackId}`;
    const open = this.deps.repo.openOf(uniqueid);
    if (open) return this.close(open.id, uniqueid, { outcome: 'callback', leftAt: this.leftAt(uniqueid), detail, callbackId, linkedid: open.linkedid });
    const last = this.deps.repo.latestOf(uniqueid);
    return last ? this.deps.repo.leftToCallback(last.id, callbackId, detail) : false;
  }

  /** When the caller left: the held QueueCallerLeave's time, else now. */
  private leftAt(uniqueid: string): number {
    return this.pending.get(uniqueid)?.leftAt ?? this.deps.clock.now();
  }

  private close(stayId: number, uniqueid: string, c: StayClose): boolean {
    const p = this.pending.get(uniqueid);
    if (p && p.stayId === stayId) {
      this.deps.clock.clearTimeout(p.timer);
      this.pending.delete(uniqueid);
    }
    return this.deps.repo.close(stayId, c);
  }
}
