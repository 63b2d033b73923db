/**
 * In-memory AriClient for unit/flow tests of the call core. It models what the captures show:
 * originated channels get ChannelStateChange(Ringing) / StasisStart(args from appArgs) on answer /
 * ChannelDestroyed on failure; a hung-up channel in Stasis gets StasisEnd then ChannelDestroyed;
 * addChannel moves a channel out of its previous bridge; holding bridges with MOH are private.
 */
import {
  AriHttpError,
  type AriBridge,
  type AriChannel,
  type AriClient,
  type AriEvent,
  type OriginateParams,
} from '../../src/ari/types';

interface FakeChannel extends AriChannel {
  inStasis: boolean;
  /** Set on snoop channels: the channel they spy on (destroyed with it). */
  snoopOf?: string;
  snoopSpy?: string;
  snoopWhisper?: string;
  appArgs?: string[];
  bridge?: string;
  muted: Set<string>;
  dtmf: string[];
}

interface FakeBridge extends AriBridge {
  moh: boolean;
}

export class FakeAri implements AriClient {
  readonly app = 'callcenter';
  connected = true;
  readonly chans = new Map<string, FakeChannel>();
  readonly brs = new Map<string, FakeBridge>();
  readonly log: string[] = [];
  /** Every originate request, as the daemon sent it. */
  readonly originates: OriginateParams[] = [];
  private handlers = new Map<string, Set<(e: AriEvent) => void>>();
  private connectedHandlers = new Set<() => void>();
  private seq = 0;
  failOriginate = false;
  /** Live recordings by name: what they record (a channel id), muted or not, their state. */
  readonly recs = new Map<string, { name: string; format: string; target: string; muted: boolean; state: string; mutes: number }>();
  failRecord = false;

  start(): void {}
  async stop(): Promise<void> {}

  onEvent(type: string, handler: (event: AriEvent) => void): () => void {
    if (!this.handlers.has(type)) this.handlers.set(type, new Set());
    this.handlers.get(type)!.add(handler);
    return () => this.handlers.get(type)?.delete(handler);
  }
  onConnected(handler: () => void): () => void {
    this.connectedHandlers.add(handler);
    return () => this.connectedHandlers.delete(handler);
  }
  onDisconnected(): () => void {
    return () => undefined;
  }

  /** Drops every subscription: a "killed" daemon instance stops hearing events. */
  disconnectAll(): void {
    this.handlers.clear();
    this.connectedHandlers.clear();
  }

  reconnect(): void {
    this.connected = true;
    for (const h of [...this.connectedHandlers]) h();
  }

  // ---- test controls ----

  /** A channel a dialplan hands to Stasis (agent-leg ;2 or direct inbound). */
  enterStasis(args: string[], opts: { id?: string; number?: string; name?: string; callerName?: string } = {}): string {
    const id = opts.id ?? `leg-${++this.seq}`;
    const ch = this.newChannel(id, opts.name ?? `Local/x@cc-agent-${this.seq};2`, 'Ring', opts.number ?? '5550101');
    ch.caller.name = opts.callerName ?? '';
    ch.inStasis = true;
    ch.appArgs = args;
    ch.dialplan = { context: 'cc-agent', exten: args[1] ?? 's', priority: 2, app_name: 'Stasis', app_data: [this.app, ...args].join(',') };
    this.emit({ type: 'StasisStart', args, channel: this.snap(ch) });
    return id;
  }

  ringing(id: string): void {
    const ch = this.must(id);
    ch.state = 'Ringing';
    this.emit({ type: 'ChannelStateChange', channel: this.snap(ch) });
  }

  answer(id: string): void {
    const ch = this.must(id);
    ch.state = 'Up';
    ch.inStasis = true;
    this.emit({ type: 'StasisStart', args: ch.appArgs ?? [], channel: this.snap(ch) });
  }

  /** An originated channel that never answers / is rejected. */
  fail(id: string, cause = 'No answer'): void {
    const ch = this.must(id);
    this.destroy(ch, cause);
  }

  /** The far end hangs up (customer or agent phone). */
  remoteHangup(id: string): void {
    this.destroy(this.must(id), 'Normal Clearing');
  }

  originated(role: string): FakeChannel[] {
    return [...this.chans.values()].filter((c) => c.appArgs?.[0] === 'originated' && c.appArgs[2] === role);
  }

  /** True when `listener` hears `speaker`: same mixing bridge, speaker not muted towards the bridge. */
  canHear(listener: string, speaker: string): boolean {
    const a = this.chans.get(listener);
    const b = this.chans.get(speaker);
    if (!a || !b || !a.bridge || a.bridge !== b.bridge) return false;
    const br = this.brs.get(a.bridge)!;
    return br.bridge_type === 'mixing' && !b.muted.has('in');
  }

  hearsMoh(id: string): boolean {
    const ch = this.chans.get(id);
    return !!ch?.bridge && !!this.brs.get(ch.bridge)?.moh;
  }

  // ---- AriClient ----

