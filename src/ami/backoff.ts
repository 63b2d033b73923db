/**
 * Reconnect delays shared by the AMI and ARI supervisors: start at initialMs, double per failed
 * attempt up to maxMs, never give up. "Equal jitter" (half fixed, half random) so a fleet of
 * daemons restarted together does not hammer Asterisk in lockstep, while the delay never collapses
 * to ~0 the way full jitter can.
 */
import { invalid } from '../util/errors';

export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
}

export class Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
  private attempt = 0;

  constructor(
    opts: BackoffOptions = {},
    private readonly random: () => number = Math.random,
  ) {
    this.initialMs = opts.initialMs ?? 500;
    this.maxMs = opts.maxMs ?? 30000;
    if (!(this.initialMs > 0) || !(this.maxMs >= this.initialMs)) {
      throw invalid(`reconnect backoff needs 0 < initialMs <= maxMs (got ${this.initialMs}, ${this.maxMs})`, {
        field: 'reconnect',
      });
    }
  }

  /** Delay before the next attempt; each call counts as one more failure. */
  next(): number {
    const base = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.round(base / 2 + (this.random() * base) / 2);
  }

  /** Delay for errors that will not fix themselves quickly (bad credentials): always the maximum. */
  slow(): number {
    this.attempt++;
    return this.maxMs;
  }

  /** A session succeeded: the next failure starts again from initialMs. */
  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}
