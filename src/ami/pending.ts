/**
 * Actions waiting for their response (and, for list actions, their events) on one AMI connection.
 * Keyed by ActionID; every entry has a timeout so a silent server can never leak promises.
 */
import type { Clock, TimerHandle } from '../util/clock';
import { AmiActionError, AmiTimeoutError, type AmiEvent, type AmiResponse } from './types';

export interface ActionResult {
  response: AmiResponse;
  events: AmiEvent[];
  complete?: AmiEvent;
}

interface Pending {
  action: string;
  list: boolean;
  response?: AmiResponse;
  events: AmiEvent[];
  timer: TimerHandle;
  resolve(result: ActionResult): void;
  reject(error: Error): void;
}

export class PendingActions {
  private readonly byId = new Map<string, Pending>();
  /** List actions still collecting events: while > 0 every event frame must be fully parsed. */
  private collecting = 0;

  constructor(private readonly clock: Clock) {}

  get size(): number {
    return this.byId.size;
  }

  get listsCollecting(): number {
    return this.collecting;
  }

  add(id: string, action: string, list: boolean, timeoutMs: number): Promise<ActionResult> {
    return new Promise<ActionResult>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        if (this.remove(id)) reject(new AmiTimeoutError(action, timeoutMs));
      }, timeoutMs);
      this.byId.set(id, { action, list, events: [], timer, resolve, reject });
      if (list) this.collecting++;
    });
  }

  /** Returns false when no action waits for this ActionID (late answer after a timeout). */
  onResponse(response: AmiResponse): boolean {
    const p = this.byId.get(response.ActionID);
    if (!p) return false;
    if (response.Response === 'Error') {
      this.remove(response.ActionID);
      p.reject(new AmiActionError(p.action, response));
      return true;
    }
    // A list action answers "Success" + "EventList: start", then sends its events. Anything else
    // (no list follows, e.g. an empty result on some actions) completes at once.
    if (p.list && response.EventList?.toLowerCase() === 'start') {
      p.response = response;
      return true;
    }
    this.remove(response.ActionID);
    p.resolve({ response, events: p.events });
    return true;
  }

  /** Collects an event belonging to a pending list action; true when it was consumed as such. */
  onEvent(event: AmiEvent): boolean {
    const id = event.ActionID;
    if (id === undefined) return false;
    const p = this.byId.get(id);
    if (!p || !p.list || !p.response) return false;
    if (event.EventList?.toLowerCase() === 'complete') {
      this.remove(id);
      p.resolve({ response: p.response, events: p.events, complete: event });
    } else {
      p.events.push(event);
    }
    return true;
  }

  /** Connection lost: nothing pending can be answered any more. */
  rejectAll(makeError: (action: string) => Error): void {
    const all = [...this.byId.entries()];
    for (const [id] of all) this.remove(id);
    for (const [, p] of all) p.reject(makeError(p.action));
  }

  private remove(id: string): Pending | undefined {
    const p = this.byId.get(id);
    if (!p) return undefined;
    this.byId.delete(id);
    this.clock.clearTimeout(p.timer);
    if (p.list) this.collecting--;
    return p;
  }
}
