/**
 * Re-sync after every ARI (re)connect. Asterisk does not replay StasisStart (DESIGN.md): the
 * daemon rebuilds from `GET /applications/<app>` (channel_ids, bridge_ids), `GET /channels` and the
 * calls persisted in SQLite (ended_at IS NULL).
 *  - talking calls whose customer side and agent device both still exist are re-adopted (hold,
 *    mute, transfer, hangup keep working; max-duration timers are re-armed);
 *  - anything else (a side vanished while we were away, a call still ringing from a previous
 *    process) is ended cleanly: what remains is hung up and the agent is freed;
 *  - a transfer target's part (ringing or consulting) cannot be re-adopted (the transfer's own
 *    state lived in the old process): it is ended as "transfer-cancelled" by the restart, its device
 *    hung up, and a customer the consult left in a holding bridge is moved back to the first agent
 *    (never left alone on hold music); a 3-way conference's added part ends the same way and the
 *    call goes on between customer and first agent;
 *  - our channels/bridges that no call owns (and no other feature claims) are hung up/destroyed.
 */
import type { AriChannel, AriBridge } from '../ari/types';
import type { CallCore } from './core';
import type { Hangups } from './hangups';
import type { Originations } from './originations';
import { isTalking } from './state-machine';
import { isDaemonDialled, type CallRecord } from './types';
import { ignoreGone } from './ari-util';

