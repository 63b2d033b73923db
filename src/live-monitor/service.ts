/**
 * Live monitoring sessions (issue 10): ring a supervisor's device, then let it hear a call through
 * a snoop channel on the call's agent device (model.ts: modes and state machine; topology.ts: the
 * ARI side). The call itself is never touched: no bridge of the call changes, no channel of the
 * call is hung up, whatever happens to the session (it fails, switches mode, is stopped).
 *
 * The call's agent device can change under a session: a completed transfer or a conference
 * hand-over puts the customer on a new call part with another agent's device. The session then
 * FOLLOWS the customer: a new snoop on the new part's agent device (a change entry by "daemon",
 * monitor.changed with change "followed"), because a supervisor monitors a customer contact, not
 * one agent's device. When no part takes the customer over (hangup, blind transfer to a service),
 * the session ends with reason call-ended.
 */
import type { AriChannel } from '../ari/types';
import type { CallService } from '../calls/service';
import { isTalking } from '../calls/state-machine';
import type { CallRecord } from '../calls/types';
import type { DomainEventType } from '../events/bus';
import type { Logger } from '../log/logger';
import type { Clock, TimerHandle } from '../util/clock';
import { CcError, notFound, refused, unavailable } from '../util/errors';
import { isLive, monitorView, nextMonitorState, parseMode, type MonitorEndReason, type MonitorEvent, type ModeChange, type MonitorMode, type MonitorSession } from './model';
import type { MonitorRepo } from './repo';
import { resolveDevice } from './device';
import type { MonitorTopology } from './topology';

export interface MonitorDeps {
  control: CallService;
  repo: MonitorRepo;
  topology: MonitorTopology;
  clock: Clock;
  log: Logger;
  /** The catalogue device of an agent extension (a supervisor token naming an agent rings it). */
  deviceOfAgent(ext: string): string | undefined;
  /** Checks a device dial string exactly as the agent catalogue does (throws invalid). */
  validateDevice(device: unknown, field: string): string;
  /** Seconds the supervisor's device may ring. */
  ringTimeoutSec?: number;
  /** How long a session may stay without a snoop channel after losing it before it ends (snoop-lost). */
  relinkGraceMs?: number;
}

export interface StartRequest {
  mode: unknown;
  device?: unknown;
}

/** Who asks: the token's principal name, and the agent extension a token may name. */
export interface Supervisor {
  name: string;
  agent?: string;
}

interface Live {
  s: MonitorSession;
  /** The supervisor's device channel (originated by us). */
  deviceChannelId: string | null;
  /** Its id prefix (<callId>-monitor<id>-), known before the originate: for the Dial status. */
  dialPrefix: string;
  bridgeId: string | null;
  snoopId: string | null;
  /** Operations on a session's channels run one at a time. */
  chain: Promise<unknown>;
  relinkTimer?: TimerHandle;
}

export class MonitorService {
  private readonly live = new Map<number, Live>();

  constructor(private readonly deps: MonitorDeps) {}

  install(): void {
    const { control, topology } = this.deps;
    control.onCallEnded((call) => this.onCallEnded(call));
    topology.onSnoopGone = (id) => this.onSnoopGone(id);
  }

  /** Sessions on a call part (asked for it or following it now), oldest first, ended ones included. */
  list(callId: string): MonitorSession[] {
    return this.deps.repo.ofCall(callId);
  }

  liveSessions(): MonitorSession[] {
    return [...this.live.values()].map((l) => l.s);
  }

