/**
 * app_queue as the captures show it with the DESIGN.md topology: members are
 * `Local/<ext>@cc-agent/n` (devices such as `PJSIP/1000` are rung directly: queue-native.ts);
 * ringing a member creates the Local pair whose `;2` runs Stasis(callcenter,agent-leg,<ext>,<linkedid>). The member is answered when the daemon answers `;2`.
 * ringinuse=no: a member is offered only when its state interface is idle, it is not paused, not
 * already being offered a call (app_queue's pending list) and past wrap-up. Ringing members is
 * QueueRinging's (queue-ringing.ts); this file is callers entering, leaving and being answered.
 */
import type { Clock } from '../util/clock';
import { CcError } from '../util/errors';
import type { SimChannel, SimModel } from './model';
import {
  type QueueCall,
  agentEventFields,
  callerPositionFields,
  msToSecString,
} from './queue-types';
import { amiChannelFields } from './shapes';
import { queueExitEvent } from './dialplan-events';
import { secondsSince, type QueueLogWriter } from './queue-log';
import { QueueNative } from './queue-native';

export interface QueueEngineOptions {
  clock: Clock;
  app: string;
  agentLegContext: string;
  defaults: { timeoutMs: number; retryMs: number; wrapupMs: number; autofill: boolean };
  /** How often a caller that is not at the head re-checks its turn with autofill=no (app_queue RECHECK: 1 s). */
  recheckMs: number;
  /**
   * Dialplan contexts whose <queue> extension runs Queue(<queue>) (extensions.conf [cc-queues]): a
   * customer sent there (blind transfer, ARI continue) joins that queue; an unknown queue hangs up.
   */
  queueContexts: readonly string[];
  /** Plays a device member's channel as scripted for its dial string (Devices.dialFromQueue); none = it rings forever. */
  dialDevice?: (ch: SimChannel, dial: string) => void;
  /** app_queue's queue_log (SimOptions.queueLogFile); none = not written. */
  queueLog?: QueueLogWriter;
}

export class QueueEngine extends QueueNative {
  private callSeq = 0;

  constructor(model: SimModel, opts: QueueEngineOptions) {
    super(model, opts);
    model.onAnswered((ch) => this.onAnswered(ch));
    model.onHangup((ch, _cause, requested) => this.onHangup(ch, requested));
  }

  waitingCalls(queue: string): QueueCall[] {
    return [...this.calls.values()].filter((c) => c.queue === queue && (c.state === 'waiting' || c.state === 'ringing'));
  }

  // ----- calls -----

  placeCall(o: { queue: string; callerNumber: string; callerName?: string; id?: string }): QueueCall {
    const q = this.queue(o.queue);
    // A trunk may send any text as the number (`anonymous` when withheld, SIP user parts, garbage):
    // the daemon must cope. Only CR/LF are refused: AMI writes CallerIDNum unescaped, so they would
    // break the event framing of the sim itself.
    if (!o.callerNumber || /[\r\n]/.test(o.callerNumber)) throw new CcError('invalid', `Invalid caller number: ${JSON.stringify(o.callerNumber)}`);
    const handle = o.id ?? `sim-c${++this.callSeq}`;
    if (this.calls.has(handle)) throw new CcError('refused', `Call id already in use: ${handle}`);
    const caller = { name: o.callerName ?? '', number: o.callerNumber };
    const customer = this.model.newChannel({
      name: `Local/${q.name}@queues-${this.model.nextNameSuffix()};2`,
      id: `${handle}-q`,
      kind: 'customer',
      state: 'Up',
      caller,
      dialplan: { context: 'queues', exten: q.name, priority: 2, app_name: 'Queue', app_data: `${q.name},,,,300` },
      linkedid: handle,
    });
    return this.join(customer, q.name, handle, { context: 'queues', exten: q.name });
  }

  /**
   * A Local stand-in originated into `app` (asterisk.queue_topology = stand-in): `Local/<queue>@<queue
   * context>/n`. As on Asterisk 22.10.1 (test/integration/topology.test.ts): [cc-queues] answers at
   * once, so ;1 enters the app and ;2 (the queue caller) runs Queue(<queue>) with the linkedid and
   * caller id it was originated with (`originator` = the customer). Both halves die together.
   */
  standIn(one: SimChannel, two: SimChannel, app: string, context: string, queue: string): void {
    this.later(0, () => {
      if (one.hungUp || two.hungUp) return;
      this.model.setState(two, 'Up');
      this.model.setState(one, 'Up');
      if (!this.model.enterStasis(one, app, one.appArgs)) {
        this.model.hangup(one.id, 16);
        return;
      }
      this.enterFromDialplan(two, context, queue);
    });
  }

