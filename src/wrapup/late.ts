/**
 * A disposition given after the call, by a supervisor: for an answered call part that has ended and
 * whose wrap-up is over (to correct what was typed, or the automatic one), or that never had a
 * wrap-up (a part recovered from app_queue's queue_log after an outage, src/queue-log). It sets the
 * part's disposition, what history and the reports show; the call event `disposition` keeps who,
 * the previous disposition and the notes; `/events` gets `call.disposition`. The wrap-up row, if
 * any, keeps what its window closed with.
 * Refused while the call is live or its wrap-up still open: that disposition is the agent's
 * (POST /agents/:ext/wrapup) or a supervisor's ending the window (POST /agents/:ext/wrapup/finish).
 */
import type { AgentCore } from '../agents/core';
import type { CallDirectory } from '../daemon/ports';
import { invalid, notFound, refused, unavailable } from '../util/errors';
import type { WrapupRepository } from './repository';

export const MAX_NOTES = 2000;

export interface LateDispositionResult {
  callId: string;
  disposition: string;
  previous: string | null;
  notes: string | null;
  by: string;
  at: number;
}

/** A known, non-empty tag and notes within bounds; the trimmed tag. */
export function checkDisposition(core: AgentCore, disposition: string, notes: string | undefined): string {
  const tag = (disposition ?? '').trim();
  if (!tag) throw invalid('a disposition is required (--disposition TAG)', { field: 'disposition' });
  if (notes !== undefined && notes.length > MAX_NOTES) throw invalid(`notes must be at most ${MAX_NOTES} characters`, { field: 'notes' });
  if (!core.deps.catalogue.disposition(tag)) throw notFound(`unknown disposition "${tag}"`, { disposition: tag });
  return tag;
}

export class LateDisposition {
  private calls?: CallDirectory;

  constructor(
    private readonly core: AgentCore,
    private readonly repo: WrapupRepository,
  ) {}

  setCalls(calls: CallDirectory): void {
    this.calls = calls;
  }

  set(callId: string, disposition: string, by: string, notes?: string): LateDispositionResult {
    const tag = checkDisposition(this.core, disposition, notes);
    const calls = this.calls;
    if (!calls?.dispositionTarget || !calls.setDisposition) throw unavailable('the calls domain is not wired yet');
    const part = calls.dispositionTarget(callId);
    if (!part) throw notFound(`no call ${callId}`, { call: callId });
    if (!part.ended) {
      throw refused(`call ${callId} is still in progress: its disposition comes with the agent's wrap-up`, { call: callId });
    }
    if (!part.answered) throw refused(`call ${callId} was not answered: there is nothing to give a disposition to`, { call: callId });
    const open = part.agentExt ? this.repo.openOf(part.agentExt) : undefined;
    if (open && open.callId === callId) {
      throw refused(`agent ${part.agentExt} is still in wrap-up for call ${callId}: finish it (POST /agents/${part.agentExt}/wrapup/finish)`, {
        call: callId,
        agent: part.agentExt,
      });
    }
    const who = `supervisor:${by}`;
    const at = this.core.now();
    const note = notes ?? null;
    calls.setDisposition(callId, tag, who, { previous: part.disposition, notes: note, afterCall: true });
    this.core.deps.log.info('disposition given after the call', { callId, disposition: tag, previous: part.disposition, by: who });
    // Agent desktops (their recent calls) and supervisor screens follow it on /events.
    this.core.deps.bus.publish({
      type: 'call.disposition',
      at,
      agent: part.agentExt ?? undefined,
      queue: part.queue ?? undefined,
      callId,
      data: { disposition: tag, previous: part.disposition, by: who, notes: note },
    });
    return { callId, disposition: tag, previous: part.disposition, notes: note, by: who, at };
  }
}
