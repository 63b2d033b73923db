/**
 * What happens when one side of a call goes away. Interceptors registered on the core (survey,
 * attended transfer, conference) get the first word; by default the whole call part ends and the
 * other side is hung up (DESIGN.md: Asterisk does not end the customer side by itself).
 */
import type { CallCore, HangupInterceptor } from './core';
import type { CallRecord } from './types';

export class Hangups {
  constructor(private readonly core: CallCore) {}

  /** The agent's device hung up (after answering). */
  async agentHungUp(callId: string, cause: string): Promise<void> {
    const call = this.core.get(callId);
    if (!call) return;
    const gone = call.agentChannelId; // the device that hung up: nothing to hang up there
    if (await this.intercepted(this.core.agentHangupInterceptors, call)) return;
    await this.core.end(callId, 'agent-hangup', { data: { cause }, goneChannelId: gone });
  }

  /** The customer side left Stasis (hung up, or app_queue gave up on this member). */
  async customerGone(callId: string, cause: string): Promise<void> {
    const call = this.core.get(callId);
    if (!call) return;
    const gone = call.customerChannelId; // the side that left: nothing to hang up there
    if (call.state === 'ringing-agent') {
      // The queue stopped ringing this member (timeout), the caller abandoned, or another member's
      // leg was answered (ringall: a lost race, not a missed call): cancel the device.
      const reason = this.core.takers.takenElsewhere(call) ? 'answered-elsewhere' : 'not-answered';
      await this.core.end(callId, reason, { data: { cause }, goneChannelId: gone });
      return;
    }
    if (await this.intercepted(this.core.customerHangupInterceptors, call)) return;
    await this.core.end(callId, 'customer-hangup', { data: { cause }, goneChannelId: gone });
  }

  private async intercepted(list: HangupInterceptor[], call: CallRecord): Promise<boolean> {
    for (const fn of list) {
      try {
        if (await fn(call)) return true;
      } catch (err) {
        this.core.deps.log.error('hangup interceptor failed', { callId: call.id, err: (err as Error).message });
      }
    }
    return false;
  }
}
