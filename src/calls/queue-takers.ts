/**
 * Which queue call parts have taken their queue caller: marked just before the part answers its
 * member leg (both topologies), forgotten when the part ends. Under ringall app_queue then drops
 * the other members' legs; a part still ringing when its leg goes that way lost the race to a
 * colleague (`answered-elsewhere`, history `cancelled`), it did not miss the call (`not-answered`).
 */
import type { CallRecord } from './types';

export class QueueTakers {
  private readonly taking = new Set<string>();

  constructor(private readonly live: (id: string) => CallRecord | undefined) {}

  mark(call: CallRecord): void {
    this.taking.add(call.id);
  }

  forget(id: string): void {
    this.taking.delete(id);
  }

  /** Whether another live part of the same queue caller (linkedid and queue) has taken it. */
  takenElsewhere(call: CallRecord): boolean {
    if (call.kind !== 'inbound' || !call.linkedid) return false;
    for (const id of this.taking) {
      const c = this.live(id);
      if (c && c.id !== call.id && c.kind === 'inbound' && c.linkedid === call.linkedid && c.queue === call.queue) return true;
    }
    return false;
  }
}
