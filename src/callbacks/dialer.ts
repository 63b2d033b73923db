/**
 * CallbackDialer fulfilled with the calls core's outbound dial: ring the agent, then the customer.
 * A callback counts as placed once the agent answered (the customer is being dialled); an agent who
 * does not answer makes the attempt fail, so the scheduler retries later. The call is recorded
 * with kind 'callback' (direction outbound), plus a 'callback' history event naming the callback
 * (and, for a request made from a queue, its origin and the linkedid of the call the caller left).
 */
import type { CallService } from '../calls/service';
import type { EventBus } from '../events/bus';
import { refused } from '../util/errors';
import type { CallbackDialer } from './model';

const PLACED = new Set(['dialing-customer', 'ringing-customer', 'connected', 'on-hold']);

export function callServiceDialer(control: Pick<CallService, 'dial' | 'get' | 'record'>, bus: EventBus): CallbackDialer {
  return {
    async dialForAgent(ext, number, ddi, opts) {
      const call = await control.dial({
        agent: ext,
        number,
        ddi,
        kind: 'callback',
        queue: opts.queue,
        by: `callback ${opts.callbackId}`,
        callbackId: opts.callbackId,
      });
      control.record(call.id, 'callback', {
        callbackId: opts.callbackId,
        ...(opts.origin === 'queue' ? { origin: 'queue', queue: opts.queue, requestedFrom: opts.linkedid ?? null } : {}),
      });
      return new Promise<string>((resolve, reject) => {
        const check = (): boolean => {
          const live = control.get(call.id);
          if (live && PLACED.has(live.state)) {
            resolve(call.id);
            return true;
          }
          if (!live || live.state === 'ended') {
            reject(refused(`agent ${ext} did not take the callback (${live?.endReason ?? call.endReason ?? 'ended'})`));
            return true;
          }
          return false;
        };
        if (check()) return;
        const off = bus.subscribe((e) => {
          if (e.callId === call.id && (e.type === 'call.state' || e.type === 'call.ended') && check()) off();
        });
      });
    },
  };
}
