/**
 * Stand-in topology for inbound queue calls (asterisk.queue_topology = stand-in; docs/CALL-TOPOLOGY.md
 * "Stand-in topology", validated on Asterisk 22.10.1 by test/integration/topology.test.ts).
 *
 * The customer who entered through Stasis(callcenter,inbound,queue,<queue>,<context>) stays in the
 * app and hears MOH; the daemon originates a Local stand-in `Local/<queue>@<context>/n` whose ;1
 * enters the app (`standin,<customer channel>`) and whose ;2 runs Queue() for the customer. It is
 * originated with `originator` = the customer, so it (and the member legs app_queue rings) carry
 * the customer's linkedid and caller id. app_queue rings member legs exactly as in the member-leg
 * topology; when the daemon answers a leg, the customer leaves MOH and is bridged straight with the
 * agent's device. The stand-in and the member leg stay connected in app_queue's bridge without
 * media until the call part ends, so app_queue's events, talk time and ringinuse stay its own.
 * Exit keys (queue `context`): the waiting customer's keys are played to the stand-in, where Queue()
 * reads them; when the stand-in's ;2 leaves the queue for another context the customer is sent
 * there itself.
 *
 * Life of a stand-in (states and legal moves):
 *   waiting   → connected (a leg of it was answered: the call part owns the customer now)
 *   waiting   → ended     (the customer hung up: the stand-in is hung up, app_queue counts an
 *                          abandon; or the stand-in left the queue unanswered: the customer is hung
 *                          up, as the dialplan after Queue() does in the member-leg topology)
 *   connected → waiting   (the part that took the customer ended before the bridge was up: the
 *                          customer goes back to waiting with MOH, the queue rings on)
 *   connected → ended     (the call part ended: the member leg and the stand-in are hung up, which
 *                          ends app_queue's accounting: AgentComplete)
 */
import type { AmiClient, AmiEvent } from '../ami/types';
import type { AriChannel, ChannelDtmfReceivedEvent, StasisStartEvent } from '../ari/types';
import { formatCallerId } from '../util/caller-id';
import { ignoreGone } from './ari-util';
import type { CallCore } from './core';
import type { CallRecord } from './types';

type StandInState = 'waiting' | 'connected' | 'ended';

/** Stand-in ;1 id = <customer channel id> + this; its ;2 (the queue caller) adds "-q". */
const STAND_IN_SUFFIX = '-si';

/**
 * asterisk-conf's callback exit ([cc-queue-callback]): the stand-in's ;2 itself asks for the callback
 * there (it is the queue caller: its Uniqueid names the queue stay, its caller id is the customer's);
 * refused, the dialplan puts it back in the queue; accepted, the customer is thanked by that
 * context's `accepted` label (callbackAccepted).
 */
export const QUEUE_CALLBACK_CONTEXT = 'cc-queue-callback';

const NEXT: Record<StandInState, readonly StandInState[]> = {
  waiting: ['connected', 'ended'],
  connected: ['waiting', 'ended'],
  ended: [],
};

export interface StandIn {
  customerId: string;
  standInId: string;
  queue: string;
  /** Dialplan context the stand-in queues from ([cc-queues]): leaving it while waiting = an exit key. */
  context: string;
  linkedid: string;
  state: StandInState;
  /** The call part that took the customer (connected). */
  callId?: string;
  /** Member legs offered for this customer (agent-leg channel ids) and not gone yet. */
  legs: Set<string>;
  /** The leg whose device answered first: it stays connected to the stand-in until the end. */
  answeredLeg?: string;
}

export class StandIns {
  private readonly byCustomer = new Map<string, StandIn>();
  private readonly byStandIn = new Map<string, StandIn>();
  private readonly byLinkedid = new Map<string, StandIn>();
  private readonly byCall = new Map<string, StandIn>();
  private readonly byLeg = new Map<string, StandIn>();

  constructor(private readonly core: CallCore, private readonly mohClass: string) {}

  private move(s: StandIn, to: StandInState): boolean {
    if (!NEXT[s.state].includes(to)) return false;
    s.state = to;
    return true;
  }

