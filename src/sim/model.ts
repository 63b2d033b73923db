/**
 * The Asterisk behaviour model shared by the AMI and ARI servers: channels (with an explicit state
 * machine), Stasis membership and app subscriptions, bridges, MOH/mute, device states.
 * Queue logic lives in queues.ts, originated devices in devices.ts; both drive this model. Who
 * hears what (MOH, bridges, mute) is worked out from it in audio.ts.
 *
 * Event delivery follows what the captures show: an app receives a channel's events while the
 * channel is in Stasis, or for its whole life when the app originated it. A channel that entered
 * Stasis from the dialplan is unsubscribed at StasisEnd, so its ChannelDestroyed never reaches the app.
 */
import { CcError } from '../util/errors';
import type { Clock } from '../util/clock';
import type { AmiFieldList } from './ami-codec';
import {
  type BridgeView,
  CAUSE_TEXT,
  type CallerId,
  type ChannelState,
  type ChannelView,
  type Dialplan,
  amiChannelFields,
  aggregateDeviceStates,
  ariTime,
  bridgeJson,
  channelJson,
} from './shapes';

export const CHANNEL_STATES: readonly ChannelState[] = ['Down', 'Ring', 'Ringing', 'Up'];
/** Channels only move forward; hangup is not a state but the end of the object. */
const CHANNEL_TRANSITIONS: Record<ChannelState, readonly ChannelState[]> = {
  Down: ['Ring', 'Ringing', 'Up'],
  Ring: ['Ringing', 'Up'],
  Ringing: ['Up'],
  Up: [],
};

/**
 * `member-device`: a device channel app_queue dialled itself for a member whose Interface is a dial
 * string such as `PJSIP/1000` (queue-native.ts): no Local pair, no Stasis.
 */
export type ChannelKind = 'customer' | 'leg1' | 'leg2' | 'device' | 'device2' | 'remote' | 'snoop' | 'member-device' | 'other';

export type SnoopDirection = 'none' | 'in' | 'out' | 'both';

export interface SimChannel extends ChannelView {
  kind: ChannelKind;
  /** Device whose state this channel counts toward (e.g. PJSIP/1000, Local/1000@agents). */
  device: string;
  /** Other half of a Local pair. */
  partnerId?: string;
  stasisApp?: string;
  appArgs: string[];
  /** App that originated the channel: it gets every event until ChannelDestroyed. */
  subscribedApp?: string;
  bridgeId?: string;
  mutedIn: boolean;
  mutedOut: boolean;
  moh?: string;
  /** ARI hold (AST_CONTROL_HOLD): MOH to this channel, not private (hold.steps.txt case C). */
  held: boolean;
  dtmfSent: string[];
  vars: Record<string, string>;
  answeredAt?: number;
  hungUp: boolean;
  /**
   * Native formats as `core show channel` prints them (NativeFormats). Two channels of one bridge
   * with different formats are transcoded for the whole call (see devices.ts originate).
   */
  formats: string;
  /** A Snoop/... channel (snoop.ts): what it spies on `targetId` and where audio sent to it goes. */
  snoop?: { targetId: string; spy: SnoopDirection; whisper: SnoopDirection };
}

export interface SimBridge extends BridgeView {
  moh?: string;
  /** App that created it (stasis bridges); app_queue's basic bridges have none. */
  app?: string;
}

export interface ModelSink {
  ami(name: string, privilege: string, fields: AmiFieldList): void;
  ari(app: string, event: Record<string, unknown>): void;
}

export interface ModelOptions {
  clock: Clock;
  systemName: string;
  asteriskId: string;
  sink: ModelSink;
  /** Devices behind `hint:<ext>@<ctx>` (DESIGN.md: agent device & Custom:agent-<ext>). */
  hintDevices: (ext: string, context: string) => string[];
}

export interface NewChannelOpts {
  name: string;
  id?: string;
  kind: ChannelKind;
  state: ChannelState;
  caller?: CallerId;
  connected?: CallerId;
  dialplan: Partial<Dialplan> & { context: string; exten: string };
  linkedid?: string;
  device?: string;
  subscribedApp?: string;
  /** Native formats (default slin, what the lab's Local channels carry). */
  formats?: string;
}

type Listener<A extends unknown[]> = (...args: A) => void;

