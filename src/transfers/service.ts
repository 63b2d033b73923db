/**
 * Transfers to an agent, an agent group or an external number (attended, or blind = completes
 * itself on answer), and the entry point that sends services (3 digits) and queues (`queue:<name>`)
 * to the blind transfer into the dialplan (./dialplan-transfer.ts).
 *
 * Attended (DESIGN.md, validated on Asterisk 22): the target rings while the agent stays with the
 * customer; on answer the customer goes alone into a holding bridge with MOH and the target joins
 * the agent's bridge to consult. Complete = the customer side moves back into that bridge, now
 * owned by the child call part, and the first agent's device is hung up. Cancel (or the target
 * hangs up) = target hung up, customer moved back to the first agent.
 *
 * Group (`group:<name>`): the members available now are rung by the group's strategy
 * (./group-ringer.ts, one call part each); the first to answer is the target from then on, exactly
 * as an agent target. Nobody available at request time: 409, nothing changes. Nobody answers: the
 * transfer fails with reason 'no answer' and the call goes on with the first agent.
 */
import { AgentGroupCatalogue } from '../agents/groups';
import type { AriChannel } from '../ari/types';
import { isDncRefusal } from '../dnc/guard';
import type { ReshapeOptions } from '../calls/core';
import type { CallService } from '../calls/service';
import type { CallActivity } from '../calls/state-machine';
import type { CallRecord } from '../calls/types';
import type { Config } from '../config/schema';
import type { Logger } from '../log/logger';
import type { Db } from '../store/db';
import { formatCallerId } from '../util/caller-id';
import type { Clock } from '../util/clock';
import { CcError, invalid, notFound, refused, unavailable } from '../util/errors';
import type { DialplanTransfer } from './dialplan-transfer';
import type { GroupRinger } from './group-ringer';
import { newGroupTransfer } from './group-transfer';
import {
  describeTarget,
  isFinal,
  newTransfer,
  nextTransferState,
  parseTarget,
  type DialplanTarget,
  type Transfer,
  type TransferEvent,
  type TransferKind,
  type TransferTarget,
  transferEvent,
} from './model';
import { assertBridged, assertDialplanTarget, assertTargetAgentFree } from './targets';

export interface TransferDeps {
  control: CallService;
  dialplan: DialplanTransfer;
  /** The catalogue: queues (queue targets must exist) and agent groups. */
  db: Db;
  config: Config;
  clock: Clock;
  log: Logger;
  /** Seconds the target may ring (Asterisk cancels the originate after it); a group may set its own. */
  ringTimeoutSec?: number;
  /** Random source of the 'random' group strategy (tests make it predictable). */
  random?: () => number;
}

type RingTarget = Extract<TransferTarget, { type: 'agent' | 'external' }>;

export interface StartRequest {
  target: string;
  kind?: TransferKind;
  ddi?: string;
  by?: string;
}

export class TransferService {
  /** Transfers by parent call id: live ones, and the last finished one (for its outcome). */
  private readonly transfers = new Map<string, Transfer>();
  /** Group transfers still ringing members, by parent call id. */
  private readonly ringers = new Map<string, GroupRinger>();
  private readonly groups: AgentGroupCatalogue;

  constructor(private readonly deps: TransferDeps) {
    this.groups = new AgentGroupCatalogue({ db: deps.db, clock: deps.clock });
  }

  install(): void {
    const { control } = this.deps;
    // The calls core's guard refuses hold/unhold/conference/room/a second transfer meanwhile.
    control.registerActivity((id) => this.activityOf(id));
    // The first agent hanging up during the consultation completes the transfer (as on a desk phone).
    control.onAgentHangup((call) => this.onParentAgentHangup(call));
    // Parent ended any other way (customer gone, hangup, timeout): nobody is left to transfer.
    control.onCallEnded((call) => this.onParentEnded(call));
  }

  get(callId: string): Transfer | undefined {
    return this.transfers.get(callId);
  }

  /** True while a transfer of this call is ringing or consulting. */
  isActive(callId: string): boolean {
    const t = this.transfers.get(callId);
    return !!t && !isFinal(t.state);
  }

  /**
   * The call activity (state-machine.ts) of a call part: the transferred call while the target
   * rings or consults, and the target's own part during the consultation (it has no customer yet).
   */
  activityOf(callId: string): CallActivity | undefined {
    const own = this.transfers.get(callId);
    if (own && !isFinal(own.state)) return own.state === 'ringing' ? 'transfer-ringing' : 'consulting';
    for (const t of this.transfers.values()) if (t.childId === callId && t.state === 'consulting') return 'consulting';
    return undefined;
  }

