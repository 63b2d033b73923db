/**
 * Scheduled callback: states, legal transitions, and the ports the scheduler needs from other
 * domain (the dialer is fulfilled by the calls core's outbound dial).
 */
import { CcError } from '../util/errors';

export const CALLBACK_STATES = ['pending', 'ringing', 'done', 'failed', 'cancelled'] as const;
export type CallbackStatus = (typeof CALLBACK_STATES)[number];

/**
 * pending   → ringing   (due and an agent is free: the agent is rung, then the customer dialled)
 * pending   → cancelled (operator/agent cancelled it)
 * pending   → failed    (nobody could take it in time, or its agent/queue was removed)
 * ringing   → done      (the call was placed: call_id set)
 * ringing   → pending   (dial failed but attempts remain; or the daemon restarted mid-dial)
 * ringing   → failed    (dial failed and no attempts remain)
 * done, failed, cancelled are final.
 */
export const CALLBACK_TRANSITIONS: Record<CallbackStatus, readonly CallbackStatus[]> = {
  pending: ['ringing', 'cancelled', 'failed'],
  ringing: ['done', 'pending', 'failed'],
  done: [],
  failed: [],
  cancelled: [],
};

export function assertCallbackTransition(from: CallbackStatus, to: CallbackStatus, id: number): void {
  if (!CALLBACK_TRANSITIONS[from].includes(to)) {
    // A final status has no way out at all: "is already done" says it; "cannot become" would
    // suggest some other change might still work.
    if (CALLBACK_TRANSITIONS[from].length === 0) throw new CcError('refused', `callback ${id} is already ${from}`, { id, status: from });
    throw new CcError('refused', `callback ${id} is ${from}: cannot become ${to}`, { id, status: from });
  }
}

/**
 * scheduled: someone scheduled it (API/CLI) for a time. queue: a caller waiting in a queue pressed
 * the callback key (asterisk-conf [cc-queue-callback]); it keeps the caller's place in that queue.
 */
export const CALLBACK_ORIGINS = ['scheduled', 'queue'] as const;
export type CallbackOrigin = (typeof CALLBACK_ORIGINS)[number];

export interface Callback {
  id: number;
  origin: CallbackOrigin;
  /** Set for a callback to a named agent. */
  agent?: string;
  /** Set for a callback to whichever agent of this queue is free (longest idle). */
  queue?: string;
  /** National digits as validated by src/dialing (validateNumber().national). */
  number: string;
  /** Country code (DDI). */
  ddi: string;
  /** Due time asked for (ms). */
  at: number;
  /** Next try (ms): `at`, then later after a retry. */
  nextAt: number;
  status: CallbackStatus;
  attempts: number;
  callId?: string;
  lastError?: string;
  createdBy?: string;
  createdAt: number;
  updatedAt: number;
  /** origin queue: when the caller entered the queue (ms); the request keeps this place. */
  queueJoinedAt?: number;
  /** origin queue: the caller's position when the key was pressed (QUEUEPOSITION). */
  queuePosition?: number;
  /** origin queue: the caller's channel in the queue (AMI Uniqueid = ARI channel id). */
  uniqueid?: string;
  /** origin queue: the caller's contact (linkedid), as on their queue stay. */
  linkedid?: string;
}

/** Port fulfilled by the calls core: ring the agent's device, then dial the customer. */
export interface CallbackDialer {
  /**
   * `queue`: a queue callback's queue, so the call shows that queue's caller id and is recorded
   * under it (not the agent's first queue).
   * Resolves with the new call's protocol number once placed; rejects (CcError) when it cannot be. */
  dialForAgent(
    ext: string,
    number: string,
    ddi: string,
    opts: { callbackId: number; queue?: string; origin?: CallbackOrigin; linkedid?: string },
  ): Promise<string>;
}
