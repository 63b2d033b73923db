/**
 * Socket-less AMI/ARI links for the replay benchmark. ReplayAmi feeds recorded AMI bytes through the
 * real AmiParser and dispatches events to the daemon's subscribers exactly as src/ami/client.ts does
 * (same `wanted` filter: events nobody subscribed to are split off without a key/value parse), so
 * the measured cost is parser + handlers without TCP. Actions succeed at once (and are counted).
 * The ARI link is up but has no channels: REST reads return empty lists, per-resource calls 404.
 */
import { AmiParser } from '../src/ami/parser';
import type { AmiClient, AmiConnectionState, AmiEvent, AmiFields, AmiMessage, AmiResponse, LinkHealthInfo } from '../src/ami/types';
import { AriHttpError, type AriClient, type AriEvent } from '../src/ari/types';

type Handlers<T> = Map<string, Set<(x: T) => void>>;

function on<T>(map: Handlers<T>, name: string, h: (x: T) => void): () => void {
  let set = map.get(name);
  if (!set) map.set(name, (set = new Set()));
  set.add(h);
  return () => void map.get(name)?.delete(h);
}

export class ReplayAmi implements AmiClient {
  state: AmiConnectionState = 'disconnected';
  readonly info: LinkHealthInfo = { state: 'disconnected', reconnects: 0, eventsReceived: 0 };
  /** Events parsed and dispatched vs split off unparsed (no subscriber). */
  handled = 0;
  skipped = 0;
  actions = 0;
  /** When set, time spent in subscribers per event name (ns), for the breakdown pass. */
  timing?: Map<string, { count: number; ns: bigint }>;
  private readonly events: Handlers<AmiEvent> = new Map();
  private readonly connected = new Set<() => void>();
  private readonly parser = new AmiParser({
    onBanner: () => undefined,
    onMessage: (m) => this.onMessage(m),
    wanted: (name) => this.events.has(name) || this.events.has('*'),
    onSkipped: () => {
      this.skipped++;
      this.info.eventsReceived++;
    },
  });

  start(): void {
    this.state = 'connected';
    this.info.state = 'connected';
    this.info.connectedSince = Date.now();
    for (const h of this.connected) h();
  }
  async stop(): Promise<void> {
    this.state = 'disconnected';
    this.info.state = 'disconnected';
  }
  async action(action: string, _fields: AmiFields = {}): Promise<AmiResponse> {
    this.actions++;
    return { Response: 'Success', ActionID: `replay-${this.actions}`, Message: `${action} accepted (replay)` };
  }
  async actionList(action: string, fields: AmiFields = {}): Promise<{ response: AmiResponse; events: AmiEvent[]; complete?: AmiEvent }> {
    return { response: await this.action(action, fields), events: [] };
  }
  onEvent(name: string, handler: (event: AmiEvent) => void): () => void {
    return on(this.events, name, handler);
  }
  onConnected(handler: () => void): () => void {
    this.connected.add(handler);
    return () => void this.connected.delete(handler);
  }
  onDisconnected(): () => void {
    return () => undefined;
  }

  /** Feeds raw bytes as read from the socket (frames may straddle chunks). */
  push(chunk: Buffer): void {
    this.parser.push(chunk);
  }

  private onMessage(msg: AmiMessage): void {
    if (msg.Event === undefined) return; // responses to the captured session's actions
    this.handled++;
    this.info.eventsReceived++;
    const e = msg as AmiEvent;
    const t0 = this.timing ? process.hrtime.bigint() : 0n;
    this.dispatch(this.events.get(e.Event), e);
    this.dispatch(this.events.get('*'), e);
    if (this.timing) {
      const slot = this.timing.get(e.Event) ?? { count: 0, ns: 0n };
      slot.count++;
      slot.ns += process.hrtime.bigint() - t0;
      this.timing.set(e.Event, slot);
    }
  }

  private dispatch(set: Set<(e: AmiEvent) => void> | undefined, e: AmiEvent): void {
    if (!set) return;
    // As the real client: a subscriber's exception must not stop the others (counted as a bench error).
    for (const h of set) {
      try {
        h(e);
      } catch {
        this.handlerErrors++;
      }
    }
  }
  handlerErrors = 0;
}

/** An ARI link that is up with nothing on it (the AMI replay has no matching Stasis channels). */
export function createIdleAri(app: string): AriClient {
  const events: Handlers<AriEvent> = new Map();
  const connected = new Set<() => void>();
  const gone = (what: string) => async () => {
    throw new AriHttpError('GET', `/${what}`, 404, '{"message":"not found (replay)"}');
  };
  const empty = async () => [];
  const self = {
    app,
    connected: false,
    info: { state: 'disconnected', reconnects: 0, eventsReceived: 0 } as LinkHealthInfo,
    start() {
      self.connected = true;
      self.info.state = 'connected';
      for (const h of connected) h();
    },
    async stop() {
      self.connected = false;
    },
    onEvent: (type: string, h: (e: AriEvent) => void) => on(events, type, h),
    onConnected: (h: () => void) => {
      connected.add(h);
      return () => void connected.delete(h);
    },
    onDisconnected: () => () => undefined,
    channels: new Proxy({}, { get: (_t, m: string) => (m === 'list' ? empty : gone(`channels.${m}`)) }),
    bridges: new Proxy({}, { get: (_t, m: string) => (m === 'list' ? empty : gone(`bridges.${m}`)) }),
    endpoints: new Proxy({}, { get: (_t, m: string) => (m === 'list' ? empty : gone(`endpoints.${m}`)) }),
    deviceStates: { update: async () => undefined, get: gone('deviceStates.get') },
    applications: { get: async () => ({ name: app, channel_ids: [], bridge_ids: [], endpoint_ids: [], device_names: [] }) },
    asterisk: { info: async () => ({ system: { version: 'replay' } }) },
  };
  return self as unknown as AriClient;
}