  /**
   * Services answer `{ service, childId }` (as they always did); a queue transfer answers its
   * Transfer, already completed; the others a Transfer that is ringing.
   */
  async start(callId: string, req: StartRequest): Promise<Transfer | { service: string; childId: string }> {
    const { control, config } = this.deps;
    const call = control.require(callId);
    const target = parseTarget(req.target, req.ddi, config);
    if (target.type === 'service' || target.type === 'queue') assertDialplanTarget(this.deps.db, target, req.kind);
    // An external target is a call to that number: the do-not-call list of the call's queue applies.
    // The refusal is also kept in the call's own events, so `call show` tells what was tried.
    if (target.type === 'external') {
      const { full } = target.number;
      try {
        control.dnc.assertCallable({ number: full, queue: call.queue, action: 'transfer', agent: call.agentExt, by: req.by, callId: call.id });
      } catch (err) {
        if (isDncRefusal(err)) {
          control.record(call.id, 'transfer-refused', { to: describeTarget(target), by: req.by, reason: (err as Error).message });
        }
        throw err;
      }
    }
    // Into the dialplan: an AMI BlindTransfer, which app_queue's own bridge allows (no takeover of a native call).
    const intoDialplan = target.type === 'service' || target.type === 'queue';
    return this.exclusive<Transfer | { service: string; childId: string }>(callId, async () => {
      // A second transfer, or one while the call is in a conference or a room: refused (409).
      control.guard(call, 'transfer');
      if (target.type === 'service') {
        const r = await this.intoDialplan(call, target, req.by);
        return { service: target.ext, childId: r.childId };
      }
      if (target.type === 'queue') return this.intoDialplan(call, target, req.by);
      if (target.type === 'group') return this.startGroup(call, target.group, req.kind ?? 'attended', req.by);
      return this.startConsult(call, target, req.kind ?? 'attended', req.by);
    }, { leaveToAppQueue: intoDialplan });
  }

  async complete(callId: string, by?: string): Promise<Transfer> {
    return this.exclusive(callId, async () => {
      const t = this.requireActive(callId);
      nextTransferState(t.state, 'complete'); // refuses before anything changes
      await this.doComplete(t, by);
      return t;
    });
  }

  async cancel(callId: string, by?: string): Promise<Transfer> {
    return this.exclusive(callId, async () => {
      const t = this.requireActive(callId);
      nextTransferState(t.state, 'cancel');
      await this.doCancel(t, 'cancelled', by);
      return t;
    });
  }

  // ---- flows ----

  private async startConsult(call: CallRecord, target: RingTarget, kind: TransferKind, by?: string): Promise<Transfer> {
    const { control, clock, config } = this.deps;
    assertBridged(call);
    if (target.type === 'agent') assertTargetAgentFree(control, call, target.ext);

    const child = control.createChildCall(call.id, 'transfer', {
      direction: call.direction,
      state: 'ringing-agent',
      queue: call.queue,
      agentExt: target.type === 'agent' ? target.ext : null,
      customerNumber: call.customerNumber,
      callerId: call.callerId,
      linkedid: call.linkedid,
    });
    const t = newTransfer(call, { childId: child.id, kind, target, now: clock.now() });
    this.prune();
    this.transfers.set(call.id, t);
    this.publish(t, null);
    control.record(call.id, 'transfer', { to: describeTarget(target), kind, targetType: target.type, child: child.id, by });
    control.record(child.id, 'transfer-from', { parent: call.id, from: call.agentExt, kind });

    const handlers = {
      onAnswer: (ch: AriChannel) => void this.targetAnswered(t, ch.id),
      onFail: (reason: string) => void this.targetFailed(t, `${describeTarget(target)} did not answer (${reason})`),
      onHangup: (reason: string) => void this.targetHungUp(t, reason),
    };
    const display = formatCallerId(`Transfer ${call.customerNumber ?? ''}`, call.customerNumber);
    const timeoutSec = this.deps.ringTimeoutSec ?? 30;
    // The target ends up with the customer: request it with the customer's formats (no resampling).
    const originator = call.customerChannelId ?? undefined;
    try {
      const channelId =
        target.type === 'agent'
          ? await control.originateAgentDevice(target.ext, { callId: child.id, callerId: display, timeoutSec, originator, ...handlers })
          : await control.originations.originate({
              endpoint: target.dialString,
              callId: child.id,
              role: 'external',
              callerId: call.callerId ?? (config.policy.caller_id || undefined),
              timeoutSec,
              originator,
              handlers,
            });
      t.targetChannelId = channelId;
      if (t.state === 'ringing') control.updateCall(child.id, { agentChannelId: channelId });
    } catch (err) {
      const reason = `cannot ring ${describeTarget(target)}: ${(err as Error).message}`;
      await this.targetFailed(t, reason);
      throw err instanceof CcError ? err : unavailable(reason);
    }
    return t;
  }

