/**
 * Outbound calls (`call dial EXT NUMBER [--ddi]`): validate everything first (nothing is dialled on
 * a bad number, a forbidden DDI, a blocked pause or a number on the do-not-call list), then ring
 * the agent's device; when the agent
 * answers, put the device in a mixing bridge and originate the customer through the configured
 * dial template; when the customer answers, add it to the bridge.
 *   dialing-agent → dialing-customer → ringing-customer → connected
 */
import { assertMayDial, resolveCallerId, type QueueDialSettings } from '../dialing/policy';
import { buildDialString, validateNumber } from '../dialing/number';
import { refused, unavailable } from '../util/errors';
import { ariAction, newBridgeId } from './ari-util';
import type { DncGuard } from '../dnc/guard';
import type { CallCore } from './core';
import type { Hangups } from './hangups';
import type { CallRecord } from './types';

export interface DialRequest {
  agent: string;
  number: string;
  ddi?: string;
  /** Recorded kind of the call (history): 'callback' for scheduled callbacks. Default 'outbound'. */
  kind?: 'outbound' | 'callback';
  /**
   * The queue the call is made for (a queue callback): its caller id wins and the call row records
   * it. Must be one of the agent's queues. Default: the agent's first queue.
   */
  queue?: string;
  /** Who asked (the agent, a token's name, "callback <id>"): recorded when the do-not-call list refuses it. */
  by?: string;
  /** The scheduled callback this dial is for (kind 'callback'). */
  callbackId?: number;
}

export class OutboundCalls {
  constructor(
    private readonly core: CallCore,
    private readonly hangups: Hangups,
    private readonly dnc?: DncGuard,
  ) {}

  async dial(req: DialRequest): Promise<CallRecord> {
    const { config, agents, ari } = this.core.deps;
    const number = validateNumber(req.number, req.ddi, config.policy);
    const presence = assertMayDial(req.agent, agents.presence(req.agent));
    const busy = this.core.byAgent(req.agent);
    if (busy.length > 0) throw refused(`agent ${req.agent} is already on call ${busy[0].id}`, { call: busy[0].id });
    if (!presence.device) throw refused(`agent ${req.agent} has no device`, { agent: req.agent });
    if (req.queue !== undefined && !presence.queues.includes(req.queue)) {
      throw refused(`agent ${req.agent} is not logged into queue ${req.queue}`, { agent: req.agent, queue: req.queue });
    }
    const queue = req.queue ?? (presence.queues.length > 0 ? presence.queues[0] : null);
    // The list of the queue the call is recorded under (its campaign), and the global one. Before
    // the link check: a listed number is refused whether or not Asterisk is reachable.
    this.dnc?.assertCallable({
      number: number.full,
      queue,
      action: req.kind === 'callback' ? 'callback-dial' : 'dial',
      agent: req.agent,
      by: req.by ?? req.agent,
      callbackId: req.callbackId,
    });
    if (!ari.connected) throw unavailable('Asterisk (ARI) is not connected: cannot dial');
    const dialString = buildDialString(config.asterisk.dial_template, number);
    const callerId = resolveCallerId(presence, this.queueSettings(presence.queues), config.policy, req.queue);

    const call = this.core.create({
      kind: req.kind ?? 'outbound',
      direction: 'outbound',
      state: 'dialing-agent',
      agentExt: req.agent,
      queue,
      customerNumber: number.dialNumber,
      callerId: callerId || null,
    });
    this.core.record(call.id, 'dial', { number: number.full, ddi: number.ddi, kind: number.kind, dialString });
    try {
      const deviceId = await this.core.deps.originations.originate({
        endpoint: presence.device,
        callId: call.id,
        role: 'agent',
        callerId: `"${number.dialNumber}" <${number.dialNumber}>`,
        timeoutSec: 45,
        handlers: {
          onAnswer: (dev) => void this.agentAnswered(call.id, dev.id, dialString),
          onFail: (reason) => void this.core.end(call.id, 'agent-no-answer', { data: { cause: reason } }),
          onHangup: (reason) => void this.hangups.agentHungUp(call.id, reason),
        },
      });
      if (call.state === 'ended') await this.core.deps.originations.cancel(deviceId);
      else this.core.update(call, { agentChannelId: deviceId });
    } catch (err) {
      await this.core.end(call.id, 'agent-device-failed', { data: { error: (err as Error).message } });
      throw unavailable(`cannot ring the device of agent ${req.agent}: ${(err as Error).message}`);
    }
    return call;
  }

  private async agentAnswered(callId: string, deviceId: string, dialString: string): Promise<void> {
    const call = this.core.get(callId);
    const { ari, originations, log } = this.core.deps;
    if (!call || call.state !== 'dialing-agent') {
      await originations.cancel(deviceId);
      return;
    }
    try {
      if (!call.agentChannelId) this.core.update(call, { agentChannelId: deviceId });
      const bridge = await ariAction(
        ari.bridges.create({ bridgeId: newBridgeId(call.id, 'br'), type: 'mixing', name: `agent-${call.agentExt}` }),
        'create the call bridge',
      );
      this.core.update(call, { bridgeId: bridge.id });
      await ariAction(ari.bridges.addChannel(bridge.id, [deviceId]), 'bridge the agent');
      this.core.transition(call, 'agent-answered');
      const customerId = await originations.originate({
        endpoint: dialString,
        callId: call.id,
        role: 'customer',
        callerId: call.callerId ?? undefined,
        timeoutSec: 60,
        // Dialled on behalf of the agent's device (its formats, its linkedid), as Dial() would.
        originator: deviceId,
        handlers: {
          onRinging: () => {
            const c = this.core.get(callId);
            if (c?.state === 'dialing-customer') this.core.transition(c, 'customer-ringing');
          },
          onAnswer: (ch) => void this.customerAnswered(callId, ch.id),
          onFail: (reason) => void this.core.end(callId, 'customer-no-answer', { data: { cause: reason } }),
          onHangup: (reason) => void this.hangups.customerGone(callId, reason),
        },
      });
      const c = this.core.get(callId);
      if (!c) await originations.cancel(customerId);
      else if (!c.customerChannelId) this.core.update(c, { customerChannelId: customerId });
    } catch (err) {
      log.error('outbound call failed after the agent answered', { callId, err: (err as Error).message });
      await this.core.end(callId, 'dial-failed', { data: { error: (err as Error).message } });
    }
  }

  private async customerAnswered(callId: string, customerId: string): Promise<void> {
    const call = this.core.get(callId);
    const { ari, originations } = this.core.deps;
    if (!call || (call.state !== 'dialing-customer' && call.state !== 'ringing-customer') || !call.bridgeId) {
      await originations.cancel(customerId);
      return;
    }
    try {
      if (!call.customerChannelId) this.core.update(call, { customerChannelId: customerId });
      await ariAction(ari.bridges.addChannel(call.bridgeId, [customerId]), 'bridge the customer');
      this.core.transition(call, 'customer-answered');
    } catch (err) {
      await this.core.end(callId, 'bridge-failed', { data: { error: (err as Error).message } });
    }
  }

  private queueSettings(names: string[]): QueueDialSettings[] {
    if (names.length === 0) return [];
    const rows = this.core.deps.db
      .prepare(`SELECT name, caller_id FROM queues WHERE name IN (${names.map(() => '?').join(',')})`)
      .all(...names) as QueueDialSettings[];
    return rows;
  }
}