  /** Keeps the customer in the app and puts a stand-in in `queue` for it. */
  async enter(customer: AriChannel, queue: string, context: string, knownLinkedid?: string): Promise<void> {
    const { ari, log } = this.core.deps;
    // The member legs carry this linkedid (Stasis argument): it names the customer. ARI's channel
    // JSON does not show it: the shipped dialplan passes it, another one makes us ask.
    const linkedid = knownLinkedid || (await ari.channels.getVariable(customer.id, 'CHANNEL(linkedid)').catch(() => '')) || customer.id;
    const standInId = `${customer.id}${STAND_IN_SUFFIX}`;
    const s: StandIn = { customerId: customer.id, standInId, queue, context, linkedid, state: 'waiting', legs: new Set() };
    this.byCustomer.set(customer.id, s);
    this.byStandIn.set(standInId, s);
    this.byLinkedid.set(linkedid, s);
    try {
      await ari.channels.answer(customer.id);
      await ari.channels.startMoh(customer.id, this.mohClass);
      await ari.channels.originate({
        endpoint: `Local/${queue}@${context}/n`,
        appArgs: `standin,${customer.id}`,
        channelId: standInId,
        otherChannelId: `${standInId}-q`,
        originator: customer.id,
        callerId: formatCallerId(customer.caller?.name, customer.caller?.number),
        // Queue(<q>,r) ([cc-queues] CC_QUEUE_OPTIONS): the stand-in waits with a ringing indication,
        // not a second music stream nobody hears (the customer has its own).
        variables: { CC_QUEUE_OPTIONS: 'r' },
      });
    } catch (err) {
      log.error('cannot put the customer in the queue through a stand-in', { queue, err: (err as Error).message });
      this.finish(s);
      await ignoreGone(ari.channels.hangup(customer.id, 'congestion'), log, 'hang up unroutable call');
    }
  }

  /** Subscribes to what exit keys need (ARI keys, AMI QueueCallerLeave); returns the unsubscribe function. */
  listen(ami: AmiClient | undefined): () => void {
    const offs = [this.core.deps.ari.onEvent('ChannelDtmfReceived', (e) => void this.onDtmf(e as ChannelDtmfReceivedEvent))];
    if (ami) offs.push(ami.onEvent('QueueCallerLeave', (e) => void this.onQueueLeave(e)));
    return () => offs.forEach((off) => off());
  }

  /**
   * Exit keys (a queue's `context` option) are read by Queue(), which runs on the stand-in: a
   * waiting customer's keys are played to the stand-in's ;1 and reach its ;2 in Queue().
   */
  private async onDtmf(e: ChannelDtmfReceivedEvent): Promise<void> {
    const s = this.byCustomer.get(e.channel.id);
    if (s?.state !== 'waiting') return;
    await ignoreGone(this.core.deps.ari.channels.sendDtmf(s.standInId, e.digit), this.core.deps.log, 'pass a key to the stand-in');
  }

  /**
   * A waiting stand-in left its queue (AMI QueueCallerLeave of its ;2). app_queue moved the channel
   * before it said so: still in its queue context = Queue() returned (timeout, empty queue...: the
   * stand-in's hang-up follows); another context = an exit key: the customer goes there itself and
   * the stand-in is hung up. (ARI ChannelDialplan would say it too, but the client switches that
   * event type is not in the client's whitelist: ARI_READ_EVENTS.)
   */
  private async onQueueLeave(e: AmiEvent): Promise<void> {
    const id = e.Uniqueid;
    if (!id) return;
    const s = this.waitingByQueueCaller(id);
    if (!s || !s.context) return;
    const { ari, log } = this.core.deps;
    const to = (await ari.channels.get(id).catch(() => undefined))?.dialplan;
    if (!to || to.context === s.context || s.state !== 'waiting') return;
    if (to.context === QUEUE_CALLBACK_CONTEXT) {
      log.info('caller asked for a callback from the queue', { customer: s.customerId, queue: s.queue });
      return; // the customer keeps the music until the request is answered (callbackAccepted)
    }
    this.finish(s);
    log.info('caller left the queue with an exit key', { customer: s.customerId, queue: s.queue, context: to.context, exten: to.exten });
    await ignoreGone(ari.channels.stopMoh(s.customerId), log, 'stop the waiting music');
    await ignoreGone(ari.channels.continueInDialplan(s.customerId, { context: to.context, extension: to.exten, priority: 1 }), log, 'send the caller to its exit key');
    await ignoreGone(ari.channels.hangup(s.standInId, 'normal'), log, 'hang up the stand-in after an exit key');
  }

  /**
   * A callback request was accepted for the queue caller `uniqueid`. When that is a stand-in's ;2,
   * its customer is the one to thank: sent to the callback context's `accepted` label (thank-you,
   * hang-up), the stand-in then ends by itself (the same label on its ;2).
   */
  async callbackAccepted(uniqueid: string): Promise<void> {
    const s = this.waitingByQueueCaller(uniqueid);
    if (!s) return;
    this.finish(s);
    const { ari, log } = this.core.deps;
    await ignoreGone(ari.channels.stopMoh(s.customerId), log, 'stop the waiting music');
    await ignoreGone(ari.channels.continueInDialplan(s.customerId, { context: QUEUE_CALLBACK_CONTEXT, extension: '1', label: 'accepted' }), log, 'thank the caller for the callback request');
  }

