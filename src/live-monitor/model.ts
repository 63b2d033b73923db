/**
 * Live monitoring (issue 10): a supervisor's device is rung and, on answer, hears a call.
 *
 * Modes (what the snoop channel on the call's agent device does; validated on Asterisk 22.10.1, see
 * docs/CALL-TOPOLOGY.md "Live monitoring"):
 *   listen   spy both, whisper none  the supervisor hears agent and customer; nobody hears them
 *   whisper  spy both, whisper out   ... and speaks to the agent only (written towards the agent's phone)
 *   barge    spy both, whisper both  ... and both agent and customer hear them (3-way)
 * The snoop channel and the supervisor's device share a mixing bridge of their own, so the call's
 * bridges are never touched: starting, switching (a new snoop replaces the old one in that bridge)
 * or failing cannot disturb the call.
 *
 *   ringing ──answered──► active ──end──► ended
 *   ringing ──fail──► failed     ringing ──end──► ended (stopped / call ended before the answer)
 *   ringing | active ──change-mode / follow (the customer moved to a new call part)──► same state
 */
import { CcError, invalid } from '../util/errors';
import type { SnoopDirection } from '../ari/types';

export const MONITOR_MODES = ['listen', 'whisper', 'barge'] as const;
export type MonitorMode = (typeof MONITOR_MODES)[number];

export const MONITOR_STATES = ['ringing', 'active', 'ended', 'failed'] as const;
export type MonitorState = (typeof MONITOR_STATES)[number];

export const MONITOR_EVENTS = ['answered', 'change-mode', 'follow', 'end', 'fail'] as const;
export type MonitorEvent = (typeof MONITOR_EVENTS)[number];

export const MONITOR_TRANSITIONS: Readonly<Record<MonitorState, Partial<Record<MonitorEvent, MonitorState>>>> = {
  ringing: { answered: 'active', 'change-mode': 'ringing', follow: 'ringing', end: 'ended', fail: 'failed' },
  active: { 'change-mode': 'active', follow: 'active', end: 'ended' },
  ended: {},
  failed: {},
};

export function nextMonitorState(from: MonitorState, event: MonitorEvent): MonitorState {
  const to = MONITOR_TRANSITIONS[from][event];
  if (!to) throw new CcError('refused', `cannot ${event} a monitoring session that is ${from}`, { state: from, event });
  return to;
}

export function isLive(s: MonitorState): boolean {
  return s === 'ringing' || s === 'active';
}

/**
 * Why a session ended (end_reason). `failed` = the supervisor's device never answered (busy,
 * unreachable, no answer) or could not be connected to the call; the details are in end_detail.
 */
export const MONITOR_END_REASONS = [
  'stopped',
  'supervisor-hangup',
  'call-ended',
  'failed',
  'snoop-lost',
  'daemon-restart',
] as const;
export type MonitorEndReason = (typeof MONITOR_END_REASONS)[number];

/** The snoop channel asked of Asterisk for each mode. */
export function snoopOf(mode: MonitorMode): { spy: SnoopDirection; whisper: SnoopDirection } {
  if (mode === 'whisper') return { spy: 'both', whisper: 'out' };
  if (mode === 'barge') return { spy: 'both', whisper: 'both' };
  return { spy: 'both', whisper: 'none' };
}

export function parseMode(raw: unknown): MonitorMode {
  if (typeof raw === 'string' && (MONITOR_MODES as readonly string[]).includes(raw)) return raw as MonitorMode;
  throw invalid(`mode must be one of ${MONITOR_MODES.join(', ')} (got ${JSON.stringify(raw)})`, { field: 'mode' });
}

/** One entry of the session's timeline: from `at` on, `mode` on call part `callId`. */
export interface ModeChange {
  at: number;
  mode: MonitorMode;
  callId: string;
  /** Who switched: the supervisor's principal name, or "daemon" when the session followed the call. */
  by: string;
}

export interface MonitorSession {
  id: number;
  /** The call part the supervisor asked for. */
  callId: string;
  /** The call part followed now (differs after a completed transfer / conference hand-over). */
  currentCallId: string;
  supervisor: string;
  device: string;
  mode: MonitorMode;
  state: MonitorState;
  changes: ModeChange[];
  startedAt: number;
  answeredAt: number | null;
  endedAt: number | null;
  endReason: MonitorEndReason | null;
  endDetail: string | null;
}

/** What the API, the CLI and /events show of a session. */
export function monitorView(s: MonitorSession): Record<string, unknown> {
  return {
    id: s.id,
    callId: s.callId,
    currentCallId: s.currentCallId,
    supervisor: s.supervisor,
    device: s.device,
    mode: s.mode,
    state: s.state,
    changes: s.changes.map((c) => ({ ...c })),
    startedAt: s.startedAt,
    answeredAt: s.answeredAt,
    endedAt: s.endedAt,
    endReason: s.endReason,
    endDetail: s.endDetail,
  };
}
