/**
 * A queue caller who hangs up while an agent's phone rings. The member leg then leaves Stasis just
 * as when app_queue's ring timeout ends it, so the part first ends 'not-answered' (the agent's
 * 'missed'). AMI tells the two apart: app_queue sends QueueCallerAbandon (with the caller's
 * linkedid) when the caller hangs up, and AgentRingNoAnswer only for a genuine ring timeout
 * (captures ring-no-answer*.ami.txt; none on abandonment, so no-answer.ts counts no miss either).
 *
 * On QueueCallerAbandon, the linkedid's 'not-answered' parts that ended around the abandonment
 * become 'caller-abandoned' (history status 'abandoned'). AMI and ARI are separate sockets, so
 * "around" is SKEW_MS either side: the pass runs at once and again SKEW_MS later (the leg's
 * StasisEnd may come after the AMI event). A part that ended next to an AgentRingNoAnswer of the
 * same linkedid was a ring timeout and keeps 'not-answered'.
 */
import type { AmiClient, AmiEvent } from '../ami/types';
import type { TimerHandle } from '../util/clock';
import type { CallCore } from './core';

export const ABANDON_SKEW_MS = 1000;
/** Ring-timeout marks older than this cannot matter any more. */
const RNA_MEMORY_MS = 10 * 60_000;

export class Abandons {
  /** linkedid → when its last AgentRingNoAnswer arrived (insertion = time order). */
  private readonly lastRna = new Map<string, number>();
  private readonly timers = new Set<TimerHandle>();

  constructor(private readonly core: CallCore) {}

  /** Subscribes to the two AMI events; returns the unsubscribe function (also clears timers). */
  listen(ami: AmiClient | undefined): () => void {
    if (!ami) return () => undefined;
    const offs = [
      ami.onEvent('AgentRingNoAnswer', (e) => this.onRingNoAnswer(e)),
      ami.onEvent('QueueCallerAbandon', (e) => this.onAbandon(e)),
    ];
    return () => {
      for (const off of offs) off();
      for (const t of this.timers) this.core.deps.clock.clearTimeout(t);
      this.timers.clear();
    };
  }

  onRingNoAnswer(e: AmiEvent): void {
    const linkedid = e.Linkedid || e.DestLinkedid;
    if (!linkedid) return;
    const now = this.core.deps.clock.now();
    this.lastRna.delete(linkedid);
    this.lastRna.set(linkedid, now);
    for (const [k, at] of this.lastRna) {
      if (now - at <= RNA_MEMORY_MS) break;
      this.lastRna.delete(k);
    }
  }

  onAbandon(e: AmiEvent): void {
    const linkedid = e.Linkedid;
    if (!linkedid) return;
    const { clock } = this.core.deps;
    const at = clock.now();
    this.mark(linkedid, at);
    const t = clock.setTimeout(() => {
      this.timers.delete(t);
      this.mark(linkedid, at);
    }, ABANDON_SKEW_MS);
    this.timers.add(t);
  }

  private mark(linkedid: string, abandonAt: number): void {
    const rna = this.lastRna.get(linkedid);
    // Parts that ended up to SKEW_MS after a ring timeout belong to that timeout.
    const since = Math.max(abandonAt - ABANDON_SKEW_MS, rna === undefined ? 0 : rna + ABANDON_SKEW_MS);
    const { repo, log } = this.core.deps;
    for (const id of repo.markAbandoned(linkedid, since)) {
      repo.event(id, 'caller-abandoned', { linkedid });
      log.debug('ringing part ended by the caller hanging up', { callId: id, linkedid });
    }
  }
}