export class SimModel {
  readonly channels = new Map<string, SimChannel>();
  readonly bridges = new Map<string, SimBridge>();
  readonly customStates = new Map<string, string>();
  /** Registered Stasis apps → number of connected event sockets. */
  readonly apps = new Map<string, number>();
  /** Apps seen at least once (Asterisk keeps the object after the socket closes). */
  readonly knownApps = new Set<string>();
  /**
   * PUT /applications/{app}/eventFilter: ARI's `allowed` and `disallowed` type lists (res/stasis/app.c:
   * an event is sent when no disallowed entry and, if any allowed entry exists, an allowed one matches).
   */
  readonly appEventFilter = new Map<string, { allowed: Set<string>; disallowed: Set<string> }>();
  private lastDeviceState = new Map<string, string>();

  /** Whether an app's event filter lets an event type through (stasis_app_event_allowed). */
  appEventAllowed(app: string, type: string): boolean {
    const f = this.appEventFilter.get(app);
    if (!f) return true;
    return !f.disallowed.has(type) && (f.allowed.size === 0 || f.allowed.has(type));
  }
  private nameSeq = 0;
  private idSeq = 0;
  private bridgeSeq = 0;
  bootTime: number;
  private answeredListeners: Listener<[SimChannel]>[] = [];
  private hangupListeners: Listener<[SimChannel, number, boolean]>[] = [];
  private deviceListeners: Listener<[string, string]>[] = [];
  /** Extra device-state source (endpoint registration), provided by devices.ts. */
  endpointState: (device: string) => string | undefined = () => undefined;

  constructor(readonly opts: ModelOptions) {
    this.bootTime = opts.clock.now();
  }

  now(): number {
    return this.opts.clock.now();
  }

  onAnswered(fn: Listener<[SimChannel]>): void {
    this.answeredListeners.push(fn);
  }
  /** `requested`: false when Asterisk hung the channel up without a hangup request (see hangup). */
  onHangup(fn: Listener<[SimChannel, number, boolean]>): void {
    this.hangupListeners.push(fn);
  }
  onDeviceState(fn: Listener<[string, string]>): void {
    this.deviceListeners.push(fn);
  }

  /** Asterisk's 8-hex-digit channel name suffix. */
  nextNameSuffix(): string {
    return (++this.nameSeq).toString(16).padStart(8, '0');
  }

  /** Asterisk-generated uniqueid: <systemname>-<boot epoch>.<n>. */
  nextUniqueId(): string {
    return `${this.opts.systemName}-${Math.floor(this.bootTime / 1000)}.${++this.idSeq}`;
  }

  isAppRegistered(app: string): boolean {
    return (this.apps.get(app) ?? 0) > 0;
  }

  channel(id: string): SimChannel {
    const ch = this.channels.get(id);
    if (!ch) throw new CcError('not_found', `Channel not found: ${id}`);
    return ch;
  }

  bridge(id: string): SimBridge {
    const b = this.bridges.get(id);
    if (!b) throw new CcError('not_found', `Bridge not found: ${id}`);
    return b;
  }

  newChannel(o: NewChannelOpts): SimChannel {
    const id = o.id ?? this.nextUniqueId();
    if (this.channels.has(id)) throw new CcError('refused', `Channel id already in use: ${id}`);
    const ch: SimChannel = {
      id,
      name: o.name,
      state: o.state,
      caller: o.caller ?? { name: '', number: '' },
      connected: o.connected ?? o.caller ?? { name: '', number: '' },
      dialplan: { priority: 1, app_name: '', app_data: '', ...o.dialplan },
      creationtime: this.now(),
      linkedid: o.linkedid ?? id,
      kind: o.kind,
      device: o.device ?? deviceOfName(o.name),
      appArgs: [],
      subscribedApp: o.subscribedApp,
      mutedIn: false,
      mutedOut: false,
      held: false,
      dtmfSent: [],
      vars: {},
      hungUp: false,
      formats: o.formats ?? 'slin',
    };
    this.channels.set(id, ch);
    this.ami('Newchannel', 'call,all', amiChannelFields(ch));
    this.refreshDevice(ch.device);
    return ch;
  }

  /** Moves a channel along its state machine; illegal moves are bugs in the caller. */
  setState(ch: SimChannel, to: ChannelState): void {
    if (ch.state === to) return;
    if (!CHANNEL_TRANSITIONS[ch.state].includes(to)) {
      throw new CcError('refused', `Channel ${ch.name} cannot go from ${ch.state} to ${to}`);
    }
    ch.state = to;
    if (to === 'Up') ch.answeredAt = this.now();
    this.ami('Newstate', 'call,all', amiChannelFields(ch));
    this.channelEvent(ch, 'ChannelStateChange');
    this.refreshDevice(ch.device);
    if (to === 'Up') for (const fn of this.answeredListeners) fn(ch);
  }

