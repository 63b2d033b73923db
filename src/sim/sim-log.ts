/**
 * What the simulator saw and did, in one ordered log: every AMI action and ARI REST call received,
 * every AMI/ARI event emitted. Tests await entries (or any condition) instead of sleeping.
 */

export interface SimActionRecord {
  seq: number;
  at: number;
  proto: 'ami' | 'ari';
  /** AMI: the action name as sent ("QueueAdd"). ARI: "POST /channels/abc/answer". */
  name: string;
  /** ARI: the same with ids replaced, e.g. "POST /channels/{id}/answer". */
  route?: string;
  /** AMI fields (secret masked) or ARI query+body parameters. */
  params: Record<string, unknown>;
  /** ARI: how the request came (HTTP, or a RESTRequest frame on the event socket). */
  via?: 'http' | 'websocket';
}

export interface SimEventRecord {
  seq: number;
  at: number;
  proto: 'ami' | 'ari';
  /** AMI `Event` or ARI `type`. */
  name: string;
  /** ARI: the app it was meant for (delivered only if an event socket for it was open). */
  app?: string;
  data: Record<string, unknown>;
}

export type Match<T> = string | ((r: T) => boolean);

export interface WaitOptions {
  /** Only entries after this mark (see SimLog.mark()); default 0 = the whole log. */
  since?: number;
  timeoutMs?: number;
}

export class SimLog {
  readonly actions: SimActionRecord[] = [];
  readonly events: SimEventRecord[] = [];
  private seq = 0;
  private waiters = new Set<() => void>();

  constructor(
    private readonly now: () => number,
    private readonly limit = 20000,
  ) {}

  /** Current position: pass as `since` to wait only for what happens next. */
  mark(): number {
    return this.seq;
  }

  addAction(r: Omit<SimActionRecord, 'seq' | 'at'>): void {
    this.push(this.actions, { ...r, seq: ++this.seq, at: this.now() });
  }

  addEvent(r: Omit<SimEventRecord, 'seq' | 'at'>): void {
    this.push(this.events, { ...r, seq: ++this.seq, at: this.now() });
  }

  /** Signals a state change that is not an event (tests waiting on predicates re-check). */
  poke(): void {
    for (const w of [...this.waiters]) w();
  }

  findAction(match: Match<SimActionRecord>, since = 0): SimActionRecord | undefined {
    const f = typeof match === 'string' ? (r: SimActionRecord) => r.name === match || r.route === match : match;
    return this.actions.find((r) => r.seq > since && f(r));
  }

  findEvent(match: Match<SimEventRecord>, since = 0): SimEventRecord | undefined {
    const f = typeof match === 'string' ? (r: SimEventRecord) => r.name === match : match;
    return this.events.find((r) => r.seq > since && f(r));
  }

  /** Resolves with the first truthy value of `check`, re-evaluated after every log entry. */
  waitFor<T>(check: () => T | undefined | null | false, timeoutMs = 3000, what = 'condition'): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        this.waiters.delete(test);
        if (timer) clearTimeout(timer);
      };
      const test = () => {
        let v: T | undefined | null | false;
        try {
          v = check();
        } catch (e) {
          done();
          reject(e);
          return;
        }
        if (v) {
          done();
          resolve(v);
        }
      };
      this.waiters.add(test);
      test();
      if (!this.waiters.has(test)) return;
      timer = setTimeout(() => {
        done();
        reject(new Error(`sim: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
    });
  }

  private push<T>(list: T[], r: T): void {
    list.push(r);
    // Bounded so an hour-long demo does not grow without limit.
    if (list.length > this.limit) list.splice(0, list.length - this.limit);
    for (const w of [...this.waiters]) w();
  }
}
