/**
 * Who hears what, worked out from the simulator model's channels and bridges (read-only). Kept out
 * of model.ts: the model is the event-producing state, this is a query over it.
 */
import type { SimChannel, SimModel, SnoopDirection } from './model';

type AudioView = Pick<SimModel, 'channel' | 'channels' | 'bridges'>;

export function isHearingMoh(model: AudioView, channelId: string, seen = new Set<string>()): boolean {
  const ch = model.channel(channelId);
  seen.add(ch.id);
  if (ch.moh || ch.held) return true;
  const b = ch.bridgeId ? model.bridges.get(ch.bridgeId) : undefined;
  if (!b) return false;
  if (b.moh) return true;
  // Through a Local pair: a customer bridged with `;1` hears what `;2` hears (e.g. the agent leg
  // parked in a holding bridge with MOH), as on a real Asterisk.
  if (b.type === 'holding') return false;
  for (const otherId of b.channels) {
    const other = model.channels.get(otherId);
    if (!other || other.id === ch.id || !other.partnerId || seen.has(other.partnerId)) continue;
    seen.add(other.id);
    if (model.channels.has(other.partnerId) && isHearingMoh(model, other.partnerId, seen)) return true;
  }
  return false;
}

const has = (d: SnoopDirection, part: 'in' | 'out') => d === part || d === 'both';

/**
 * Does audio spoken into `speaker` reach `listener`? Walks bridges and Local pairs, honouring
 * mute directions (in = from the channel into Asterisk), channel MOH (replaces what the channel
 * hears, not what it sends: hold.steps.txt case A), holding bridges and bridge MOH, and snoop
 * channels (live-monitor.steps.txt): a snoop speaks into its own bridge what its target sends (spy
 * in) and what its target receives (spy out); audio sent to a snoop goes to the target's party
 * (whisper out; only while Asterisk writes audio to the target, see isWrittenTo) or into the
 * target's bridge as if the target spoke (whisper in). A snoop never speaks again what was sent to
 * it: on Asterisk the supervisor does not hear their own whisper.
 */
export function canHear(model: AudioView, listenerId: string, speakerId: string): boolean {
  model.channel(listenerId);
  const snoops = [...model.channels.values()].filter((c) => c.snoop);
  const seen = new Set<string>();
  const queue = [model.channel(speakerId)];
  const spies = (target: SimChannel, part: 'in' | 'out') => {
    for (const x of snoops) if (x.snoop!.targetId === target.id && has(x.snoop!.spy, part)) queue.push(x);
  };
  /** `ch` is sent the audio: is it the listener, or does it pass it on? */
  const receives = (ch: SimChannel): boolean => {
    if (ch.id === listenerId) return true;
    const partner = ch.partnerId ? model.channels.get(ch.partnerId) : undefined;
    if (partner?.id === listenerId) return true;
    if (partner) queue.push(partner);
    spies(ch, 'out');
    if (!ch.snoop) return false;
    seen.add(ch.id);
    const target = model.channels.get(ch.snoop.targetId);
    if (!target) return false;
    if (has(ch.snoop.whisper, 'in')) queue.push(target);
    return has(ch.snoop.whisper, 'out') && isWrittenTo(target) && receives(target);
  };
  /**
   * A whisper 'out' rides on the audio Asterisk writes to the target: a channel alone in its
   * (2-party, simple_bridge) mixing bridge, e.g. the agent while the customer is on hold, is written
   * nothing, so the whisper does not reach it (live-monitor.steps.txt, "barge, customer on hold").
   */
  const isWrittenTo = (t: SimChannel): boolean => {
    const b = t.bridgeId ? model.bridges.get(t.bridgeId) : undefined;
    return !!b && b.type !== 'holding' && b.channels.length >= 2;
  };
  while (queue.length > 0) {
    const from = queue.shift()!;
    if (seen.has(from.id)) continue;
    seen.add(from.id);
    if (from.mutedIn) continue;
    spies(from, 'in');
    if (!from.bridgeId) continue;
    const b = model.bridges.get(from.bridgeId);
    if (!b || b.type === 'holding' || b.moh) continue;
    for (const otherId of b.channels) {
      const other = model.channels.get(otherId);
      if (!other || other.id === from.id || other.mutedOut || other.moh || other.held) continue;
      if (receives(other)) return true;
    }
  }
  return false;
}
