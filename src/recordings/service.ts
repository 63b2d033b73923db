/**
 * Call recordings (domain, no Asterisk in it). Asterisk writes the files; this service decides
 * which call parts are recorded (queue mode / policy), starts, pauses, resumes and closes them
 * through the Recorder port, and keeps one row per recording (src/recordings/repository.ts).
 *
 * Life of a recording: model.ts. Where it starts and ends:
 *  - a part reaches `connected` for the first time and its mode is `always` → start (by 'policy');
 *    `call record start` starts an on-demand (or stopped) part;
 *  - the part ends (`call.ended`) → the recorder is told to stop; Asterisk's "finished" report (or
 *    the reconcile after a restart) closes the row with the file's size and duration.
 * Never disturbs the call: a recorder failure marks the recording failed and is logged.
 */
import type { DomainEvent, EventBus } from '../events/bus';
import type { Logger } from '../log/logger';
import type { Clock, TimerHandle } from '../util/clock';
import { notFound, refused } from '../util/errors';
import { purgeRecordings, type PurgeResult } from './purge';
import { isOpen, modeFor, nextRecordingState, recordingName, snoopIdOf, wavDurationMs, type RecordablePart, type RecordMode, type RecordingEvent } from './model';
import type { Recording, RecordingRepository } from './repository';

/** What the recordings domain needs of the calls domain. */
export interface RecordableCall extends RecordablePart {
  id: string;
  rootId: string;
  agentExt: string | null;
  state: string;
}
export interface RecordingCalls {
  get(id: string): RecordableCall | undefined;
  /** A call_events row on the part (its history shows the recording's life). */
  record(callId: string, type: string, data: Record<string, unknown>): void;
}

/** The Asterisk side (src/recordings/ari-recorder.ts). */
export interface Recorder {
  start(r: { channelId: string; snoopId: string; name: string; format: string; recordingId: number }): Promise<void>;
  mute(name: string): Promise<void>;
  unmute(name: string): Promise<void>;
  /** Stops the recording and releases what it ran on; a recording already gone is fine. */
  stop(name: string, snoopId: string | null): Promise<void>;
  /** true = still recording in Asterisk, false = gone; throws when Asterisk cannot be asked. */
  isLive(name: string): Promise<boolean>;
}

/** The files Asterisk wrote, as the daemon sees them (recording.dir). */
export interface RecordingFiles {
  /** Size in bytes, undefined when the file is not there. */
  size(file: string): number | undefined;
  remove(file: string): boolean;
}

export interface RecordingDeps {
  repo: RecordingRepository;
  calls: RecordingCalls;
  recorder: Recorder;
  files: RecordingFiles;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  policy: RecordMode;
  queueMode: (queue: string) => RecordMode | null;
  format: string;
  subdir: string;
}

export type RecordAction = 'start' | 'pause' | 'resume';

/** How long a stopped recording waits for Asterisk's "finished" before it is closed from the file. */
export const FINISH_GRACE_MS = 5000;

export class RecordingService {
  /** Parts whose start is in flight (a second trigger must not start a second recording). */
  private starting = new Set<string>();
  /** Grace timers of stopped recordings waiting for Asterisk's "finished" (cleared on stop()). */
  private graces = new Set<TimerHandle>();

  constructor(private readonly deps: RecordingDeps) {}

  /** Bus subscriber: parts that connect, parts that end. */
  onDomainEvent(e: DomainEvent): void {
    if (!e.callId) return;
    if (e.type === 'call.state' && e.data.state === 'connected' && e.data.previous !== 'on-hold') {
      void this.autoStart(e.callId);
    } else if (e.type === 'call.ended') {
      void this.stopFor(e.callId, 'call ended');
    }
  }

  private async autoStart(callId: string): Promise<void> {
    const call = this.deps.calls.get(callId);
    if (!call || modeFor(call, this.deps.queueMode, this.deps.policy) !== 'always') return;
    if (this.deps.repo.ofCall(callId).length > 0) return; // re-connected after a restart: already recorded
    await this.start(call, 'policy').catch((err) => {
      this.deps.log.warn('recording not started', { callId, error: (err as Error).message });
    });
  }