  /** The waiting stand-in whose ;2 (the queue caller, `<stand-in>-q`) has this id. */
  private waitingByQueueCaller(id: string): StandIn | undefined {
    if (!id.endsWith(`${STAND_IN_SUFFIX}-q`)) return undefined;
    const s = this.byStandIn.get(id.slice(0, -2));
    return s?.state === 'waiting' ? s : undefined;
  }

  /** StasisStart of a stand-in's ;1 (`standin,<customer>`): nothing to do unless the customer left. */
  async onStart(ev: StasisStartEvent): Promise<void> {
    const s = this.byStandIn.get(ev.channel.id);
    if (!s || s.state === 'ended') {
      await ignoreGone(this.core.deps.ari.channels.hangup(ev.channel.id, 'normal'), this.core.deps.log, 'hang up stale stand-in');
    }
  }

  /** The waiting stand-in of the customer whose linkedid a member leg carries. */
  waitingFor(linkedid: string | undefined): StandIn | undefined {
    const s = linkedid ? this.byLinkedid.get(linkedid) : undefined;
    return s?.state === 'waiting' ? s : undefined;
  }

  offered(s: StandIn, legId: string): void {
    s.legs.add(legId);
    this.byLeg.set(legId, s);
  }

  /** The stand-in a member leg was offered for (undefined: a member-leg topology leg). */
  ownerOfLeg(legId: string): StandIn | undefined {
    return this.byLeg.get(legId);
  }

  /**
   * The device of `legId`'s call part answered: that part takes the customer (MOH stops). Undefined
   * when the customer is already taken (another agent answered first) or gone: that part loses.
   * Decided before the leg is answered, so app_queue only ever connects the winner.
   */
  async takeCustomer(call: CallRecord, legId: string): Promise<StandIn | undefined> {
    const s = this.byLeg.get(legId);
    if (!s || !this.move(s, 'connected')) return undefined;
    s.callId = call.id;
    s.answeredLeg = legId;
    this.byCall.set(call.id, s);
    await ignoreGone(this.core.deps.ari.channels.stopMoh(s.customerId), this.core.deps.log, 'stop the waiting music');
    return s;
  }

  /** See `connected → waiting` above. */
  async release(s: StandIn): Promise<void> {
    if (s.state !== 'connected' || !this.move(s, 'waiting')) return;
    if (s.callId) this.byCall.delete(s.callId);
    s.callId = undefined;
    s.answeredLeg = undefined;
    await ignoreGone(this.core.deps.ari.channels.startMoh(s.customerId, this.mohClass), this.core.deps.log, 'restart the waiting music');
  }

  /** A channel left the app: a waiting customer or a stand-in. True when it was one of ours. */
  async onGone(channelId: string): Promise<boolean> {
    const { ari, log } = this.core.deps;
    const asCustomer = this.byCustomer.get(channelId);
    if (asCustomer && asCustomer.state === 'waiting') {
      this.finish(asCustomer);
      await ignoreGone(ari.channels.hangup(asCustomer.standInId, 'normal'), log, 'hang up the stand-in of a caller who left');
      return true;
    }
    const asStandIn = this.byStandIn.get(channelId);
    if (asStandIn && asStandIn.state === 'waiting') {
      // The stand-in left Queue() unanswered (timeout, empty queue, withdrawn): the member-leg
      // topology's dialplan hangs the caller up after Queue(); do the same.
      this.finish(asStandIn);
      await ignoreGone(ari.channels.hangup(asStandIn.customerId, 'normal'), log, 'hang up a caller the queue gave up on');
      return true;
    }
    // A leg that lost (another agent answered, or the customer left) is no longer offered.
    const leg = this.byLeg.get(channelId);
    if (leg && leg.answeredLeg !== channelId) {
      leg.legs.delete(channelId);
      this.byLeg.delete(channelId);
    }
    // A connected customer is the call part's: the router hands its hangup to the call.
    return false;
  }

  /** The call part that took a customer ended: hang up its member leg and stand-in. */
  async callEnded(call: CallRecord): Promise<void> {
    const s = this.byCall.get(call.id);
    if (!s) return;
    this.finish(s);
    const { ari, log } = this.core.deps;
    // As app_queue sees it in the member-leg topology: the caller hung up → the stand-in goes
    // (AgentComplete Reason caller); anything else → the member leg goes (Reason agent) and the
    // stand-in ends by itself after Queue() ([cc-queues]: UserEvent CcQueueExit, Hangup). Hanging
    // both up at once made app_queue's AgentComplete lose its caller fields now and then.
    const gone = call.endReason === 'customer-hangup' || !s.answeredLeg ? [...s.legs, s.standInId] : [...s.legs];
    await Promise.all(
      gone.filter(Boolean).map((id) => ignoreGone(ari.channels.hangup(id, 'normal'), log, 'end the queue side of a stand-in call')),
    );
  }

