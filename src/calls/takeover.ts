/**
 * Takeover of a native queue call (native-parts.ts): before a request that must own the media
 * (hold, mute, DTMF, transfers, conference, rooms: everything that runs through
 * CallCore.exclusive), the caller and the agent's device leave app_queue's bridge for the
 * daemon's app and are bridged again in an ARI mixing bridge. From then on the part is shaped
 * like an answered stand-in call (customer side = the caller, agent side = the device, one ARI
 * bridge) and every feature works on it unchanged.
 *
 *   app_queue ──take──► redirecting ──both StasisStart──► bridging ──addChannel──► controlled
 *                           │                  └──── timeout / ARI error ────► the part ends (takeover-failed:
 *                           │                                                   channels half moved)
 *                           └── Redirect refused (nothing moved) ──► app_queue keeps it; the request fails (503)
 *
 * How (validated on Asterisk 22.10.1, docs/CALL-TOPOLOGY.md): ONE AMI `Redirect` with
 * `ExtraChannel` sends both channels to `s@<contexts.takeover>` (`Stasis(<app>,takeover)`). A
 * redirect is no hang-up for app_queue: it sends no AgentComplete then, and reports the whole talk
 * time (and starts the member's wrap-up) when either channel hangs up later.
 */
import type { AmiClient } from '../ami/types';
import type { StasisStartEvent } from '../ari/types';
import { StartWaiters } from '../ari/start-waiters';
import { unavailable } from '../util/errors';
import { ariAction, newBridgeId } from './ari-util';
import type { CallCore } from './core';
import type { NativeParts } from './native-parts';
import type { CallRecord } from './types';

/** How long both channels may take to reach the app after the Redirect (measured: tens of ms). */
export const TAKEOVER_TIMEOUT_MS = 5000;

export class Takeover {
  /** Channels a takeover waits for (StasisStart). */
  private readonly waiting: StartWaiters;

  constructor(
    private readonly core: CallCore,
    private readonly parts: NativeParts,
    private readonly ami: AmiClient | undefined,
    private readonly context: string,
  ) {
    this.waiting = new StartWaiters(core.deps.clock);
  }

  /** CallCore.exclusive's hook: a native part not yet controlled is taken over first. */
  async ensureControlled(call: CallRecord): Promise<void> {
    const part = this.parts.get(call.id);
    if (!part || part.controlled || call.state === 'ended') return;
    // Ringing: nothing to reshape yet; the action itself refuses by state (state-machine.ts).
    if (call.state === 'ringing-agent') return;
    await this.take(call, part.callerName, part.deviceName);
  }

  /** StasisStart of a channel sent by a Redirect (router tag `takeover`). */
  onStart(e: StasisStartEvent): void {
    if (this.waiting.has(e.channel.id)) {
      this.parts.enteredApp(e.channel.id);
      this.waiting.started(e.channel.id);
      return;
    }
    // Redirected by an earlier process that died before bridging: the part is not ours any more.
    this.core.deps.log.warn('takeover channel nobody waits for: hanging up', { channel: e.channel.id });
    void this.core.deps.ari.channels.hangup(e.channel.id, 'normal').catch(() => undefined);
  }

  private async take(call: CallRecord, callerName: string, deviceName: string): Promise<void> {
    const { ari, log } = this.core.deps;
    const customer = call.customerChannelId;
    const device = call.agentChannelId;
    if (!this.ami || !customer || !device || !callerName || !deviceName) {
      throw unavailable(`call ${call.id} cannot be taken over from app_queue (AMI or channel names missing)`, { call: call.id });
    }
    // Waiters first: the StasisStarts may arrive before the AMI response.
    const arrived = Promise.all([this.wait(customer), this.wait(device)]);
    arrived.catch(() => undefined); // awaited below; a timeout while the Redirect is pending is handled there
    try {
      await this.ami.action('Redirect', {
        Channel: callerName,
        ExtraChannel: deviceName,
        Context: this.context,
        Exten: 's',
        Priority: 1,
        ExtraContext: this.context,
        ExtraExten: 's',
        ExtraPriority: 1,
      });
    } catch (err) {
      // Refused (no s@<context> in the dialplan, a channel already gone, AMI down): nothing moved,
      // the call goes on in app_queue's bridge; only this request fails.
      for (const id of [customer, device]) this.cancelWait(id);
      const msg = (err as Error).message;
      log.error('takeover refused by Asterisk', { callId: call.id, err: msg, context: this.context });
      throw unavailable(`call ${call.id} cannot be taken over from app_queue (AMI Redirect to s@${this.context}: ${msg}); is [${this.context}] in extensions.conf?`, { call: call.id });
    }
    try {
      await arrived;
      const bridgeId = newBridgeId(call.id, 'br');
      await ariAction(ari.bridges.create({ bridgeId, type: 'mixing', name: `agent-${call.agentExt}` }), 'create the call bridge');
      if (call.state === 'ended') {
        await ari.bridges.destroy(bridgeId).catch(() => undefined);
        return;
      }
      this.core.update(call, { bridgeId });
      await ariAction(ari.bridges.addChannel(bridgeId, [customer, device]), 'bridge the taken-over call');
      this.parts.markControlled(call.id);
      this.core.record(call.id, 'taken-over', { bridgeId });
    } catch (err) {
      for (const id of [customer, device]) this.cancelWait(id);
      log.error('cannot take the call over from app_queue', { callId: call.id, err: (err as Error).message });
      // Half moved channels would leave a customer in silence: end the part cleanly.
      if (this.core.get(call.id)) await this.core.end(call.id, 'takeover-failed', { data: { error: (err as Error).message } });
      throw unavailable(`call ${call.id} could not be taken over from app_queue: ${(err as Error).message}`, { call: call.id });
    }
  }

  private wait(channelId: string): Promise<void> {
    return this.waiting.wait(channelId, TAKEOVER_TIMEOUT_MS, () => new Error(`channel ${channelId} did not reach the app within ${TAKEOVER_TIMEOUT_MS} ms`));
  }

  private cancelWait(channelId: string): void {
    this.waiting.cancel(channelId);
  }
}