  /** Agent (own call) or supervisor: start / pause / resume. */
  async act(callId: string, action: RecordAction, by: string): Promise<Recording> {
    const call = this.deps.calls.get(callId);
    if (!call) throw notFound(`no call ${callId}`, { call: callId });
    if (action === 'start') {
      const open = this.openOf(callId);
      if (open) throw refused(`call ${callId} is already being recorded (recording ${open.id})`, { recording: open.id });
      if (modeFor(call, this.deps.queueMode, this.deps.policy) === 'never') {
        throw refused(`recording is off for this call${call.queue ? ` (queue ${call.queue} records never)` : ' (policy.recording is never)'}`, { call: callId });
      }
      return this.start(call, by);
    }
    const rec = this.openOf(callId);
    if (!rec) throw refused(`call ${callId} is not being recorded`, { call: callId });
    return action === 'pause' ? this.pause(rec, by) : this.resume(rec, by);
  }

  private async start(call: RecordableCall, by: string): Promise<Recording> {
    if (call.state !== 'connected' && call.state !== 'on-hold') throw refused(`cannot record a call that is ${call.state}`, { state: call.state });
    if (!call.agentChannelId) throw refused(`call ${call.id} has no agent device to record`, { call: call.id });
    if (this.starting.has(call.id)) throw refused(`call ${call.id} is already being recorded`, { call: call.id });
    this.starting.add(call.id);
    try {
      const { repo, format, subdir } = this.deps;
      const name = recordingName(subdir, call.id, repo.countOf(call.id) + 1);
      const rec = repo.insert({
        callId: call.id,
        rootId: call.rootId,
        agentExt: call.agentExt,
        queue: call.queue,
        name,
        file: `${name}.${format}`,
        format,
        channelId: call.agentChannelId,
        startedAt: this.deps.clock.now(),
        startedBy: by,
      });
      const snoopId = snoopIdOf(rec.id);
      repo.setState(rec.id, 'starting', { snoopId });
      try {
        await this.deps.recorder.start({ channelId: call.agentChannelId, snoopId, name, format, recordingId: rec.id });
      } catch (err) {
        this.transition(rec.id, 'fail', by, { endReason: `could not start: ${(err as Error).message}` });
        await this.deps.recorder.stop(name, snoopId).catch(() => undefined);
        throw refused(`recording could not start: ${(err as Error).message}`, { call: call.id });
      }
      // The part may have ended while Asterisk was starting it: the end path already ran.
      if (this.deps.repo.get(rec.id)!.state === 'starting') this.transition(rec.id, 'started', by);
      return this.deps.repo.get(rec.id)!;
    } finally {
      this.starting.delete(call.id);
    }
  }

  private async pause(rec: Recording, by: string): Promise<Recording> {
    nextRecordingState(rec.state, 'pause');
    await this.deps.recorder.mute(rec.name);
    this.deps.repo.transaction(() => {
      this.deps.repo.addPause(rec.id, this.deps.clock.now(), by);
      this.transition(rec.id, 'pause', by);
    });
    return this.deps.repo.get(rec.id)!;
  }

  private async resume(rec: Recording, by: string): Promise<Recording> {
    nextRecordingState(rec.state, 'resume');
    await this.deps.recorder.unmute(rec.name);
    this.deps.repo.transaction(() => {
      this.deps.repo.closePause(rec.id, this.deps.clock.now(), by);
      this.transition(rec.id, 'resume', by);
    });
    return this.deps.repo.get(rec.id)!;
  }