  /**
   * Restart recovery (a channel claimer): the stand-in (`standin,<customer>`) and the answered member
   * leg of a call part the new process adopted are that call's, not orphans; they are re-attached
   * so the end of the part hangs them up. The leg is recognised by its linkedid and agent.
   */
  claim(ch: AriChannel, args: string[] | undefined): boolean {
    // The stand-in's ;2 (in Queue()) is subscribed to the app too (originated with it): its id names
    // the customer.
    if (ch.id.endsWith(`${STAND_IN_SUFFIX}-q`)) {
      const customer = ch.id.slice(0, -`${STAND_IN_SUFFIX}-q`.length);
      return this.byCustomer.has(customer) || this.core.callOfChannel(customer)?.customerChannelId === customer;
    }
    if (!args) return false;
    if (args[0] === 'standin' && args[1]) {
      const call = this.core.callOfChannel(args[1]);
      if (!call || call.customerChannelId !== args[1]) return this.claimWaiting(ch, args[1]);
      const s = this.attach(call);
      s.standInId = ch.id;
      this.byStandIn.set(ch.id, s);
      return true;
    }
    // A waiting customer: kept when its stand-in was claimed (the sweep looks twice, so the order of
    // the channels does not matter); a customer whose stand-in is gone is an orphan (hung up, as the
    // dialplan after Queue() would).
    if (args[0] === 'inbound' && args[1] === 'queue') return this.byCustomer.get(ch.id)?.state === 'waiting';
    if (args[0] === 'agent-leg' && args[1] && args[2] && ch.state === 'Up') {
      const call = this.core
        .list()
        .find((c) => c.linkedid === args[2] && c.agentExt === args[1] && c.customerChannelId !== null && c.customerChannelId !== ch.id && c.state !== 'ended');
      if (!call) return false;
      const s = this.attach(call);
      s.legs.add(ch.id);
      s.answeredLeg ??= ch.id; // Up and matching an adopted call: the leg that was answered
      this.byLeg.set(ch.id, s);
      return true;
    }
    return false;
  }

  /**
   * A stand-in whose customer is still waiting (no call part took it before the restart): the new
   * process waits on for it. The linkedid is read back (the member legs to come carry it); until
   * the answer the customer's id stands for it (a trunk channel's linkedid is its own id).
   */
  private claimWaiting(ch: AriChannel, customerId: string): boolean {
    const known = this.byStandIn.get(ch.id);
    if (known) return known.state === 'waiting';
    if (this.byCustomer.has(customerId)) return false;
    const [, queue = '', context = ''] = /^Local\/([^@]+)@(.+)-[0-9a-f]+;1$/.exec(ch.name) ?? [];
    const s: StandIn = { customerId, standInId: ch.id, queue, context, linkedid: customerId, state: 'waiting', legs: new Set() };
    this.byCustomer.set(customerId, s);
    this.byStandIn.set(ch.id, s);
    this.byLinkedid.set(customerId, s);
    void this.core.deps.ari.channels.getVariable(customerId, 'CHANNEL(linkedid)').then(
      (linkedid) => {
        if (!linkedid || linkedid === s.linkedid || s.state === 'ended') return;
        if (this.byLinkedid.get(s.linkedid) === s) this.byLinkedid.delete(s.linkedid);
        s.linkedid = linkedid;
        this.byLinkedid.set(linkedid, s);
      },
      () => undefined,
    );
    return true;
  }

  private attach(call: CallRecord): StandIn {
    const known = this.byCall.get(call.id);
    if (known) return known;
    const s: StandIn = {
      customerId: call.customerChannelId!,
      standInId: '',
      queue: call.queue ?? '',
      context: '',
      linkedid: call.linkedid ?? '',
      state: 'connected',
      callId: call.id,
      legs: new Set(),
    };
    this.byCustomer.set(s.customerId, s);
    this.byCall.set(call.id, s);
    return s;
  }

  get size(): number {
    return this.byCustomer.size;
  }

  private finish(s: StandIn): void {
    s.state = 'ended'; // every state may end (NEXT)
    for (const leg of s.legs) if (this.byLeg.get(leg) === s) this.byLeg.delete(leg);
    this.byCustomer.delete(s.customerId);
    this.byStandIn.delete(s.standInId);
    if (this.byLinkedid.get(s.linkedid) === s) this.byLinkedid.delete(s.linkedid);
    if (s.callId) this.byCall.delete(s.callId);
  }
}
