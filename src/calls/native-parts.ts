/**
 * Native topology (asterisk.queue_topology = native; docs/CALL-TOPOLOGY.md "Native topology"):
 * app_queue rings the agent's device itself (member Interface = the device) and bridges it with
 * the caller in its own bridge, exactly as plain app_queue does: no channel of an untouched queue
 * call is in Stasis, and no ARI request is made for it. The call part lives on app_queue's AMI
 * events:
 *   AgentCalled (Interface = an agent's device)  → part ringing-agent (customer side = the caller's
 *                                                  Uniqueid, agent side = DestUniqueid: ARI ids)
 *   AgentConnect                                 → connected; the caller's other ringing parts end
 *                                                  answered-elsewhere (app_queue cancels those rings)
 *   AgentRingNoAnswer                            → ends not-answered (no-answer strikes: agents domain)
 *   QueueCallerAbandon                           → the caller's ringing parts end not-answered
 *   QueueCallerLeave, no AgentConnect after it   → the same after LEAVE_GRACE_MS (Queue() timeout,
 *                                                  withdrawn; an answer sends Leave then Connect)
 *   AgentComplete                                → ends customer-hangup / agent-hangup / transferred;
 *                                                  the channels are app_queue's: nothing to hang up
 * A request that must own the media (hold, mute, DTMF, transfers, conference, rooms) first takes
 * the call over (takeover.ts); from then on the part is driven by Stasis like any other.
 * Recording and live monitoring snoop on the device, which needs no Stasis.
 */
import { agentExtFromInterface } from '../ami/events';
import type { AmiClient, AmiEvent } from '../ami/types';
import type { AriChannel } from '../ari/types';
import type { Blocklist } from '../prank/blocklist';
import type { TimerHandle } from '../util/clock';
import { sanitizeCallerId } from '../util/caller-id';
import { ignoreGone } from './ari-util';
import type { CallCore, NewCall } from './core';
import { UnrecordedParts } from './native-unrecorded';
import { expireOldest, recordBlocked } from './inbound';
import { stasisArgs } from './recovery';
import { discoverNativeCalls, isUnknownQueueDevice } from './native-discovery';
import type { CallRecord } from './types';

/** An answer sends QueueCallerLeave then AgentConnect in one burst; this covers their gap. */
export const LEAVE_GRACE_MS = 2000;

export interface NativePart {
  callId: string;
  deviceId: string | null;
  callerId: string | null;
  /** Channel names: AMI Redirect takes names, not ids. */
  callerName: string;
  deviceName: string;
  /** True once taken over into Stasis (takeover.ts): Stasis drives the part's end then. */
  controlled: boolean;
}

const END_REASONS: Readonly<Record<string, string>> = { caller: 'customer-hangup', agent: 'agent-hangup', transfer: 'transferred' };

export class NativeParts {
  /** callId → what AMI told about the part. */
  private readonly parts = new Map<string, NativePart>();
  /** Device channel id (DestUniqueid) → callId. */
  private readonly byDevice = new Map<string, string>();
  /** Caller's Uniqueid → its parts still ringing. */
  private readonly ringing = new Map<string, Set<string>>();
  /** Channels of parts that entered the app through a takeover (see isStaleExit). */
  private readonly inApp = new Set<string>();
  /** Callers whose QueueCallerLeave waits for an AgentConnect (see LEAVE_GRACE_MS). */
  private readonly leaving = new Map<string, TimerHandle>();
  /**
   * Parts that must be in Stasis from the answer on (a queue with a post-call survey: the survey
   * takes the customer when the agent hangs up, which app_queue's bridge would not let it do).
   */
  controlAtAnswer?: (call: CallRecord) => boolean;
  /** A queue transfer's re-entry (inbound.ts): the new parts are children of the transfer's part. */
  reentryOf?: (linkedid: string) => { parentId: string } | undefined;
  /** linkedid → when it was recorded as blocked (app_queue may offer the caller again meanwhile; kept 10 minutes). */
  private readonly blocked = new Map<string, number>();

  /** Parts the database refused at first (native-unrecorded.ts). */
  readonly unrecorded: UnrecordedParts;

  constructor(
    private readonly core: CallCore,
    private readonly blocklist: Blocklist,
  ) {
    this.unrecorded = new UnrecordedParts(core, (call, names) => this.attach(call, names));
  }

  get(callId: string): NativePart | undefined {
    return this.parts.get(callId);
  }

