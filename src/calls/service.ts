/**
 * Wires the call core together and exposes the primitives other features build on (see the
 * header of src/calls/index.ts). Plain TS: everything arrives through the constructor.
 */
import { Abandons } from './abandons';
import type { AmiClient } from '../ami/types';
import type { CallDirectory, DispositionTarget } from '../daemon/ports';
import { Blocklist } from '../prank/blocklist';
import { DncGuard } from '../dnc/guard';
import { notFound, refused } from '../util/errors';
import { CallActions } from './actions';
import { type ActivityProvider, CallCore, type CoreDeps, type EndOptions, type HangupInterceptor, type NewCall, type ReshapeOptions } from './core';
import type { CallAction, CallActivity } from './state-machine';
import { Hangups } from './hangups';
import { InboundCalls } from './inbound';
import { type OriginateHandlers, Originations } from './originations';
import { OutboundCalls, type DialRequest } from './outbound';
import { CallRepo } from './repo';
import { type BridgeClaimer, type ChannelClaimer, Recovery, type RecoveryReport } from './recovery';
import { StasisRouter, type StartHandler } from './router';
import { stasisArgs } from './recovery';
import { NativeParts } from './native-parts';
import { surveyExtensionReader } from './survey';
import { Takeover } from './takeover';
import { StandIns } from './stand-ins';
import type { CallKind, CallRecord } from './types';

export type CallServiceDeps = Omit<CoreDeps, 'repo' | 'originations'> & { ami?: AmiClient };

/** Period of the call sweep (Recovery.sweep): an empty orphan bridge goes within two periods. */
export const SWEEP_MS = 15_000;

export class CallService implements CallDirectory {
  readonly core: CallCore;
  readonly repo: CallRepo;
  readonly blocklist: Blocklist;
  /** The do-not-call list, asked before every outbound dial (also by transfers and callbacks). */
  readonly dnc: DncGuard;
  readonly originations: Originations;
  readonly actions: CallActions;
  readonly hangups: Hangups;
  readonly inbound: InboundCalls;
  readonly outbound: OutboundCalls;
  readonly router: StasisRouter;
  readonly recovery: Recovery;
  readonly abandons: Abandons;
  /** Stand-in topology (asterisk.queue_topology = stand-in), else undefined. */
  readonly standIns: StandIns | undefined;
  /** Native topology (asterisk.queue_topology = native), else undefined. */
  readonly native: { parts: NativeParts; takeover: Takeover } | undefined;
  private readonly unsubscribe: (() => void)[] = [];
  private recovering: Promise<RecoveryReport | undefined> | undefined;
  lastRecovery: RecoveryReport | undefined;

  constructor(private readonly deps: CallServiceDeps) {
    this.repo = new CallRepo(deps);
    this.blocklist = new Blocklist(deps);
    this.dnc = new DncGuard(deps);
    this.originations = new Originations(deps);
    this.core = new CallCore({ ...deps, repo: this.repo, originations: this.originations });
    this.hangups = new Hangups(this.core);
    this.actions = new CallActions(this.core, this.blocklist);
    const { asterisk } = deps.config;
    this.standIns = asterisk.queue_topology === 'stand-in' ? new StandIns(this.core, asterisk.moh_class) : undefined;
    this.inbound = new InboundCalls(this.core, this.blocklist, deps.ami, this.hangups, this.standIns);
    this.outbound = new OutboundCalls(this.core, this.hangups, this.dnc);
    this.router = new StasisRouter(deps, this.core, this.originations, this.hangups);
    this.recovery = new Recovery(this.core, this.originations, this.hangups);
    this.abandons = new Abandons(this.core);
    this.router.onStart('agent-leg', (e) => this.inbound.onAgentLeg(e));
    this.router.onStart('inbound', (e) => this.inbound.onDirect(e));
    this.router.onAnyStart = (id) => this.recovery.startedSinceConnect.add(id);
    this.recovery.onMissedStart = (ch, args) => this.router.replayStart(ch, args);
    if (asterisk.queue_topology === 'native') {
      const parts = new NativeParts(this.core, this.blocklist);
      const survey = surveyExtensionReader(deps.db);
      parts.controlAtAnswer = (call) => !!survey(call.queue);
      parts.reentryOf = (linkedid) => this.inbound.reentryOf(linkedid);
      const takeover = new Takeover(this.core, parts, deps.ami, asterisk.contexts.takeover);
      this.native = { parts, takeover };
      this.router.onStart('takeover', (e) => takeover.onStart(e));
      this.core.beforeReshape = (call) => takeover.ensureControlled(call);
      this.recovery.rowClaimer = (row, alive) => parts.claim(row, alive, deps.ari.app);
      this.router.onAnyGone = async (id) => parts.isStaleExit(id);
    }
    const standIns = this.standIns;
    if (standIns) {
      this.router.onStart('standin', (e) => standIns.onStart(e));
      this.router.onAnyGone = (id) => standIns.onGone(id);
      this.core.onEnded((call) => void standIns.callEnded(call));
      this.recovery.channelClaimers.push((ch) => standIns.claim(ch, stasisArgs(ch, deps.ari.app)));
    }
  }

