/**
 * Recorder on ARI (validated on Asterisk 22.10.1, docs/CALL-TOPOLOGY.md "Recording"): a snoop
 * channel that spies both directions of the agent's device, in our Stasis app, and an ARI live
 * recording on it. The snoop follows the device, not a bridge, so the file survives hold (the
 * agent alone: no music), transfers (one file per part: each part has its own device) and a daemon
 * restart (Asterisk owns both). Mute writes silence in place of audio: the file keeps the call's
 * timeline and a pause is an audible gap.
 */
import { AriHttpError, type AriClient } from '../ari/types';
import { systemClock, type Clock, type TimerHandle } from '../util/clock';
import { RECORDING_TAG } from './model';
import type { Recorder } from './service';

const gone = (e: unknown) => e instanceof AriHttpError && e.status === 404;
/** The snoop answers 200 before it has entered our app: a record sent at once may get this 409. */
const notInStasisYet = (e: unknown) => e instanceof AriHttpError && e.status === 409 && /not in Stasis/i.test(e.body);
const STASIS_WAIT = { tries: 20, everyMs: 50 };

/** How long a new snoop channel may take to enter our app (seen: a few ms; more under load). */
const SNOOP_READY_MS = 5000;

export class AriRecorder implements Recorder {
  constructor(
    private readonly ari: AriClient,
    private readonly clock: Clock = systemClock,
    private readonly readyMs = SNOOP_READY_MS,
  ) {}

  async start(r: { channelId: string; snoopId: string; name: string; format: string; recordingId: number }): Promise<void> {
    // The snoop POST answers when the channel exists; it enters Stasis on its own thread. A record
    // request before its StasisStart fails (the channel is not in the app yet): wait for it.
    const ready = this.whenInStasis(r.snoopId);
    try {
      await this.ari.channels.snoop(r.channelId, { spy: 'both', whisper: 'none', snoopId: r.snoopId, appArgs: `${RECORDING_TAG},${r.recordingId}` });
      await ready.promise;
    } catch (err) {
      ready.cancel();
      await this.ari.channels.hangup(r.snoopId).catch(() => undefined);
      throw err;
    }
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

  private whenInStasis(channelId: string): { promise: Promise<void>; cancel: () => void } {
    let off: () => void = () => undefined;
    let timer: TimerHandle | undefined;
    const promise = new Promise<void>((resolve, reject) => {
      off = this.ari.onEvent('StasisStart', (e) => {
        if ((e as { channel?: { id?: string } }).channel?.id !== channelId) return;
        cancel();
        resolve();
      });
      timer = this.clock.setTimeout(() => {
        cancel();
        reject(new Error(`snoop channel ${channelId} did not enter the app within ${this.readyMs} ms`));
      }, this.readyMs);
    });
    const cancel = () => {
      off();
      if (timer) this.clock.clearTimeout(timer);
    };
    promise.catch(() => undefined);
    return { promise, cancel };
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