  listen(ami: AmiClient | undefined): () => void {
    if (!ami) return () => undefined;
    const subs = [
      ami.onEvent('AgentCalled', (e) => this.guard(e, () => this.onCalled(e))),
      ami.onEvent('AgentConnect', (e) => this.guard(e, () => this.onConnect(e))),
      ami.onEvent('AgentRingNoAnswer', (e) => this.guard(e, () => this.endRinging(e.DestUniqueid, 'not-answered', { ringTimeMs: Number(e.RingTime ?? 0) }))),
      ami.onEvent('AgentComplete', (e) => this.guard(e, () => this.onComplete(e))),
      ami.onEvent('QueueCallerAbandon', (e) => this.guard(e, () => this.callerGone(e.Uniqueid, 'abandoned'))),
      ami.onEvent('QueueCallerLeave', (e) => this.guard(e, () => this.onLeave(e))),
    ];
    const offEnded = this.core.onEnded((call) => this.untrack(call.id));
    return () => {
      for (const u of subs) u();
      offEnded();
      for (const h of this.leaving.values()) this.core.deps.clock.clearTimeout(h);
      this.leaving.clear();
    };
  }

  /**
   * Recovery (Recovery.rowClaimer): an open row of an earlier process whose caller and device are
   * both alive and outside the app is a native call app_queue still rings or bridges: the row is
   * adopted and AMI goes on driving it. False = not such a row (the usual recovery settles it).
   */
  claim(row: CallRecord, alive: Map<string, AriChannel>, app: string): boolean {
    if (row.kind !== 'inbound' || !row.linkedid || row.bridgeId || !row.customerChannelId || !row.agentChannelId) return false;
    if (row.state !== 'ringing-agent' && row.state !== 'connected') return false;
    const caller = alive.get(row.customerChannelId);
    const device = alive.get(row.agentChannelId);
    if (!caller || !device || stasisArgs(caller, app) || stasisArgs(device, app)) return false;
    this.core.adopt(row);
    this.attach(row, { callerName: caller.name, deviceName: device.name });
    if (row.state === 'connected' && row.agentExt) {
      // The agents domain must keep this agent busy for app_queue after the restart.
      this.core.deps.agents.callConnected(row.agentExt, { callId: row.id, queue: row.queue ?? undefined, direction: row.direction });
    }
    this.core.record(row.id, 'adopted', { state: row.state, topology: 'native' });
    return true;
  }

  /** takeover.ts moved both channels into Stasis. */
  markControlled(callId: string): void {
    const p = this.parts.get(callId);
    if (p) p.controlled = true;
  }

  /** A channel of a part reached the app (takeover's StasisStart): its StasisEnd is a real exit. */
  enteredApp(channelId: string): void {
    this.inApp.add(channelId);
  }

  /**
   * Router hook (StasisRouter.onAnyGone): true = ignore this exit. The trunk caller leaves the app
   * for Queue() (the inbound route's `continue`) and its StasisEnd may arrive after AgentCalled
   * made it a part's customer side; that is not a hang-up (AMI tells the end of an untouched part).
   */
  isStaleExit(channelId: string): boolean {
    if (this.inApp.has(channelId)) {
      this.inApp.delete(channelId);
      return false;
    }
    const call = this.core.callOfChannel(channelId);
    return call !== undefined && this.parts.has(call.id);
  }

  /** True when a part follows this device channel. */
  tracksDevice(deviceId: string): boolean {
    return this.byDevice.has(deviceId);
  }

  /** A part written by native-discovery.ts or native-unrecorded.ts: AMI drives it from now on. */
  attach(call: CallRecord, names: { callerName: string; deviceName: string }): void {
    this.track(call, names);
    if (call.state === 'ringing-agent' && call.customerChannelId) this.ringingOf(call.customerChannelId).add(call.id);
  }

  /**
   * What AMI may not have told (an AMI outage, the daemon down, a part the database refused; a
   * manager.conf without AgentComplete): every SWEEP_MS and after each ARI or AMI (re)connect the
   * service lists Asterisk's channels; an untouched part whose caller or device is gone ends, and a
   * call app_queue connected unseen is recorded (native-discovery.ts). Returns the ids ended and found.
   */
  reconcile(): Promise<{ ended: string[]; found: string[] }> {
    // One at a time (an ARI and an AMI reconnect can ask together): two would record a call twice.
    this.reconciling ??= this.doReconcile().finally(() => (this.reconciling = undefined));
    return this.reconciling;
  }

  private reconciling?: Promise<{ ended: string[]; found: string[] }>;

  private async doReconcile(): Promise<{ ended: string[]; found: string[] }> {
    const { ari } = this.core.deps;
    this.unrecorded.retryAll();
    const channels = await ari.channels.list();
    const ended = await this.endUnseen(new Set(channels.map((c) => c.id)));
    const found = channels.some((c) => isUnknownQueueDevice(c, this))
      ? await discoverNativeCalls(this.core, this, channels, await ari.bridges.list())
      : [];
    return { ended, found };
  }

