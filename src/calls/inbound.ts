/**
 * Inbound calls: app_queue member legs and calls a dialplan hands straight to Stasis.
 *
 * Stasis arguments (app name from config.asterisk.ari.app, "callcenter" by default):
 *   Stasis(callcenter,agent-leg,<ext>,<linkedid>)   queue member leg Local/<ext>@cc-agent/n ;2.
 *       <linkedid> is the customer's linkedid (= AgentCalled Linkedid), used to find the queue.
 *   Stasis(callcenter,inbound,queue,<queue>[,<context>[,<linkedid>]])   direct entry routed to a queue:
 *       blocked callers are rejected; the others wait through a stand-in (stand-ins.ts,
 *       asterisk.queue_topology = stand-in) or continue in dialplan at <context>,<queue>,1
 *       (member-leg; <context> defaults to "queues"). <linkedid> = ${CHANNEL(linkedid)}: without it
 *       the stand-in asks Asterisk (ARI's channel JSON does not carry it).
 *   Stasis(callcenter,inbound,agent,<ext>)   direct entry to one agent: the daemon rings the agent's
 *       device and bridges it with the caller (rejected when blocked, unknown or the agent is busy).
 *
 * Queue leg rules (DESIGN.md): the daemon rings the agent's device (explicit channel id); on answer
 * it answers the leg (call → bridging: answered) and bridges both (→ connected); leg StasisEnd while ringing = app_queue gave up → cancel the
 * device; device gone before answering → hang up the leg (app_queue moves on); agent hangs up →
 * hang up the leg unless an interceptor (survey) takes the customer.
 */
import type { AmiClient, AmiEvent } from '../ami/types';
import type { AriChannel, StasisStartEvent } from '../ari/types';
import type { Blocklist } from '../prank/blocklist';
import { formatCallerId } from '../util/caller-id';
import { ariAction, ignoreGone, newBridgeId } from './ari-util';
import type { CallCore } from './core';
import type { Hangups } from './hangups';
import type { StandIns } from './stand-ins';
import type { CallRecord } from './types';

interface QueueHint {
  queue: string;
  /** Customer's queue channel name (AgentCalled Channel): lets us reject a blocked caller via AMI. */
  channel: string;
  at: number;
  /** The AMI Hangup of the queued caller was sent (blocked caller). */
  hungUp?: boolean;
}

const HINT_TTL_MS = 10 * 60_000;
/** How long a queue leg whose call could not be recorded stays before it is refused (see onAgentLeg). */
export const UNRECORDED_LEG_REFUSE_MS = 1000;

/** Drops the entries older than HINT_TTL_MS from the front of a map kept in insertion = time order. */
export function expireOldest<V>(map: Map<string, V>, now: number, atOf: (v: V) => number): void {
  for (const [k, v] of map) {
    if (now - atOf(v) <= HINT_TTL_MS) return;
    map.delete(k);
  }
}

/** The call's state read afresh after an await (TypeScript keeps the narrowing from before it). */
const stateOf = (call: CallRecord): CallRecord['state'] => call.state;

export class InboundCalls {
  /** linkedid → queue facts from AMI AgentCalled (ARI's leg does not carry the queue name). */
  private readonly hints = new Map<string, QueueHint>();
  /** linkedids of queue calls rejected as blocked (app_queue may offer them again meanwhile). */
  private readonly rejected = new Map<string, number>();
  /**
   * linkedid → legs created before their AgentCalled (no queue known yet). Was a scan of every live
   * call per AgentCalled: at 300 calls/s and minutes of talk time that is tens of thousands.
   */
  private readonly awaitingQueue = new Map<string, { callIds: string[]; at: number }>();
  /**
   * linkedid → the call part of a queue transfer (src/transfers/dialplan-transfer.ts): the customer
   * re-enters a queue with the same linkedid, and the agent legs offered then are parts of the same
   * contact (parent = that part) in that queue.
   */
  private readonly reentries = new Map<string, { parentId: string; queue: string; at: number }>();

  constructor(
    private readonly core: CallCore,
    private readonly blocklist: Blocklist,
    private readonly ami: AmiClient | undefined,
    private readonly hangups: Hangups,
    /** Set when asterisk.queue_topology = stand-in (stand-ins.ts). */
    private readonly standIns?: StandIns,
  ) {}

  /** Subscribes to AMI AgentCalled; returns the unsubscribe function. */
  listenAmi(): () => void {
    if (!this.ami) return () => undefined;
    return this.ami.onEvent('AgentCalled', (e: AmiEvent) => this.onAgentCalled(e));
  }