  /** Subscribes to ARI/AMI. Recovery runs on every ARI onConnected (first connect and reconnects). */
  start(): void {
    this.core.start();
    this.router.start();
    this.unsubscribe.push(this.inbound.listenAmi());
    if (this.standIns) this.unsubscribe.push(this.standIns.listen(this.deps.ami));
    if (this.native) {
      const parts = this.native.parts;
      this.unsubscribe.push(parts.listen(this.deps.ami));
      // AMI events lost while the link was down: look at Asterisk as soon as it is back.
      if (this.deps.ami) {
        this.unsubscribe.push(
          this.deps.ami.onConnected(() => {
            if (!this.deps.ari.connected) return; // the ARI connect's recovery reconciles then
            void this.reconcileNative();
          }),
        );
      }
    }
    this.unsubscribe.push(this.abandons.listen(this.deps.ami));
    this.unsubscribe.push(this.deps.ari.onConnected(() => void this.resync()));
    if (this.deps.ari.connected) void this.resync();
    this.scheduleSweep();
  }

  private sweepTimer?: ReturnType<CallService['deps']['clock']['setTimeout']>;

  /** Every SWEEP_MS while ARI is up and no recovery runs: Recovery.sweep (empty orphan bridges). */
  private scheduleSweep(): void {
    const { clock, log, ari } = this.deps;
    this.sweepTimer = clock.setTimeout(() => {
      const due = ari.connected && !this.recovering && this.lastRecovery;
      const run = due ? this.recovery.sweep().then(async (r) => (await this.reconcileNative(), r)) : Promise.resolve([]);
      void run
        .catch((err: Error) => log.warn('call sweep failed (next one retries)', { err: err.message }))
        .finally(() => {
          if (this.sweepTimer) this.scheduleSweep();
        });
    }, SWEEP_MS);
  }

  stop(): void {
    if (this.sweepTimer) this.deps.clock.clearTimeout(this.sweepTimer);
    this.sweepTimer = undefined;
    for (const u of this.unsubscribe.splice(0)) u();
    this.router.stop();
    this.core.stop();
  }

  /** Native topology: what AMI may not have told (native-parts.ts reconcile); never throws (logged). */
  private async reconcileNative(): Promise<void> {
    await this.native?.parts.reconcile().catch((err: Error) => this.deps.log.warn('native reconcile failed (the sweep retries)', { err: err.message }));
  }

  /** Runs restart/reconnect recovery once at a time; never throws (logged). */
  resync(): Promise<RecoveryReport | undefined> {
    if (!this.recovering) {
      this.recovering = this.recovery
        .run()
        .then(async (r) => {
          // Native: calls app_queue connected while this process could not see them.
          await this.reconcileNative();
          return (this.lastRecovery = r);
        })
        .catch((err: Error) => {
          this.deps.log.error('call recovery failed', { err: err.message });
          return undefined;
        })
        .finally(() => (this.recovering = undefined));
    }
    return this.recovering;
  }

  // ---- CallDirectory (port used by the agents domain) ----

  activeCallIds(extension: string): string[] {
    return this.core.byAgent(extension).map((c) => c.id);
  }

  callsKnown(): boolean {
    return this.lastRecovery !== undefined;
  }

  dispositionTarget(callId: string): DispositionTarget | undefined {
    const c = this.core.get(callId) ?? this.repo.get(callId);
    if (!c) return undefined;
    return { agentExt: c.agentExt, queue: c.queue, answered: c.answeredAt !== null, ended: c.endedAt !== null, disposition: c.disposition };
  }

  async endCallsOf(extension: string, reason: string): Promise<void> {
    await Promise.all(this.core.byAgent(extension).map((c) => this.core.end(c.id, reason, { data: { agent: extension } })));
  }

  // ---- operations (API / CLI) ----

  dial(req: DialRequest): Promise<CallRecord> {
    return this.outbound.dial(req);
  }

  // ---- primitives for transfers, conference, survey, callbacks ----

  get(id: string): CallRecord | undefined {
    return this.core.get(id);
  }

  require(id: string): CallRecord {
    return this.core.require(id);
  }

  list(): CallRecord[] {
    return this.core.list();
  }

  callsOfAgent(ext: string): CallRecord[] {
    return this.core.byAgent(ext);
  }

  callOfChannel(channelId: string): CallRecord | undefined {
    return this.core.callOfChannel(channelId);
  }

