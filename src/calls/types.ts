/**
 * Kinds whose customer channel the daemon originated itself (outbound dialing; callbacks are
 * outbound calls recorded as 'callback'): recovery re-adopts that channel, and a service transfer
 * continues it in the dialplan instead of blind-transferring a queue member.
 */
export function isDaemonDialled(kind: CallKind): boolean {
  return kind === 'outbound' || kind === 'callback';
}

/** The agent's part for statistics (ports.ts CallPart): transfer targets consult, conferences join. */
export function callPartOf(kind: CallKind): CallPart {
  if (kind === 'transfer') return 'consult';
  if (kind === 'conference') return 'conference';
  return 'handling';
}

/** The call record shared by the registry, the repository, the API and the transfer/conference code. */
import type { CallDirection, CallPart } from '../daemon/ports';
import type { CallState } from './state-machine';

export type CallKind = 'inbound' | 'outbound' | 'transfer' | 'conference' | 'callback';
export const CALL_KINDS: readonly CallKind[] = ['inbound', 'outbound', 'transfer', 'conference', 'callback'];

export interface CallRecord {
  /** Protocol number, e.g. "20261121-000042". */
  id: string;
  parentId: string | null;
  rootId: string;
  kind: CallKind;
  direction: CallDirection;
  queue: string | null;
  agentExt: string | null;
  customerNumber: string | null;
  callerId: string | null;
  state: CallState;
  startedAt: number;
  answeredAt: number | null;
  endedAt: number | null;
  endReason: string | null;
  disposition: string | null;
  /** The customer side the daemon controls: the agent-leg ;2 of a queue call, or the customer channel. */
  customerChannelId: string | null;
  /** The agent device channel the daemon originated. */
  agentChannelId: string | null;
  /** Mixing bridge holding the customer side and the agent device. */
  bridgeId: string | null;
  /** Set while on hold: the customer side sits alone in this holding bridge with MOH. */
  holdBridgeId: string | null;
  linkedid: string | null;
  muted: boolean;
  /** Max-duration deadline (ms since epoch), null = no timeout. */
  timeoutAt: number | null;
}

/** What the API and CLI show. */
export function publicCall(c: CallRecord, now: number): Record<string, unknown> {
  const end = c.endedAt ?? now;
  return {
    id: c.id,
    parentId: c.parentId,
    rootId: c.rootId,
    kind: c.kind,
    direction: c.direction,
    queue: c.queue,
    agent: c.agentExt,
    number: c.customerNumber,
    state: c.state,
    startedAt: c.startedAt,
    answeredAt: c.answeredAt,
    endedAt: c.endedAt,
    endReason: c.endReason,
    disposition: c.disposition,
    muted: c.muted,
    durationSeconds: Math.max(0, Math.round((end - c.startedAt) / 1000)),
    talkSeconds: c.answeredAt ? Math.max(0, Math.round((end - c.answeredAt) / 1000)) : 0,
    channels: { customer: c.customerChannelId, agent: c.agentChannelId },
    bridgeId: c.bridgeId,
    holdBridgeId: c.holdBridgeId,
  };
}