  isQueueContext(context: string): boolean {
    return this.opts.queueContexts.includes(context);
  }

  /**
   * A channel runs <queue>@<queue context> (blind transfer, ARI continue): it joins that queue with
   * its linkedid as the call's handle (app_queue keeps the linkedid, so the agent legs carry the
   * same one as before). An unknown queue hangs the channel up, as [cc-queues] does.
   */
  enterFromDialplan(customer: SimChannel, context: string, queue: string): QueueCall | undefined {
    if (!this.queues.has(queue)) {
      this.model.hangup(customer.id, 1);
      return undefined;
    }
    const prev = this.calls.get(customer.linkedid);
    if (prev && prev.state !== 'ended') throw new CcError('refused', `Channel ${customer.name} is already in queue ${prev.queue}`);
    customer.dialplan = { context, exten: queue, priority: 5, app_name: 'Queue', app_data: queue };
    this.opts.queueLog?.(customer.id, queue, 'NONE', 'CCLINKEDID', customer.linkedid);
    return this.join(customer, queue, customer.linkedid, { context, exten: queue });
  }

  private join(customer: SimChannel, queue: string, handle: string, location: { context: string; exten: string }): QueueCall {
    customer.moh = 'default';
    const position = this.waitingCalls(queue).length + 1;
    const call: QueueCall = { handle, queue, customerId: customer.id, state: 'waiting', joinedAt: this.model.now(), position, attempts: [], continued: false, location };
    this.calls.set(handle, call);
    const q = this.queue(queue);
    const count = this.waitingCalls(queue).length;
    this.model.ami('QueueCallerJoin', 'agent,all', callerPositionFields(customer, queue, call.position, count));
    this.opts.queueLog?.(customer.id, queue, 'NONE', 'ENTERQUEUE', '', customer.caller.number, call.position, customer.caller.name);
    if (q.maxWaitMs !== undefined) call.waitTimer = this.later(q.maxWaitMs, () => this.waitTimedOut(call));
    this.tryRing(call);
    return call;
  }

  call(handle: string): QueueCall {
    const c = this.calls.get(handle);
    if (!c) throw new CcError('not_found', `Unknown queue call: ${handle}`);
    return c;
  }

  /** The customer hangs up, whatever the call is doing. */
  customerHangup(handle: string): void {
    const call = this.call(handle);
    const customer = this.model.channels.get(call.customerId);
    if (!customer) throw new CcError('refused', `Customer of ${handle} already hung up`);
    this.model.hangup(customer.id, 16);
  }

  /**
   * The caller presses an exit key (app_queue's `context` option: EXITWITHKEY): it leaves the queue
   * unanswered and its channel goes on at <context>,<exten> (a service, a callback menu...).
   */
  exitWithKey(handle: string, context: string, exten: string): void {
    const call = this.call(handle);
    if (call.state !== 'waiting' && call.state !== 'ringing') throw new CcError('refused', `Queue call ${handle} is not waiting`);
    // app_queue moves the channel first (valid_exit), then leaves the queue (QueueCallerLeave).
    const customer = this.model.channel(call.customerId);
    customer.dialplan = { context, exten, priority: 1, app_name: '', app_data: '' };
    this.leaveUnanswered(call, 'exit');
    call.location = { context, exten };
    // Apps subscribed to the caller (a stand-in's ;2 is: originated by the app) see where it went.
    this.model.channelEvent(customer, 'ChannelDialplan', { dialplan_app: '', dialplan_app_data: '' });
  }

  /** AMI BlindTransfer of the member's `;1`: the customer runs the service, the leg ends. */
  blindTransfer(leg1: SimChannel, context: string, exten: string): void {
    const call = [...this.calls.values()].find((c) => c.state === 'connected' && c.leg1Id === leg1.id);
    if (!call) throw new CcError('refused', 'Transfer failed: channel is not in a queue call');
    const customer = this.model.channel(call.customerId);
    this.model.ami('BlindTransfer', 'call,all', [
      ['Result', 'Success'],
      ...amiChannelFields(leg1, 'Transferer'),
      ...amiChannelFields(customer, 'Transferee'),
      ['BridgeUniqueid', call.basicBridgeId ?? ''],
      ['BridgeType', 'basic'],
      ['IsExternal', 'Yes'], // an AMI-initiated transfer (captures blind-transfer, queue-transfer)
      ['Context', context],
      ['Extension', exten],
    ]);
    customer.dialplan = { context, exten, priority: 1, app_name: '', app_data: '' };
    call.location = { context, exten };
    this.finish(call, 'transfer');
    this.model.hangup(leg1.id, 16);
    // [cc-queues]: the customer's own channel runs Queue(<exten>) (a queue transfer).
    if (this.isQueueContext(context)) this.enterFromDialplan(customer, context, exten);
  }