  /** Service or queue: the customer leaves at once; the outcome is kept for GET like any transfer. */
  private async intoDialplan(call: CallRecord, target: DialplanTarget, by?: string): Promise<Transfer> {
    const t = await this.deps.dialplan.transfer(call, target, by);
    this.prune();
    this.transfers.set(call.id, t);
    return t;
  }

  private async startGroup(call: CallRecord, name: string, kind: TransferKind, by?: string): Promise<Transfer> {
    const { control, clock, log } = this.deps;
    assertBridged(call);
    const group = this.groups.get(name);
    if (!group) throw notFound(`agent group ${name} does not exist`, { group: name });
    const deps = { control, log, now: clock.now(), ringTimeoutSec: this.deps.ringTimeoutSec ?? 30, random: this.deps.random ?? Math.random };
    const { t, ringer } = newGroupTransfer(deps, call, group, kind, (t) => ({
      answered: (childId, channelId) => {
        t.childId = childId;
        void this.targetAnswered(t, channelId);
      },
      exhausted: () => void this.targetFailed(t, 'no answer'),
      hungUp: (reason) => void this.targetHungUp(t, reason),
    }));
    this.prune();
    this.transfers.set(call.id, t);
    this.ringers.set(call.id, ringer);
    t.childId = ringer.prepare()[0];
    this.publish(t, null);
    const ringing = [...t.group!.ringing];
    control.record(call.id, 'transfer', { to: describeTarget(t.target), kind, targetType: 'group', group: name, strategy: group.strategy, ringing, by });
    await ringer.run();
    return t;
  }

  private async targetAnswered(t: Transfer, channelId: string): Promise<void> {
    const { control, log } = this.deps;
    const parent = control.get(t.parentId);
    if (t.state !== 'ringing' || !parent || !parent.bridgeId || !parent.customerChannelId) {
      await control.originations.cancel(channelId);
      return;
    }
    t.targetChannelId = channelId;
    try {
      if (t.kind === 'blind') {
        this.move(t, 'answered-blind');
        await this.handOver(t, parent, channelId, 'transferred');
        return;
      }
      if (parent.state === 'connected') {
        const hold = await control.moveToHoldingBridge(parent.customerChannelId, { owner: parent.id });
        control.core.transition(parent, 'hold', { holdBridgeId: hold });
        t.heldByUs = true;
      }
      await control.core.deps.ari.bridges.addChannel(parent.bridgeId, [channelId]);
      const child = control.get(t.childId);
      if (child && child.state === 'ringing-agent') control.core.transition(child, 'agent-answered');
      this.move(t, 'answered');
      control.record(t.parentId, 'transfer-consult', { child: t.childId });
    } catch (err) {
      log.error('transfer: cannot connect the answered target', { callId: t.parentId, err: (err as Error).message });
      await this.doCancel(t, `cannot connect ${describeTarget(t.target)}: ${(err as Error).message}`);
    }
  }

  private async targetFailed(t: Transfer, reason: string): Promise<void> {
    if (t.state !== 'ringing') return;
    this.finish(t, 'fail', reason);
    await this.deps.control.endCall(t.childId, 'not-answered', { data: { reason } });
    const tried = t.group ? { group: t.group.name, tried: [...t.group.tried] } : {};
    this.deps.control.record(t.parentId, 'transfer-failed', { child: t.childId, reason, ...tried });
  }

  private async targetHungUp(t: Transfer, reason: string): Promise<void> {
    const { control } = this.deps;
    if (t.state === 'completed') {
      // After completion the target's device is the child call's agent side.
      await control.hangups.agentHungUp(t.childId, reason);
    } else if (t.state === 'consulting') {
      await this.doCancel(t, `${describeTarget(t.target)} hung up`);
    } else if (t.state === 'ringing') {
      await this.targetFailed(t, `${describeTarget(t.target)} hung up`);
    }
  }

  private async doComplete(t: Transfer, by?: string): Promise<void> {
    const { control } = this.deps;
    const parent = control.require(t.parentId);
    if (!parent.customerChannelId || !parent.bridgeId || !t.targetChannelId) {
      throw refused(`call ${parent.id} has nothing left to transfer`);
    }
    this.move(t, 'complete');
    await this.handOver(t, parent, t.targetChannelId, 'transferred', by);
  }

