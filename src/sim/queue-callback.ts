/**
 * app_queue's exit key and the shipped [cc-queue-callback] dialplan (asterisk-conf), as a real
 * Asterisk 22.10.1 showed them (test/integration/queue-callback.test.ts): a queue with `context =
 * <ctx>` lets a waiting caller leave by pressing a single digit that is an extension of <ctx>
 * (QueueCallerLeave, no abandon, no CcQueueExit; QUEUEPOSITION set), other digits change nothing.
 * [cc-queue-callback] 1 runs Stasis(callcenter,queue-callback,${CC_QUEUE},${QUEUEPOSITION}); after
 * the daemon's `continue`, CC_CALLBACK=accepted hangs up (after a thank-you), anything else sends
 * the caller back into the queue (Goto cc-queues); a Stasis() that fails (no app) does the same.
 */
import type { SimChannel, SimModel } from './model';
import type { QueueEngine } from './queues';

export const CALLBACK_CONTEXT = 'cc-queue-callback';

/** Single-digit extensions of the exit contexts the sim knows (extensions.conf). */
export const EXIT_KEYS: Readonly<Record<string, readonly string[]>> = { [CALLBACK_CONTEXT]: ['1'] };

export class SimQueueCallback {
  constructor(
    private readonly model: SimModel,
    private readonly queues: QueueEngine,
    private readonly app: string,
  ) {}

  /** A digit from the caller on `ch`: true when it was an exit key of the queue they wait in. */
  onDigit(ch: SimChannel, digit: string): boolean {
    const call = [...this.queues.calls.values()].find((c) => c.customerId === ch.id && (c.state === 'waiting' || c.state === 'ringing'));
    if (!call) return false;
    const context = this.queues.queue(call.queue).exitContext;
    // A shipped context leaves only by its extensions; in any other the sim takes every key as one.
    if (!context || (EXIT_KEYS[context] && !EXIT_KEYS[context].includes(digit))) return false;
    const position = call.position;
    this.queues.exitWithKey(call.handle, context, digit);
    ch.vars.CC_QUEUE = call.queue;
    ch.vars.QUEUEPOSITION = String(position);
    if (context === CALLBACK_CONTEXT && !this.model.enterStasis(ch, this.app, ['queue-callback', call.queue, String(position)])) {
      this.backToQueue(ch);
    }
    return true;
  }

  /** ARI continue of a channel that was in [cc-queue-callback]: what the dialplan does next. */
  continued(ch: SimChannel, fromContext: string): void {
    if (fromContext !== CALLBACK_CONTEXT) return;
    this.afterStasis(ch);
  }

  /** ARI continue to `cc-queue-callback,<key>,accepted` (a stand-in's customer): thanked, hung up. */
  continuedTo(ch: SimChannel, context: string, label: string | undefined): boolean {
    if (context !== CALLBACK_CONTEXT || label !== 'accepted') return false;
    this.model.hangup(ch.id, 16);
    return true;
  }

  private afterStasis(ch: SimChannel): void {
    if (ch.vars.CC_CALLBACK === 'accepted') this.model.hangup(ch.id, 16);
    else this.backToQueue(ch);
  }

  private backToQueue(ch: SimChannel): void {
    this.queues.enterFromDialplan(ch, 'cc-queues', ch.vars.CC_QUEUE ?? '');
  }
}
