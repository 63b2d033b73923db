/**
 * Native topology: the calls that began and ended while the daemon could not follow AMI (daemon
 * down, AMI cut) recorded from app_queue's queue_log. Under native app_queue connects callers with
 * agents without the daemon, and Asterisk keeps nothing else a returning daemon could read about a
 * call already over (native-discovery.ts finds those still up).
 *
 * States of the reader (one per daemon):
 *   started    the first look at a path: the cursor is the file's end (what is in it is older than
 *              the daemon), or "no file yet", and then the file that appears is read from its start
 *   following  AMI up since the last check: the cursor moves to where the file ended TRAIL_CHECKS
 *              checks ago (so an AMI cut not noticed yet is still read after the reconnect)
 *   catching up  after every AMI (re)connect, for CATCH_UP_CHECKS checks: the lines since the cursor
 *              are read (again by each check) and every stay that ended in them without a trace in
 *              the database is written; the last check moves the cursor
 *   blind      AMI down: nothing moves (the cursor waits for the reconnect)
 * A stay has a trace when queue_stays has it (same caller uniqueid and queue, joined within
 * JOIN_SLACK_MS); one left 'waiting' or 'lost' by the outage gets its real outcome. An answered stay
 * without a call part (calls.linkedid) gets one: ended, with the agent (MemberName → catalogue name
 * or device; a name several agents share → the one logged into the queue then), its ring, answer
 * and end times, and a call event 'recovered' naming the source.
 * No wrap-up is opened for it (it ended long ago) and the agent's live counters are not touched.
 * A part ended unseen during the outage (by the call sweep: ended when noticed, not-answered when
 * it was still ringing then; by a restart's recovery: daemon-restart) gets its real answer, end
 * time and reason instead (event `corrected`, with what it said before). Either answer wipes the
 * agent's misses in a row counted before it (src/pause/no-answer.ts answeredUnseen).
 */
import type { CallRepo } from '../calls/repo';
import type { CallRecord } from '../calls/types';
import type { Logger } from '../log/logger';
import type { StayClose, StaysRepo } from '../reports/stays-repo';
import type { Db } from '../store/db';
import { preparedOnce } from '../store/statements';
import { sanitizeCallerId } from '../util/caller-id';
import { endOf, readFrom, type QueueLogCursor } from './file';
import { endedContacts, parseQueueLogLine, type QueueLogContact, type QueueLogEntry } from './parse';

/**
 * Checks after a (re)connect that read lines, each from where the first one began: calls ending
 * right at the reconnect are in the later ones, and so are the parts the call sweep ends unseen
 * meanwhile (a part still open is left for later).
 */
export const CATCH_UP_CHECKS = 3;
/**
 * Following checks the cursor trails the file's end by: a half-open AMI link is noticed by the
 * keepalive (a Ping every 5 s) only when a Ping times out, so lines of a cut not noticed yet must
 * still be ahead of the cursor when the reconnect's catch-up reads.
 */
export const TRAIL_CHECKS = 2;
/** Contacts per transaction: a long outage has thousands, and live calls must not wait for all. */
export const CHUNK = 200;
/** queue_log has whole seconds, the stays milliseconds. */
const JOIN_SLACK_MS = 5000;

export interface BackfillDeps {
  file: string;
  db: Db;
  calls: CallRepo;
  stays: StaysRepo;
  /**
   * MemberName (or a member Interface) → the agents it may name: the catalogue's agents with that
   * name (several when names repeat), else the agent whose device it is; [] when none.
   */
  agentsOfMember: (member: string) => string[];
  /**
   * The agents domain: an answer it did not see live (src/pause/no-answer.ts answeredUnseen: the
   * misses in a row counted before it are wiped). Runs in the chunk's transaction.
   */
  answeredUnseen?: (ext: string, answer: { at: number; queue: string; callId?: string }) => void;
  log: Logger;
}

export interface BackfillResult {
  mode: 'started' | 'following' | 'caught-up' | 'blind';
  lines: number;
  /** Call parts written (answered stays without one). */
  calls: string[];
  /** Stays written or given their outcome. */
  stays: number;
}

