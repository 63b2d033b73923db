/**
 * Blind transfers into the dialplan: a service (3 digits) runs at <ext>@asterisk.contexts.services,
 * a queue transfer (`queue:<name>`) puts the customer back in app_queue at <queue>@contexts.queues
 * (extensions.conf [cc-queues]: Queue(<name>)), where the queue's members are offered the call as
 * any other. The customer leaves the daemon's control at once; if the move fails the call ends
 * (it does not come back to the agent: the agent's part is already over).
 *
 * Which channel moves (validated on Asterisk 22.10.1, docs/CALL-TOPOLOGY.md):
 *  - native queue calls still bridged by app_queue: AMI `BlindTransfer` of the agent's device (the
 *    same mechanism: app_queue's bridge; no takeover first, core ReshapeOptions.leaveToAppQueue).
 *  - queue calls (member leg Local/<ext>@cc-agent ;2): AMI `BlindTransfer` of the member's ;1
 *    channel. The customer's own channel (the queue caller) runs the destination, app_queue sends
 *    AgentComplete Reason transfer at once, and the Local pair ends. For a queue transfer the
 *    customer's linkedid stays, so the next agent leg's Stasis arguments carry it.
 *  - other calls (outbound, callbacks, direct entries, and queue calls under the stand-in topology:
 *    the customer channel itself is in Stasis): ARI continueInDialplan of the customer channel. A
 *    stand-in call's member leg is hung up when the agent's part ends (app_queue: AgentComplete
 *    Reason agent, talk time up to the transfer).
 * A failure AFTER the customer left (e.g. a queue in the catalogue but missing from queues.conf:
 * [cc-queues] logs a warning and hangs up) is Asterisk's: the daemon no longer sees that customer.
 */
import type { AmiClient } from '../ami/types';
import type { CallService } from '../calls/service';
import { isTalking } from '../calls/state-machine';
import { isDaemonDialled, type CallRecord } from '../calls/types';
import type { Config } from '../config/schema';
import type { Logger } from '../log/logger';
import { refused, unavailable } from '../util/errors';
import { describeTarget, newTransfer, transferEvent, type DialplanTarget, type Transfer } from './model';

const MEMBER_LEG = /^(Local\/.+);2$/;

export interface DialplanTransferDeps {
  control: CallService;
  ami?: AmiClient;
  config: Config;
  log: Logger;
}

export class DialplanTransfer {
  constructor(private readonly deps: DialplanTransferDeps) {}

  /** No ringing phase: one transfer.state event, completed or failed. */
  private publish(call: CallRecord, childId: string, target: DialplanTarget, state: 'completed' | 'failed', reason: string | null): void {
    const { bus, clock } = this.deps.control.core.deps;
    const e = transferEvent({ parentId: call.id, childId, kind: 'blind', target, state, reason, fromAgent: call.agentExt, queue: call.queue }, null);
    bus.publish({ ...e, at: clock.now() });
  }

  private destination(target: DialplanTarget): { context: string; exten: string; label: Record<string, string> } {
    const { contexts } = this.deps.config.asterisk;
    if (target.type === 'service') return { context: contexts.services, exten: target.ext, label: { service: target.ext } };
    return { context: contexts.queues, exten: target.queue, label: { queue: target.queue } };
  }