/** How long an unowned channel/bridge must stay unowned before recovery removes it. */
export const ORPHAN_GRACE_MS = 2000;

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
  /**
   * Handles a StasisStart this process never saw (the wiring replays it through the router): an
   * inbound caller that entered the app while the event socket was dead but still open on
   * Asterisk's side (half-open link, a dying process) is a new call, not an orphan.
   */
  onMissedStart?: (channel: AriChannel, args: string[]) => Promise<void>;
  /**
   * Asked first for every open row of an earlier process: true = the row was adopted by its owner
   * (native topology: a call app_queue bridges itself, whose channels are not in the app).
   */
  rowClaimer?: (row: CallRecord, alive: Map<string, AriChannel>) => boolean;

  constructor(
    private readonly core: CallCore,
    private readonly originations: Originations,
    private readonly hangups: Hangups,
  ) {}

  async run(): Promise<RecoveryReport> {
    const { ari, repo, log } = this.core.deps;
    const report: RecoveryReport = { adopted: [], ended: [], orphanChannels: [], orphanBridges: [] };
    this.startedSinceConnect.clear();
    // Channel ids known before the snapshot: one originated while GET /channels runs must not be
    // mistaken for a vanished one.
    const before = this.core.list().map((c) => ({ id: c.id, customer: c.customerChannelId, agent: c.agentChannelId }));
    const alive = new Map((await ari.channels.list()).map((c) => [c.id, c]));

    // 1. Calls this process already tracks (reconnect): events may have been missed meanwhile.
    for (const snap of before) {
      const call = this.core.get(snap.id);
      if (!call) continue;
      const custGone = snap.customer !== null && call.customerChannelId === snap.customer && !alive.has(snap.customer);
      const agentGone = snap.agent !== null && call.agentChannelId === snap.agent && !alive.has(snap.agent);
      const gone = custGone ? 'customer' : agentGone ? 'agent' : undefined;
      if (gone) {
        await this.sideGone(call, gone, 'gone while ARI was disconnected');
        report.ended.push(call.id);
      }
    }

    // 2. Calls persisted by a previous process.
    const consultsCancelled = new Set<string>();
    for (const row of repo.open()) {
      if (this.core.get(row.id) || this.core.endPending(row.id)) continue;
      await this.settleRow(row, alive, report, consultsCancelled, 'daemon-restart');
    }

    for (const id of consultsCancelled) await this.returnFromConsult(id);
    if (report.adopted.length > 0) await this.recheckAdopted(report);

    // 3. Orphans: ours by app membership, owned by no live call, claimed by no feature. A channel
    //    or bridge can be in the app a moment before its StasisStart is handled (a queue call
    //    arriving during recovery), so only what is still unowned after a grace period goes.
    const first = await this.orphanCandidates();
    if (first.channels.size + first.bridges.size > 0) {
      await new Promise<void>((resolve) => this.core.deps.clock.setTimeout(resolve, ORPHAN_GRACE_MS));
      const again = await this.orphanCandidates();
      const alive = new Map((await ari.channels.list()).map((c) => [c.id, c]));
      for (const id of again.channels) {
        if (!first.channels.has(id)) continue;
        report.orphanChannels.push(id);
        const ch = alive.get(id);
        const args = ch ? stasisArgs(ch, ari.app) : undefined;
        // Never answered: the daemon answers every inbound caller it handles (the stand-in's MOH,
        // the agent's answer), so its StasisStart was lost, not its call ended. Hanging it up lost
        // 40 of 54 trunk callers in the fault bench's 10-s half-open link. Answered but with no
        // stand-in and no call part of its contact ever recorded: the previous process died
        // between the MOH and the stand-in (the fault bench's kill lost one such caller); it never
        // reached an agent, so it is queued again. (One whose parts exist had its turn: the queue
        // gave up on it, it is hung up as the dialplan after Queue() would.)
        const neverQueued = (a: string[]) => a[1] === 'queue' && !repo.hasPartOf(a[4] || id);
        if (ch && args?.[0] === 'inbound' && (ch.state !== 'Up' || neverQueued(args)) && this.onMissedStart) {
          log.warn('inbound caller whose StasisStart was missed: handling it now', { channel: id, name: ch.name, args });
          this.startedSinceConnect.add(id);
          await this.onMissedStart(ch, args).catch((err: Error) => log.error('cannot handle a missed inbound caller', { channel: id, err: err.message }));
          continue;
        }
        log.info('hanging up orphan channel', { channel: id, name: ch?.name, args });
        if (args?.[0] === 'agent-leg' && args[1] && args[2]) {
          this.core.deps.agents.callRejected?.(args[1], { linkedid: args[2], reason: 'orphan-leg' });
        }
        await ignoreGone(ari.channels.hangup(id, 'normal'), log, 'hang up orphan channel');
      }
      for (const id of again.bridges) {
        if (!first.bridges.has(id)) continue;
        report.orphanBridges.push(id);
        await ignoreGone(ari.bridges.destroy(id), log, 'destroy orphan bridge');
      }
    }
    if (report.adopted.length + report.ended.length + report.orphanChannels.length + report.orphanBridges.length > 0) {
      log.info('calls re-synced after ARI connect', { ...report });
    }
    return report;
  }


  /**
   * An open row no live call of this process owns: re-adopted when its channels are still talking,
   * else ended with `reason` (its device and customer side hung up, its agent freed).
   */
  private async settleRow(
    row: CallRecord,
    alive: Map<string, AriChannel>,
    report: RecoveryReport,
    consultsCancelled: Set<string>,
    reason: string,
  ): Promise<void> {
    // Only a restart cancels a consult the old process ran; live, the parent's transfer is this
    // process's own (the part is just ended below).
    if (reason === 'daemon-restart' && row.kind === 'transfer' && row.parentId) {
      // A transfer in progress cannot be resumed: cancel it (the parent goes on if it can).
      this.core.adopt(row);
      if (row.agentExt && row.answeredAt !== null) {
        // The target only consulted (never had the customer): no wrap-up, as for any cancel.
        this.core.deps.agents.callConnected(row.agentExt, { callId: row.id, queue: row.queue ?? undefined, direction: row.direction, part: 'consult' });
      }
      await this.core.end(row.id, 'transfer-cancelled', { data: { reason: `consult cancelled by daemon restart`, state: row.state } });
      this.core.record(row.parentId, 'transfer-cancelled', { child: row.id, reason: `consult cancelled by daemon restart` });
      consultsCancelled.add(row.parentId);
      report.ended.push(row.id);
    } else if (this.rowClaimer?.(row, alive)) {
      report.adopted.push(row.id);
    } else if (this.canAdopt(row, alive)) {
      this.adopt(row);
      report.adopted.push(row.id);
    } else {
      this.core.adopt(row);
      // A queue member leg the new daemon hangs up: app_queue's no-answer for it is not the agent's.
      if (row.kind === 'inbound' && row.agentExt && row.linkedid && row.answeredAt === null) {
        this.core.deps.agents.callRejected?.(row.agentExt, { linkedid: row.linkedid, reason, callId: row.id });
      }
      await this.core.end(row.id, reason, { data: { state: row.state } });
      report.ended.push(row.id);
    }
  }

  /**
   * Rows were adopted from a snapshot taken before: a side that hung up in between sent its
   * StasisEnd while no call owned it, so nobody ended the call (the fault bench's kill -9 left two
   * parts connected for good, customers gone, their stand-ins in the queue). Now that the calls are
   * ours, later events find them; what vanished before this second look is ended here.
   */
  private async recheckAdopted(report: RecoveryReport): Promise<void> {
    const alive = new Set((await this.core.deps.ari.channels.list()).map((c) => c.id));
    for (const id of report.adopted) {
      const call = this.core.get(id);
      if (!call || call.state === 'ended') continue;
      const gone =
        call.customerChannelId && !alive.has(call.customerChannelId) ? 'customer' : call.agentChannelId && !alive.has(call.agentChannelId) ? 'agent' : undefined;
      if (gone) {
        await this.sideGone(call, gone, 'gone while the call was being adopted');
        report.ended.push(call.id);
      }
    }
  }

  /** A side of a call vanished unseen: end the call as that side's hang-up would (the customer's first). */
  private async sideGone(call: CallRecord, side: 'customer' | 'agent', reason: string): Promise<void> {
    if (side === 'customer') await this.hangups.customerGone(call.id, reason);
    else if (!this.originations.onGone(call.agentChannelId!, reason)) await this.hangups.agentHungUp(call.id, reason);
  }

  /** Empty bridges of ours owned by nothing at the previous sweep (two strikes before destroying). */
  private emptyAtLastSweep = new Set<string>();

  /**
   * Periodic, while ARI is up: destroys our bridges that are empty and owned by no call or feature
   * at two sweeps in a row (a destroy that failed while Asterisk was unreachable left them; the fault
   * bench found 10 after a half-open link), and forgets started channel ids that are gone (the set
   * would otherwise grow with every call until the next reconnect). Channels are left to the
   * reconnect recovery: an unowned channel may be a feature's, an empty unowned bridge is nobody's.
   */
  async sweep(): Promise<string[]> {
    const { ari, log } = this.core.deps;
    const [app, list] = await Promise.all([ari.applications.get(ari.app), ari.bridges.list()]);
    const alive = new Set(app.channel_ids);
    for (const id of this.startedSinceConnect) if (!alive.has(id)) this.startedSinceConnect.delete(id);
    const owned = new Set<string>();
    for (const c of this.core.list()) for (const b of [c.bridgeId, c.holdBridgeId]) if (b) owned.add(b);
    const ours = new Set(app.bridge_ids);
    const empty = new Set(
      list
        .filter((b) => ours.has(b.id) && b.channels.length === 0 && !owned.has(b.id) && !this.bridgeClaimers.some((f) => f(b.id, b)))
        .map((b) => b.id),
    );
    const destroyed: string[] = [];
    for (const id of empty) {
      if (!this.emptyAtLastSweep.has(id)) continue;
      log.info('destroying an empty bridge no call owns', { bridge: id });
      await ignoreGone(ari.bridges.destroy(id), log, 'destroy orphan bridge');
      destroyed.push(id);
    }
    this.emptyAtLastSweep = new Set([...empty].filter((id) => !destroyed.includes(id)));
    await this.settleUnownedRows();
    return destroyed;
  }

  /** Open rows owned by no live call at the previous sweep (two strikes before settling them). */
  private unownedAtLastSweep = new Set<string>();
  /** Rows settled by the sweep since start (health, tests). */
  readonly rowsSettled: string[] = [];

  /**
   * A part whose row is open while no live call of this process owns it (and no end write of its is
   * pending) lost a write: a commit that failed with a full disk or an I/O error may still have
   * reached the WAL (SQLite appends the frames, then fails to index them), so the daemon dropped a
   * call it believed unwritten and the row stayed open until the next start's recovery. Settled
   * here like that recovery would, once the row is seen unowned twice in a row, reason
   * `end-not-recorded`.
   */
  private async settleUnownedRows(): Promise<void> {
    const { ari } = this.core.deps;
    const unowned = this.core.deps.repo.open().filter((r) => !this.core.get(r.id) && !this.core.endPending(r.id));
    const due = unowned.filter((r) => this.unownedAtLastSweep.has(r.id));
    this.unownedAtLastSweep = new Set(unowned.filter((r) => !due.includes(r)).map((r) => r.id));
    if (due.length === 0) return;
    const alive = new Map((await ari.channels.list()).map((c) => [c.id, c]));
    const report: RecoveryReport = { adopted: [], ended: [], orphanChannels: [], orphanBridges: [] };
    for (const row of due) {
      // Re-read: the row may have been written or adopted while ARI answered.
      const now = this.core.deps.repo.get(row.id);
      if (!now || now.endedAt !== null || this.core.get(row.id) || this.core.endPending(row.id)) continue;
      this.core.deps.log.warn('open call part owned by no live call: settling it', { callId: row.id, state: now.state });
      this.rowsSettled.push(row.id);
      await this.settleRow(now, alive, report, new Set(), 'end-not-recorded');
    }
  }

  private async orphanCandidates(): Promise<{ channels: Set<string>; bridges: Set<string> }> {
    const { ari } = this.core.deps;
    const [app, list] = await Promise.all([ari.applications.get(ari.app), ari.channels.list()]);
    const alive = new Map(list.map((c) => [c.id, c]));
    const owned = new Set<string>();
    const ownedBridges = new Set<string>();
    for (const c of this.core.list()) {
      for (const ch of [c.customerChannelId, c.agentChannelId]) if (ch) owned.add(ch).add(`${ch}-2`);
      for (const b of [c.bridgeId, c.holdBridgeId]) if (b) ownedBridges.add(b);
    }
    const mine = (id: string) => owned.has(id) || this.startedSinceConnect.has(id) || this.originations.has(id);
    const channels = new Set<string>();
    for (const id of app.channel_ids) {
      if (mine(id) || (id.endsWith('-2') && mine(id.slice(0, -2)))) continue;
      const ch = alive.get(id);
      if (ch && this.channelClaimers.some((f) => f(ch))) continue;
      channels.add(id);
    }
    const bridges = new Set<string>();
    for (const id of app.bridge_ids) if (!ownedBridges.has(id) && !this.bridgeClaimers.some((f) => f(id))) bridges.add(id);
    return { channels, bridges };
  }

  /**
   * A consult put the customer alone in a holding bridge with MOH; the consult is gone with the
   * restart, so the customer goes back into the call bridge with the first agent.
   */
  private async returnFromConsult(callId: string): Promise<void> {
    const { ari, log } = this.core.deps;
    const call = this.core.get(callId);
    if (!call || call.state !== 'on-hold' || !call.customerChannelId || !call.bridgeId) return;
    try {
      await ari.bridges.addChannel(call.bridgeId, [call.customerChannelId]);
      if (call.holdBridgeId) await ignoreGone(ari.bridges.destroy(call.holdBridgeId), log, 'destroy holding bridge');
      this.core.transition(call, 'unhold', { holdBridgeId: null });
      this.core.record(call.id, 'unhold', { by: 'daemon-restart' });
    } catch (err) {
      // Left on hold: the agent (or a supervisor) can still unhold or hang up through the API.
      log.error('recovery: cannot return the customer from the consult', { callId, err: (err as Error).message });
    }
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
    if (isDaemonDialled(call.kind)) {
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
