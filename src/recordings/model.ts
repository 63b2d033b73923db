/**
 * Recording life (pure). One recording per call part; Asterisk writes the file, the daemon keeps
 * the row. States and transitions:
 *
 *   starting ──started──► recording ──pause──► paused ──resume──► recording
 *   starting ──fail──► failed            recording | paused ──finish──► done
 *   done | failed ──purge──► deleted     (retention or `recording purge`: file removed, row kept)
 *
 * Which parts are recorded (mode): per queue `always | never | on-demand`, else policy.recording.
 * Parts without a queue (outbound, direct, callbacks without a queue) follow the policy; transfer
 * parts follow their root call's queue. Conference parts are not recorded on their own: the host
 * part's file already holds the 3-way audio (the host's device hears everyone).
 */
import { CcError } from '../util/errors';

export const RECORDING_STATES = ['starting', 'recording', 'paused', 'done', 'failed', 'deleted'] as const;
export type RecordingState = (typeof RECORDING_STATES)[number];

export const RECORDING_EVENTS = ['started', 'fail', 'pause', 'resume', 'finish', 'purge'] as const;
export type RecordingEvent = (typeof RECORDING_EVENTS)[number];

export const RECORDING_TRANSITIONS: Readonly<Record<RecordingState, Partial<Record<RecordingEvent, RecordingState>>>> = {
  starting: { started: 'recording', fail: 'failed', finish: 'done' },
  recording: { pause: 'paused', finish: 'done', fail: 'failed' },
  paused: { resume: 'recording', finish: 'done', fail: 'failed' },
  done: { purge: 'deleted' },
  failed: { purge: 'deleted' },
  deleted: {},
};

const WORDS: Record<RecordingEvent, string> = {
  started: 'start',
  fail: 'fail',
  pause: 'pause',
  resume: 'resume',
  finish: 'finish',
  purge: 'purge',
};

/** Next state, or a `refused` CcError (409 / exit 3) saying why: nothing changes. */
export function nextRecordingState(from: RecordingState, event: RecordingEvent): RecordingState {
  const to = RECORDING_TRANSITIONS[from][event];
  if (!to) throw new CcError('refused', `cannot ${WORDS[event]} a recording that is ${from}`, { state: from, event });
  return to;
}

export function isOpen(state: RecordingState): boolean {
  return state === 'starting' || state === 'recording' || state === 'paused';
}

export const RECORD_MODES = ['always', 'never', 'on-demand'] as const;
export type RecordMode = (typeof RECORD_MODES)[number];

export type RecordablePart = { kind: string; queue: string | null; agentChannelId: string | null };

/** The mode a call part is under: its queue's setting, else the policy. */
export function modeFor(part: RecordablePart, queueMode: (queue: string) => RecordMode | null, policy: RecordMode): RecordMode {
  if (part.kind === 'conference') return 'never';
  const q = part.queue ? queueMode(part.queue) : null;
  return q ?? policy;
}

/**
 * ARI recording name (a path below Asterisk's recording directory, without extension): one folder
 * per day so no directory grows without bound, the protocol number as the file name (a second
 * recording of the same part, after an on-demand stop and start, gets -2, -3...).
 */
export function recordingName(subdir: string, callId: string, n: number): string {
  const day = /^(\d{8})-/.exec(callId)?.[1] ?? 'undated';
  const base = `${day}/${callId}${n > 1 ? `-${n}` : ''}`;
  return subdir ? `${subdir}/${base}` : base;
}

/** Snoop channel id of a recording: recognisable after a restart (claimed, not hung up as an orphan). */
export const snoopIdOf = (recordingId: number) => `ccrec-${recordingId}`;
export const SNOOP_PREFIX = 'ccrec-';
/** Stasis tag of the recording snoop channels. */
export const RECORDING_TAG = 'recording';

/** A WAV's duration from its size (8 kHz, 16-bit mono, 44-byte header) when Asterisk did not say. */
export function wavDurationMs(sizeBytes: number, sampleRate = 8000): number {
  return Math.max(0, Math.round(((sizeBytes - 44) / (2 * sampleRate)) * 1000));
}
