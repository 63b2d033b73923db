/**
 * Recorder on ARI (validated on Asterisk 22.10.1, docs/CALL-TOPOLOGY.md "Recording"): a snoop
 * channel that spies both directions of the agent's device, in our Stasis app, and an ARI live
 * recording on it. The snoop follows the device, not a bridge, so the file survives hold (the
 * agent alone: no music), transfers (one file per part: each part has its own device) and a daemon
 * restart (Asterisk owns both). Mute writes silence in place of audio: the file keeps the call's
 * timeline and a pause is an audible gap.
 */
import { AriHttpError, type AriClient } from '../ari/types';
import { RECORDING_TAG } from './model';
import type { Recorder } from './service';

const gone = (e: unknown) => e instanceof AriHttpError && e.status === 404;

export class AriRecorder implements Recorder {
  constructor(private readonly ari: AriClient) {}

  async start(r: { channelId: string; snoopId: string; name: string; format: string; recordingId: number }): Promise<void> {
    await this.ari.channels.snoop(r.channelId, { spy: 'both', whisper: 'none', snoopId: r.snoopId, appArgs: `${RECORDING_TAG},${r.recordingId}` });
    try {
      await this.ari.channels.record(r.snoopId, { name: r.name, format: r.format, ifExists: 'fail', beep: false, terminateOn: 'none' });
    } catch (err) {
      await this.ari.channels.hangup(r.snoopId).catch(() => undefined);
      throw err;
    }
  }

  async mute(name: string): Promise<void> {
    await this.ari.recordings.mute(name);
  }

  async unmute(name: string): Promise<void> {
    await this.ari.recordings.unmute(name);
  }

  async stop(name: string, snoopId: string | null): Promise<void> {
    await this.ari.recordings.stop(name).catch((e) => {
      if (!gone(e)) throw e;
    });
    if (snoopId) {
      await this.ari.channels.hangup(snoopId).catch((e) => {
        if (!gone(e)) throw e;
      });
    }
  }

  async isLive(name: string): Promise<boolean> {
    try {
      const r = await this.ari.recordings.getLive(name);
      return r.state === 'recording' || r.state === 'paused' || r.state === 'queued';
    } catch (e) {
      if (gone(e)) return false;
      throw e;
    }
  }
}
