/**
 * app_queue members whose Interface is a device dial string (`PJSIP/1000`, the "native" topology):
 * app_queue rings the device itself, no Local pair, no Stasis. As on Asterisk 22:
 * - ringing: the outgoing channel `PJSIP/1000-XXXXXXXX` (its own uniqueid = ARI channel id, the
 *   caller's linkedid and caller id, `AppQueue(Outgoing Line)`), AgentCalled with it as Dest*; the
 *   device behaves as scripted in devices.ts for that dial string (Devices.dialFromQueue).
 * - answer (queues.ts onAnswered, shared with member legs): the other rung members' channels hung up
 *   (no AgentRingNoAnswer), QueueCallerLeave, AgentConnect, caller and device in app_queue's own
 *   bridge (class basic, not an ARI bridge); the device's state counts toward its state interface
 *   (ringinuse=no, CallsTaken+1 once it is idle again).
 * - ring timeout / device busy / unavailable: AgentRingNoAnswer (queues.ts, queue-ringing.ts) with
 *   the time it rang in ms (busy: after its scripted delay; unavailable: at once, so ~0), channel
 *   hung up, retry after `retry`.
 * - either party hangs up: AgentComplete (caller|agent) and the other one is hung up (queues.ts).
 * - AMI Redirect (this file): each named channel leaves its bridge without hanging up and runs the
 *   target. app_queue sends no AgentComplete then: it keeps watching both uniqueids and reports
 *   (whole talk time, Reason by which one hung up, CallsTaken+1 once the device is idle) when either
 *   hangs up later; it hangs up neither, and the caller's dialplan after Queue() does not run. A
 *   party left alone in app_queue's bridge is put out: a device is hung up (silently: app_queue
 *   watches hangup requests), a caller returns from Queue() (hung up, as after any answered call).
 */
import type { SimChannel } from './model';
import { type QueueCall, type SimMember, agentEventFields } from './queue-types';
import { QueueRinging } from './queue-ringing';

/** The shipped dialplan's takeover entry: `exten => s,1,Stasis(<app>,takeover)`. */
export const TAKEOVER_CONTEXT = 'cc-takeover';

export interface RedirectTarget {
  ch: SimChannel;
  context: string;
  exten: string;
  priority: number;
}

export abstract class QueueNative extends QueueRinging {
  protected abstract abandon(call: QueueCall, customer: SimChannel, endReason: 'abandon' | 'redirect'): void;

  protected ringDevice(call: QueueCall, m: SimMember): void {
    const customer = this.model.channel(call.customerId);
    const dev = this.model.newChannel({
      name: `${m.interface.replace(/\/n$/, '')}-${this.model.nextNameSuffix()}`,
      kind: 'member-device',
      state: 'Down',
      caller: { ...customer.caller },
      connected: { ...customer.caller },
      dialplan: { context: 'default', exten: 's', priority: 1, app_name: 'AppQueue', app_data: '(Outgoing Line)' },
      linkedid: customer.linkedid,
      device: m.interface,
      formats: 'ulaw',
    });
    this.model.ami('AgentCalled', 'agent,all', agentEventFields(customer, dev, m));
    call.attempts.push({ member: m, leg1Id: dev.id, leg2Id: dev.id, startedAt: this.model.now() });
    this.opts.dialDevice?.(dev, m.interface);
  }

  /**
   * AMI Redirect of one or two channels (Redirect / Dual Redirect). Every channel leaves its bridge
   * (or its Stasis app) first, so the two parties of one call both go, then app_queue's bridge is
   * dissolved (a party left in it is put out), then each channel runs its target.
   */
  redirect(targets: RedirectTarget[]): void {
    const moving = new Set(targets.map((t) => t.ch.id));
    const touched = [...this.calls.values()].filter(
      (c) => c.state !== 'ended' && (moving.has(c.customerId) || (c.leg1Id !== undefined && moving.has(c.leg1Id))),
    );
    for (const { ch } of targets) {
      if (ch.stasisApp) this.model.leaveStasis(ch);
      else if (ch.bridgeId) this.model.removeFromBridge(ch.bridgeId, ch.id);
    }
    for (const call of touched) {
      if (call.state === 'connected') this.leftAppQueueBridge(call);
      // A caller still waiting leaves Queue() for the target. The async goto makes app_queue's wait
      // fail (res < 0, not handled): queue_exec records it as abandoned, as for a hang-up
      // (apps/app_queue.c `stop:`; not checked on a real Asterisk). Members ringing are hung up.
      else if (moving.has(call.customerId)) {
        const customer = this.model.channel(call.customerId);
        customer.moh = undefined; // Queue()'s music stops with it
        this.abandon(call, customer, 'redirect');
      }
    }
    for (const t of targets) {
      if (t.ch.hungUp) continue;
      const call = [...this.calls.values()].find((c) => c.customerId === t.ch.id);
      if (call) call.location = { context: t.context, exten: t.exten };
      this.runDialplan(t.ch, t.context, t.exten, t.priority);
    }
  }

  private leftAppQueueBridge(call: QueueCall): void {
    call.redirected = true;
    const b = call.basicBridgeId ? this.model.bridges.get(call.basicBridgeId) : undefined;
    if (!b) return;
    const left = [...b.channels];
    this.model.destroyBridge(b.id);
    // A device left alone is hung up without a hangup request: app_queue does not see it go
    // (22.10.1, topology-native capture: no AgentComplete until the caller hangs up, then without
    // Dest*). A caller left alone returns from Queue() and its dialplan ends (pbx's soft hang-up:
    // AgentComplete caller), as the sim ends an answered caller (queues.ts).
    for (const id of left) this.model.hangup(id, 16, { request: id === call.customerId });
  }

  /** What the channel does at <context>,<exten>: the takeover entry enters the app; elsewhere it just sits there. */
  private runDialplan(ch: SimChannel, context: string, exten: string, priority: number): void {
    ch.dialplan = { context, exten, priority, app_name: '', app_data: '' };
    this.model.channelEvent(ch, 'ChannelDialplan', { dialplan_app: '', dialplan_app_data: '' });
    if (context !== TAKEOVER_CONTEXT || exten !== 's') return;
    // Stasis() fails (STASISSTATUS=FAILED) with no app connected: the entry ends with Hangup().
    if (!this.model.enterStasis(ch, this.opts.app, ['takeover'])) this.model.hangup(ch.id, 16);
  }
}