  private async endUnseen(alive: Set<string>): Promise<string[]> {
    const ended: string[] = [];
    for (const p of [...this.parts.values()].filter((x) => !x.controlled)) {
      const call = this.core.get(p.callId);
      if (!call || !this.parts.has(p.callId) || (alive.has(p.callerId ?? '') && alive.has(p.deviceId ?? ''))) continue;
      // A part younger than the channel list may have channels the list missed.
      if (call.startedAt > this.core.deps.clock.now() - 2000) continue;
      const side = !alive.has(p.callerId ?? '') ? 'customer' : 'agent';
      this.core.deps.log.warn('native call part whose channel went unseen: ending it', { callId: p.callId, side });
      this.untrack(p.callId);
      ended.push(p.callId);
      const reason = call.state === 'ringing-agent' ? 'not-answered' : side === 'customer' ? 'customer-hangup' : 'agent-hangup';
      await this.core.end(p.callId, reason, { data: { unseen: true } });
    }
    return ended;
  }

  private onCalled(e: AmiEvent): void {
    const ext = this.core.deps.agents.memberExtension?.(e.Interface ?? '');
    // A member leg (Local/<ext>@<agent_leg>/n, left from another topology) is inbound.ts's; a
    // device we do not know is not ours.
    if (!ext || agentExtFromInterface(e.Interface, this.core.deps.config.asterisk.contexts.agent_leg) || !e.DestUniqueid || !e.Uniqueid) return;
    if (this.byDevice.has(e.DestUniqueid)) return;
    const caller = sanitizeCallerId({ number: e.CallerIDNum ?? '', name: e.CallerIDName ?? '' });
    const linkedid = e.Linkedid || e.DestLinkedid || null;
    if (this.blocklist.isBlocked(caller.number || undefined)) return void this.rejectBlocked(e, ext, caller.number, linkedid);
    const fields: NewCall = {
      kind: 'inbound',
      direction: 'inbound',
      state: 'ringing-agent',
      parentId: linkedid ? (this.reentryOf?.(linkedid)?.parentId ?? null) : null,
      queue: e.Queue ?? null,
      agentExt: ext,
      customerNumber: caller.number || null,
      customerChannelId: e.Uniqueid,
      agentChannelId: e.DestUniqueid,
      linkedid,
    };
    const names = { callerName: e.Channel ?? '', deviceName: e.DestChannel ?? '' };
    let call: CallRecord;
    try {
      call = this.core.create(fields);
    } catch (err) {
      // app_queue rings on without us: keep what AMI said until the database takes it.
      this.core.deps.log.warn('native call part not written yet (database refused it)', { device: e.DestUniqueid, err: (err as Error).message });
      this.unrecorded.add(e.DestUniqueid, fields, names);
      return;
    }
    this.attach(call, names);
  }

  private ringingOf(callerId: string): Set<string> {
    let set = this.ringing.get(callerId);
    if (!set) this.ringing.set(callerId, (set = new Set()));
    return set;
  }

  private onConnect(e: AmiEvent): void {
    const callId = e.DestUniqueid ? this.byDevice.get(e.DestUniqueid) : undefined;
    const call = callId ? this.core.get(callId) : undefined;
    const timer = this.leaving.get(e.Uniqueid ?? '');
    if (timer) this.core.deps.clock.clearTimeout(timer);
    this.leaving.delete(e.Uniqueid ?? '');
    if (!call && e.DestUniqueid) this.unrecorded.connected(e.DestUniqueid);
    if (call && call.state === 'ringing-agent') {
      this.ringing.get(e.Uniqueid ?? '')?.delete(call.id);
      // Hold and ring times stay with the queue stay (reports); one write step per answer.
      this.core.transition(call, 'agent-answered');
      if (this.controlAtAnswer?.(call)) {
        // exclusive() runs the takeover (CallCore.beforeReshape); a failure is logged there.
        void this.core.exclusive(call.id, 'takeover', async () => undefined).catch(() => undefined);
      }
    }
    // Ringall: app_queue hangs up the other members' devices; those parts lost the race.
    this.endAllRinging(e.Uniqueid ?? '', 'answered-elsewhere');
  }

  private onComplete(e: AmiEvent): void {
    const callId = e.DestUniqueid ? this.byDevice.get(e.DestUniqueid) : this.byFields(e);
    const part = callId ? this.parts.get(callId) : undefined;
    const reason = END_REASONS[e.Reason ?? ''] ?? 'ended';
    const data = { talkTimeS: Number(e.TalkTime ?? 0), holdTimeS: Number(e.HoldTime ?? 0), by: 'app_queue' };
    if (!callId && e.DestUniqueid) this.unrecorded.ended(e.DestUniqueid, reason, data);
    if (!callId || !part) return;
    this.untrack(callId);
    // Taken over: the channels are in Stasis and their StasisEnd ends the part (interceptors too).
    if (part.controlled) return;
    void this.core.end(callId, reason, { keepAgent: true, keepCustomer: true, data });
  }

