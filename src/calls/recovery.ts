/**
 * Re-sync after every ARI (re)connect. Asterisk does not replay StasisStart (DESIGN.md): the
 * daemon rebuilds from `GET /applications/<app>` (channel_ids, bridge_ids), `GET /channels` and the
 * calls persisted in SQLite (ended_at IS NULL).
 *  - talking calls whose customer side and agent device both still exist are re-adopted (hold,
 *    mute, transfer, hangup keep working; max-duration timers are re-armed);
 *  - anything else (a side vanished while we were away, a call still ringing from a previous
 *    process) is ended cleanly: what remains is hung up and the agent is freed;
 *  - our channels/bridges that no call owns (and no other feature claims) are hung up/destroyed.
 */
import type { AriChannel, AriBridge } from '../ari/types';
import type { CallCore } from './core';
import type { Hangups } from './hangups';
import type { Originations } from './originations';
import { isTalking } from './state-machine';
import type { CallRecord } from './types';
import { ignoreGone } from './ari-util';

export interface RecoveryReport {
  adopted: string[];
  ended: string[];
  orphanChannels: string[];
  orphanBridges: string[];
}

/** Other features (transfers, rooms) keep their own channels/bridges: they return true to keep one. */
export type ChannelClaimer = (channel: AriChannel) => boolean;
export type BridgeClaimer = (bridgeId: string, bridge?: AriBridge) => boolean;

/** `callcenter,agent-leg,1000,<linkedid>` → ['agent-leg','1000','<linkedid>'] when it is our app. */
export function stasisArgs(channel: AriChannel, app: string): string[] | undefined {
  const d = channel.dialplan;
  if (!d || (d.app_name ?? '').toLowerCase() !== 'stasis' || !d.app_data) return undefined;
  const parts = d.app_data.split(',');
  return parts[0] === app ? parts.slice(1) : undefined;
}

export class Recovery {
  readonly channelClaimers: ChannelClaimer[] = [];
  readonly bridgeClaimers: BridgeClaimer[] = [];
  /** Channel ids that got a StasisStart on the current connection: new, never orphans. */
  readonly startedSinceConnect = new Set<string>();

  constructor(
    private readonly core: CallCore,
    private readonly originations: Originations,
    private readonly hangups: Hangups,
  ) {}

  async run(): Promise<RecoveryReport> {
    const { ari, repo, log } = this.core.deps;
    const report: RecoveryReport = { adopted: [], ended: [], orphanChannels: [], orphanBridges: [] };
    const [app, channels] = await Promise.all([ari.applications.get(ari.app), ari.channels.list()]);
    const alive = new Map(channels.map((c) => [c.id, c]));

    // 1. Calls this process already tracks (reconnect): events may have been missed meanwhile.
    for (const call of this.core.list()) {
      const custGone = call.customerChannelId !== null && !alive.has(call.customerChannelId);
      const agentGone = call.agentChannelId !== null && !alive.has(call.agentChannelId);
      if (custGone) {
        await this.hangups.customerGone(call.id, 'gone while ARI was disconnected');
        report.ended.push(call.id);
      } else if (agentGone) {
        if (!this.originations.onGone(call.agentChannelId!, 'gone while ARI was disconnected')) {
          await this.hangups.agentHungUp(call.id, 'gone while ARI was disconnected');
        }
        report.ended.push(call.id);
      }
    }

    // 2. Calls persisted by a previous process.
    for (const row of repo.open()) {
      if (this.core.get(row.id)) continue;
      if (this.canAdopt(row, alive)) {
        this.adopt(row);
        report.adopted.push(row.id);
      } else {
        this.core.adopt(row);
        await this.core.end(row.id, 'daemon-restart', { data: { state: row.state } });
        report.ended.push(row.id);
      }
    }

    // 3. Orphans: ours by app membership, owned by no live call, claimed by no feature.
    const owned = new Set<string>();
    const ownedBridges = new Set<string>();
    for (const c of this.core.list()) {
      for (const ch of [c.customerChannelId, c.agentChannelId]) if (ch) owned.add(ch).add(`${ch}-2`);
      for (const b of [c.bridgeId, c.holdBridgeId]) if (b) ownedBridges.add(b);
    }
    for (const id of app.channel_ids) {
      if (owned.has(id) || this.startedSinceConnect.has(id) || this.originations.has(id)) continue;
      if (id.endsWith('-2') && (owned.has(id.slice(0, -2)) || this.originations.has(id.slice(0, -2)))) continue;
      const ch = alive.get(id);
      if (ch && this.channelClaimers.some((f) => f(ch))) continue;
      report.orphanChannels.push(id);
      await ignoreGone(ari.channels.hangup(id, 'normal'), log, 'hang up orphan channel');
    }
    for (const id of app.bridge_ids) {
      if (ownedBridges.has(id) || this.bridgeClaimers.some((f) => f(id))) continue;
      report.orphanBridges.push(id);
      await ignoreGone(ari.bridges.destroy(id), log, 'destroy orphan bridge');
    }
    this.startedSinceConnect.clear();
    if (report.adopted.length + report.ended.length + report.orphanChannels.length + report.orphanBridges.length > 0) {
      log.info('calls re-synced after ARI connect', { ...report });
    }
    return report;
  }

  private canAdopt(call: CallRecord, alive: Map<string, AriChannel>): boolean {
    return (
      isTalking(call.state) &&
      call.customerChannelId !== null &&
      call.agentChannelId !== null &&
      alive.has(call.customerChannelId) &&
      alive.has(call.agentChannelId)
    );
  }

  private adopt(call: CallRecord): void {
    this.core.adopt(call);
    const noop = () => undefined;
    this.originations.adopt(call.agentChannelId!, call.id, 'agent', {
      onAnswer: noop,
      onFail: noop,
      onHangup: (reason) => void this.hangups.agentHungUp(call.id, reason),
    });
    if (call.kind === 'outbound') {
      // The outbound customer is an originated channel too; a queue leg is routed by the core index.
      this.originations.adopt(call.customerChannelId!, call.id, 'customer', {
        onAnswer: noop,
        onFail: noop,
        onHangup: (reason) => void this.hangups.customerGone(call.id, reason),
      });
    }
    if (call.agentExt) {
      // Tell the agents domain again: after a restart it must keep this agent busy for app_queue.
      this.core.deps.agents.callConnected(call.agentExt, {
        callId: call.id,
        queue: call.queue ?? undefined,
        direction: call.direction,
      });
    }
    this.core.record(call.id, 'adopted', { state: call.state });
  }
}