  onAgentCalled(e: AmiEvent): void {
    const linkedid = e.Linkedid || e.DestLinkedid;
    if (!linkedid || !e.Queue) return;
    const now = this.core.deps.clock.now();
    const prev = this.hints.get(linkedid);
    // Delete + set keeps each map in `at` order, so expiry only looks at the oldest entries (a full
    // scan per event cost O(calls in the last 10 minutes)).
    this.hints.delete(linkedid);
    this.hints.set(linkedid, { queue: e.Queue, channel: e.Channel ?? '', at: now, hungUp: prev?.hungUp });
    expireOldest(this.hints, now, (h) => h.at);
    expireOldest(this.rejected, now, (at) => at);
    expireOldest(this.awaitingQueue, now, (w) => w.at);
    // The leg of a blocked caller may have arrived before this event: end the queued caller now.
    if (this.rejected.has(linkedid)) void this.hangupQueuedCaller(linkedid);
    // AMI and ARI are separate sockets: the leg may already be known; fill its queue in.
    const waiting = this.awaitingQueue.get(linkedid);
    if (waiting) {
      this.awaitingQueue.delete(linkedid);
      for (const id of waiting.callIds) {
        const c = this.core.get(id);
        if (c && !c.queue) this.core.update(c, { queue: e.Queue });
      }
    }
  }

  /** A queue transfer is about to put the customer of `linkedid` into `queue` (see `reentries`). */
  expectReentry(linkedid: string, r: { parentId: string; queue: string }): void {
    const now = this.core.deps.clock.now();
    this.reentries.delete(linkedid);
    this.reentries.set(linkedid, { ...r, at: now });
    expireOldest(this.reentries, now, (x) => x.at);
    // The hint of the first queue is stale now: a leg arriving before the new AgentCalled must not
    // be filed under the old queue.
    this.hints.delete(linkedid);
  }

  /** The queue transfer a customer of `linkedid` re-entered a queue by (native-parts.ts asks too). */
  reentryOf(linkedid: string): { parentId: string; queue: string } | undefined {
    return this.reentries.get(linkedid);
  }

  async onAgentLeg(ev: StasisStartEvent): Promise<void> {
    const [, ext, linkedid] = ev.args;
    const leg = ev.channel;
    const { log } = this.core.deps;
    const hint = linkedid ? this.hints.get(linkedid) : undefined;
    const reentry = linkedid ? this.reentries.get(linkedid) : undefined;
    const number = leg.caller?.number || null;

    if (this.blocklist.isBlocked(number ?? undefined)) {
      // Told before the hangup: app_queue's AgentRingNoAnswer for this leg is not the agent's miss.
      this.legRejected(ext, linkedid, 'blocked');
      const again = linkedid !== undefined && this.rejected.has(linkedid);
      if (linkedid) {
        this.rejected.delete(linkedid); // re-inserted last: the map stays in time order
        this.rejected.set(linkedid, this.core.deps.clock.now());
      }
      if (again) {
        // Same queue call offered again before the caller was gone: no second history row.
        await ignoreGone(this.core.deps.ari.channels.hangup(leg.id, 'rejected'), log, 'reject blocked caller');
      } else {
        await this.rejectBlocked(leg, { queue: hint?.queue ?? null, linkedid: linkedid ?? null });
      }
      if (linkedid) await this.hangupQueuedCaller(linkedid);
      return;
    }
    let call: CallRecord;
    try {
      call = this.core.create({
        kind: 'inbound',
        direction: 'inbound',
        state: 'ringing-agent',
        parentId: reentry?.parentId ?? null,
        queue: hint?.queue ?? reentry?.queue ?? null,
        agentExt: ext ?? null,
        customerNumber: number,
        customerChannelId: leg.id,
        linkedid: linkedid ?? null,
      });
    } catch (err) {
      // Not recorded (full disk, locked database): refuse the leg, not the agent's miss (was left
      // ringing nothing until app_queue's member timeout, each one a no-answer strike). After a
      // pause: refused at once, app_queue offered the next member straight away, ~100 legs/s in
      // the fault bench's 5-s full disk.
      log.error('queue leg refused: the call could not be recorded', { agent: ext, linkedid, err: (err as Error).message });
      this.legRejected(ext, linkedid, 'not-recorded');
      await new Promise<void>((resolve) => this.core.deps.clock.setTimeout(resolve, UNRECORDED_LEG_REFUSE_MS));
      await ignoreGone(this.core.deps.ari.channels.hangup(leg.id, 'congestion'), log, 'refuse an unrecorded queue leg');
      return;
    }
    const standIn = this.standIns?.waitingFor(linkedid);
    if (standIn) this.standIns!.offered(standIn, leg.id);
    if (!call.queue && linkedid) {
      const w = this.awaitingQueue.get(linkedid);
      if (w) w.callIds.push(call.id);
      else this.awaitingQueue.set(linkedid, { callIds: [call.id], at: this.core.deps.clock.now() });
    }
    await this.connectAgent(call, leg);
  }

