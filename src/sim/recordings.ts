/**
 * ARI live recordings (POST /channels/{id}/record, /recordings/live/{name}/...), as Asterisk
 * 22.10.1 showed them (test/fixtures/captures/recording.*): only a channel in a Stasis app can be
 * recorded (409 "Channel not in Stasis application" otherwise), RecordingStarted then
 * RecordingFinished (duration in whole seconds) go to the channel's app, the recording ends when
 * stopped or when its channel hangs up, and mute writes silence. With `dir`, the file is written
 * there when the recording ends (an 8 kHz 16-bit WAV of the recording's length, silent), so the
 * daemon's file handling (size, Range audio, purge) runs against real files.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Clock } from '../util/clock';
import { CcError } from '../util/errors';
import type { SimModel } from './model';

interface LiveRec {
  name: string;
  format: string;
  channelId: string;
  app: string;
  startedAt: number;
  muted: boolean;
  state: 'recording' | 'done';
}

export class SimRecordings {
  private readonly live = new Map<string, LiveRec>();

  constructor(
    private readonly model: SimModel,
    private readonly clock: Clock,
    private readonly dir?: string,
  ) {
    model.onHangup((ch) => {
      for (const r of this.live.values()) if (r.channelId === ch.id) this.finish(r);
    });
  }

  start(channelId: string, p: { name?: string; format?: string; ifExists?: string }): Record<string, unknown> {
    const ch = this.model.channels.get(channelId);
    if (!ch) throw new CcError('not_found', 'Channel not found');
    if (!ch.stasisApp) throw new CcError('refused', 'Channel not in Stasis application');
    if (!p.name || !p.format) throw new CcError('invalid', 'name and format are required');
    const existing = this.live.get(p.name);
    if (existing?.state === 'recording') throw new CcError('refused', 'Recording is already in progress');
    if ((p.ifExists ?? 'fail') === 'fail' && (existing || (this.dir && fs.existsSync(this.file(p.name, p.format))))) {
      throw new CcError('refused', 'Recording with the same name already exists on the system');
    }
    const r: LiveRec = { name: p.name, format: p.format, channelId, app: ch.stasisApp, startedAt: this.clock.now(), muted: false, state: 'recording' };
    this.live.set(r.name, r);
    this.model.toApp(r.app, { type: 'RecordingStarted', recording: this.json(r) });
    return { ...this.json(r), state: 'queued' };
  }

  get(name: string): Record<string, unknown> {
    return this.json(this.require(name));
  }

  stop(name: string): void {
    this.finish(this.require(name));
  }

  mute(name: string, on: boolean): void {
    this.require(name).muted = on;
  }

  private require(name: string): LiveRec {
    const r = this.live.get(name);
    if (!r || r.state !== 'recording') throw new CcError('not_found', 'Recording not found');
    return r;
  }

  private finish(r: LiveRec): void {
    if (r.state !== 'recording') return;
    r.state = 'done';
    const ms = Math.max(0, this.clock.now() - r.startedAt);
    if (this.dir) writeSilentWav(this.file(r.name, r.format), ms);
    this.model.toApp(r.app, { type: 'RecordingFinished', recording: { ...this.json(r), duration: Math.floor(ms / 1000) } });
  }

  private file(name: string, format: string): string {
    return path.join(this.dir!, `${name}.${format}`);
  }

  private json(r: LiveRec): Record<string, unknown> {
    return { name: r.name, format: r.format, state: r.state, target_uri: `channel:${r.channelId}` };
  }
}

/** A PCM WAV header for `dataBytes` of 8 kHz, 16-bit mono samples (what Asterisk's `wav` format is). */
export function wavHeader(dataBytes: number): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVEfmt ', 8);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(8000, 24);
  h.writeUInt32LE(16000, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

function writeSilentWav(file: string, ms: number): void {
  const data = Math.round(ms * 16);
  const h = wavHeader(data);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, Buffer.concat([h, Buffer.alloc(data)]));
}