  channels: AriClient['channels'] = {
    originate: async (p: OriginateParams) => {
      this.log.push(`originate ${p.endpoint} ${p.appArgs}`);
      this.originates.push(p);
      if (this.failOriginate) throw new AriHttpError('POST', '/channels', 500, 'boom');
      const id = p.channelId ?? `orig-${++this.seq}`;
      const ch = this.newChannel(id, `${p.endpoint}-${++this.seq};1`, 'Down', p.callerId ?? '');
      ch.appArgs = (p.appArgs ?? '').split(',');
      ch.dialplan = { context: 'x', exten: 's', priority: 1, app_name: 'Stasis', app_data: `${this.app},${p.appArgs}` };
      return this.snap(ch);
    },
    get: async (id) => this.snap(this.must(id)),
    list: async () => [...this.chans.values()].map((c) => this.snap(c)),
    answer: async (id) => {
      this.must(id).state = 'Up';
    },
    ring: async (id) => {
      this.must(id);
    },
    hangup: async (id) => {
      this.log.push(`hangup ${id}`);
      this.destroy(this.must(id), 'Normal Clearing');
    },
    continueInDialplan: async (id, target) => {
      const ch = this.must(id);
      this.log.push(`continue ${id} ${target.context},${target.extension},${target.priority}`);
      ch.inStasis = false;
      this.emit({ type: 'StasisEnd', channel: this.snap(ch) });
    },
    redirect: async () => undefined,
    mute: async (id, dir = 'both') => {
      this.must(id).muted.add(dir);
    },
    unmute: async (id, dir = 'both') => {
      this.must(id).muted.delete(dir);
    },
    sendDtmf: async (id, dtmf) => {
      this.must(id).dtmf.push(dtmf);
    },
    startMoh: async () => undefined,
    stopMoh: async () => undefined,
    setVariable: async () => undefined,
    getVariable: async () => '',
    snoop: async (id, p) => {
      this.must(id);
      const sid = p.snoopId ?? `snoop-${++this.seq}`;
      this.log.push(`snoop ${id} spy=${p.spy ?? 'none'} whisper=${p.whisper ?? 'none'} ${p.appArgs ?? ''}`.trimEnd());
      const ch = this.newChannel(sid, `Snoop/${id}-${++this.seq}`, 'Up', '');
      ch.inStasis = true;
      ch.appArgs = (p.appArgs ?? '').split(',');
      ch.snoopOf = id;
      ch.snoopSpy = p.spy;
      ch.snoopWhisper = p.whisper;
      this.emit({ type: 'StasisStart', args: ch.appArgs, channel: this.snap(ch) });
      return this.snap(ch);
    },
    record: async (id, p) => {
      this.must(id);
      if (this.failRecord) throw new AriHttpError('POST', `/channels/${id}/record`, 500, 'Internal Server Error');
      if (this.recs.has(p.name) && this.recs.get(p.name)!.state === 'recording') throw new AriHttpError('POST', `/channels/${id}/record`, 409, 'Recording already in progress');
      this.log.push(`record ${id} ${p.name}.${p.format}`);
      this.recs.set(p.name, { name: p.name, format: p.format, target: id, muted: false, state: 'recording', mutes: 0 });
      this.emit({ type: 'RecordingStarted', recording: { name: p.name, format: p.format, state: 'recording', target_uri: `channel:${id}` } });
      return { name: p.name, format: p.format, state: 'queued', target_uri: `channel:${id}` };
    },
  };

  recordings: AriClient['recordings'] = {
    getLive: async (name) => {
      const r = this.recs.get(name);
      if (!r || r.state !== 'recording') throw new AriHttpError('GET', `/recordings/live/${name}`, 404, 'Recording not found');
      return { name, format: r.format, state: 'recording', target_uri: `channel:${r.target}` };
    },
    stop: async (name) => this.finishRecording(this.liveRec(name)),
    mute: async (name) => {
      const r = this.liveRec(name);
      r.muted = true;
      r.mutes++;
    },
    unmute: async (name) => {
      this.liveRec(name).muted = false;
    },
  };