  /**
   * Sends the customer to `target`; returns the transfer, completed (its child part ended at once:
   * the dialplan has the call). Throws (and ends the call) when Asterisk refuses the move.
   */
  async transfer(call: CallRecord, target: DialplanTarget, by?: string): Promise<Transfer> {
    const { control, log } = this.deps;
    if (!isTalking(call.state)) throw refused(`cannot transfer a call that is ${call.state}`, { call: call.id });
    const customer = call.customerChannelId;
    if (!customer) throw refused(`call ${call.id} has no customer to transfer`, { call: call.id });
    const { context, exten, label } = this.destination(target);
    const to = describeTarget(target);
    const ari = control.core.deps.ari;

    // Which channel to move is decided before anything changes.
    // Native topology, call still bridged by app_queue: BlindTransfer of the agent's device itself
    // (validated on 22.10.1: the customer runs the destination, AgentComplete Reason transfer).
    let memberChannel: string | undefined = this.deps.ami ? control.nativeDeviceChannel(call.id) : undefined;
    const native = memberChannel !== undefined;
    if (!native && this.deps.ami && !isDaemonDialled(call.kind)) {
      const ch = await ari.channels.get(customer).catch(() => undefined);
      if (!ch) throw refused(`the customer of call ${call.id} is gone`, { call: call.id });
      // Only a member leg (the agent_leg context): under the stand-in topology the customer side is
      // the customer's own channel (a Local ;2 in tests), which `continue` moves itself.
      const m = MEMBER_LEG.exec(ch.name);
      if (m && m[1].includes(`@${this.deps.config.asterisk.contexts.agent_leg}-`)) memberChannel = `${m[1]};1`;
    }
    // A queue re-entry is offered to agents as a new inbound part: tie it to this transfer. The
    // customer's linkedid is the queue call's; a channel the daemon dialled has its own.
    const linkedid = target.type !== 'queue' ? null : memberChannel ? call.linkedid : await this.linkedidOf(customer);

    const child = control.createChildCall(call.id, 'transfer', {
      direction: call.direction,
      state: 'ringing-agent',
      queue: target.type === 'queue' ? target.queue : call.queue,
      customerNumber: call.customerNumber,
      linkedid: linkedid ?? call.linkedid,
    });
    control.record(call.id, 'transfer', { to, kind: 'blind', targetType: target.type, ...label, child: child.id, by });
    control.record(child.id, 'transfer-from', { parent: call.id, from: call.agentExt, kind: 'blind', targetType: target.type, ...label });
    // End the agent's part first (keeping the customer): the customer side's StasisEnd caused by the
    // transfer then finds no live call, and the agent is free at once.
    // A native call's device is app_queue's: the BlindTransfer below hangs it up, not the end of this part.
    await control.endCall(call.id, 'transferred', { keepCustomer: true, keepAgent: native, data: { ...label, child: child.id } });
    try {
      if (linkedid) control.expectQueueReentry(linkedid, { parentId: child.id, queue: exten });
      // A channel the daemon dialled carries OUR caller id (what the customer saw): the queue and
      // the next agent would show it as the caller. Seen on Asterisk 22.10.1; the customer's number
      // is what they need.
      if (target.type === 'queue' && isDaemonDialled(call.kind) && call.customerNumber) {
        await ari.channels.setVariable(customer, 'CALLERID(num)', call.customerNumber);
        await ari.channels.setVariable(customer, 'CALLERID(name)', '');
      }
      if (memberChannel) {
        await this.deps.ami!.action('BlindTransfer', { Channel: memberChannel, Context: context, Exten: exten });
      } else {
        await ari.channels.continueInDialplan(customer, { context, extension: exten, priority: 1 });
      }
    } catch (err) {
      const reason = (err as Error).message;
      log.warn('blind transfer into the dialplan failed: ending the call', { callId: call.id, to, err: reason });
      control.record(child.id, 'transfer-failed', { ...label, reason });
      this.publish(call, child.id, target, 'failed', reason);
      const failed = target.type === 'service' ? 'service-transfer-failed' : 'queue-transfer-failed';
      await control.endCall(child.id, failed, { data: { ...label, reason } });
      await ari.channels.hangup(customer, 'normal').catch(() => undefined);
      throw unavailable(`transfer to ${to} failed, the call was ended: ${reason}`, label);
    }
    control.record(child.id, target.type, { context, extension: exten, via: memberChannel ? 'BlindTransfer' : 'continue' });
    this.publish(call, child.id, target, 'completed', null);
    // The daemon no longer controls the customer: the dialplan (service, queue) owns the call.
    await control.endCall(child.id, target.type === 'service' ? 'handed-to-service' : 'handed-to-queue', { data: label });
    return newTransfer(call, { childId: child.id, kind: 'blind', target, now: control.core.deps.clock.now(), completed: true });
  }

  /** linkedid of a channel the daemon dialled (ARI's channel JSON does not carry it). */
  private async linkedidOf(channelId: string): Promise<string | null> {
    const ari = this.deps.control.core.deps.ari;
    return ari.channels.getVariable(channelId, 'CHANNEL(linkedid)').then(
      (v) => v || null,
      () => null,
    );
  }
}