  /**
   * Customer side and bridge become the child's; the first agent's device is hung up; the customer
   * goes (back) into the bridge with the target. The child is indexed before the parent ends, so
   * a hangup in between already reaches the right call part.
   */
  private async handOver(t: Transfer, parent: CallRecord, targetChannelId: string, reason: string, by?: string): Promise<void> {
    const { control } = this.deps;
    const leg = parent.customerChannelId!;
    const bridge = parent.bridgeId!;
    const hold = parent.holdBridgeId;
    const child = control.require(t.childId);
    // Parent first: updating a call re-indexes its channels, the child must be indexed last.
    control.updateCall(parent.id, { holdBridgeId: null, bridgeId: null });
    control.updateCall(child.id, { customerChannelId: leg, bridgeId: bridge, agentChannelId: targetChannelId });
    if (child.state === 'ringing-agent') control.core.transition(child, 'agent-answered');
    // The target now handles the customer: a call taken for it (its consult alone was not one).
    if (child.agentExt) control.core.deps.agents.callTaken?.(child.agentExt, { callId: child.id, queue: child.queue ?? undefined });
    t.endedAt = this.deps.clock.now();
    control.record(parent.id, 'transfer-complete', { child: child.id, to: describeTarget(t.target), by });
    // Blind: the target joins the customer before the first agent leaves (no silence in between).
    if (!hold) await control.core.deps.ari.bridges.addChannel(bridge, [targetChannelId]);
    await control.endCall(parent.id, reason, { keepCustomer: true, data: { child: child.id } });
    if (hold) await control.returnToBridge(leg, bridge, hold);
  }

  private async doCancel(t: Transfer, reason: string, by?: string): Promise<void> {
    const { control, log } = this.deps;
    const wasHeld = t.heldByUs;
    const ringer = this.ringers.get(t.parentId);
    this.finish(t, 'cancel', reason);
    await ringer?.cancel(reason);
    await control.endCall(t.childId, 'transfer-cancelled', { data: { reason, by } });
    if (t.targetChannelId) await control.originations.cancel(t.targetChannelId);
    const parent = control.get(t.parentId);
    control.record(t.parentId, 'transfer-cancelled', { child: t.childId, reason, by });
    if (!parent || !wasHeld || parent.state !== 'on-hold' || !parent.customerChannelId || !parent.bridgeId) return;
    try {
      await control.returnToBridge(parent.customerChannelId, parent.bridgeId, parent.holdBridgeId);
      control.core.transition(parent, 'unhold', { holdBridgeId: null });
    } catch (err) {
      log.error('transfer cancel: cannot return the customer', { callId: parent.id, err: (err as Error).message });
    }
  }

  // ---- interceptors ----

  private async onParentAgentHangup(call: CallRecord): Promise<boolean> {
    const t = this.transfers.get(call.id);
    if (!t || isFinal(t.state)) return false;
    if (t.state === 'consulting') {
      await this.doComplete(t, 'agent-hangup');
      return true;
    }
    await this.doCancel(t, 'the transferring agent hung up');
    return false; // default handling (survey or hang up the customer)
  }

  private onParentEnded(call: CallRecord): void {
    const t = this.transfers.get(call.id);
    if (!t || isFinal(t.state)) return;
    void this.doCancel(t, `call ended (${call.endReason ?? 'ended'})`);
  }

  // ---- helpers ----

  /** Every state change goes through here: validated by the table, then published (transfer.state). */
  private move(t: Transfer, event: TransferEvent, reason?: string): void {
    const previous = t.state;
    t.state = nextTransferState(previous, event);
    // A group rings no more once answered (the winner's handlers stay with its device) or over.
    if (t.state !== 'ringing') this.ringers.delete(t.parentId);
    if (reason !== undefined) {
      t.reason = reason;
      t.endedAt = this.deps.clock.now();
    }
    this.publish(t, previous);
  }

  private finish(t: Transfer, event: TransferEvent, reason: string): void {
    this.move(t, event, reason);
  }

  private publish(t: Transfer, previous: Transfer['state'] | null): void {
    this.deps.control.core.deps.bus.publish({ ...transferEvent(t, previous), at: this.deps.clock.now() });
  }

  /** Finished transfers are kept a while for their outcome (GET), then forgotten. */
  private prune(): void {
    const old = this.deps.clock.now() - 10 * 60_000;
    for (const [id, t] of this.transfers) if (isFinal(t.state) && (t.endedAt ?? t.startedAt) < old) this.transfers.delete(id);
  }

  private requireActive(callId: string): Transfer {
    this.deps.control.require(callId);
    const t = this.transfers.get(callId);
    if (!t || isFinal(t.state)) throw refused(`call ${callId} has no transfer in progress`, { call: callId });
    return t;
  }

  /** One request at a time per call, shared with hold/conference/room (CallCore.exclusive). */
  private exclusive<T>(callId: string, fn: () => Promise<T>, opts?: ReshapeOptions): Promise<T> {
    return this.deps.control.exclusive(callId, 'transfer', fn, opts);
  }
}
