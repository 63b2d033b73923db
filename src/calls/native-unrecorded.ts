/**
 * Native parts whose first write failed (a full disk, a locked database). Under member-leg and
 * stand-in the daemon refuses such a leg and app_queue offers the caller again later; under native
 * app_queue connects the call without the daemon, so what AMI tells about it is kept here (per
 * device channel) and written as soon as the database takes it: at the part's next AMI event, else
 * at the next reconcile (every 15 s). The fault bench's full disk lost the calls that began and
 * ended inside it before this. Kept in memory only: a crash meanwhile loses them, as it would lose
 * any step not yet written.
 */
import type { CallCore, EndOptions, NewCall } from './core';
import type { CallRecord } from './types';

/** More than this many waiting calls: the oldest are dropped (and logged), memory stays bounded. */
const MAX_WAITING = 10_000;

interface Waiting {
  fields: NewCall;
  names: { callerName: string; deviceName: string };
  firstSeenAt: number;
  connected: boolean;
  end?: { reason: string; data: Record<string, unknown> };
}

export class UnrecordedParts {
  private readonly byDevice = new Map<string, Waiting>();

  constructor(
    private readonly core: CallCore,
    /** Hands a written part that is still live to native-parts.ts (ringing: also by caller). */
    private readonly attach: (call: CallRecord, names: Waiting['names']) => void,
  ) {}

  get size(): number {
    return this.byDevice.size;
  }

  has(deviceId: string): boolean {
    return this.byDevice.has(deviceId);
  }

  add(deviceId: string, fields: NewCall, names: Waiting['names']): void {
    if (this.byDevice.size >= MAX_WAITING) {
      const [oldest] = this.byDevice.keys();
      this.byDevice.delete(oldest);
      this.core.deps.log.error('too many native calls waiting for the database: the oldest is dropped', { device: oldest });
    }
    this.byDevice.set(deviceId, { fields, names, firstSeenAt: this.core.deps.clock.now(), connected: false });
  }

  connected(deviceId: string): void {
    const w = this.byDevice.get(deviceId);
    if (!w) return;
    w.connected = true;
    this.write(deviceId, w);
  }

  ended(deviceId: string, reason: string, data: Record<string, unknown>): void {
    const w = this.byDevice.get(deviceId);
    if (!w) return;
    w.end = { reason, data };
    this.write(deviceId, w);
  }

  /** Device ids of the still-ringing waiting parts of this caller. */
  ringingOf(callerId: string): string[] {
    return [...this.byDevice].filter(([, w]) => !w.connected && !w.end && w.fields.customerChannelId === callerId).map(([id]) => id);
  }

  /** The reconcile's turn: every waiting part the database takes now. Returns how many were written. */
  retryAll(): number {
    let n = 0;
    for (const [id, w] of [...this.byDevice]) if (this.write(id, w)) n++;
    return n;
  }

  private write(deviceId: string, w: Waiting): boolean {
    let call: CallRecord;
    try {
      call = this.core.create(w.fields);
    } catch {
      return false; // still refused: kept for the next event or reconcile
    }
    this.byDevice.delete(deviceId);
    // The part exists now: a step failing after it is logged, and the end below still runs (its
    // write is retried until it lands: end-writer.ts).
    try {
      this.core.record(call.id, 'recorded-late', { firstSeenAt: w.firstSeenAt });
      if (w.connected) this.core.transition(call, 'agent-answered');
    } catch (err) {
      this.core.deps.log.warn('late native part: a step after its creation failed', { callId: call.id, err: (err as Error).message });
    }
    if (w.end) {
      const opts: EndOptions = { keepAgent: true, keepCustomer: true, data: w.end.data };
      void this.core.end(call.id, w.end.reason, opts);
    } else {
      this.attach(call, w.names);
    }
    this.core.deps.log.warn('native call part written late (the database refused it at first)', { callId: call.id, device: deviceId });
    return true;
  }
}
