/**
 * Bounded polling for tests: state that changes asynchronously (socket events, daemon reactions to
 * simulator events) is awaited with a deadline instead of a fixed sleep.
 * test/e2e `until` and test/integration `eventually` are the same loop; they can call this.
 */
export type Falsy = undefined | null | false | 0 | '';

export interface WaitOptions {
  /** Default 5000. */
  timeoutMs?: number;
  /** What is awaited, for the timeout message; a function is called only on timeout. */
  what?: string | (() => string);
  /** Poll interval, default 10 ms. */
  everyMs?: number;
  /** A throwing check counts as "not yet" (its last error is added to the timeout message). */
  retryErrors?: boolean;
}

/** Polls `check` until it returns a truthy value, which is returned; throws after `timeoutMs`. */
export async function waitUntil<T>(check: () => T | Falsy | Promise<T | Falsy>, opts: WaitOptions = {}): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const end = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      if (!opts.retryErrors) throw err;
      lastError = err;
    }
    if (Date.now() > end) {
      const what = typeof opts.what === 'function' ? opts.what() : (opts.what ?? check.toString());
      const cause = lastError ? `: ${(lastError as Error).message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await new Promise((r) => setTimeout(r, opts.everyMs ?? 10));
  }
}
