/**
 * Conference rooms `*<ext>` at run time:
 *  - "transfer to conference room": a call (customer + agent) moves into agent EXT's room bridge;
 *    when its agent hangs up, the customer stays in the room with whoever is there;
 *  - dial-in: a dialplan may send callers with Stasis(<app>,room,<ext>) (e.g. extension `*1000`);
 *  - after a restart, room bridges and the channels in them are claimed so call recovery does not
 *    remove them as orphans, and a re-adopted call whose sides sit in a room bridge is known as a
 *    room call again (the call → room map lived in the old process).
 * A room must be configured (`callcenterd room add EXT`), else a clear error and nothing changes.
 */
import type { AriBridge, AriChannel, AriEvent, StasisStartEvent } from '../ari/types';
import type { CallService } from '../calls/service';
import type { CallRecord } from '../calls/types';
import type { Logger } from '../log/logger';
import { refused } from '../util/errors';
import type { RoomBridges } from './room-bridges';
import { parseRoomExtension, type RoomsRepo } from './rooms';

export interface RoomServiceDeps {
  control: CallService;
  rooms: RoomsRepo;
  bridges: RoomBridges;
  log: Logger;
}

export class RoomService {
  /** Call id → room extension, for calls moved into a room. */
  private readonly callRoom = new Map<string, string>();
  /** Channels currently in a room bridge → that bridge (claimed on recovery). */
  private readonly participants = new Map<string, string>();
  private readonly unsubscribe: (() => void)[] = [];

  constructor(private readonly deps: RoomServiceDeps) {}

  install(): void {
    const { control, bridges } = this.deps;
    const ari = control.core.deps.ari;
    bridges.start();
    // The calls core's guard refuses hold/unhold/transfer/conference for calls in a room.
    control.registerActivity((id) => (this.roomOfCall(id) ? 'in-room' : undefined));
    control.onAgentHangup((call) => this.onAgentHangup(call));
    control.onCallEnded((call) => void this.callRoom.delete(call.id));
    control.onStasisStart('room', (e) => this.onDialIn(e));
    control.claimOnRecovery({
      channel: (ch: AriChannel) => this.participants.has(ch.id),
      bridge: (id: string, b?: AriBridge) => bridges.roomOf(id) !== undefined || /^\*\d{4,5}$/.test(b?.name ?? ''),
    });
    this.unsubscribe.push(
      ari.onEvent('ChannelEnteredBridge', (e: AriEvent) => {
        const ev = e as { bridge?: AriBridge; channel?: AriChannel };
        if (ev.bridge && ev.channel && bridges.roomOf(ev.bridge.id)) this.participants.set(ev.channel.id, ev.bridge.id);
      }),
      ari.onEvent('ChannelLeftBridge', (e: AriEvent) => {
        const ev = e as { channel?: AriChannel };
        if (ev.channel) this.participants.delete(ev.channel.id);
      }),
      ari.onConnected(() => void this.recover()),
    );
    if (ari.connected) void this.recover();
  }

  stop(): void {
    for (const u of this.unsubscribe.splice(0)) u();
    this.deps.bridges.stop();
  }

  /**
   * The room a live call is in. A call moved into a room has no bridge of its own (the room
   * outlives it); after a restart the map is empty, so such a call re-adopted by call recovery is
   * recognised by its customer side sitting in a room bridge, and remembered again.
   */
  roomOfCall(callId: string): string | undefined {
    const known = this.callRoom.get(callId);
    if (known) return known;
    const call = this.deps.control.get(callId);
    if (!call || call.bridgeId !== null || !call.customerChannelId) return undefined;
    const bridge = this.participants.get(call.customerChannelId);
    const room = bridge ? this.deps.bridges.roomOf(bridge) : undefined;
    if (room) this.callRoom.set(callId, room);
    return room;
  }

  /** Moves customer and agent of a call into room `*<ext>`. */
  async moveCall(callId: string, rawExt: string, by?: string): Promise<{ callId: string; room: string; bridgeId: string }> {
    const { control, rooms } = this.deps;
    const ext = parseRoomExtension(rawExt);
    const call = control.require(callId);
    rooms.require(ext); // not configured → not_found, the call stays as it was
    return control.exclusive(callId, 'room move', () => this.doMove(call, ext, by));
  }

  private async doMove(call: CallRecord, ext: string, by?: string): Promise<{ callId: string; room: string; bridgeId: string }> {
    const { control, bridges } = this.deps;
    const callId = call.id;
    if (this.roomOfCall(callId) === ext) throw refused(`call ${callId} is already in room *${ext}`);
    // During a transfer or a 3-way conference: refused (409) by the one guard.
    control.guard(call, 'room');
    if (call.state !== 'connected') throw refused(`cannot move a call that is ${call.state} into a room`, { call: callId });
    if (!call.customerChannelId || !call.agentChannelId) throw refused(`call ${callId} has no bridged customer and agent`);

    const ari = control.core.deps.ari;
    const bridgeId = await bridges.ensure(ext);
    // Moving a channel that is in another bridge is one request (validated on Asterisk 22).
    await ari.bridges.addChannel(bridgeId, [call.customerChannelId, call.agentChannelId]);
    const old = call.bridgeId;
    // The room outlives this call: the call must not destroy it when it ends.
    control.updateCall(callId, { bridgeId: null });
    if (old && old !== bridgeId && !bridges.roomOf(old)) await ari.bridges.destroy(old).catch(() => undefined);
    this.callRoom.set(callId, ext);
    control.record(callId, 'room', { room: `*${ext}`, bridge: bridgeId, by });
    this.deps.log.info('call moved to room', { callId, room: ext });
    return { callId, room: `*${ext}`, bridgeId };
  }

  /** The agent leaves the room; the customer stays in it. */
  private async onAgentHangup(call: CallRecord): Promise<boolean> {
    const room = this.roomOfCall(call.id);
    if (!room) return false;
    this.callRoom.delete(call.id);
    await this.deps.control.endCall(call.id, 'agent-left-room', { keepCustomer: true, data: { room: `*${room}` } });
    return true;
  }

  private async onDialIn(e: StasisStartEvent): Promise<void> {
    const { control, rooms, bridges, log } = this.deps;
    const ari = control.core.deps.ari;
    const ch = e.channel;
    try {
      const ext = parseRoomExtension(e.args[1] ?? '');
      rooms.require(ext);
      await ari.channels.answer(ch.id);
      const bridgeId = await bridges.ensure(ext);
      await ari.bridges.addChannel(bridgeId, [ch.id]);
      log.info('caller joined room', { room: ext, channel: ch.name });
    } catch (err) {
      log.warn('room dial-in refused', { args: e.args, channel: ch.name, err: (err as Error).message });
      await ari.channels.hangup(ch.id, 'unallocated').catch(() => undefined);
    }
  }

  private async recover(): Promise<void> {
    const { bridges, control, log } = this.deps;
    try {
      await bridges.recover();
      for (const id of Object.values(bridges.snapshot())) {
        const b = await control.core.deps.ari.bridges.get(id).catch(() => undefined);
        for (const ch of b?.channels ?? []) this.participants.set(ch, id);
      }
    } catch (err) {
      log.warn('room recovery failed', { err: (err as Error).message });
    }
  }
}
