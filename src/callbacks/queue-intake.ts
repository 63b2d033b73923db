/**
 * Callback requests from a queue: a waiting caller pressed the callback key (app_queue exit key,
 * asterisk-conf [cc-queue-callback]) and their channel entered our app with
 * `Stasis(callcenter,queue-callback,<queue>,<position>)`. The caller's number (their caller id) is
 * checked like any number we dial (parser, international policy, do-not-call list); accepted, the
 * request is stored with the caller's place in the queue (the time they entered it, from their
 * queue stay) and the dialplan thanks them and hangs up; refused, the dialplan puts them back in
 * the queue. Either way the answer is the channel variable CC_CALLBACK (accepted | refused), then
 * `continue`, so the dialplan, not the daemon, says what the caller hears.
 */
import type { AriChannel, AriClient, StasisStartEvent } from '../ari/types';
import { stasisArgs } from '../calls/recovery';
import type { Policy } from '../config/schema';
import { validateNumber } from '../dialing/number';
import type { DncGuard } from '../dnc/guard';
import type { Logger } from '../log/logger';
import type { Db } from '../store/db';
import type { Clock } from '../util/clock';
import { invalid, notFound } from '../util/errors';
import type { Callback } from './model';
import type { CallbacksRepo } from './repo';

export const QUEUE_CALLBACK_TAG = 'queue-callback';

/** Where a caller's channel waited: its queue stay (src/reports keeps them, published as a port). */
export interface QueueEntry {
  queue: string;
  joinedAt: number;
  linkedid: string | null;
}

export interface QueueEntryLookup {
  /** The latest stay of this channel (AMI Uniqueid = ARI channel id). */
  entryOf(uniqueid: string): QueueEntry | undefined;
}

export interface QueueIntakeDeps {
  /** Absent (unit tests of `request`): no channel to answer. */
  ari?: Pick<AriClient, 'channels'>;
  db: Db;
  repo: CallbacksRepo;
  policy: Policy;
  clock: Clock;
  log: Logger;
  dnc?: Pick<DncGuard, 'assertCallable'>;
  /** Called after a request was stored (the scheduler re-arms). */
  onRequest?: (c: Callback) => void;
  /**
   * Called when a caller's request is accepted, before its channel is answered: the calls core
   * thanks a customer whose queue caller is a stand-in (asterisk.queue_topology stand-in).
   */
  onAccepted?: (uniqueid: string) => Promise<void> | void;
}

export interface QueueRequestInput {
  uniqueid: string;
  queue: string;
  callerNumber: string;
  position?: number;
  /** The channel's creation time: the entry time when no queue stay is known for it. */
  fallbackJoinedAt: number;
}

export class QueueCallbackIntake {
  private entries?: QueueEntryLookup;

  constructor(private readonly deps: QueueIntakeDeps) {}

  /** Wired by the composition root once the reports module published its stays. */
  setEntries(entries: QueueEntryLookup | undefined): void {
    this.entries = entries;
  }

  /** StasisStart of a `queue-callback` channel. */
  async onStart(e: StasisStartEvent): Promise<void> {
    const ch = e.channel;
    const created = Date.parse(ch.creationtime ?? '');
    let verdict: 'accepted' | 'refused' = 'refused';
    try {
      const position = Number(e.args[2]);
      this.request({
        uniqueid: ch.id,
        queue: e.args[1] ?? '',
        callerNumber: ch.caller?.number ?? '',
        position: Number.isInteger(position) && position > 0 ? position : undefined,
        fallbackJoinedAt: Number.isFinite(created) ? created : this.deps.clock.now(),
      });
      verdict = 'accepted';
    } catch (err) {
      this.deps.log.warn('queue callback request refused: caller goes back to the queue', {
        channel: ch.name,
        queue: e.args[1],
        reason: (err as Error).message,
      });
    }
    const channels = this.deps.ari?.channels;
    if (verdict === 'accepted') {
      await Promise.resolve(this.deps.onAccepted?.(ch.id)).catch((err: Error) =>
        this.deps.log.warn('queue callback: could not thank the caller', { channel: ch.name, err: err.message }),
      );
    }
    try {
      await channels?.setVariable(ch.id, 'CC_CALLBACK', verdict);
      await channels?.continueInDialplan(ch.id, {});
    } catch (err) {
      // The caller hung up meanwhile: an accepted request stands (they asked for it).
      this.deps.log.info('queue callback: caller gone before the answer', { channel: ch.name, err: (err as Error).message });
    }
  }

  /**
   * Recovery after a daemon restart: a caller still in our app with `queue-callback` args got no
   * answer from the previous process (it stopped between StasisStart and the continue). Answered
   * now as a new StasisStart, instead of being hung up as an orphan. Returns whether it was one.
   */
  claimOnRecovery(channel: AriChannel, app: string): boolean {
    const args = stasisArgs(channel, app);
    if (args?.[0] !== QUEUE_CALLBACK_TAG) return false;
    void this.onStart({ type: 'StasisStart', args, channel } as StasisStartEvent);
    return true;
  }

  /** Validates and stores a request (throws CcError when refused); a repeated key press keeps the first. */
  request(input: QueueRequestInput): Callback {
    const { db, repo, policy } = this.deps;
    if (!/^[a-z0-9][a-z0-9_-]*$/.test(input.queue)) throw invalid(`queue "${input.queue}" is not a queue name`, { field: 'queue' });
    if (!db.prepare('SELECT 1 FROM queues WHERE name = ?').get(input.queue)) {
      throw notFound(`queue ${input.queue} does not exist`, { queue: input.queue });
    }
    const existing = repo.openRequestOf(input.uniqueid);
    if (existing) return existing;
    if (!input.callerNumber) throw invalid('the caller has no number to call back', { field: 'number' });
    const n = validateNumber(input.callerNumber, undefined, policy);
    this.deps.dnc?.assertCallable({ number: n.full, queue: input.queue, action: 'callback-schedule', agent: null, by: 'queue caller' });
    const entry = this.entries?.entryOf(input.uniqueid);
    const known = entry && entry.queue === input.queue;
    if (!known) this.deps.log.warn('queue callback: no queue stay for the caller, entry time = channel creation', { uniqueid: input.uniqueid });
    const c = repo.insert({
      queue: input.queue,
      number: n.national,
      ddi: n.ddi,
      at: this.deps.clock.now(),
      createdBy: 'queue caller',
      fromQueue: {
        joinedAt: known ? entry.joinedAt : input.fallbackJoinedAt,
        position: input.position,
        uniqueid: input.uniqueid,
        linkedid: (known ? entry.linkedid : null) ?? undefined,
      },
    });
    this.deps.log.info('queue callback requested', { callbackId: c.id, queue: c.queue, position: input.position });
    this.deps.onRequest?.(c);
    return c;
  }
}