export class QueueLogBackfill {
  private connectsSeen = 0;
  private connectsRead = 0;
  private catchUp = 0;
  /** Where the current catch-up reads from (saved as the cursor only by its last check). */
  private catchUpFrom?: QueueLogCursor;
  /** Where the file ended at the last following checks, oldest first (the cursor moves to the oldest). */
  private trail: QueueLogCursor[] = [];

  private readonly sql: ReturnType<typeof preparedOnce>;

  constructor(private readonly deps: BackfillDeps) {
    this.sql = preparedOnce(deps.db);
  }

  /**
   * At the daemon's start: a file read for the first time is read from its end on (what is in it
   * happened before the daemon read it). Throws on I/O errors, like check().
   */
  init(): void {
    if (!this.load()) this.start();
  }

  /**
   * The first cursor: the file's end, or, while there is no file yet, "no file" (inode 0), so that
   * the file app_queue creates later is read from its start (all of it is newer than the daemon).
   */
  private start(): void {
    try {
      this.save(endOf(this.deps.file));
      this.trail = [];
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') this.save({ inode: 0, offset: 0 });
      throw err;
    }
  }

  /** AMI (re)connected: the next checks read what was missed. */
  connected(): void {
    this.connectsSeen++;
  }

  /**
   * One check (timer and reconnects; one at a time). Rejects on I/O and database errors (the caller
   * logs; the next check reads the same lines again: what landed has a trace and is skipped).
   */
  async check(amiUp: boolean): Promise<BackfillResult> {
    const none = (mode: BackfillResult['mode'], lines = 0): BackfillResult => ({ mode, lines, calls: [], stays: 0 });
    if (!amiUp) return none('blind');
    const saved = this.load();
    if (!saved) {
      // First use of this file: what is in it happened before the daemon read it.
      this.start();
      return none('started');
    }
    if (this.connectsRead !== this.connectsSeen) {
      this.connectsRead = this.connectsSeen;
      this.catchUp = CATCH_UP_CHECKS;
      this.catchUpFrom ??= saved;
    }
    if (this.catchUp === 0) {
      this.trail.push(endOf(this.deps.file));
      const to = this.trail.length > TRAIL_CHECKS ? this.trail.shift()! : undefined;
      if (to && (to.inode !== saved.inode || to.offset !== saved.offset)) this.save(to);
      return none('following');
    }
    const read = readFrom(this.deps.file, this.catchUpFrom ?? saved);
    this.members.clear(); // the catalogue may have changed since the last check
    const entries = read.lines.map(parseQueueLogLine).filter((e): e is QueueLogEntry => e !== undefined);
    const result = await this.record(endedContacts(entries));
    // Counted once it landed: a check the database refused (full disk) is a catch-up again.
    if (--this.catchUp === 0) {
      this.save(read.cursor);
      this.trail = [];
      this.catchUpFrom = undefined;
    }
    if (read.rotated && saved.inode !== 0) {
      const from = read.rotatedFile ? `the rest of ${read.rotatedFile}, then ` : 'no rotated file with the old lines found: ';
      this.deps.log.info(`queue_log was rotated: read ${from}the new file from its start`, { file: this.deps.file });
    }
    return { mode: 'caught-up', lines: read.lines.length, ...result };
  }

  /** In transactions of CHUNK contacts, the event loop getting a turn between them. */
  private async record(contacts: QueueLogContact[]): Promise<{ calls: string[]; stays: number }> {
    const calls: string[] = [];
    let stays = 0;
    for (let i = 0; i < contacts.length; i += CHUNK) {
      if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      this.deps.calls.batch(() => {
        for (const c of contacts.slice(i, i + CHUNK)) {
          const partId = this.recordOne(c);
          if (partId === null) continue;
          stays++;
          if (partId) calls.push(partId);
        }
      });
    }
    if (stays) this.deps.log.warn('queue calls ended while the daemon could not follow AMI: recorded from queue_log', { file: this.deps.file, stays, callParts: calls.length });
    return { calls, stays };
  }

