/**
 * Channels the daemon originates (agent devices, customers of outbound calls, transfer targets...).
 * Each is originated into our own Stasis app with an explicit channelId (DESIGN.md: we know the id
 * before any event) and appArgs `originated,<callId>,<role>`, so after a restart
 * `dialplan.app_data` still says whose channel it is.
 *
 * Lifecycle per channel:  pending ──(ChannelStateChange Ringing)──► pending (onRinging once)
 *                         pending ──StasisStart──► answered (onAnswer)
 *                         pending ──ChannelDestroyed──► gone (onFail: never answered)
 *                         answered ──StasisEnd | ChannelDestroyed──► gone (onHangup)
 * `cancel()` forgets the handlers first, so a hangup the daemon asked for never reports back.
 */
import { randomBytes } from 'node:crypto';
import type { AriClient, AriChannel } from '../ari/types';
import type { Logger } from '../log/logger';
import { ignoreGone } from './ari-util';

export interface OriginateHandlers {
  onRinging?(): void;
  onAnswer(channel: AriChannel): void;
  /** Never answered: busy, rejected, unreachable, timed out (reason = Asterisk cause text). */
  onFail(reason: string): void;
  /** Answered, then hung up (or left Stasis). */
  onHangup?(reason: string): void;
}

interface Tracked {
  channelId: string;
  callId: string;
  role: string;
  answered: boolean;
  rang: boolean;
  handlers: OriginateHandlers;
}

export interface OriginateRequest {
  endpoint: string;
  callId: string;
  /** 'agent' | 'customer' | anything the caller wants to read back from app_data. */
  role: string;
  callerId?: string;
  /** Ring timeout in seconds (Asterisk cancels after it; we then get ChannelDestroyed → onFail). */
  timeoutSec?: number;
  variables?: Record<string, string>;
  /**
   * The channel this one is dialled for (ARI `originator`): the new channel is requested with its
   * formats and shares its linkedid, as Dial() does. Without it Asterisk requests every format, and
   * a device that takes any (Local/…) comes up in slin192: the call bridge then resamples
   * 8 kHz ↔ 192 kHz both ways for the whole call (measured on Asterisk 22.10.1, README 'Reliability').
   */
  originator?: string;
  handlers: OriginateHandlers;
}

/** Channel ids must be unique forever (they outlive restarts): call id + role + random suffix. */
export function newChannelId(callId: string, role: string): string {
  return `${callId}-${role}-${randomBytes(3).toString('hex')}`;
}

export class Originations {
  private readonly tracked = new Map<string, Tracked>();

  constructor(private readonly deps: { ari: AriClient; log: Logger }) {}

  has(channelId: string): boolean {
    return this.tracked.has(channelId);
  }

  isAnswered(channelId: string): boolean {
    return this.tracked.get(channelId)?.answered ?? false;
  }

  async originate(req: OriginateRequest): Promise<string> {
    const channelId = newChannelId(req.callId, req.role);
    // Register before the request: the StasisStart may arrive before the HTTP response.
    this.tracked.set(channelId, {
      channelId,
      callId: req.callId,
      role: req.role,
      answered: false,
      rang: false,
      handlers: req.handlers,
    });
    try {
      await this.deps.ari.channels.originate({
        endpoint: req.endpoint,
        channelId,
        // A Local device has a ;2 half: give it a predictable id so recovery knows it is ours.
        otherChannelId: `${channelId}-2`,
        app: this.deps.ari.app,
        appArgs: `originated,${req.callId},${req.role}`,
        callerId: req.callerId || undefined,
        timeout: req.timeoutSec ?? 30,
        variables: req.variables,
        originator: req.originator,
      });
    } catch (err) {
      this.tracked.delete(channelId);
      throw err;
    }
    return channelId;
  }

  /** Re-attaches handlers to an answered channel found after a restart. */
  adopt(channelId: string, callId: string, role: string, handlers: OriginateHandlers): void {
    this.tracked.set(channelId, { channelId, callId, role, answered: true, rang: true, handlers });
  }

  /** Replaces the handlers (e.g. a transfer takes over a device). */
  retarget(channelId: string, callId: string, handlers: OriginateHandlers): boolean {
    const t = this.tracked.get(channelId);
    if (!t) return false;
    t.callId = callId;
    t.handlers = handlers;
    return true;
  }

  /** Hangs up (cancels if still ringing) without reporting back. Safe on gone channels. */
  async cancel(channelId: string, reason = 'normal'): Promise<void> {
    this.tracked.delete(channelId);
    await ignoreGone(this.deps.ari.channels.hangup(channelId, reason), this.deps.log, 'cancel originated channel');
  }

  /** Forgets a channel without touching it (it was handed to someone else). */
  forget(channelId: string): void {
    this.tracked.delete(channelId);
  }

  // ---- event entry points (called by the router) ----

  onStasisStart(channel: AriChannel): boolean {
    const t = this.tracked.get(channel.id);
    if (!t) return false;
    if (!t.answered) {
      t.answered = true;
      this.safe(() => t.handlers.onAnswer(channel));
    }
    return true;
  }

  onStateChange(channel: AriChannel): boolean {
    const t = this.tracked.get(channel.id);
    if (!t) return false;
    if (!t.answered && !t.rang && channel.state === 'Ringing') {
      t.rang = true;
      this.safe(() => t.handlers.onRinging?.());
    }
    return true;
  }

  /** StasisEnd or ChannelDestroyed: the end of this channel for us. */
  onGone(channelId: string, reason: string): boolean {
    const t = this.tracked.get(channelId);
    if (!t) return false;
    this.tracked.delete(channelId);
    if (t.answered) this.safe(() => t.handlers.onHangup?.(reason));
    else this.safe(() => t.handlers.onFail(reason));
    return true;
  }

  private safe(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.deps.log.error('originate handler failed', { err: (err as Error).message });
    }
  }
}
