/**
 * Native calls the daemon never saw begin (native-parts.ts). Under the native topology app_queue
 * needs no daemon to connect a caller with an agent, so calls go on while the daemon is down, while
 * AMI is cut, or while the database refuses the part's first write (disk full): measured with the
 * fault bench, every customer connected through such faults, but the calls were missing from the
 * history. What Asterisk shows finds them: a channel app_queue dialled (dialplan app `AppQueue`),
 * Up, sharing a bridge with a caller still in `Queue()` (app `Queue`, data `<queue>,…`). Each becomes
 * a connected part from then on (event `discovered` keeps the channels' creation times), so history,
 * wrap-up and the features reach it. A call that began and ended inside the outage stays unknown.
 */
import type { AriBridge, AriChannel } from '../ari/types';
import { sanitizeCallerId } from '../util/caller-id';
import type { CallCore } from './core';
import type { NativeParts } from './native-parts';

/** `PJSIP/1000-0000000a` → `PJSIP/1000`; `Local/1000@phones-00000001;1` → `Local/1000@phones`. */
export function deviceOfChannelName(name: string): string {
  return name.replace(/-[0-9a-f]{8}(;\d)?$/, '');
}

/** An Up channel app_queue dialled that no part tracks: a candidate (its bridge is looked up after). */
export function isUnknownQueueDevice(ch: AriChannel, parts: NativeParts): boolean {
  return ch.state === 'Up' && (ch.dialplan?.app_name ?? '') === 'AppQueue' && !parts.tracksDevice(ch.id) && !parts.unrecorded.has(ch.id);
}

export async function discoverNativeCalls(core: CallCore, parts: NativeParts, channels: AriChannel[], bridges: AriBridge[]): Promise<string[]> {
  const { agents, ari, log } = core.deps;
  const byId = new Map(channels.map((c) => [c.id, c]));
  const found: string[] = [];
  for (const dev of channels) {
    if (!isUnknownQueueDevice(dev, parts)) continue;
    const bridge = bridges.find((b) => b.channels.includes(dev.id) && b.channels.length === 2);
    const caller = bridge ? byId.get(bridge.channels.find((id) => id !== dev.id) ?? '') : undefined;
    if (!caller || caller.dialplan?.app_name !== 'Queue' || core.callOfChannel(caller.id)) continue;
    const ext = agents.memberExtension?.(deviceOfChannelName(dev.name));
    if (!ext) continue;
    const linkedid = await ari.channels.getVariable(caller.id, 'CHANNEL(linkedid)').catch(() => '');
    // AgentCalled/AgentConnect may have come meanwhile.
    if (parts.tracksDevice(dev.id) || core.callOfChannel(caller.id)) continue;
    const number = sanitizeCallerId(caller.caller).number;
    try {
      const call = core.create({
        kind: 'inbound',
        direction: 'inbound',
        state: 'ringing-agent',
        queue: (caller.dialplan.app_data ?? '').split(',')[0] || null,
        agentExt: ext,
        customerNumber: number || null,
        customerChannelId: caller.id,
        agentChannelId: dev.id,
        linkedid: linkedid || null,
      });
      core.transition(call, 'agent-answered');
      core.record(call.id, 'discovered', { callerCreated: caller.creationtime, deviceCreated: dev.creationtime });
      parts.attach(call, { callerName: caller.name, deviceName: dev.name });
      found.push(call.id);
      log.warn('native call connected while the daemon could not see it: recorded from now on', { callId: call.id, agent: ext, caller: caller.id });
    } catch (err) {
      // Still no database: the next sweep tries again while the call lasts.
      log.warn('cannot record a discovered native call yet', { agent: ext, caller: caller.id, err: (err as Error).message });
    }
  }
  return found;
}
