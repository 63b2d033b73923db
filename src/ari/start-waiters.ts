/**
 * Waiting for a channel the daemon named in advance to reach its app (StasisStart): a snoop
 * (live monitoring) or a channel sent by an AMI Redirect (native takeover). The waiter is
 * registered BEFORE the request, because the StasisStart may arrive before the request's answer.
 */
import type { Clock, TimerHandle } from '../util/clock';

interface Waiter {
  resolve(): void;
  reject(err: Error): void;
  timer: TimerHandle;
}

export class StartWaiters {
  private readonly waiters = new Map<string, Waiter>();

  constructor(private readonly clock: Clock) {}

  /** Resolves on started(channelId); rejects with timeoutError() after timeoutMs. */
  wait(channelId: string, timeoutMs: number, timeoutError: () => Error): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        this.waiters.delete(channelId);
        reject(timeoutError());
      }, timeoutMs);
      this.waiters.set(channelId, { resolve, reject, timer });
    });
  }

  /** The channel reached the app: true when someone waited for it. */
  started(channelId: string): boolean {
    const w = this.waiters.get(channelId);
    if (!w) return false;
    this.waiters.delete(channelId);
    this.clock.clearTimeout(w.timer);
    w.resolve();
    return true;
  }

  /** Stops waiting (the request failed): the promise stays pending, nothing is rejected. */
  cancel(channelId: string): void {
    const w = this.waiters.get(channelId);
    if (!w) return;
    this.waiters.delete(channelId);
    this.clock.clearTimeout(w.timer);
  }

  has(channelId: string): boolean {
    return this.waiters.has(channelId);
  }

  /** Rejects every waiter (the daemon stops). */
  rejectAll(errorOf: (channelId: string) => Error): void {
    for (const [id, w] of this.waiters) {
      this.clock.clearTimeout(w.timer);
      w.reject(errorOf(id));
    }
    this.waiters.clear();
  }
}
