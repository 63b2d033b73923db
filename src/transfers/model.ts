/**
 * Transfers (issue 4 item 4): target classification and the transfer state machine.
 *
 * Target: 4-5 digits = an agent (attended by default), 3 digits = a service (always blind),
 * `queue:<name>` = back into an app_queue queue (always blind), `group:<name>` = an agent group rung
 * by its strategy (attended by default), anything else = an external number validated exactly as
 * outbound dialing does.
 *
 * A transfer of a call part ("parent") creates a new call part ("child", new protocol number,
 * same root) for the target; each agent dispositions its own part. A group transfer creates one
 * child per member it rings; the one that answers becomes the transfer's child.
 *
 *   ringing ──target answered (attended)──► consulting ──complete──► completed
 *   ringing ──target answered (blind)─────────────────────────────► completed
 *   ringing ──no answer / busy / error──► failed        consulting ──cancel / target hangs up──► cancelled
 *   ringing ──cancel──► cancelled                       (completed, failed, cancelled are final)
 */
import { validateGroupName, type GroupStrategy } from '../agents/groups';
import type { Config } from '../config/schema';
import { buildDialString, validateNumber, type ValidatedNumber } from '../dialing/number';
import type { DomainEvent } from '../events/bus';
import { validateQueueName } from '../queues/catalogue';
import { CcError, invalid } from '../util/errors';

/** A 3-digit service target (always blind, handled by DialplanTransfer). */
export type ServiceTarget = { type: 'service'; ext: string };
/** `queue:<name>`: the customer re-enters that queue (always blind, handled by DialplanTransfer). */
export type QueueTarget = { type: 'queue'; queue: string };
/** Where a blind transfer into the dialplan sends the customer. */
export type DialplanTarget = ServiceTarget | QueueTarget;

export type TransferTarget =
  | { type: 'agent'; ext: string }
  | ServiceTarget
  | QueueTarget
  | { type: 'group'; group: string }
  | { type: 'external'; number: ValidatedNumber; dialString: string };

export type TargetType = TransferTarget['type'];
export const TARGET_TYPES: readonly TargetType[] = ['agent', 'service', 'queue', 'group', 'external'];

const PREFIXED = /^(queue|group):(.*)$/i;

export type TransferKind = 'attended' | 'blind';

export function parseTarget(raw: unknown, ddi: string | undefined, config: Config): TransferTarget {
  if (typeof raw !== 'string' || raw.trim() === '') throw invalid('target is required', { field: 'target' });
  const t = raw.trim();
  const prefixed = PREFIXED.exec(t);
  if (prefixed) {
    const name = prefixed[2].trim();
    if (prefixed[1].toLowerCase() === 'queue') return { type: 'queue', queue: validateQueueName(name, 'target') };
    return { type: 'group', group: validateGroupName(name, 'target') };
  }
  if (/^\d{3}$/.test(t)) return { type: 'service', ext: t };
  if (/^\d{4,5}$/.test(t)) return { type: 'agent', ext: t };
  const number = validateNumber(t, ddi, config.policy); // same rules (and errors) as `call dial`
  return { type: 'external', number, dialString: buildDialString(config.asterisk.dial_template, number) };
}

export function describeTarget(t: TransferTarget): string {
  if (t.type === 'agent') return `agent ${t.ext}`;
  if (t.type === 'service') return `service ${t.ext}`;
  if (t.type === 'queue') return `queue ${t.queue}`;
  if (t.type === 'group') return `group ${t.group}`;
  return `number ${t.number.full}`;
}

export const TRANSFER_STATES = ['ringing', 'consulting', 'completed', 'failed', 'cancelled'] as const;
export type TransferState = (typeof TRANSFER_STATES)[number];

export const TRANSFER_EVENTS = ['answered', 'answered-blind', 'complete', 'fail', 'cancel'] as const;
export type TransferEvent = (typeof TRANSFER_EVENTS)[number];

export const TRANSFER_TRANSITIONS: Readonly<Record<TransferState, Partial<Record<TransferEvent, TransferState>>>> = {
  ringing: { answered: 'consulting', 'answered-blind': 'completed', fail: 'failed', cancel: 'cancelled' },
  consulting: { complete: 'completed', cancel: 'cancelled' },
  completed: {},
  failed: {},
  cancelled: {},
};

