/**
 * The Asterisk side of live monitoring, kept thin: snoop channels on an agent device, the
 * supervisor's own mixing bridge, and the events that say a snoop channel is gone.
 *
 * Seen on Asterisk 22.10.1 (test/fixtures/captures/live-monitor.*): the REST reply of
 * POST /channels/{id}/snoop can come ~100 ms BEFORE the snoop channel's StasisStart, and a channel
 * not yet in Stasis cannot be added to a bridge (422), so `snoop()` resolves only once the
 * StasisStart arrived (it may also come first: the waiter is registered before the request).
 * When the snooped channel hangs up, the snoop channel leaves the bridge and gets StasisEnd (no
 * ChannelDestroyed reaches the app).
 */
import { randomBytes } from 'node:crypto';
import type { AriClient, StasisStartEvent } from '../ari/types';
import { EventDemand } from '../ari/event-demand';
import { ariAction, ignoreGone } from '../calls/ari-util';
import type { Logger } from '../log/logger';
import type { Clock } from '../util/clock';
import { StartWaiters } from '../ari/start-waiters';
import { unavailable } from '../util/errors';
import { snoopOf, type MonitorMode } from './model';

/** First Stasis argument of our snoop channels: `monitor-snoop,<sessionId>`. */
export const SNOOP_TAG = 'monitor-snoop';

export interface TopologyDeps {
  ari: AriClient;
  clock: Clock;
  log: Logger;
  /** How long to wait for a snoop channel's StasisStart. */
  snoopStartTimeoutMs?: number;
}

const suffix = () => randomBytes(3).toString('hex');

export class MonitorTopology {
  private readonly waiters: StartWaiters;
  /** Snoop channels of live sessions: their StasisEnd is reported through onSnoopGone. */
  private readonly snoops = new Set<string>();
  private readonly bridges = new Set<string>();
  /** Last Dial status per watched prefix (BUSY, CHANUNAVAIL...): a better reason than cause "Unknown". */
  private readonly dialStatus = new Map<string, string>();
  private readonly unsubscribe: (() => void)[] = [];
  onSnoopGone: (snoopId: string) => void = () => undefined;

  constructor(private readonly deps: TopologyDeps) {
    this.dial = new EventDemand(deps.ari, ['Dial']);
    this.waiters = new StartWaiters(deps.clock);
  }

  start(): void {
    const gone = (id: string) => {
      if (this.snoops.delete(id)) this.onSnoopGone(id);
    };
    this.unsubscribe.push(
      this.deps.ari.onEvent('StasisEnd', (e) => gone((e as { channel: { id: string } }).channel.id)),
      this.deps.ari.onEvent('ChannelDestroyed', (e) => gone((e as { channel: { id: string } }).channel.id)),
      this.deps.ari.onEvent('Dial', (e) => {
        const d = e as { peer?: { id: string }; dialstatus?: string };
        if (!d.peer || !d.dialstatus) return;
        for (const prefix of this.watched) if (d.peer.id.startsWith(prefix)) this.dialStatus.set(prefix, d.dialstatus);
      }),
    );
  }

  /** Channel id prefixes (a supervisor device, id known only once originated) whose Dial status is kept. */
  private readonly watched = new Set<string>();
  /** Asterisk sends Dial events only while some prefix is watched (ARI_ON_DEMAND_EVENTS). */
  private readonly dial: EventDemand;

  /** Starts keeping the Dial status of channels named `prefix…`; resolves once Asterisk sends Dial events. */
  async watchDial(prefix: string): Promise<void> {
    this.watched.add(prefix);
    await this.dial.hold();
  }

  /** The last Dial status seen for a watched prefix (e.g. BUSY), and stop watching it. */
  forgetDial(prefix: string): string | undefined {
    const status = this.dialStatus.get(prefix);
    this.watched.delete(prefix);
    this.dialStatus.delete(prefix);
    if (this.watched.size === 0) this.dial.release();
    return status;
  }

  stop(): void {
    for (const u of this.unsubscribe.splice(0)) u();
    this.watched.clear();
    this.dial.release();
    this.waiters.rejectAll((id) => new Error(`snoop ${id}: daemon stopping`));
  }

  /** Channels/bridges recovery must leave alone (a reconnect is not a restart: the sessions live on). */
  owns(id: string): boolean {
    return this.snoops.has(id) || this.bridges.has(id) || this.waiters.has(id);
  }

  /** StasisStart routed to us (tag monitor-snoop): the snoop channel is ready to be bridged. */
  async onStasisStart(e: StasisStartEvent): Promise<void> {
    if (this.waiters.started(e.channel.id)) return;
    // A snoop nobody waits for any more (timed out, or asked by a previous process): not ours to keep.
    this.deps.log.warn('monitor: unexpected snoop channel, hanging up', { channel: e.channel.id, args: e.args });
    await ignoreGone(this.deps.ari.channels.hangup(e.channel.id, 'normal'), this.deps.log, 'hang up stray snoop');
  }

  /** A snoop channel on `targetChannelId` in `mode`, in Stasis and ready to bridge; returns its id. */
  async snoop(callId: string, sessionId: number, targetChannelId: string, mode: MonitorMode): Promise<string> {
    const { ari } = this.deps;
    const id = `${callId}-snoop${sessionId}-${suffix()}`;
    const started = this.waiters.wait(id, this.deps.snoopStartTimeoutMs ?? 5000, () => unavailable(`the snoop channel on the agent device did not start`));
    started.catch(() => undefined); // observed below; no unhandled rejection if the request fails first
    try {
      await ariAction(ari.channels.snoop(targetChannelId, { ...snoopOf(mode), app: ari.app, appArgs: `${SNOOP_TAG},${sessionId}`, snoopId: id }), 'snoop on the agent device');
    } catch (err) {
      this.waiters.cancel(id);
      throw err;
    }
    try {
      await started;
    } catch (err) {
      await this.hangup(id);
      throw err;
    }
    this.snoops.add(id);
    return id;
  }

  async createBridge(callId: string, sessionId: number): Promise<string> {
    const id = `${callId}-mon${sessionId}-${suffix()}`;
    this.bridges.add(id);
    try {
      await ariAction(this.deps.ari.bridges.create({ bridgeId: id, type: 'mixing', name: `monitor-${sessionId}` }), 'create the monitoring bridge');
    } catch (err) {
      this.bridges.delete(id);
      throw err;
    }
    return id;
  }

  add(bridgeId: string, channelId: string): Promise<void> {
    return ariAction(this.deps.ari.bridges.addChannel(bridgeId, [channelId]), 'connect the supervisor');
  }

  /** A snoop found gone after an ARI reconnect (its StasisEnd was missed): reported like one. */
  lost(snoopId: string): void {
    if (this.snoops.delete(snoopId)) this.onSnoopGone(snoopId);
  }

  /** Hangs up a snoop channel we no longer want (no onSnoopGone for it). Never throws. */
  async hangup(snoopId: string): Promise<void> {
    this.snoops.delete(snoopId);
    await ignoreGone(this.deps.ari.channels.hangup(snoopId, 'normal'), this.deps.log, 'hang up snoop channel');
  }

  /** Never throws. */
  async destroyBridge(bridgeId: string): Promise<void> {
    this.bridges.delete(bridgeId);
    await ignoreGone(this.deps.ari.bridges.destroy(bridgeId), this.deps.log, 'destroy monitoring bridge');
  }
}
