/**
 * Actions during a call (API/CLI): hold/unhold, mute/unmute, DTMF, hangup, prank. Each validates
 * the request against the state machine and the activity guard (a transfer, conference or room
 * may forbid it: state-machine.ts) before any side effect, and runs alone per call
 * (CallCore.exclusive: a second request while one is in flight is refused) so two clicks cannot
 * interleave bridge moves.
 *
 * Hold (DESIGN.md, validated on Asterisk 22): the customer side moves alone into a fresh `holding`
 * bridge with MOH on that bridge; unhold moves it back and destroys the holding bridge (which stops
 * the MOH). Channel MOH / ARI hold on the leg are NOT private: the agent would still hear the customer.
 */
import { invalid, refused } from '../util/errors';
import type { Blocklist } from '../prank/blocklist';
import { isInternalNumber } from '../prank/blocklist';
import { CcError } from '../util/errors';

export interface PrankResult {
  call: CallRecord;
  blocked: boolean;
  expiresAt: number | null;
  /** Why nothing was blocked (null when blocked). */
  notBlocked: 'withheld' | 'internal' | 'not-a-number' | null;
}

/** Caller IDs Asterisk and trunks use for a withheld/unavailable number (compared lower-case). */
const WITHHELD = new Set(['', 'anonymous', 'unknown', 'restricted', 'private', 'withheld', 'unavailable']);

/** Why a caller number cannot be blocked, or undefined when it can (the blocklist still parses it). */
export function unblockable(number: string | null | undefined): 'withheld' | 'internal' | undefined {
  const n = (number ?? '').trim();
  if (WITHHELD.has(n.toLowerCase())) return 'withheld';
  if (isInternalNumber(n)) return 'internal';
  return undefined;
}
import { ariAction, ignoreGone, newBridgeId } from './ari-util';
import type { CallCore } from './core';
import { nextState, isTalking } from './state-machine';
import type { CallRecord } from './types';

