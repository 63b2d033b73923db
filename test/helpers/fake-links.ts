/**
 * Minimal in-memory AMI/ARI clients for daemon-level tests: connection state is driven by the test
 * (connect()/disconnect()), actions and REST calls are recorded. Domain tests use richer fakes.
 */
import type { AmiClient, AmiConnectionState, AmiEvent, AmiFields, AmiResponse } from '../../src/ami/types';
import { AmiNotConnectedError } from '../../src/ami/types';
import { AriNotConnectedError, type AriClient, type AriEvent } from '../../src/ari/types';

type Handler<T> = (x: T) => void;

class Listeners<T> {
  private map = new Map<string, Set<Handler<T>>>();
  on(name: string, h: Handler<T>): () => void {
    if (!this.map.has(name)) this.map.set(name, new Set());
    this.map.get(name)!.add(h);
    return () => this.map.get(name)?.delete(h);
  }
  emit(name: string, x: T): void {
    for (const h of [...(this.map.get(name) ?? []), ...(name === '*' ? [] : (this.map.get('*') ?? []))]) h(x);
  }
}

export class FakeAmi implements AmiClient {
  state: AmiConnectionState = 'disconnected';
  started = false;
  stopped = false;
  readonly actions: { action: string; fields: AmiFields }[] = [];
  private events = new Listeners<AmiEvent>();
  private links = new Listeners<string>();

  start(): void {
    this.started = true;
    this.state = 'connecting';
  }
  async stop(): Promise<void> {
    this.stopped = true;
    this.state = 'disconnected';
  }
  connect(): void {
    this.state = 'connected';
    this.links.emit('up', '');
  }
  disconnect(reason = 'connection reset'): void {
    this.state = 'connecting';
    this.links.emit('down', reason);
  }
  async action(action: string, fields: AmiFields = {}): Promise<AmiResponse> {
    if (this.state !== 'connected') throw new AmiNotConnectedError(action);
    this.actions.push({ action, fields });
    return { Response: 'Success', ActionID: String(this.actions.length) };
  }
  async actionList(action: string, fields: AmiFields = {}) {
    return { response: await this.action(action, fields), events: [] as AmiEvent[] };
  }
  onEvent(name: string, handler: (e: AmiEvent) => void) {
    return this.events.on(name, handler);
  }
  emitEvent(e: AmiEvent): void {
    this.events.emit(e.Event, e);
  }
  onConnected(handler: () => void) {
    return this.links.on('up', () => handler());
  }
  onDisconnected(handler: (reason: string) => void) {
    return this.links.on('down', handler);
  }
}

/** ARI fake: every REST call fails as "not reachable" unless connected; then it resolves empty. */
export function createFakeAri(app = 'callcenter'): AriClient & { connect(): void; disconnect(r?: string): void; started: boolean; stopped: boolean } {
  const events = new Listeners<AriEvent>();
  const links = new Listeners<string>();
  const self = {
    app,
    connected: false,
    started: false,
    stopped: false,
    start() {
      self.started = true;
    },
    async stop() {
      self.stopped = true;
      self.connected = false;
    },
    connect() {
      self.connected = true;
      links.emit('up', '');
    },
    disconnect(reason = 'socket closed') {
      self.connected = false;
      links.emit('down', reason);
    },
    onEvent: (type: string, h: (e: AriEvent) => void) => events.on(type, h),
    onConnected: (h: () => void) => links.on('up', () => h()),
    onDisconnected: (h: (r: string) => void) => links.on('down', h),
  };
  // Resource groups: a Proxy keeps the fake small while staying honest (down → AriNotConnectedError).
  const group = (name: string) =>
    new Proxy(
      {},
      {
        get: (_t, method: string) => async () => {
          if (!self.connected) throw new AriNotConnectedError(`${name}.${method}`);
          return name === 'applications' ? { name: app, channel_ids: [], bridge_ids: [], endpoint_ids: [], device_names: [] } : [];
        },
      },
    );
  return Object.assign(self, {
    channels: group('channels'),
    bridges: group('bridges'),
    applications: group('applications'),
    deviceStates: group('deviceStates'),
    endpoints: group('endpoints'),
    asterisk: group('asterisk'),
  }) as never;
}
