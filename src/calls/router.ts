/**
 * Stasis event router: one subscription to ARI, dispatch by kind.
 *   StasisStart   args[0]: 'agent-leg' | 'inbound' | 'originated' (our own originates) | tags other
 *                 features registered with `onStart(tag, handler)`; unknown tags are logged and left.
 *                 The channel's caller id is sanitised here, before any handler sees it: this is
 *                 where a trunk's caller name/number enter the daemon (src/util/caller-id.ts).
 *   StasisEnd / ChannelDestroyed   originated channel → Originations; else the customer side of a
 *                 live call → Hangups.customerGone (StasisEnd is the end of a leg: DESIGN.md).
 *   ChannelStateChange             originated channel ringing (outbound "ringing" state).
 */
import type {
  AriChannel,
  AriClient,
  AriEvent,
  ChannelDestroyedEvent,
  ChannelStateChangeEvent,
  StasisEndEvent,
  StasisStartEvent,
} from '../ari/types';
import type { Logger } from '../log/logger';
import { sanitizeCallerId } from '../util/caller-id';
import type { CallCore } from './core';
import type { Hangups } from './hangups';
import type { Originations } from './originations';

export type StartHandler = (event: StasisStartEvent) => void | Promise<void>;

export class StasisRouter {
  private readonly starts = new Map<string, StartHandler>();
  private readonly unsubscribe: (() => void)[] = [];
  /** Called for every StasisStart (recovery uses it to tell new channels from orphans). */
  onAnyStart?: (channelId: string) => void;
  /** Asked first when a channel leaves (stand-in topology: waiting customers and stand-ins); true = handled. */
  onAnyGone?: (channelId: string) => Promise<boolean>;

  constructor(
    private readonly deps: { ari: AriClient; log: Logger },
    private readonly core: CallCore,
    private readonly originations: Originations,
    private readonly hangups: Hangups,
  ) {}

  /** Registers the handler for StasisStart events whose first argument is `tag`. */
  onStart(tag: string, handler: StartHandler): void {
    if (this.starts.has(tag) || tag === 'originated') throw new Error(`Stasis tag ${tag} already routed`);
    this.starts.set(tag, handler);
  }

  start(): void {
    const { ari } = this.deps;
    this.unsubscribe.push(
      ari.onEvent('StasisStart', (e) => this.guard(e, () => this.onStasisStart(e as StasisStartEvent))),
      ari.onEvent('StasisEnd', (e) => this.guard(e, () => this.onGone((e as StasisEndEvent).channel.id, 'left Stasis'))),
      ari.onEvent('ChannelDestroyed', (e) =>
        this.guard(e, () => {
          const d = e as ChannelDestroyedEvent;
          return this.onGone(d.channel.id, d.cause_txt || String(d.cause ?? 'destroyed'));
        }),
      ),
      ari.onEvent('ChannelStateChange', (e) =>
        this.guard(e, () => void this.originations.onStateChange((e as ChannelStateChangeEvent).channel)),
      ),
    );
  }

  stop(): void {
    for (const u of this.unsubscribe.splice(0)) u();
  }

  /** A StasisStart this process missed (recovery found the channel in the app, unhandled), handled as if it came now. */
  replayStart(channel: AriChannel, args: string[]): Promise<void> {
    return this.onStasisStart({ type: 'StasisStart', application: this.deps.ari.app, timestamp: new Date().toISOString(), args, channel });
  }

  private async onStasisStart(raw: StasisStartEvent): Promise<void> {
    // A copy: the ARI client's event object is not ours to change.
    const e: StasisStartEvent = { ...raw, channel: { ...raw.channel, caller: sanitizeCallerId(raw.channel.caller) } };
    this.onAnyStart?.(e.channel.id);
    const tag = e.args?.[0];
    if (tag === 'originated') {
      if (!this.originations.onStasisStart(e.channel)) {
        // An originate of a previous process that answered after the restart: nobody wants it.
        this.deps.log.warn('answered originate with no owner: hanging up', { channel: e.channel.id, args: e.args });
        await this.deps.ari.channels.hangup(e.channel.id, 'normal').catch(() => undefined);
      }
      return;
    }
    const handler = tag ? this.starts.get(tag) : undefined;
    if (!handler) {
      this.deps.log.warn('StasisStart with an unknown tag: ignored', { args: e.args, channel: e.channel.name });
      return;
    }
    await handler(e);
  }

  private async onGone(channelId: string, reason: string): Promise<void> {
    if (this.originations.onGone(channelId, reason)) return;
    if (this.onAnyGone && (await this.onAnyGone(channelId))) return;
    const call = this.core.callOfChannel(channelId);
    if (call && call.customerChannelId === channelId) await this.hangups.customerGone(call.id, reason);
    else if (call && call.agentChannelId === channelId) await this.hangups.agentHungUp(call.id, reason);
  }

  private guard(e: AriEvent, fn: () => unknown): void {
    Promise.resolve()
      .then(fn)
      .catch((err: Error) => this.deps.log.error('ARI event handling failed', { type: e.type, err: err.message }));
  }
}