  /** ARI continue on a connected leg: the service is reached through the Local pair. */
  legContinued(leg2: SimChannel, context: string, exten: string): void {
    const call = [...this.calls.values()].find((c) => c.leg2Id === leg2.id && c.state === 'connected');
    if (!call) return;
    call.continued = true;
    call.location = { context, exten };
  }

  // ----- internals -----







  /** Queue() timeout: the caller leaves unanswered and the shipped dialplan reports it, then hangs up. */
  private waitTimedOut(call: QueueCall): void {
    call.waitTimer = undefined;
    if (call.state !== 'waiting' && call.state !== 'ringing') return;
    this.leaveUnanswered(call, 'timeout');
    const customer = this.model.channel(call.customerId);
    this.opts.queueLog?.(customer.id, call.queue, 'NONE', 'EXITWITHTIMEOUT', call.position, call.position, secondsSince(call.joinedAt, this.model.now()));
    queueExitEvent(this.model, customer, call.queue, 'TIMEOUT');
    this.model.hangup(customer.id, 16);
  }

  private leaveUnanswered(call: QueueCall, reason: 'timeout' | 'exit'): void {
    this.clearTimer(call, true);
    this.cancelRings(call);
    this.leaveQueue(call, this.model.channel(call.customerId));
    call.endReason = reason;
    this.transition(call, 'ended');
  }

  private onAnswered(ch: SimChannel): void {
    if (ch.kind !== 'leg2' && ch.kind !== 'member-device') return;
    const call = [...this.calls.values()].find((c) => c.state === 'ringing' && c.attempts.some((a) => a.leg2Id === ch.id));
    if (!call) return;
    const attempt = call.attempts.find((a) => a.leg2Id === ch.id)!;
    const others = call.attempts.filter((a) => a !== attempt);
    call.attempts = [];
    this.clearTimer(call, true);
    for (const a of others) this.model.hangup(a.leg1Id, 26);
    const q = this.queue(call.queue);
    const customer = this.model.channel(call.customerId);
    const leg1 = this.model.channel(attempt.leg1Id);
    this.model.setState(leg1, 'Up');
    this.transition(call, 'connected');
    const now = this.model.now();
    call.member = attempt.member;
    call.connectedAt = now;
    call.leg1Id = leg1.id;
    call.leg2Id = ch.id;
    customer.moh = undefined;
    this.leaveQueue(call, customer);
    const holdMs = now - call.joinedAt;
    q.holdSecTotal += Math.floor(holdMs / 1000);
    this.model.ami('AgentConnect', 'agent,all', [
      ...agentEventFields(customer, leg1, attempt.member),
      ['HoldTime', msToSecString(holdMs)],
      ['RingTime', msToSecString(now - attempt.startedAt)],
    ]);
    this.opts.queueLog?.(customer.id, call.queue, attempt.member.memberName, 'CONNECT', secondsSince(call.joinedAt, now), leg1.id, secondsSince(attempt.startedAt, now));
    attempt.member.incall = true;
    attempt.member.pendingCredit = true;
    const bridge = this.model.createBridge({ type: 'mixing', bridgeClass: 'basic' });
    call.basicBridgeId = bridge.id;
    this.model.addToBridge(bridge.id, leg1.id);
    this.model.addToBridge(bridge.id, customer.id);
  }

  private onHangup(ch: SimChannel, requested: boolean): void {
    for (const call of this.calls.values()) {
      if (call.state === 'ended') continue;
      if (ch.id === call.customerId) return this.customerGone(call, ch);
      const attempt = call.attempts.find((a) => a.leg1Id === ch.id || a.leg2Id === ch.id);
      if (attempt) {
        // The daemon refused the leg (DELETE while ringing): app_queue treats it as a no-answer.
        call.attempts = call.attempts.filter((a) => a !== attempt);
        const customer = this.model.channel(call.customerId);
        const leg1 = ch.id === attempt.leg1Id ? ch : this.model.channels.get(attempt.leg1Id) ?? ch;
        this.model.ami('AgentRingNoAnswer', 'agent,all', [
          ...agentEventFields(customer, leg1, attempt.member),
          ['RingTime', String(this.model.now() - attempt.startedAt)],
        ]);
        if (call.attempts.length === 0 && call.state === 'ringing') {
          this.clearTimer(call);
          this.transition(call, 'waiting');
          this.retryLater(call);
        }
        return;
      }
      if (call.state === 'connected' && !call.continued && (ch.id === call.leg2Id || ch.id === call.leg1Id)) {
        // app_queue watches hangup requests: a member channel put out of its dissolved bridge after
        // a Redirect goes unnoticed; AgentComplete comes with the caller's hang-up (no Dest* then).
        if (call.redirected && !requested) return;
        const customer = this.model.channels.get(call.customerId);
        this.finish(call, 'agent', ch.id === call.leg1Id ? ch : undefined);
        if (customer && !call.redirected) this.model.hangup(customer.id, 16);
        return;
      }
    }
  }