  async onDirect(ev: StasisStartEvent): Promise<void> {
    const [, target, value, context, linkedid] = ev.args;
    const ch = ev.channel;
    const { ari, log } = this.core.deps;
    const number = ch.caller?.number || null;
    if (this.blocklist.isBlocked(number ?? undefined)) {
      await this.rejectBlocked(ch, { queue: target === 'queue' ? (value ?? null) : null, linkedid: null });
      return;
    }
    if (target === 'queue' && value && this.standIns) {
      // Stand-in topology: the customer stays here; a stand-in waits in the queue for it.
      await this.standIns.enter(ch, value, context || 'queues', linkedid || undefined);
      return;
    }
    if (target === 'queue' && value) {
      // app_queue takes it from here; the member leg comes back as agent-leg.
      await ari.channels
        .continueInDialplan(ch.id, { context: context || 'queues', extension: value, priority: 1 })
        .catch(async (err: Error) => {
          log.error('cannot route inbound call to queue', { queue: value, err: err.message });
          await ignoreGone(ari.channels.hangup(ch.id, 'congestion'), log, 'hang up unroutable call');
        });
      return;
    }
    if (target === 'agent' && value) {
      const busy = this.core.byAgent(value).length > 0;
      const call = this.core.create({
        kind: 'inbound',
        direction: 'inbound',
        state: 'ringing-agent',
        agentExt: busy ? null : value,
        customerNumber: number,
        customerChannelId: ch.id,
      });
      if (busy) {
        await this.core.end(call.id, 'agent-busy', { data: { agent: value } });
        return;
      }
      await this.connectAgent(call, ch);
      return;
    }
    log.warn('inbound Stasis call with unknown arguments: hanging up', { args: ev.args, channel: ch.name });
    await ignoreGone(ari.channels.hangup(ch.id, 'unallocated'), log, 'hang up unroutable call');
  }

  /** Rings the agent's device for a customer side already in Stasis, bridges both on answer. */
  private async connectAgent(call: CallRecord, customer: AriChannel): Promise<void> {
    const { ari, log, agents } = this.core.deps;
    const presence = call.agentExt ? agents.presence(call.agentExt) : undefined;
    if (!presence?.device) {
      this.legRejected(call.agentExt, call.linkedid, 'agent-unavailable', call.id);
      await this.core.end(call.id, 'agent-unavailable');
      return;
    }
    // Ringback for the caller. A stand-in's member leg is skipped: its ringing would only reach the
    // stand-in (Queue(<q>,r)), which nobody hears; the customer has its music (one request less).
    if (!this.standIns?.ownerOfLeg(customer.id)) await ignoreGone(ari.channels.ring(customer.id), log, 'indicate ringing');
    // The caller id was sanitised when the channel entered Stasis (router); this only builds the string.
    const display = formatCallerId(customer.caller?.name, customer.caller?.number);
    // Whether the device reached Ringing: a device that never rang (busy, unreachable) is not a miss.
    let rang = false;
    try {
      const deviceId = await this.core.deps.originations.originate({
        endpoint: presence.device,
        callId: call.id,
        role: 'agent',
        callerId: display,
        timeoutSec: 60,
        originator: customer.id,
        handlers: {
          onRinging: () => {
            rang = true;
          },
          onAnswer: (dev) => void this.bridgeAnswered(call.id, dev.id),
          onFail: (reason) => {
            if (!rang) this.legRejected(call.agentExt, call.linkedid, 'device-not-reached', call.id);
            void this.core.end(call.id, 'agent-no-answer', { data: { cause: reason, rang } });
          },
          onHangup: (reason) => void this.hangups.agentHungUp(call.id, reason),
        },
      });
      if (call.state === 'ended') await this.core.deps.originations.cancel(deviceId);
      else this.core.update(call, { agentChannelId: deviceId });
    } catch (err) {
      log.error('cannot originate agent device', { callId: call.id, err: (err as Error).message });
      this.legRejected(call.agentExt, call.linkedid, 'agent-device-failed', call.id);
      await this.core.end(call.id, 'agent-device-failed', { data: { error: (err as Error).message } });
    }
  }