  /** null: seen live, nothing written; '' a stay written; else the id of the call part written or corrected. */
  private recordOne(c: QueueLogContact): string | null {
    const agent = c.member ? this.agentOf(c.member, c) : null;
    // Still open: the call sweep has not ended it yet (or it is followed live): a later check.
    if (this.openPart(c.linkedid ?? c.callid, agent)) return null;
    const stay = this.deps.stays.near(c.callid, c.queue, c.joinedAt, JOIN_SLACK_MS);
    const seenLive = stay !== undefined && stay.outcome !== 'waiting' && stay.outcome !== 'lost';
    // Without CCLINKEDID: the caller's uniqueid, the linkedid of a trunk caller (its call's first channel).
    const linkedid = stay?.linkedid ?? c.linkedid ?? c.callid;
    const unseen = c.outcome === 'answered' ? this.endedUnseen(linkedid, agent, c) : undefined;
    if (unseen) this.correct(unseen.id, c);
    if (seenLive) return unseen?.id ?? null;
    const part = c.outcome === 'answered' && !unseen && !this.hasPart(linkedid, c) ? this.newPart(c, linkedid, agent) : undefined;
    if (part) {
      this.deps.calls.insert(part);
      this.deps.calls.event(part.id, 'recovered', { source: 'queue_log', member: c.member, uniqueid: c.callid }, part.endedAt ?? undefined);
    }
    // The part that answered: the one written now, or the one corrected.
    const answered = part ?? unseen;
    if (answered?.agentExt && c.connectedAt !== undefined) this.deps.answeredUnseen?.(answered.agentExt, { at: c.connectedAt, queue: c.queue, callId: answered.id });
    const close: StayClose = {
      outcome: c.outcome,
      leftAt: c.leftAt,
      detail: 'recovered from queue_log',
      agentExt: answered?.agentExt ?? null,
      callId: answered?.id ?? null,
      rootId: answered?.rootId ?? null,
    };
    if (stay) {
      this.deps.stays.settleUnseen(stay.id, close);
    } else {
      const caller = sanitizeCallerId({ number: c.callerNumber ?? undefined, name: c.callerName ?? undefined });
      const id = this.deps.stays.insert({
        queue: c.queue,
        uniqueid: c.callid,
        linkedid,
        channel: '',
        callerNumber: caller.number ?? '',
        callerName: caller.name ?? '',
        joinedAt: c.joinedAt,
        joinSource: 'event',
        position: c.position,
      });
      this.deps.stays.close(id, close);
    }
    this.deps.log.debug('queue stay recorded from queue_log', { queue: c.queue, uniqueid: c.callid, outcome: c.outcome, callId: part?.id, agent: part?.agentExt ?? c.member });
    return answered?.id ?? '';
  }

  /**
   * The part ended without its end being seen, not corrected yet: by the call sweep while AMI was
   * down (event 'ended' with unseen, src/calls/native-parts.ts endUnseen; one still ringing then as
   * not-answered), or by the restart's recovery for a call that ended while the daemon was down
   * (reason daemon-restart, src/calls/recovery.ts). Both were ended when noticed.
   */
  private endedUnseen(linkedid: string, agent: string | null, c: QueueLogContact): { id: string; agentExt: string | null; rootId: string } | undefined {
    const at = c.connectedAt ?? c.leftAt;
    // ringall: only the agent who answered (the others' parts were not answered).
    return this.sql(
      `SELECT id, agent_ext AS agentExt, root_id AS rootId FROM calls WHERE linkedid = ? AND (? IS NULL OR agent_ext = ?) AND started_at <= ? AND (answered_at IS NULL OR answered_at BETWEEN ? AND ?)
         AND EXISTS (SELECT 1 FROM call_events e WHERE e.call_id = calls.id AND e.type = 'ended'
                     AND (json_extract(e.data, '$.unseen') = 1 OR json_extract(e.data, '$.reason') = 'daemon-restart'))
         AND NOT EXISTS (SELECT 1 FROM call_events e WHERE e.call_id = calls.id AND e.type = 'corrected')
       ORDER BY started_at DESC LIMIT 1`,
    ).get(linkedid, agent, agent, at + JOIN_SLACK_MS, at - JOIN_SLACK_MS, at + JOIN_SLACK_MS) as { id: string; agentExt: string | null; rootId: string } | undefined;
  }

