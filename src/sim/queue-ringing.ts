/**
 * app_queue's ringing of members (QueueEngine, queues.ts, adds callers entering, leaving and being
 * answered): a waiting caller is offered to the members pickMembers chooses (ringinuse=no, autofill),
 * each ring is a Local pair whose `;2` enters Stasis(<app>,agent-leg,<ext>,<linkedid>) (a device
 * member, e.g. `PJSIP/1000`, is dialled directly: queue-native.ts); no answer
 * within the queue's timeout = AgentRingNoAnswer and another try after `retry`.
 */
import type { TimerHandle } from '../util/clock';
import {
  type QueueCall,
  type QueueCallState,
  QUEUE_CALL_TRANSITIONS,
  type RingAttempt,
  type SimMember,
  agentEventFields,
} from './queue-types';
import { QueueMembers } from './queue-members';
import { pickMembers } from './queue-strategy';

const AGENT_IFACE = /^Local\/(\d+)@([A-Za-z0-9_-]+)(\/n)?$/;

/**
 * A member interface app_queue dials as a device (`PJSIP/1000`, `SIP/x`, `PJSIP/5511@trunk`): any
 * `<tech>/<resource>` that is not a Local channel. Local members keep the member-leg model (their
 * `;2` runs Stasis in the agent-leg context; any other Local context fails at once, RingTime 0).
 */
export function isDeviceInterface(iface: string): boolean {
  return /^[A-Za-z0-9]+\/\S+$/.test(iface) && !iface.startsWith('Local/');
}

export abstract class QueueRinging extends QueueMembers {
  readonly calls = new Map<string, QueueCall>();
  private timers = new Set<TimerHandle>();

  protected transition(call: QueueCall, to: QueueCallState): void {
    if (!QUEUE_CALL_TRANSITIONS[call.state].includes(to)) {
      throw new Error(`queue call ${call.handle}: illegal transition ${call.state} -> ${to}`);
    }
    call.state = to;
  }
  protected tryRing(call: QueueCall): void {
    if (call.state !== 'waiting') return;
    const q = this.queue(call.queue);
    // autofill=no: app_queue's is_our_turn() lets only the caller at position 1 ring members, and it
    // stays at position 1 while its member rings; the others poll their turn every RECHECK second.
    // (autofill=yes: each waiting caller is offered to a free member, as many at once as are free.)
    if (!q.autofill && call.position !== 1) {
      call.timer = this.later(this.opts.recheckMs, () => this.tryRing(call));
      return;
    }
    const chosen = pickMembers(q, this.model.now(), this.pendingInterfaces());
    if (chosen.length === 0) return this.retryLater(call);
    this.transition(call, 'ringing');
    call.ringStartedAt = this.model.now();
    for (const m of chosen) this.ringMember(call, m);
    if (call.attempts.length === 0) {
      // Every Stasis() failed at once (app not registered): app_queue waits `retry` and tries again.
      this.transition(call, 'waiting');
      return this.retryLater(call);
    }
    call.timer = this.later(q.timeoutMs, () => this.ringTimeout(call));
  }
  protected pendingInterfaces(): Set<string> {
    const s = new Set<string>();
    for (const c of this.calls.values()) for (const a of c.attempts) s.add(a.member.interface);
    return s;
  }
  /** A member whose Interface is a device dial string: app_queue rings the device itself (queue-native.ts). */
  protected abstract ringDevice(call: QueueCall, m: SimMember): void;
  protected ringMember(call: QueueCall, m: SimMember): void {
    if (isDeviceInterface(m.interface)) return this.ringDevice(call, m);
    const customer = this.model.channel(call.customerId);
    const parsed = AGENT_IFACE.exec(m.interface);
    const ext = parsed?.[1] ?? m.interface;
    const ctx = parsed?.[2] ?? this.opts.agentLegContext;
    const base = `Local/${ext}@${ctx}-${this.model.nextNameSuffix()}`;
    const common = { caller: { ...customer.caller }, linkedid: call.handle };
    const leg1 = this.model.newChannel({ ...common, name: `${base};1`, kind: 'leg1', state: 'Down', dialplan: { context: ctx, exten: call.queue } });
    const leg2 = this.model.newChannel({ ...common, name: `${base};2`, kind: 'leg2', state: 'Ring', dialplan: { context: ctx, exten: ext } });
    leg1.partnerId = leg2.id;
    leg2.partnerId = leg1.id;
    this.model.ami('AgentCalled', 'agent,all', agentEventFields(customer, leg1, m));
    const attempt: RingAttempt = { member: m, leg1Id: leg1.id, leg2Id: leg2.id, startedAt: this.model.now() };
    leg2.dialplan = { ...leg2.dialplan, priority: 2 };
    const inStasis =
      parsed !== null &&
      ctx === this.opts.agentLegContext &&
      this.model.enterStasis(leg2, this.opts.app, ['agent-leg', ext, call.handle]);
    if (!inStasis) {
      // STASISSTATUS=FAILED: the Local channel hangs up at once, app_queue logs RingTime=0.
      this.model.ami('AgentRingNoAnswer', 'agent,all', [...agentEventFields(customer, leg1, m), ['RingTime', '0']]);
      this.model.hangup(leg1.id, 0);
      return;
    }
    call.attempts.push(attempt);
  }
  protected ringTimeout(call: QueueCall): void {
    if (call.state !== 'ringing') return;
    this.cancelRings(call);
    this.transition(call, 'waiting');
    this.retryLater(call);
  }
  /** Members still ringing are given up on: AgentRingNoAnswer each, their legs hung up. */
  protected cancelRings(call: QueueCall): void {
    const customer = this.model.channel(call.customerId);
    const attempts = call.attempts;
    call.attempts = [];
    for (const a of attempts) {
      const leg1 = this.model.channels.get(a.leg1Id);
      if (leg1) {
        const ringMs = this.model.now() - a.startedAt;
        this.model.ami('AgentRingNoAnswer', 'agent,all', [...agentEventFields(customer, leg1, a.member), ['RingTime', String(ringMs)]]);
      }
      this.model.hangup(a.leg1Id, 0);
    }
  }
  /** app_queue's `retry`: the waiting call is offered again after the queue's pause. */
  protected retryLater(call: QueueCall): void {
    call.timer = this.later(this.queue(call.queue).retryMs, () => this.tryRing(call));
  }
  protected later(ms: number, fn: () => void): TimerHandle {
    const h = this.opts.clock.setTimeout(() => {
      this.timers.delete(h);
      fn();
    }, ms);
    this.timers.add(h);
    return h;
  }
  /** The ring/retry timer; `andWait`: the Queue() timeout too (the caller is out of the queue). */
  protected clearTimer(call: QueueCall, andWait = false): void {
    for (const h of andWait ? [call.timer, call.waitTimer] : [call.timer]) {
      if (!h) continue;
      this.opts.clock.clearTimeout(h);
      this.timers.delete(h);
    }
    call.timer = undefined;
    if (andWait) call.waitTimer = undefined;
  }
  /** Cancels every pending ring, retry and timeout. */
  stop(): void {
    for (const h of this.timers) this.opts.clock.clearTimeout(h);
    this.timers.clear();
  }
}