  /** Stasis(app,args): fails (false) when no event socket has the app registered. */
  enterStasis(ch: SimChannel, app: string, args: string[]): boolean {
    if (!this.isAppRegistered(app)) return false;
    ch.stasisApp = app;
    ch.appArgs = args;
    ch.dialplan = { ...ch.dialplan, app_name: 'Stasis', app_data: [app, ...args].join(',') };
    this.toApp(app, { type: 'StasisStart', args: [...args], channel: channelJson(ch) });
    return true;
  }

  leaveStasis(ch: SimChannel): void {
    const app = ch.stasisApp;
    if (!app) return;
    if (ch.bridgeId) this.removeFromBridge(ch.bridgeId, ch.id);
    this.toApp(app, { type: 'StasisEnd', channel: channelJson(ch) });
    ch.stasisApp = undefined;
  }

  /**
   * Ends a channel with the event sequence of the captures. Idempotent. `request: false`: Asterisk
   * hangs it up without a hangup request (an outgoing channel put out of a dissolved bridge), so
   * no ChannelHangupRequest and app_queue does not notice (topology-native capture).
   */
  hangup(id: string, cause = 16, opts: { cascade?: boolean; soft?: boolean; request?: boolean } = {}): void {
    const ch = this.channels.get(id);
    if (!ch || ch.hungUp) return;
    ch.hungUp = true;
    const requested = opts.request !== false;
    // Asterisk adds `soft: true` only for soft hangup requests (an ARI DELETE, per the captures).
    if (requested) this.channelEvent(ch, 'ChannelHangupRequest', opts.soft ? { cause, soft: true } : { cause });
    if (ch.bridgeId) this.removeFromBridge(ch.bridgeId, ch.id);
    this.leaveStasis(ch);
    this.channelEvent(ch, 'ChannelDestroyed', { cause, cause_txt: CAUSE_TEXT[cause] ?? 'Unknown' });
    this.channels.delete(id);
    this.ami('Hangup', 'call,all', [...amiChannelFields(ch), ['Cause', String(cause)], ['Cause-txt', CAUSE_TEXT[cause] ?? 'Unknown']]);
    this.refreshDevice(ch.device);
    for (const fn of this.hangupListeners) fn(ch, cause, requested);
    // A Local pair dies together.
    if (ch.partnerId && opts.cascade !== false) this.hangup(ch.partnerId, cause, { soft: opts.soft });
  }

  // ----- bridges -----

  createBridge(o: { id?: string; type?: string; name?: string; app?: string; bridgeClass?: 'stasis' | 'basic' }): SimBridge {
    // Asterisk generates UUIDs for bridges it creates itself; a counter keeps runs reproducible.
    const id = o.id ?? `5a1e0000-0000-4000-8000-${(++this.bridgeSeq).toString(16).padStart(12, '0')}`;
    if (this.bridges.has(id)) throw new CcError('refused', `Bridge id already in use: ${id}`);
    const types = (o.type ?? 'mixing').split(',');
    const type = types.includes('holding') ? 'holding' : 'mixing';
    if (!types.every((t) => ['mixing', 'holding', 'dtmf_events', 'proxy_media', 'video_sfu', 'video_single'].includes(t))) {
      throw new CcError('invalid', `Invalid bridge type: ${o.type}`);
    }
    const basic = o.bridgeClass === 'basic';
    const b: SimBridge = {
      id,
      name: o.name ?? '',
      type,
      bridgeClass: basic ? 'basic' : 'stasis',
      creator: basic ? '' : 'Stasis',
      channels: [],
      creationtime: this.now(),
      app: o.app,
    };
    this.bridges.set(id, b);
    return b;
  }

  addToBridge(bridgeId: string, channelId: string): void {
    const b = this.bridge(bridgeId);
    const ch = this.channel(channelId);
    if (ch.bridgeId === bridgeId) return;
    if (ch.bridgeId) this.removeFromBridge(ch.bridgeId, ch.id);
    b.channels.push(ch.id);
    ch.bridgeId = b.id;
    this.bridgeEvent(b, ch, 'ChannelEnteredBridge');
  }