  async start(callId: string, req: StartRequest, who: Supervisor): Promise<MonitorSession> {
    const { control, repo } = this.deps;
    const mode = parseMode(req.mode);
    const call = control.require(callId);
    if (!isTalking(call.state) || !call.agentChannelId) {
      throw refused(`cannot monitor call ${callId}: it is ${call.state}, not connected to an agent`, { call: callId, state: call.state });
    }
    const device = resolveDevice(req.device, who, call.agentExt, this.deps, this.liveSessions());
    const s = repo.insert({ callId, supervisor: who.name, device, mode });
    // Originations name the channel <callId>-monitor<id>-<random>: its Dial status is watched from the start.
    const dialPrefix = `${callId}-monitor${s.id}-`;
    const l: Live = { s, deviceChannelId: null, dialPrefix, bridgeId: null, snoopId: null, chain: Promise.resolve() };
    this.live.set(s.id, l);
    this.publish('monitor.started', s, { previous: null, change: 'started' });
    try {
      await this.deps.topology.watchDial(dialPrefix);
      l.deviceChannelId = await control.originations.originate({
        endpoint: device,
        callId,
        role: `monitor${s.id}`,
        callerId: `"Monitor ${call.agentExt ?? callId}" <${call.agentExt ?? ''}>`,
        timeoutSec: this.deps.ringTimeoutSec ?? 30,
        handlers: {
          onAnswer: (ch: AriChannel) => {
            this.deps.topology.forgetDial(dialPrefix);
            void this.run(l, () => this.answered(l, ch.id)).catch(() => undefined);
          },
          onFail: (reason: string) => {
            // The Dial status (BUSY, CHANUNAVAIL, NOANSWER) says more than the cause text ("Unknown" for a busy Local).
            const status = this.deps.topology.forgetDial(dialPrefix);
            void this.end(l, 'failed', `${device} did not answer (${status && status !== 'ANSWER' ? status : reason})`);
          },
          onHangup: (reason: string) => void this.end(l, 'supervisor-hangup', reason),
        },
      });
    } catch (err) {
      this.deps.topology.forgetDial(dialPrefix);
      const detail = `cannot ring ${device}: ${(err as Error).message}`;
      await this.end(l, 'failed', detail);
      throw err instanceof CcError ? err : unavailable(detail, { monitor: s.id });
    }
    // Stopped (or the call ended) while the originate was on its way: end() had no channel to cancel.
    if (!isLive(s.state)) await control.originations.cancel(l.deviceChannelId);
    return s;
  }

  async changeMode(callId: string, id: number, rawMode: unknown, by: string): Promise<MonitorSession> {
    const mode = parseMode(rawMode);
    const l = this.requireLive(callId, id);
    return this.run(l, async () => {
      const { s } = l;
      if (!isLive(s.state)) throw refused(`monitoring session ${id} already ended (${s.endReason})`, { monitor: id });
      if (s.mode === mode) return s;
      if (s.state === 'active') {
        // The new snoop joins the supervisor's bridge before the old one leaves: no gap in what
        // the supervisor hears; if it cannot be made, the session stays as it was.
        const target = this.deps.control.get(s.currentCallId)?.agentChannelId;
        if (!target || !l.bridgeId) throw refused(`call ${s.currentCallId} has no agent device to monitor now`, { monitor: id });
        await this.replaceSnoop(l, target, mode);
      }
      this.move(l, 'change-mode', { mode, callId: s.currentCallId, by }, 'mode');
      return s;
    });
  }

  async stop(callId: string, id: number, by: string): Promise<MonitorSession> {
    const l = this.requireLive(callId, id);
    await this.end(l, 'stopped', `stopped by ${by}`);
    return l.s;
  }

  /**
   * After an ARI reconnect (not a restart: the sessions are still ours), events of the outage are
   * lost: a supervisor who hung up, a snoop that went, a device that answered meanwhile. Never throws.
   */
  async resync(): Promise<void> {
    const { control, topology } = this.deps;
    let alive: Map<string, AriChannel>;
    try {
      alive = new Map((await control.core.deps.ari.channels.list()).map((c) => [c.id, c]));
    } catch {
      return; // the link went again: the next connect runs this again
    }
    for (const l of [...this.live.values()]) {
      const device = l.deviceChannelId ? alive.get(l.deviceChannelId) : undefined;
      if (l.deviceChannelId && !device) {
        control.originations.forget(l.deviceChannelId);
        const reason = l.s.state === 'ringing' ? 'failed' : 'supervisor-hangup';
        await this.end(l, reason, `${l.s.device} gone while ARI was disconnected`);
      } else if (l.s.state === 'ringing' && device?.state === 'Up' && device.dialplan?.app_name?.toLowerCase() === 'stasis') {
        // Answered during the outage: its StasisStart is not replayed.
        control.originations.forget(device.id);
        control.originations.adopt(device.id, l.s.callId, `monitor${l.s.id}`, {
          onAnswer: () => undefined,
          onFail: () => undefined,
          onHangup: (reason) => void this.end(l, 'supervisor-hangup', reason),
        });
        void this.run(l, () => this.answered(l, device.id)).catch(() => undefined);
      } else if (l.snoopId && !alive.has(l.snoopId)) {
        topology.lost(l.snoopId);
      }
    }
  }