  /** Rings an agent's device into our app; the handlers report answer / failure / hangup. */
  async originateAgentDevice(
    ext: string,
    opts: { callId: string; callerId?: string; timeoutSec?: number; originator?: string } & OriginateHandlers,
  ): Promise<string> {
    const presence = this.deps.agents.presence(ext);
    if (!presence) throw notFound(`unknown agent ${ext}`, { agent: ext });
    if (!presence.device) throw refused(`agent ${ext} has no device`, { agent: ext });
    const { callId, callerId, timeoutSec, originator, ...handlers } = opts;
    return this.originations.originate({ endpoint: presence.device, callId, role: `agent${ext}`, callerId, timeoutSec, originator, handlers });
  }

  moveToHoldingBridge(channelId: string, opts?: { moh?: boolean; owner?: string }): Promise<string> {
    return this.actions.moveToHoldingBridge(channelId, opts);
  }

  returnToBridge(channelId: string, bridgeId: string, holdingBridgeId?: string | null): Promise<void> {
    return this.actions.returnToBridge(channelId, bridgeId, holdingBridgeId);
  }

  endCall(id: string, reason: string, opts?: EndOptions): Promise<void> {
    return this.core.end(id, reason, opts);
  }

  /** A new call part (new protocol number) linked to `parentId` (root_id = the parent's root). */
  createChildCall(parentId: string, kind: CallKind, init: Omit<NewCall, 'kind' | 'parentId'>): CallRecord {
    return this.core.create({ ...init, kind, parentId });
  }

  /** Updates channel/bridge/agent fields of a live call (persisted and re-indexed). */
  updateCall(id: string, patch: Parameters<CallCore['update']>[1]): CallRecord {
    const call = this.core.require(id);
    this.core.update(call, patch);
    return call;
  }

  /** History helper: one call_events row (type e.g. transfer, conference, disposition). */
  record(callId: string, type: string, data: Record<string, unknown> = {}): void {
    this.core.record(callId, type, data);
  }

  /**
   * Sets the disposition (tabulação) of a call part, live or already ended. Joins the step that
   * closes the wrap-up (src/store/unit-of-work.ts): a storage error here voids that close too.
   */
  setDisposition(callId: string, disposition: string, by?: string, extra?: Record<string, unknown>): void {
    const live = this.core.get(callId);
    this.repo.batch(() => {
      // No read first: the UPDATE itself says whether the call exists (one statement per wrap-up).
      if (!this.repo.setDisposition(callId, disposition, this.deps.clock.now())) throw notFound(`no call ${callId}`, { call: callId });
      this.core.record(callId, 'disposition', { disposition, by, ...extra });
    });
    if (live) live.disposition = disposition;
  }

  /** Agent device hung up: return true to take over (e.g. survey: send the customer on, then endCall keepCustomer). */
  onAgentHangup(fn: HangupInterceptor): void {
    this.core.agentHangupInterceptors.push(fn);
  }

  /** Customer side gone on an answered call: return true to take over (e.g. consult in progress). */
  onCustomerHangup(fn: HangupInterceptor): void {
    this.core.customerHangupInterceptors.push(fn);
  }

  onCallEnded(fn: (call: CallRecord) => void): () => void {
    return this.core.onEnded(fn);
  }

  /** A feature reports what it is doing with calls (transfer, conference, room): see state-machine.ts. */
  registerActivity(provider: ActivityProvider): void {
    this.core.activityProviders.push(provider);
  }

  activitiesOf(callId: string): CallActivity[] {
    return this.core.activitiesOf(callId);
  }

  /** Refused (409) when a transfer, conference or room on the call forbids `action`. */
  guard(call: CallRecord, action: CallAction): void {
    this.core.guard(call, action);
  }

  /** One reshaping request per call at a time (a second one meanwhile is refused). */
  exclusive<T>(callId: string, what: string, fn: () => Promise<T>, opts?: ReshapeOptions): Promise<T> {
    return this.core.exclusive(callId, what, fn, opts);
  }

  /**
   * The agent's device channel NAME of a native call app_queue still bridges (not taken over):
   * an AMI BlindTransfer of it moves the customer (native-parts.ts). Undefined otherwise.
   */
  nativeDeviceChannel(callId: string): string | undefined {
    const part = this.native?.parts.get(callId);
    return part && !part.controlled && part.deviceName ? part.deviceName : undefined;
  }

  /** Routes StasisStart events whose first argument is `tag` (e.g. 'room'). */
  onStasisStart(tag: string, handler: StartHandler): void {
    this.router.onStart(tag, handler);
  }

  /**
   * A queue transfer is about to send the customer of `linkedid` into `queue`: the agent legs then
   * offered are call parts under `parentId` (same contact in history), filed under that queue.
   */
  expectQueueReentry(linkedid: string, r: { parentId: string; queue: string }): void {
    this.inbound.expectReentry(linkedid, r);
  }

  /** Keeps channels/bridges of other features from being cleaned up as orphans on recovery. */
  claimOnRecovery(claim: { channel?: ChannelClaimer; bridge?: BridgeClaimer }): void {
    if (claim.channel) this.recovery.channelClaimers.push(claim.channel);
    if (claim.bridge) this.recovery.bridgeClaimers.push(claim.bridge);
  }
}