  /** The part ended: stop its recording in Asterisk (the finished report, or a reconcile, closes the row). */
  async stopFor(callId: string, reason: string): Promise<void> {
    const rec = this.openOf(callId);
    if (!rec) return;
    try {
      await this.deps.recorder.stop(rec.name, rec.snoopId);
    } catch (err) {
      this.deps.log.warn('recording stop failed; closed from the file', { recording: rec.id, error: (err as Error).message });
    }
    // Asterisk reports "finished" (with the duration, after the file is closed) right after the
    // stop; when it does not (link down), the row is closed from the file a little later.
    const h = this.deps.clock.setTimeout(() => {
      this.graces.delete(h);
      this.finish(rec.name, { reason });
    }, FINISH_GRACE_MS);
    this.graces.add(h);
  }

  /** Daemon stopping: pending closes are left to the next instance's reconcile. */
  stop(): void {
    for (const h of this.graces) this.deps.clock.clearTimeout(h);
    this.graces.clear();
  }

  /** Asterisk finished (or failed) the recording `name`: close the row with the file's facts. */
  finish(name: string, info: { reason: string; durationSec?: number; failed?: boolean }): void {
    const rec = this.deps.repo.byName(name);
    if (!rec || !isOpen(rec.state)) return;
    const size = this.deps.files.size(rec.file);
    // A WAV's size gives its length to the sample; Asterisk's own figure is whole seconds.
    const fromFile = size !== undefined && rec.format === 'wav' ? wavDurationMs(size) : undefined;
    const durationMs = fromFile ?? (info.durationSec !== undefined ? Math.round(info.durationSec * 1000) : null);
    const event: RecordingEvent = info.failed && size === undefined ? 'fail' : 'finish';
    this.deps.repo.transaction(() => {
      if (rec.state === 'paused') this.deps.repo.closePause(rec.id, this.deps.clock.now(), 'recording-ended');
      this.transition(rec.id, event, 'asterisk', { endReason: info.reason, durationMs, sizeBytes: size ?? null });
    });
  }

  /**
   * After a (re)connect to Asterisk: recordings the store thinks open are either still running
   * (they survive a daemon restart: Asterisk owns them) or ended while the daemon was away.
   */
  async reconcile(): Promise<{ live: number; closed: number }> {
    let live = 0;
    let closed = 0;
    for (const rec of this.deps.repo.open()) {
      let running: boolean;
      try {
        running = await this.deps.recorder.isLive(rec.name);
      } catch (err) {
        this.deps.log.warn('recording state unknown (Asterisk not reachable); next reconnect checks again', { recording: rec.id, error: (err as Error).message });
        continue;
      }
      const call = this.deps.calls.get(rec.callId);
      if (running && call && call.state !== 'ended') {
        live++;
        continue;
      }
      if (running) await this.deps.recorder.stop(rec.name, rec.snoopId).catch(() => undefined);
      this.finish(rec.name, { reason: 'ended while the daemon was away' });
      closed++;
    }
    return { live, closed };
  }

  openOf(callId: string): Recording | undefined {
    return this.deps.repo.ofCall(callId).find((r) => isOpen(r.state));
  }

  /** Removes the files of finished recordings started before `before` (retention / purge). */
  purge(before: number): PurgeResult {
    return purgeRecordings(this.deps.repo, this.deps.files, before, this.deps.clock.now());
  }

  private transition(
    id: number,
    event: RecordingEvent,
    by: string,
    patch: { endReason?: string; durationMs?: number | null; sizeBytes?: number | null } = {},
  ): void {
    const rec = this.deps.repo.get(id)!;
    const state = nextRecordingState(rec.state, event);
    const at = this.deps.clock.now();
    const ends = event === 'finish' || event === 'fail';
    this.deps.repo.setState(id, state, { ...patch, ...(ends ? { endedAt: at } : {}) });
    const data = { recordingId: id, state, previous: rec.state, by, file: rec.file, ...(patch.endReason ? { reason: patch.endReason } : {}) };
    this.deps.calls.record(rec.callId, 'recording', { action: event, ...data });
    this.deps.bus.publish({ type: 'recording.state', at, agent: rec.agentExt ?? undefined, queue: rec.queue ?? undefined, callId: rec.callId, data });
  }
}
