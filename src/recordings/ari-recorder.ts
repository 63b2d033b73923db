/**
 * Recorder on ARI (validated on Asterisk 22.10.1, docs/CALL-TOPOLOGY.md "Recording"): a snoop
 * channel that spies both directions of the agent's device, in our Stasis app, and an ARI live
 * recording on it. The snoop follows the device, not a bridge, so the file survives hold (the
 * agent alone: no music), transfers (one file per part: each part has its own device) and a daemon
 * restart (Asterisk owns both). Mute writes silence in place of audio: the file keeps the call's
 * timeline and a pause is an audible gap.
 */
import { AriHttpError, type AriClient } from '../ari/types';
import { systemClock, type Clock } from '../util/clock';
import { RECORDING_TAG } from './model';
import type { Recorder } from './service';

const gone = (e: unknown) => e instanceof AriHttpError && e.status === 404;
/** The snoop answers 200 before it has entered our app: a record sent at once may get this 409. */
const notInStasisYet = (e: unknown) => e instanceof AriHttpError && e.status === 409 && /not in Stasis/i.test(e.body);
const STASIS_WAIT = { tries: 20, everyMs: 50 };

export class AriRecorder implements Recorder {
  constructor(
    private readonly ari: AriClient,
    private readonly clock: Clock = systemClock,
  ) {}

  async start(r: { channelId: string; snoopId: string; name: string; format: string; recordingId: number }): Promise<void> {
    await this.ari.channels.snoop(r.channelId, { spy: 'both', whisper: 'none', snoopId: r.snoopId, appArgs: `${RECORDING_TAG},${r.recordingId}` });
    try {
      // Seen on Asterisk 22.10.1 under load (integration suite): 409 "Channel not in Stasis
      // application" for a snoop created a moment before. It gets there: ask again, briefly.
      for (let i = 1; ; i++) {
        try {
          await this.ari.channels.record(r.snoopId, { name: r.name, format: r.format, ifExists: 'fail', beep: false, terminateOn: 'none' });
          break;
        } catch (err) {
          if (!notInStasisYet(err) || i >= STASIS_WAIT.tries) throw err;
          await new Promise<void>((ok) => this.clock.setTimeout(ok, STASIS_WAIT.everyMs));
        }
      }
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