  removeFromBridge(bridgeId: string, channelId: string): void {
    const b = this.bridges.get(bridgeId);
    const ch = this.channels.get(channelId);
    if (!b || !ch || ch.bridgeId !== bridgeId) return;
    b.channels = b.channels.filter((c) => c !== channelId);
    ch.bridgeId = undefined;
    this.bridgeEvent(b, ch, 'ChannelLeftBridge');
  }

  destroyBridge(bridgeId: string): void {
    const b = this.bridge(bridgeId);
    for (const c of [...b.channels]) this.removeFromBridge(b.id, c);
    this.bridges.delete(b.id);
    if (b.app) this.toApp(b.app, { type: 'BridgeDestroyed', bridge: bridgeJson(b) });
  }

  // ----- device states -----

  setCustomState(device: string, state: string): void {
    this.customStates.set(device, state);
    this.refreshDevice(device);
  }

  /** State of one device, `Custom:` name or `hint:<ext>@<ctx>` (aggregated). */
  deviceState(device: string): string {
    if (device.startsWith('hint:')) {
      const [ext, ctx] = device.slice(5).split('@');
      return aggregateDeviceStates(this.opts.hintDevices(ext, ctx ?? '').map((d) => this.deviceState(d)));
    }
    if (device.startsWith('Custom:')) return this.customStates.get(device) ?? 'UNKNOWN';
    const chans = [...this.channels.values()].filter((c) => c.device === device && !c.hungUp);
    if (chans.length === 0) return this.endpointState(device) ?? 'NOT_INUSE';
    // Local channels report INUSE as soon as they exist (seen in the captures while ringing).
    const local = device.startsWith('Local/');
    const up = chans.some((c) => c.state === 'Up') || local;
    const ringing = !local && chans.some((c) => c.state !== 'Up');
    if (up && ringing) return 'RINGINUSE';
    return up ? 'INUSE' : 'RINGING';
  }

  refreshDevice(device: string): void {
    const state = this.deviceState(device);
    if (this.lastDeviceState.get(device) === state) return;
    this.lastDeviceState.set(device, state);
    this.ami('DeviceStateChange', 'call,all', [['Device', device], ['State', state]]);
    for (const fn of this.deviceListeners) fn(device, state);
  }

  // ----- lifecycle -----

  /** Asterisk restart: everything in memory is gone; astdb (Custom device states) survives. */
  reset(): void {
    this.channels.clear();
    this.bridges.clear();
    this.apps.clear();
    this.knownApps.clear();
    this.appEventFilter.clear();
    this.lastDeviceState.clear();
    this.bootTime = this.now();
  }

  appChannelIds(app: string): string[] {
    return [...this.channels.values()].filter((c) => c.stasisApp === app || c.subscribedApp === app).map((c) => c.id);
  }

  appBridgeIds(app: string): string[] {
    return [...this.bridges.values()].filter((b) => b.app === app).map((b) => b.id);
  }

  // ----- event plumbing -----

  ami(name: string, privilege: string, fields: AmiFieldList): void {
    this.opts.sink.ami(name, privilege, fields);
  }

  toApp(app: string, event: Record<string, unknown>): void {
    this.opts.sink.ari(app, {
      ...event,
      timestamp: ariTime(this.now()),
      asterisk_id: this.opts.asteriskId,
      application: app,
    });
  }

  /** Apps that currently get this channel's events. */
  appsOf(ch: SimChannel): string[] {
    const apps = new Set<string>();
    if (ch.stasisApp) apps.add(ch.stasisApp);
    if (ch.subscribedApp) apps.add(ch.subscribedApp);
    return [...apps];
  }

  channelEvent(ch: SimChannel, type: string, extra: Record<string, unknown> = {}): void {
    for (const app of this.appsOf(ch)) this.toApp(app, { type, ...extra, channel: channelJson(ch) });
  }

  private bridgeEvent(b: SimBridge, ch: SimChannel, type: string): void {
    const apps = new Set(this.appsOf(ch));
    if (b.app) apps.add(b.app);
    for (const app of apps) this.toApp(app, { type, bridge: bridgeJson(b), channel: channelJson(ch) });
  }
}

/** `PJSIP/1000-0000000a` → `PJSIP/1000`; `Local/1000@agents-0000000b;1` → `Local/1000@agents`. */
export function deviceOfName(name: string): string {
  return name.replace(/-[0-9a-f]{8}(;[12])?$/, '');
}