  // ---- flows ----

  /** The supervisor answered: own bridge with the device, then a snoop on the call's agent device. */
  private async answered(l: Live, channelId: string): Promise<void> {
    const { control, topology } = this.deps;
    const { s } = l;
    l.deviceChannelId = channelId;
    if (s.state !== 'ringing') return void (await control.originations.cancel(channelId));
    // Each await may see the session end (stopped, call ended): what was made so far is then
    // cleaned up here, since end() ran before it existed.
    try {
      l.bridgeId = await topology.createBridge(s.callId, s.id);
      if (!isLive(s.state)) return void (await this.cleanup(l));
      await topology.add(l.bridgeId, channelId);
      const target = control.get(s.currentCallId)?.agentChannelId;
      if (!target) throw refused(`call ${s.currentCallId} has no agent device any more`);
      l.snoopId = await topology.snoop(s.callId, s.id, target, s.mode);
      if (!isLive(s.state)) return void (await this.cleanup(l));
      await topology.add(l.bridgeId, l.snoopId);
      if (!isLive(s.state)) return void (await this.cleanup(l));
      s.answeredAt = this.deps.clock.now();
      this.move(l, 'answered', undefined, 'answered');
    } catch (err) {
      if (!isLive(s.state)) return void (await this.cleanup(l));
      await this.end(l, 'failed', `cannot connect the supervisor to the call: ${(err as Error).message}`);
    }
  }

  /** New snoop on `target` in `mode` into the session's bridge, then the old snoop goes. */
  private async replaceSnoop(l: Live, target: string, mode: MonitorMode): Promise<void> {
    const { topology } = this.deps;
    const old = l.snoopId;
    const fresh = await topology.snoop(l.s.callId, l.s.id, target, mode);
    try {
      if (!isLive(l.s.state) || !l.bridgeId) throw refused(`monitoring session ${l.s.id} ended meanwhile`);
      await topology.add(l.bridgeId, fresh);
    } catch (err) {
      await topology.hangup(fresh);
      throw err;
    }
    l.snoopId = fresh;
    this.clearRelink(l);
    if (old) await topology.hangup(old);
  }

  private onCallEnded(call: CallRecord): void {
    for (const l of this.live.values()) {
      if (l.s.currentCallId !== call.id) continue;
      const next = this.successorOf(call);
      if (!next) {
        void this.end(l, 'call-ended', `call ${call.id} ended (${call.endReason ?? 'ended'})`);
        continue;
      }
      void this.run(l, () => this.follow(l, next)).catch(() => undefined);
    }
  }

  /**
   * The call part that took the customer over from `call` (transfer completed, conference handed
   * over): same customer channel, live, with an agent device. None after a hangup or a blind
   * transfer to a service (the customer left the daemon's control).
   */
  private successorOf(call: CallRecord): CallRecord | undefined {
    if (!call.customerChannelId) return undefined;
    return this.deps.control
      .list()
      .find((c) => c.id !== call.id && c.customerChannelId === call.customerChannelId && c.agentChannelId && isTalking(c.state));
  }

  private async follow(l: Live, next: CallRecord): Promise<void> {
    const { s } = l;
    if (!isLive(s.state)) return;
    if (s.state === 'ringing') {
      // Not connected yet: the answer will snoop on the new part.
      this.move(l, 'follow', { mode: s.mode, callId: next.id, by: 'daemon' }, 'followed');
      return;
    }
    try {
      await this.replaceSnoop(l, next.agentChannelId!, s.mode);
      this.move(l, 'follow', { mode: s.mode, callId: next.id, by: 'daemon' }, 'followed');
    } catch (err) {
      await this.end(l, 'snoop-lost', `cannot follow the call to ${next.id}: ${(err as Error).message}`);
    }
  }

