/**
 * Live `*<ext>` room bridges. A room is a mixing bridge named `*<ext>`; bridge names are labels, not
 * unique in Asterisk (DESIGN.md), so the daemon keeps the room → bridge id map itself. After a
 * restart the map is rebuilt from the app's bridges (`/applications` lists them, names survive).
 */
import type { AriBridge, AriClient, AriEvent, AriOnDemandEvent } from '../ari/types';
import { AriHttpError } from '../ari/types';
import { EventDemand } from '../ari/event-demand';
import { roomName } from './rooms';

const ROOM_NAME = /^\*(\d{4,5})$/;
/** Read only while a room is open (rooms and their participants): Asterisk sends them meanwhile only. */
const ROOM_EVENTS: readonly AriOnDemandEvent[] = ['ChannelEnteredBridge', 'ChannelLeftBridge', 'BridgeDestroyed'];

export interface RoomBridgesDeps {
  ari: AriClient;
  /** Fresh unique ids for bridges (explicit ids: we know the bridge before any event). */
  newId: () => string;
}

export class RoomBridges {
  private byRoom = new Map<string, string>();
  /** Concurrent moves into the same room must share one bridge, not race to create two. */
  private pending = new Map<string, Promise<string>>();
  private unsubscribe: (() => void)[] = [];
  /** The room events, held while a room is open or being opened. */
  private readonly events: EventDemand;

  constructor(private readonly deps: RoomBridgesDeps) {
    this.events = new EventDemand(deps.ari, ROOM_EVENTS);
  }

  start(): void {
    this.unsubscribe.push(
      this.deps.ari.onEvent('BridgeDestroyed', (e: AriEvent) => {
        const bridge = (e as { bridge?: AriBridge }).bridge;
        if (bridge) this.forgetBridge(bridge.id);
      }),
      // An empty room is closed so it stops holding resources; the next move creates a new one.
      this.deps.ari.onEvent('ChannelLeftBridge', (e: AriEvent) => {
        const bridge = (e as { bridge?: AriBridge }).bridge;
        if (bridge && bridge.channels.length === 0 && this.roomOf(bridge.id)) {
          this.forgetBridge(bridge.id);
          this.deps.ari.bridges.destroy(bridge.id).catch(() => undefined);
        }
      }),
    );
  }

  stop(): void {
    for (const u of this.unsubscribe.splice(0)) u();
    this.byRoom.clear();
    void this.syncDemand();
  }

  /** Keeps the room events while a room exists or is on its way, lets them go otherwise. */
  private async syncDemand(): Promise<void> {
    if (this.byRoom.size > 0 || this.pending.size > 0) return this.events.hold();
    this.events.release();
  }

  /** Bridge id of the room if it is live. */
  bridgeOf(extension: string): string | undefined {
    return this.byRoom.get(extension);
  }

  roomOf(bridgeId: string): string | undefined {
    for (const [room, id] of this.byRoom) if (id === bridgeId) return room;
    return undefined;
  }

  snapshot(): Record<string, string> {
    return Object.fromEntries(this.byRoom);
  }

  /** The room's bridge, created on first use. Checks a remembered bridge still exists. */
  async ensure(extension: string): Promise<string> {
    const inFlight = this.pending.get(extension);
    if (inFlight) return inFlight;
    const p = this.resolve(extension).finally(() => {
      this.pending.delete(extension);
      void this.syncDemand();
    });
    this.pending.set(extension, p);
    return p;
  }

  /** Rebuilds the map from the bridges the app still owns (after a daemon or ARI restart). */
  async recover(): Promise<void> {
    const app = await this.deps.ari.applications.get();
    const found = new Map<string, string>();
    for (const id of app.bridge_ids) {
      let bridge: AriBridge;
      try {
        bridge = await this.deps.ari.bridges.get(id);
      } catch {
        continue; // gone meanwhile
      }
      const m = ROOM_NAME.exec(bridge.name ?? '');
      if (!m) continue;
      // Two live bridges with the same label can exist: keep the one with people in it.
      const prev = found.get(m[1]);
      if (!prev || bridge.channels.length > 0) found.set(m[1], bridge.id);
    }
    this.byRoom = found;
    await this.syncDemand();
  }

  private async resolve(extension: string): Promise<string> {
    // Before the bridge exists: its first participant's entry must not be missed.
    await this.events.hold();
    const known = this.byRoom.get(extension);
    if (known) {
      try {
        await this.deps.ari.bridges.get(known);
        return known;
      } catch (err) {
        if (!(err instanceof AriHttpError && err.status === 404)) throw err;
        this.byRoom.delete(extension);
      }
    }
    const bridge = await this.deps.ari.bridges.create({
      bridgeId: `room-${extension}-${this.deps.newId()}`,
      type: 'mixing',
      name: roomName(extension),
    });
    this.byRoom.set(extension, bridge.id);
    return bridge.id;
  }

  private forgetBridge(bridgeId: string): void {
    const room = this.roomOf(bridgeId);
    if (room) this.byRoom.delete(room);
    void this.syncDemand();
  }
}
