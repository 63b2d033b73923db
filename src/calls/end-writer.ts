/**
 * Writes the end of a call part: its row, its 'ended' event and the agent's end of the call (talk
 * time, wrap-up window, state change) as one step, one transaction (src/store/unit-of-work.ts).
 *
 * A locked or full database (another writer, a full disk) must not lose the end: the part is
 * already gone from memory, so its write is retried until it lands (the parts ended while the
 * database was unavailable are written in order when it is back). The agent's side does not wait
 * for that: when the step fails, it is written again on its own at once (the step's rollback
 * undid its first try), as the agents domain did before the two were one step; if that fails too,
 * the agents' reconcile sweep frees the agent later.
 */
import type { Logger } from '../log/logger';
import type { Clock } from '../util/clock';
import type { CallField, CallRepo } from './repo';
import type { CallRecord } from './types';

/** What end() changes on the row. */
const ENDED_FIELDS: readonly CallField[] = ['state', 'endedAt', 'endReason', 'timeoutAt'];

export class EndWriter {
  /** Ended parts whose end write failed and is being retried (their rows are open meanwhile). */
  private readonly pending = new Set<string>();

  constructor(
    private readonly deps: { repo: CallRepo; clock: Clock; log: Logger },
    /** True once the daemon stops: a restart's recovery ends the still-open part instead. */
    private readonly stopped: () => boolean,
  ) {}

  /** True while the end of this (ended) part waits for its write to land. */
  isPending(id: string): boolean {
    return this.pending.has(id);
  }

  /** The end step; `agentEnd` (the agents domain's callEnded) commits with it. */
  write(call: CallRecord, data: Record<string, unknown>, agentEnd?: () => void): void {
    const { repo, log } = this.deps;
    try {
      repo.batch(() => {
        this.writeRow(call, data);
        agentEnd?.();
      });
      return;
    } catch (err) {
      if (agentEnd) {
        try {
          agentEnd();
        } catch (e) {
          log.error('agent end of a call not written', { callId: call.id, error: (e as Error).message });
        }
      }
      this.failed(call, data, err, 0);
    }
  }

  private writeRow(call: CallRecord, data: Record<string, unknown>): void {
    this.deps.repo.save(call, ENDED_FIELDS);
    this.deps.repo.event(call.id, 'ended', data);
  }

  private retry(call: CallRecord, data: Record<string, unknown>, attempt: number): void {
    try {
      this.deps.repo.batch(() => this.writeRow(call, data));
      this.pending.delete(call.id);
      this.deps.log.info('call end written after the database came back', { callId: call.id, attempts: attempt + 1 });
    } catch (err) {
      this.failed(call, data, err, attempt);
    }
  }

  private failed(call: CallRecord, data: Record<string, unknown>, err: unknown, attempt: number): void {
    if (this.stopped()) {
      this.pending.delete(call.id);
      return; // a restart's recovery ends the still-open part (daemon-restart)
    }
    this.pending.add(call.id);
    const delay = Math.min(10_000, 500 * 2 ** attempt);
    this.deps.log.warn('call end not written, retrying', { callId: call.id, error: (err as Error).message, retryInMs: delay });
    this.deps.clock.setTimeout(() => this.retry(call, data, attempt + 1), delay);
  }
}