  /** Its real answer, end and reason from queue_log; what it said before is kept in the event. */
  private correct(id: string, c: QueueLogContact): void {
    const row = this.deps.calls.get(id)!;
    const before = { answeredAt: row.answeredAt, endedAt: row.endedAt, endReason: row.endReason };
    this.deps.calls.save(
      { ...row, answeredAt: row.answeredAt ?? c.connectedAt ?? null, endedAt: c.endedAt ?? null, endReason: c.endReason ?? null },
      ['answeredAt', 'endedAt', 'endReason'],
    );
    this.deps.calls.event(id, 'corrected', { source: 'queue_log', uniqueid: c.callid, before }, c.endedAt ?? undefined);
  }

  /** MemberName → agents, asked of the catalogue once per name and check (a catch-up has thousands of stays). */
  private readonly members = new Map<string, string[]>();
  /**
   * The agent a MemberName stands for. Agents with the same catalogue name are told apart by who
   * was logged into the stay's queue when the call was answered (agent_sessions); null when that
   * still leaves none or several.
   */
  private agentOf(member: string, c: QueueLogContact): string | null {
    let exts = this.members.get(member);
    if (exts === undefined) this.members.set(member, (exts = this.deps.agentsOfMember(member)));
    if (exts.length <= 1) return exts[0] ?? null;
    const at = c.connectedAt ?? c.leftAt;
    const inQueue = exts.filter(
      (ext) =>
        this.sql(
          `SELECT 1 FROM agent_sessions WHERE extension = ? AND login_at <= ? AND (logout_at IS NULL OR logout_at >= ?)
             AND EXISTS (SELECT 1 FROM json_each(queues) WHERE value = ?) LIMIT 1`,
        ).get(ext, at, at, c.queue) !== undefined,
    );
    return inQueue.length === 1 ? inQueue[0] : null;
  }

  private openPart(linkedid: string, agent: string | null): boolean {
    return this.sql('SELECT 1 FROM calls WHERE linkedid = ? AND ended_at IS NULL AND (? IS NULL OR agent_ext = ?) LIMIT 1').get(linkedid, agent, agent) !== undefined;
  }

  private hasPart(linkedid: string, c: QueueLogContact): boolean {
    const at = c.connectedAt ?? c.leftAt;
    return (
      this.sql('SELECT 1 FROM calls WHERE linkedid = ? AND answered_at BETWEEN ? AND ? LIMIT 1').get(linkedid, at - JOIN_SLACK_MS, at + JOIN_SLACK_MS) !==
      undefined
    );
  }

  private newPart(c: QueueLogContact, linkedid: string, agentExt: string | null): CallRecord {
    const startedAt = c.rangAt ?? c.leftAt;
    const id = this.deps.calls.nextId(startedAt);
    return {
      id,
      parentId: null,
      rootId: id,
      kind: 'inbound',
      direction: 'inbound',
      queue: c.queue,
      agentExt,
      customerNumber: sanitizeCallerId({ number: c.callerNumber ?? undefined }).number || null,
      callerId: null,
      state: 'ended',
      startedAt,
      answeredAt: c.connectedAt ?? null,
      endedAt: c.endedAt ?? null,
      endReason: c.endReason ?? null,
      disposition: null,
      customerChannelId: null,
      agentChannelId: null,
      bridgeId: null,
      holdBridgeId: null,
      linkedid,
      muted: false,
      timeoutAt: null,
    };
  }

  private load(): QueueLogCursor | undefined {
    const r = this.sql('SELECT inode, offset FROM queue_log_cursor WHERE file = ?').get(this.deps.file) as QueueLogCursor | undefined;
    return r ? { inode: Number(r.inode), offset: Number(r.offset) } : undefined;
  }

  private save(c: QueueLogCursor): void {
    this.sql(
      `INSERT INTO queue_log_cursor (file, inode, offset) VALUES (?, ?, ?)
       ON CONFLICT(file) DO UPDATE SET inode = excluded.inode, offset = excluded.offset`,
    ).run(this.deps.file, c.inode, c.offset);
  }
}