export function nextTransferState(from: TransferState, event: TransferEvent): TransferState {
  const to = TRANSFER_TRANSITIONS[from][event];
  if (!to) {
    const hint = from === 'ringing' && event === 'complete' ? ': the target has not answered yet' : '';
    throw new CcError('refused', `cannot ${event} a transfer that is ${from}${hint}`, { state: from, event });
  }
  return to;
}

export function isFinal(s: TransferState): boolean {
  return s === 'completed' || s === 'failed' || s === 'cancelled';
}

/** How a group transfer is going: who rings now, who was tried, who answered. */
export interface GroupProgress {
  name: string;
  strategy: GroupStrategy;
  ringing: string[];
  tried: string[];
  answeredBy: string | null;
}

/** One transfer in progress (or just finished: kept so clients can read the outcome). */
export interface Transfer {
  parentId: string;
  childId: string;
  kind: TransferKind;
  target: TransferTarget;
  state: TransferState;
  /** The target's channel (agent device or external party) once originated. */
  targetChannelId: string | null;
  /** We put the customer on hold for the consultation (so cancel takes it off hold again). */
  heldByUs: boolean;
  startedAt: number;
  endedAt: number | null;
  /** Why it failed / was cancelled. */
  reason: string | null;
  /** The transferring agent and the call's queue (kept: the parent call may be gone already). */
  fromAgent: string | null;
  queue: string | null;
  /** Group transfers only. */
  group?: GroupProgress;
}

/** A new transfer of `call`: ringing, or already completed (blind into the dialplan: endedAt = now). */
export function newTransfer(
  call: { id: string; agentExt: string | null; queue: string | null },
  f: { childId: string; kind: TransferKind; target: TransferTarget; now: number; completed?: boolean; group?: GroupProgress },
): Transfer {
  return {
    parentId: call.id,
    childId: f.childId,
    kind: f.kind,
    target: f.target,
    state: f.completed ? 'completed' : 'ringing',
    targetChannelId: null,
    heldByUs: false,
    startedAt: f.now,
    endedAt: f.completed ? f.now : null,
    reason: null,
    fromAgent: call.agentExt,
    queue: call.queue,
    ...(f.group ? { group: f.group } : {}),
  };
}

/** The agents a transfer rings or reached: an agent target, or a group's members ringing / answered. */
export function targetAgents(t: Pick<Transfer, 'target' | 'group'>): string[] {
  if (t.target.type === 'agent') return [t.target.ext];
  if (!t.group) return [];
  return t.group.answeredBy ? [t.group.answeredBy] : [...t.group.ringing];
}

/**
 * The live-stream event of a transfer state change (`transfer.state`). `agent` is the transferring
 * agent, `agents` the target agent, so both softphones receive it through the /events scope.
 */
export function transferEvent(
  t: Pick<Transfer, 'parentId' | 'childId' | 'kind' | 'target' | 'state' | 'reason' | 'fromAgent' | 'queue' | 'group'>,
  previous: TransferState | null,
): Omit<DomainEvent, 'at'> {
  const agents = targetAgents(t);
  const targetAgent = t.target.type === 'agent' ? t.target.ext : (t.group?.answeredBy ?? null);
  return {
    type: 'transfer.state',
    callId: t.parentId,
    agent: t.fromAgent ?? undefined,
    agents: agents.length ? agents : undefined,
    queue: t.queue ?? undefined,
    data: {
      state: t.state,
      previous,
      kind: t.kind,
      target: describeTarget(t.target),
      targetType: t.target.type,
      targetAgent,
      childCallId: t.childId,
      reason: t.reason,
      ...(t.group ? { group: { ...t.group, ringing: [...t.group.ringing], tried: [...t.group.tried] } } : {}),
    },
  };
}

export function transferView(t: Transfer): Record<string, unknown> {
  return {
    callId: t.parentId,
    childCallId: t.childId,
    kind: t.kind,
    target: describeTarget(t.target),
    targetType: t.target.type,
    state: t.state,
    startedAt: t.startedAt,
    endedAt: t.endedAt,
    reason: t.reason,
    ...(t.group ? { group: { ...t.group, ringing: [...t.group.ringing], tried: [...t.group.tried] } } : {}),
  };
}