  /** `customer` is the channel as it was when it hung up (already gone from the model). */
  private customerGone(call: QueueCall, customer: SimChannel): void {
    if (call.state === 'connected') {
      this.finish(call, 'caller', undefined, customer);
      if (call.leg1Id && !call.redirected) this.model.hangup(call.leg1Id, 16);
      return;
    }
    this.abandon(call, customer, 'abandon');
  }

  /**
   * The caller leaves Queue() unanswered with res < 0 (hung up, or taken away by an AMI Redirect,
   * queue-native.ts): members still ringing are hung up, QueueCallerAbandon, QueueCallerLeave.
   */
  protected abandon(call: QueueCall, customer: SimChannel, endReason: 'abandon' | 'redirect'): void {
    const attempts = call.attempts;
    call.attempts = [];
    this.clearTimer(call, true);
    for (const a of attempts) this.model.hangup(a.leg1Id, 0);
    if (call.state === 'waiting' || call.state === 'ringing') {
      const q = this.queue(call.queue);
      q.abandoned++;
      this.model.ami('QueueCallerAbandon', 'agent,all', [
        ...amiChannelFields(customer),
        ['Queue', q.name],
        ['Position', String(call.position)],
        ['OriginalPosition', String(call.position)],
        ['HoldTime', msToSecString(this.model.now() - call.joinedAt)],
      ]);
      this.opts.queueLog?.(customer.id, q.name, 'NONE', 'ABANDON', call.position, call.position, secondsSince(call.joinedAt, this.model.now()));
      this.leaveQueue(call, customer);
      call.endReason = endReason;
      this.transition(call, 'ended');
    }
  }

  /** AgentComplete and member bookkeeping; the caller decides which channels to hang up. */
  private finish(call: QueueCall, reason: 'caller' | 'agent' | 'transfer', leg1Gone?: SimChannel, customerGone?: SimChannel): void {
    if (call.state !== 'connected') return;
    const customer = customerGone ?? this.model.channels.get(call.customerId);
    const leg1 = leg1Gone ?? (call.leg1Id ? this.model.channels.get(call.leg1Id) : undefined);
    const m = call.member!;
    const q = this.queue(call.queue);
    const talkMs = this.model.now() - (call.connectedAt ?? this.model.now());
    this.transition(call, 'ended');
    call.endReason = reason;
    q.completed++;
    q.talkSecTotal += Math.floor(talkMs / 1000);
    // A party already gone has no snapshot left: its fields are missing (topology-native capture).
    if (customer || leg1) {
      this.model.ami('AgentComplete', 'agent,all', [
        ...agentEventFields(customer, leg1, m),
        ['HoldTime', msToSecString((call.connectedAt ?? call.joinedAt) - call.joinedAt)],
        ['TalkTime', msToSecString(talkMs)],
        ['Reason', reason],
      ]);
    }
    const hold = secondsSince(call.joinedAt, call.connectedAt ?? call.joinedAt);
    const talk = Math.floor(talkMs / 1000);
    const event = reason === 'caller' ? 'COMPLETECALLER' : reason === 'agent' ? 'COMPLETEAGENT' : 'BLINDTRANSFER';
    const extra = reason === 'transfer' ? ['', ''] : [];
    this.opts.queueLog?.(call.customerId, call.queue, m.memberName, event, ...extra, hold, talk, call.position);
    m.incall = false;
    if (call.basicBridgeId && this.model.bridges.has(call.basicBridgeId)) this.model.destroyBridge(call.basicBridgeId);
    this.refreshMember(m);
  }

  private leaveQueue(call: QueueCall, customer: SimChannel): void {
    const remaining = this.waitingCalls(call.queue).filter((c) => c !== call);
    this.model.ami('QueueCallerLeave', 'agent,all', callerPositionFields(customer, call.queue, call.position, remaining.length));
    for (const c of remaining) if (c.position > call.position) c.position--;
  }




  /** Asterisk restart: calls vanish, dynamic members go, static members start fresh. */
  reset(): void {
    this.stop();
    for (const c of this.calls.values()) if (c.state !== 'ended') {
      c.state = 'ended';
      c.endReason = 'restart';
    }
    for (const q of this.queues.values()) {
      q.members = [];
      q.rrNext = 0;
      q.completed = q.abandoned = q.holdSecTotal = q.talkSecTotal = 0;
      for (const m of q.staticMembers) this.addMember(q.name, { ...m, membership: 'static' });
    }
  }

}