export const DTMF_RE = /^[0-9*#A-D]{1,32}$/;

export class CallActions {
  constructor(
    private readonly core: CallCore,
    private readonly blocklist: Blocklist,
  ) {}

  // ---- primitives (also used by transfers / conference) ----

  /** Moves a channel alone into a new holding bridge (MOH on the bridge unless moh=false). */
  async moveToHoldingBridge(channelId: string, opts: { moh?: boolean; owner?: string } = {}): Promise<string> {
    const { ari, config, log } = this.core.deps;
    // A fresh id every time (DESIGN.md): re-using a destroyed bridge id is not reliable.
    const id = newBridgeId(opts.owner ?? 'cc', 'hold');
    await ariAction(ari.bridges.create({ bridgeId: id, type: 'holding', name: `hold-${opts.owner ?? channelId}` }), 'create a holding bridge');
    try {
      await ariAction(ari.bridges.addChannel(id, [channelId]), 'move the channel to the holding bridge');
      if (opts.moh !== false) await ariAction(ari.bridges.startMoh(id, config.asterisk.moh_class), 'start music on hold');
    } catch (err) {
      await ignoreGone(ari.bridges.destroy(id), log, 'destroy unused holding bridge');
      throw err;
    }
    return id;
  }

  /** Moves a channel back into `bridgeId` and destroys the holding bridge it was in. */
  async returnToBridge(channelId: string, bridgeId: string, holdingBridgeId?: string | null): Promise<void> {
    const { ari, log } = this.core.deps;
    await ariAction(ari.bridges.addChannel(bridgeId, [channelId]), 'move the channel back to the call');
    if (holdingBridgeId) await ignoreGone(ari.bridges.destroy(holdingBridgeId), log, 'destroy holding bridge');
  }

  // ---- actions ----

  async hold(id: string, by?: string): Promise<CallRecord> {
    return this.exclusive(id, 'hold', async (call) => {
      this.core.guard(call, 'hold');
      nextState(call.state, 'hold');
      if (!call.customerChannelId || !call.bridgeId) throw refused(`call ${id} has no bridged customer to hold`);
      const holdId = await this.moveToHoldingBridge(call.customerChannelId, { owner: call.id });
      if (call.state === 'ended') {
        // The call ended while the bridge was being set up: do not leak the holding bridge.
        await ignoreGone(this.core.deps.ari.bridges.destroy(holdId), this.core.deps.log, 'destroy holding bridge');
        throw refused(`call ${id} ended`);
      }
      this.core.transition(call, 'hold', { holdBridgeId: holdId });
      this.core.record(id, 'hold', { by, bridge: holdId });
    });
  }

  async unhold(id: string, by?: string): Promise<CallRecord> {
    return this.exclusive(id, 'unhold', async (call) => {
      this.core.guard(call, 'unhold');
      nextState(call.state, 'unhold');
      if (!call.customerChannelId || !call.bridgeId) throw refused(`call ${id} has no bridge to return to`);
      await this.returnToBridge(call.customerChannelId, call.bridgeId, call.holdBridgeId);
      this.core.transition(call, 'unhold', { holdBridgeId: null });
      this.core.record(id, 'unhold', { by });
    });
  }

  /** Mutes the agent's microphone: direction 'in' on the agent's device channel. */
  async mute(id: string, on: boolean, by?: string): Promise<CallRecord> {
    return this.exclusive(id, on ? 'mute' : 'unmute', async (call) => {
      if (!isTalking(call.state) || !call.agentChannelId) throw refused(`cannot ${on ? 'mute' : 'unmute'} a call that is ${call.state}`);
      this.core.guard(call, 'mute');
      if (call.muted === on) throw refused(`call ${id} is already ${on ? 'muted' : 'unmuted'}`);
      const { ari } = this.core.deps;
      if (on) await ariAction(ari.channels.mute(call.agentChannelId, 'in'), 'mute the agent');
      else await ariAction(ari.channels.unmute(call.agentChannelId, 'in'), 'unmute the agent');
      this.core.update(call, { muted: on });
      this.core.record(id, on ? 'mute' : 'unmute', { by });
    });
  }

  /** Sends DTMF to the customer side (IVRs of the called party). */
  async dtmf(id: string, rawDigits: string, by?: string): Promise<CallRecord> {
    const digits = String(rawDigits ?? '').trim().toUpperCase();
    if (!DTMF_RE.test(digits)) {
      throw invalid('digits must be 1-32 of 0-9 * # A B C D', { field: 'digits' });
    }
    return this.exclusive(id, 'dtmf', async (call) => {
      this.core.guard(call, 'dtmf');
      if (call.state !== 'connected' || !call.customerChannelId) throw refused(`cannot send DTMF on a call that is ${call.state}`);
      await ariAction(this.core.deps.ari.channels.sendDtmf(call.customerChannelId, digits), 'send DTMF');
      this.core.record(id, 'dtmf', { digits, by });
    });
  }

  async hangup(id: string, by?: string): Promise<CallRecord> {
    const call = this.core.require(id);
    await this.core.end(id, 'hangup-requested', { data: { by } });
    return call;
  }

  /**
   * Prank: hang up the customer at once and block the number for policy.prank_block_minutes.
   * The hang-up never depends on the block: a withheld caller ID (Asterisk's `anonymous`, the
   * pranksters' favourite), an empty one, one that is not a number, or an internal number
   * (extensions, services) is hung up and not blocked, and the answer and the history say why.
   */
  async prank(id: string, by?: string): Promise<PrankResult> {
    const call = this.core.require(id);
    const number = call.customerNumber;
    let blocked = false;
    let expiresAt: number | null = null;
    let notBlocked: PrankResult['notBlocked'] = null;
    let failure: unknown;
    const why = unblockable(number);
    if (why) notBlocked = why;
    else {
      try {
        const entry = this.blocklist.add({
          number: number as string,
          reason: 'prank',
          minutes: this.core.deps.config.policy.prank_block_minutes,
          callId: id,
          blockedBy: by ?? call.agentExt ?? undefined,
        });
        blocked = true;
        expiresAt = entry.expiresAt;
      } catch (e) {
        if (e instanceof CcError && e.kind === 'invalid') notBlocked = 'not-a-number';
        else failure = e; // e.g. the database: the customer is still hung up, then the error is told
      }
    }
    this.core.record(id, 'prank', { number, blocked, expiresAt, notBlocked, by, ...(failure ? { error: String((failure as Error).message ?? failure) } : {}) });
    await this.core.end(id, 'prank', { data: { by } });
    if (failure) throw failure;
    return { call, blocked, expiresAt, notBlocked };
  }

  private async exclusive(id: string, what: string, fn: (call: CallRecord) => Promise<void>): Promise<CallRecord> {
    const call = this.core.require(id);
    await this.core.exclusive(id, what, () => fn(call));
    return call;
  }
}