  /**
   * A snoop channel went away without us asking. If the call's agent device is gone too, the call
   * is ending or being handed over: onCallEnded decides (end or follow). Otherwise the snoop alone
   * died: the session cannot hear the call any more. A grace timer ends a session left without a
   * snoop whatever happens (a hand-over that never comes).
   */
  private onSnoopGone(snoopId: string): void {
    const l = [...this.live.values()].find((x) => x.snoopId === snoopId);
    if (!l) return;
    l.snoopId = null;
    this.clearRelink(l);
    l.relinkTimer = this.deps.clock.setTimeout(() => {
      l.relinkTimer = undefined;
      if (!l.snoopId) void this.end(l, 'snoop-lost', 'the snoop channel on the agent device ended');
    }, this.deps.relinkGraceMs ?? 3000);
    const call = this.deps.control.get(l.s.currentCallId);
    if (!call?.agentChannelId) return;
    const target = call.agentChannelId;
    void this.run(l, async () => {
      const alive = await this.deps.control.core.deps.ari.channels.get(target).then(() => true, () => false);
      if (alive && isLive(l.s.state) && !l.snoopId && this.deps.control.get(l.s.currentCallId)?.agentChannelId === target) {
        await this.replaceSnoop(l, target, l.s.mode);
      }
    }).catch((err: Error) => void this.end(l, 'snoop-lost', err.message));
  }

  /** Ends a session (idempotent, never throws): history row, monitor.ended, channels and bridge gone. */
  private async end(l: Live, reason: MonitorEndReason, detail: string): Promise<void> {
    const { s } = l;
    if (!isLive(s.state)) return;
    const failed = reason === 'failed' && s.state === 'ringing';
    s.endedAt = this.deps.clock.now();
    s.endReason = reason;
    s.endDetail = detail;
    this.live.delete(s.id);
    this.clearRelink(l);
    this.move(l, failed ? 'fail' : 'end', undefined, reason);
    this.deps.log.info('monitoring session ended', { monitor: s.id, callId: s.currentCallId, reason, detail });
    await this.cleanup(l);
  }

  private async cleanup(l: Live): Promise<void> {
    const { control, topology } = this.deps;
    topology.forgetDial(l.dialPrefix);
    const work: Promise<void>[] = [];
    if (l.deviceChannelId) work.push(control.originations.cancel(l.deviceChannelId));
    if (l.snoopId) work.push(topology.hangup(l.snoopId));
    l.snoopId = null;
    await Promise.all(work);
    if (l.bridgeId) await topology.destroyBridge(l.bridgeId);
    l.bridgeId = null;
  }

  // ---- helpers ----

  /** Every state change goes through here: validated by the table, saved, published. */
  private move(l: Live, event: MonitorEvent, change: Omit<ModeChange, 'at'> | undefined, what: string): void {
    const { s } = l;
    const previous = s.state;
    s.state = nextMonitorState(previous, event); // throws (refused) before anything else changes
    if (change) {
      s.mode = change.mode;
      s.currentCallId = change.callId;
      s.changes.push({ ...change, at: this.deps.clock.now() });
    }
    this.deps.repo.save(s);
    this.publish(isLive(s.state) ? 'monitor.changed' : 'monitor.ended', s, { previous, change: what });
  }

  /**
   * monitor.* events name no agent at the top level (agent tokens see events naming them): the
   * monitored agent is in data.monitoredAgent, for supervisors and admins only (src/api/events.ts).
   */
  private publish(type: DomainEventType, s: MonitorSession, extra: Record<string, unknown>): void {
    const call = this.deps.control.get(s.currentCallId) ?? this.deps.control.repo.get(s.currentCallId);
    this.deps.control.core.deps.bus.publish({
      type,
      at: this.deps.clock.now(),
      callId: s.currentCallId,
      data: { ...monitorView(s), monitoredAgent: call?.agentExt ?? null, ...extra },
    });
  }

  private requireLive(callId: string, id: number): Live {
    const l = this.live.get(id);
    if (l && (l.s.callId === callId || l.s.currentCallId === callId)) return l;
    const past = this.deps.repo.get(id);
    if (past && (past.callId === callId || past.currentCallId === callId)) {
      throw refused(`monitoring session ${id} already ended (${past.endReason})`, { monitor: id });
    }
    throw notFound(`no monitoring session ${id} on call ${callId}`, { monitor: id, call: callId });
  }

  private run<T>(l: Live, fn: () => Promise<T>): Promise<T> {
    const next = l.chain.then(fn, fn);
    l.chain = next.catch(() => undefined);
    return next;
  }

  private clearRelink(l: Live): void {
    if (l.relinkTimer) this.deps.clock.clearTimeout(l.relinkTimer);
    l.relinkTimer = undefined;
  }

  /** Live sessions are forgotten (not ended) when the daemon stops: the next start closes their rows. */
  shutdown(): void {
    for (const l of this.live.values()) this.clearRelink(l);
    this.live.clear();
  }
}