  private async bridgeAnswered(callId: string, deviceId: string): Promise<void> {
    const call = this.core.get(callId);
    const { ari, originations, log } = this.core.deps;
    if (!call || call.state !== 'ringing-agent' || !call.customerChannelId) {
      await originations.cancel(deviceId); // the customer left while the device was answering
      return;
    }
    try {
      if (!call.agentChannelId) this.core.update(call, { agentChannelId: deviceId });
      const legId = call.customerChannelId;
      const taken = this.standIns?.ownerOfLeg(legId) ? await this.standIns.takeCustomer(call, legId) : undefined;
      if (this.standIns?.ownerOfLeg(legId) && !taken) {
        await this.core.end(callId, 'answered-elsewhere'); // another agent took the customer first
        return;
      }
      if (stateOf(call) === 'ended') {
        if (taken) await this.standIns!.release(taken);
        return;
      }
      this.core.takers.mark(call);
      await ariAction(ari.channels.answer(legId), 'answer the customer side');
      if (call.state !== 'ringing-agent') return; // ended meanwhile: end() cleaned up
      // Both sides answered: from now on the call counts as answered, also if the customer leaves
      // before the bridge is up (under load that window is long; such calls were recorded as
      // not-answered). The bridge id is stored with that move, before the bridge exists, so an
      // end() from here on destroys it (a 404 if it is not created yet is ignored; see below).
      const bridgeId = newBridgeId(call.id, 'br');
      this.core.transition(call, 'leg-answered', { bridgeId });
      await ariAction(
        ari.bridges.create({ bridgeId, type: 'mixing', name: `agent-${call.agentExt}` }),
        'create the call bridge',
      );
      if (stateOf(call) === 'ended') {
        // end() ran while the bridge was being created: its destroy came too early.
        await ignoreGone(ari.bridges.destroy(bridgeId), log, 'destroy the bridge of an ended call');
        return;
      }
      let customerSide = legId;
      if (taken) {
        // Stand-in topology: the answered leg stays with app_queue; the customer itself is bridged
        // with the device and is the call's customer side from now on.
        this.core.update(call, { customerChannelId: taken.customerId });
        customerSide = taken.customerId;
      }
      await ariAction(ari.bridges.addChannel(bridgeId, [customerSide, deviceId]), 'bridge the call');
      if (stateOf(call) === 'bridging') this.core.transition(call, 'bridged');
    } catch (err) {
      if (stateOf(call) === 'ended') return; // a side left meanwhile: a failed request is expected, end() ran
      log.error('cannot bridge answered call', { callId, err: (err as Error).message });
      await this.core.end(callId, 'bridge-failed', { data: { error: (err as Error).message } });
    }
  }

  /**
   * The daemon ends an app_queue member leg for its own reasons: tell the agents domain so the
   * AgentRingNoAnswer that follows is not counted as the agent's miss. Direct calls (no linkedid)
   * have no app_queue member, hence nothing to tell.
   */
  private legRejected(ext: string | null | undefined, linkedid: string | null | undefined, reason: string, callId?: string): void {
    if (!ext || !linkedid) return;
    this.core.deps.agents.callRejected?.(ext, { linkedid, reason, callId });
  }

  /** The blocked caller still waits in the queue behind the Local pair: hang it up through AMI. */
  private async hangupQueuedCaller(linkedid: string): Promise<void> {
    const hint = this.hints.get(linkedid);
    if (!hint?.channel || hint.hungUp || !this.ami) return;
    hint.hungUp = true;
    await this.ami.action('Hangup', { Channel: hint.channel, Cause: 21 }).catch((err: Error) =>
      this.core.deps.log.warn('could not hang up blocked queue caller', { err: err.message }),
    );
  }

  private async rejectBlocked(ch: AriChannel, f: { queue: string | null; linkedid: string | null }): Promise<void> {
    await recordBlocked(this.core, this.blocklist, ch.caller?.number, f);
    await ignoreGone(this.core.deps.ari.channels.hangup(ch.id, 'rejected'), this.core.deps.log, 'reject blocked caller');
  }
}

/** The history row of a blocked caller (an ended part, reason `blocked`); the caller's channel is the caller's to hang up. */
export async function recordBlocked(
  core: CallCore,
  blocklist: Blocklist,
  number: string | undefined,
  f: { queue: string | null; linkedid: string | null },
): Promise<void> {
  const call = core.create({
    kind: 'inbound',
    direction: 'inbound',
    state: 'ringing-agent',
    queue: f.queue,
    customerNumber: number || null,
    linkedid: f.linkedid,
  });
  core.record(call.id, 'blocked', { number, until: blocklist.active(number)?.expiresAt ?? null });
  await core.end(call.id, 'blocked');
}
