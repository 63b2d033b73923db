/**
 * Blind transfer to a service (3 digits): the customer goes to the service's dialplan extension in
 * config.asterisk.contexts.services at once; if that fails the call ends (it does not come back).
 *
 * Queue calls (member leg Local/<ext>@cc-agent ;2): AMI `BlindTransfer` of the member's ;1 channel
 * (DESIGN.md): the customer's own channel runs the service, app_queue sends AgentComplete
 * Reason transfer at once, and the Local pair ends. Other calls (outbound, direct entries: the
 * customer channel itself is in Stasis) use ARI continueInDialplan on the customer channel.
 */
import type { AmiClient } from '../ami/types';
import type { CallService } from '../calls/service';
import { isTalking } from '../calls/state-machine';
import { isDaemonDialled, type CallRecord } from '../calls/types';
import type { Config } from '../config/schema';
import type { Logger } from '../log/logger';
import { refused, unavailable } from '../util/errors';
import { transferEvent, type ServiceTarget } from './model';

const MEMBER_LEG = /^(Local\/.+);2$/;

export interface ServiceTransferDeps {
  control: CallService;
  ami?: AmiClient;
  config: Config;
  log: Logger;
}

export class ServiceTransfer {
  constructor(private readonly deps: ServiceTransferDeps) {}

  /** A service transfer has no ringing phase: one transfer.state event, completed or failed. */
  private publish(call: CallRecord, childId: string, service: string, state: 'completed' | 'failed', reason: string | null): void {
    const { bus, clock } = this.deps.control.core.deps;
    const target: ServiceTarget = { type: 'service', ext: service };
    const e = transferEvent({ parentId: call.id, childId, kind: 'blind', target, state, reason, fromAgent: call.agentExt, queue: call.queue }, null);
    bus.publish({ ...e, at: clock.now() });
  }

  async transfer(call: CallRecord, service: string, by?: string): Promise<{ service: string; childId: string }> {
    const { control, config, log } = this.deps;
    if (!isTalking(call.state)) throw refused(`cannot transfer a call that is ${call.state}`, { call: call.id });
    const customer = call.customerChannelId;
    if (!customer) throw refused(`call ${call.id} has no customer to transfer`, { call: call.id });
    const context = config.asterisk.contexts.services;
    const ari = control.core.deps.ari;

    // Which channel to move is decided before anything changes.
    let memberChannel: string | undefined;
    if (this.deps.ami && !isDaemonDialled(call.kind)) {
      const ch = await ari.channels.get(customer).catch(() => undefined);
      if (!ch) throw refused(`the customer of call ${call.id} is gone`, { call: call.id });
      const m = MEMBER_LEG.exec(ch.name);
      if (m) memberChannel = `${m[1]};1`;
    }

    const child = control.createChildCall(call.id, 'transfer', {
      direction: call.direction,
      state: 'ringing-agent',
      queue: call.queue,
      customerNumber: call.customerNumber,
      linkedid: call.linkedid,
    });
    control.record(call.id, 'transfer', { to: `service ${service}`, kind: 'blind', child: child.id, by });
    control.record(child.id, 'transfer-from', { parent: call.id, from: call.agentExt, kind: 'blind', service });
    // End the agent's part first (keeping the customer): the customer side's StasisEnd caused by the
    // transfer then finds no live call, and the agent is free at once.
    await control.endCall(call.id, 'transferred', { keepCustomer: true, data: { service, child: child.id } });
    try {
      if (memberChannel) {
        await this.deps.ami!.action('BlindTransfer', { Channel: memberChannel, Context: context, Exten: service });
      } else {
        await ari.channels.continueInDialplan(customer, { context, extension: service, priority: 1 });
      }
    } catch (err) {
      const reason = (err as Error).message;
      log.warn('service transfer failed: ending the call', { callId: call.id, service, err: reason });
      control.record(child.id, 'transfer-failed', { service, reason });
      this.publish(call, child.id, service, 'failed', reason);
      await control.endCall(child.id, 'service-transfer-failed', { data: { service, reason } });
      await ari.channels.hangup(customer, 'normal').catch(() => undefined);
      throw unavailable(`transfer to service ${service} failed, the call was ended: ${reason}`, { service });
    }
    control.record(child.id, 'service', { context, extension: service, via: memberChannel ? 'BlindTransfer' : 'continue' });
    this.publish(call, child.id, service, 'completed', null);
    // The daemon no longer controls the customer: the service owns the call from here.
    await control.endCall(child.id, 'handed-to-service', { data: { service } });
    return { service, childId: child.id };
  }
}