  bridges: AriClient['bridges'] = {
    create: async ({ bridgeId, type, name }) => {
      const id = bridgeId ?? `br-${++this.seq}`;
      const br: FakeBridge = {
        id,
        technology: 'simple_bridge',
        bridge_type: type ?? 'mixing',
        bridge_class: 'stasis',
        creator: 'Stasis',
        name: name ?? '',
        channels: [],
        moh: false,
      };
      this.brs.set(id, br);
      return { ...br, channels: [] };
    },
    get: async (id) => {
      const b = this.brs.get(id);
      if (!b) throw new AriHttpError('GET', `/bridges/${id}`, 404, 'Bridge not found');
      return { ...b, channels: [...b.channels] };
    },
    list: async () => [...this.brs.values()].map((b) => ({ ...b, channels: [...b.channels] })),
    destroy: async (id) => {
      const b = this.brs.get(id);
      if (!b) throw new AriHttpError('DELETE', `/bridges/${id}`, 404, 'Bridge not found');
      for (const c of b.channels) {
        const ch = this.chans.get(c);
        if (ch) ch.bridge = undefined;
      }
      this.brs.delete(id);
    },
    addChannel: async (id, channelIds) => {
      const b = this.brs.get(id);
      if (!b) throw new AriHttpError('POST', `/bridges/${id}/addChannel`, 404, 'Bridge not found');
      for (const c of channelIds) {
        const ch = this.must(c);
        if (!ch.inStasis) throw new AriHttpError('POST', `/bridges/${id}/addChannel`, 422, 'not in Stasis');
        if (ch.bridge) this.brs.get(ch.bridge)!.channels = this.brs.get(ch.bridge)!.channels.filter((x) => x !== c);
        ch.bridge = id;
        b.channels.push(c);
      }
    },
    removeChannel: async (id, channelIds) => {
      const b = this.brs.get(id);
      if (!b) throw new AriHttpError('POST', `/bridges/${id}/removeChannel`, 404, 'Bridge not found');
      for (const c of channelIds) {
        b.channels = b.channels.filter((x) => x !== c);
        const ch = this.chans.get(c);
        if (ch) ch.bridge = undefined;
      }
    },
    startMoh: async (id) => {
      const b = this.brs.get(id);
      if (!b) throw new AriHttpError('POST', `/bridges/${id}/moh`, 404, 'Bridge not found');
      b.moh = true;
    },
    stopMoh: async (id) => {
      const b = this.brs.get(id);
      if (!b || !b.moh) throw new AriHttpError('DELETE', `/bridges/${id}/moh`, 409, "Bridge isn't playing music");
      b.moh = false;
    },
  };

  applications: AriClient['applications'] = {
    get: async () => ({
      name: this.app,
      channel_ids: [...this.chans.values()].filter((c) => c.inStasis || c.appArgs).map((c) => c.id),
      bridge_ids: [...this.brs.keys()],
      endpoint_ids: [],
      device_names: [],
    }),
  };
  deviceStates: AriClient['deviceStates'] = {
    update: async () => undefined,
    get: async (name) => ({ name, state: 'NOT_INUSE' }),
  };
  endpoints: AriClient['endpoints'] = {
    get: async (tech, resource) => ({ technology: tech, resource, channel_ids: [] }),
    list: async () => [],
  };
  asterisk: AriClient['asterisk'] = { info: async () => ({}) };

  // ---- internals ----

  private newChannel(id: string, name: string, state: string, number: string): FakeChannel {
    const ch: FakeChannel = {
      id,
      name,
      state,
      caller: { name: '', number },
      connected: { name: '', number: '' },
      dialplan: { context: '', exten: '', priority: 1 },
      creationtime: new Date().toISOString(),
      language: 'en',
      inStasis: false,
      muted: new Set(),
      dtmf: [],
    };
    this.chans.set(id, ch);
    return ch;
  }

  private liveRec(name: string) {
    const r = this.recs.get(name);
    if (!r || r.state !== 'recording') throw new AriHttpError('POST', `/recordings/live/${name}`, 404, 'Recording not found');
    return r;
  }

  private finishRecording(r: { name: string; format: string; target: string; state: string }): void {
    if (r.state !== 'recording') return;
    r.state = 'done';
    this.emit({ type: 'RecordingFinished', recording: { name: r.name, format: r.format, state: 'done', target_uri: `channel:${r.target}`, duration: 3 } });
  }

  private destroy(ch: FakeChannel, cause: string): void {
    this.chans.delete(ch.id);
    // Asterisk: a snoop channel ends with the channel it spies on; its recordings end with it.
    for (const s of [...this.chans.values()]) if (s.snoopOf === ch.id) this.destroy(s, cause);
    for (const r of this.recs.values()) if (r.target === ch.id) this.finishRecording(r);
    if (ch.bridge) {
      const b = this.brs.get(ch.bridge);
      if (b) b.channels = b.channels.filter((x) => x !== ch.id);
    }
    if (ch.inStasis) this.emit({ type: 'StasisEnd', channel: this.snap(ch) });
    this.emit({ type: 'ChannelDestroyed', channel: this.snap(ch), cause: 16, cause_txt: cause });
  }

  private must(id: string): FakeChannel {
    const ch = this.chans.get(id);
    if (!ch) throw new AriHttpError('GET', `/channels/${id}`, 404, 'Channel not found');
    return ch;
  }

  private snap(ch: FakeChannel): AriChannel {
    const { inStasis: _a, appArgs: _b, bridge: _c, muted: _d, dtmf: _e, snoopOf: _f, snoopSpy: _g, snoopWhisper: _h, ...rest } = ch;
    return JSON.parse(JSON.stringify(rest)) as AriChannel;
  }

  private emit(e: Record<string, unknown>): void {
    const event = { application: this.app, timestamp: new Date().toISOString(), ...e } as AriEvent;
    // Asynchronous like a WebSocket: handlers run after the current request resolves.
    setImmediate(() => {
      for (const type of [event.type, '*']) for (const h of [...(this.handlers.get(type) ?? [])]) h(event);
    });
  }
}

/** Lets pending setImmediate events and their async handlers run. */
export async function flush(rounds = 8): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}