  /** AgentComplete without channel fields (both gone, Asterisk 22): the member's connected part. */
  private byFields(e: AmiEvent): string | undefined {
    const ext = this.core.deps.agents.memberExtension?.(e.Interface ?? '');
    if (!ext) return undefined;
    for (const [id] of this.parts) {
      const c = this.core.get(id);
      if (c && c.agentExt === ext && c.queue === (e.Queue ?? null) && c.state !== 'ringing-agent') return id;
    }
    return undefined;
  }

  private onLeave(e: AmiEvent): void {
    const uid = e.Uniqueid ?? '';
    if (!this.ringing.get(uid)?.size || this.leaving.has(uid)) return;
    const h = this.core.deps.clock.setTimeout(() => {
      this.leaving.delete(uid);
      this.endAllRinging(uid, 'not-answered', { cause: 'left the queue' });
    }, LEAVE_GRACE_MS);
    this.leaving.set(uid, h);
  }

  private callerGone(uid: string | undefined, cause: string): void {
    if (uid) this.endAllRinging(uid, 'not-answered', { cause });
  }

  private endAllRinging(uid: string, reason: string, data: Record<string, unknown> = {}): void {
    for (const dev of this.unrecorded.ringingOf(uid)) this.unrecorded.ended(dev, reason, data);
    const set = this.ringing.get(uid);
    if (!set) return;
    this.ringing.delete(uid);
    for (const id of set) this.endPart(id, reason, data);
  }

  private endRinging(deviceId: string | undefined, reason: string, data: Record<string, unknown>): void {
    if (deviceId && this.unrecorded.has(deviceId)) this.unrecorded.ended(deviceId, reason, data);
    const callId = deviceId ? this.byDevice.get(deviceId) : undefined;
    const call = callId ? this.core.get(callId) : undefined;
    if (!call || call.state !== 'ringing-agent') return;
    this.ringing.get(call.customerChannelId ?? '')?.delete(call.id);
    this.endPart(call.id, reason, data);
  }

  /** app_queue ends its own rings: nothing to hang up. */
  private endPart(callId: string, reason: string, data: Record<string, unknown>): void {
    this.untrack(callId);
    void this.core.end(callId, reason, { keepAgent: true, keepCustomer: true, data });
  }

  private track(call: CallRecord, names: { callerName: string; deviceName: string }): void {
    this.parts.set(call.id, { callId: call.id, deviceId: call.agentChannelId, callerId: call.customerChannelId, ...names, controlled: false });
    if (call.agentChannelId) this.byDevice.set(call.agentChannelId, call.id);
  }

  private untrack(callId: string): void {
    const p = this.parts.get(callId);
    if (!p) return;
    this.parts.delete(callId);
    if (p.deviceId && this.byDevice.get(p.deviceId) === callId) this.byDevice.delete(p.deviceId);
    if (p.deviceId) this.inApp.delete(p.deviceId);
    if (p.callerId) this.inApp.delete(p.callerId);
    if (p.callerId) {
      const set = this.ringing.get(p.callerId);
      set?.delete(callId);
      if (set && set.size === 0) this.ringing.delete(p.callerId);
    }
  }

  /** Blocked caller queued by a dialplan that skipped the daemon's inbound check: recorded once, hung up. */
  private rejectBlocked(e: AmiEvent, ext: string, number: string, linkedid: string | null): void {
    const { ari, log, agents } = this.core.deps;
    if (linkedid) agents.callRejected?.(ext, { linkedid, reason: 'blocked' });
    const now = this.core.deps.clock.now();
    expireOldest(this.blocked, now, (at) => at);
    const first = !linkedid || !this.blocked.has(linkedid);
    if (first && linkedid) this.blocked.set(linkedid, now);
    // Recorded (once per linkedid), then hung up, as inbound.ts rejects a blocked caller.
    void (first ? recordBlocked(this.core, this.blocklist, number, { queue: e.Queue ?? null, linkedid }) : Promise.resolve())
      .then(() => ignoreGone(ari.channels.hangup(e.Uniqueid ?? '', 'rejected'), log, 'reject blocked queue caller'))
      .catch((err: Error) => log.error('blocked queue caller not recorded', { linkedid, err: err.message }));
  }

  private guard(e: AmiEvent, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.core.deps.log.error('native queue event handling failed', { event: e.Event, err: (err as Error).message });
    }
  }
}
