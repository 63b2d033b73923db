/**
 * Runs a re-sync on every link (re)connect and retries it while that link stays up.
 *
 * Why: a re-sync that fails once (an AMI error, a timeout on a loaded Asterisk) used to be dropped,
 * leaving logged-in agents out of their queues until the next reconnect. Each connect starts a
 * fresh run (attempt 1, backoff reset); a failure is logged once per attempt and retried after a
 * growing, capped delay, at most `maxAttempts` times; a disconnect cancels the pending retry and
 * makes any in-flight attempt's outcome irrelevant (the next connect starts over anyway).
 */
import { Backoff, type BackoffOptions } from '../ami/backoff';
import type { Logger } from '../log/logger';
import type { Clock, TimerHandle } from '../util/clock';
import { invalid } from '../util/errors';

/** What a link must offer: the AmiClient (and AriClient) subscription methods. */
export interface RetryLink {
  onConnected(handler: () => void): () => void;
  onDisconnected(handler: (reason: string) => void): () => void;
}

export interface ResyncRetryOptions {
  /** In log lines, e.g. "queue re-sync". */
  name: string;
  link: RetryLink;
  /** One attempt; rejects when it failed (and should be tried again). */
  run: () => Promise<unknown>;
  clock: Clock;
  log: Logger;
  /** Delay between attempts: doubles from initialMs (default 1 s) up to maxMs (default 30 s). */
  backoff?: BackoffOptions;
  /** Attempts per connect before giving up until the next one (default 10, ~3.5 min). */
  maxAttempts?: number;
  random?: () => number;
}

export const RETRY_STATES = ['idle', 'running', 'waiting', 'stopped'] as const;
export type RetryState = (typeof RETRY_STATES)[number];

const TRANSITIONS: Record<RetryState, readonly RetryState[]> = {
  idle: ['running', 'stopped'],
  // 'running' again: a reconnect while an attempt of the previous connect is still in flight.
  running: ['idle', 'waiting', 'running', 'stopped'],
  waiting: ['running', 'idle', 'stopped'],
  stopped: ['idle'],
};

export class ResyncRetry {
  private stateNow: RetryState = 'stopped';
  /** Bumped on every connect/disconnect: outcomes of older attempts are ignored. */
  private generation = 0;
  private attempt = 0;
  private timer?: TimerHandle;
  private unsubs: (() => void)[] = [];
  private readonly backoff: Backoff;
  private readonly maxAttempts: number;

  constructor(private readonly opts: ResyncRetryOptions) {
    this.maxAttempts = opts.maxAttempts ?? 10;
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1) {
      throw invalid(`${opts.name}: maxAttempts must be an integer >= 1 (got ${opts.maxAttempts})`, { field: 'maxAttempts' });
    }
    this.backoff = new Backoff({ initialMs: 1000, maxMs: 30000, ...opts.backoff }, opts.random);
  }

  get state(): RetryState {
    return this.stateNow;
  }

  /** Subscribes to the link; runs happen on its next onConnected. Idempotent. */
  start(): void {
    if (this.stateNow !== 'stopped') return;
    this.moveTo('idle');
    this.unsubs.push(
      this.opts.link.onConnected(() => this.connected()),
      this.opts.link.onDisconnected(() => this.disconnected()),
    );
  }

  stop(): void {
    if (this.stateNow === 'stopped') return;
    this.cancelTimer();
    this.generation++;
    for (const u of this.unsubs.splice(0)) u();
    this.moveTo('stopped');
  }

  private connected(): void {
    this.cancelTimer();
    this.generation++;
    this.attempt = 0;
    this.backoff.reset();
    this.runAttempt(this.generation);
  }

  private disconnected(): void {
    this.cancelTimer();
    this.generation++;
    if (this.stateNow !== 'idle') this.moveTo('idle');
  }

  private runAttempt(gen: number): void {
    this.timer = undefined;
    this.moveTo('running');
    const attempt = ++this.attempt;
    let started: Promise<unknown>;
    try {
      started = this.opts.run();
    } catch (e) {
      started = Promise.reject(e);
    }
    started.then(
      () => {
        if (gen !== this.generation) return;
        this.moveTo('idle');
        if (attempt > 1) this.opts.log.info(`${this.opts.name} succeeded`, { attempt });
      },
      (e: unknown) => {
        if (gen !== this.generation) return;
        const error = e instanceof Error ? e.message : String(e);
        if (attempt >= this.maxAttempts) {
          this.moveTo('idle');
          this.opts.log.error(`${this.opts.name} failed; giving up until the next reconnect`, { attempt, error });
          return;
        }
        const retryInMs = this.backoff.next();
        this.opts.log.warn(`${this.opts.name} failed`, { attempt, error, retryInMs });
        this.moveTo('waiting');
        this.timer = this.opts.clock.setTimeout(() => {
          if (gen === this.generation) this.runAttempt(gen);
        }, retryInMs);
      },
    );
  }

  private cancelTimer(): void {
    if (this.timer) this.opts.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private moveTo(next: RetryState): void {
    if (!TRANSITIONS[this.stateNow].includes(next)) {
      throw new Error(`${this.opts.name} retry: illegal transition ${this.stateNow} -> ${next}`);
    }
    this.stateNow = next;
  }
}
