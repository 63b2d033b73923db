/**
 * AMI over TCP, framed like Asterisk 22 (see test/fixtures/captures/*.ami.txt): banner, Login,
 * Logoff, Ping, then every other action goes to an injected handler (the simulator's action table).
 * Events go to every logged-in session that asked for events and pass the user's eventfilter.
 *
 * Ordering: events caused by an action are written AFTER that action's response, as the captures
 * show for QueueAdd → QueueMemberAdded. While a handler runs, broadcast() only queues.
 *
 * Booting (setBooting): Asterisk 22 accepts AMI logins before its modules are loaded. Meanwhile a
 * login gets no FullyBooted and app_queue's actions (Queue*) are unknown; when the boot completes
 * every logged-in session gets FullyBooted.
 */
import * as net from 'node:net';
import type { Clock } from '../util/clock';
import type { AmiEventFilter } from './ami-filter';
import { type AmiFieldList, FrameSplitter, amiTimestamp, encodeFrame, field, parseFrame } from './ami-codec';

export const AMI_BANNER = 'Asterisk Call Manager/11.0.0\r\n';

export interface AmiActionContext {
  name: string;
  fields: AmiFieldList;
  actionId?: string;
  sessionId: number;
}

/** Frames to write back: the response first, then list events (already carrying ActionID). */
export type AmiActionHandler = (ctx: AmiActionContext) => AmiFieldList[];

export interface AmiServerOptions {
  username: string;
  secret: string;
  systemName: string;
  clock: Clock;
  handler: AmiActionHandler;
  /** Seconds since "boot", for FullyBooted. */
  uptime: () => number;
  /** Called with every action received (Login included, secret masked). */
  onAction?: (ctx: AmiActionContext) => void;
  /** The user's manager.conf eventfilter (src/sim/ami-filter.ts); none = every event. */
  eventFilter?: AmiEventFilter;
}

/** Response helpers shared by the action handlers. */
export function amiResponse(ctx: AmiActionContext, response: string, message?: string, extra: AmiFieldList = []): AmiFieldList {
  const f: AmiFieldList = [['Response', response]];
  if (ctx.actionId !== undefined) f.push(['ActionID', ctx.actionId]);
  if (message !== undefined) f.push(['Message', message]);
  return [...f, ...extra];
}
export const amiOk = (ctx: AmiActionContext, message?: string, extra?: AmiFieldList) =>
  amiResponse(ctx, 'Success', message, extra);
export const amiError = (ctx: AmiActionContext, message: string) => amiResponse(ctx, 'Error', message);

interface Session {
  id: number;
  socket: net.Socket;
  loggedIn: boolean;
  events: boolean;
}

export class AmiServer {
  private server: net.Server | undefined;
  private sessions = new Map<number, Session>();
  private seq = 0;
  private unresponsive = false;
  private refusing = false;
  private booting = false;
  /** Non-null while a handler runs: events wait here until the response is written. */
  private held: string[] | null = null;
  private _port = 0;

  constructor(private readonly opts: AmiServerOptions) {}

  get port(): number {
    return this._port;
  }

  get sessionCount(): number {
    return [...this.sessions.values()].filter((s) => s.loggedIn).length;
  }

  async start(port = 0): Promise<void> {
    const server = net.createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this._port = (server.address() as net.AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.dropConnections();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Destroys every socket (what a crash or a network cut looks like to the client). */
  dropConnections(): void {
    for (const s of this.sessions.values()) s.socket.destroy();
    this.sessions.clear();
  }

  /** Half-open link: sockets stay open but nothing is written back (no responses, no events). */
  setUnresponsive(on: boolean): void {
    this.unresponsive = on;
  }

  /** While refusing (Asterisk down), new connections are closed at once. */
  setRefusing(on: boolean): void {
    this.refusing = on;
  }

  /** Booting on: logins get no FullyBooted, Queue* actions are unknown. Off: FullyBooted to all. */
  setBooting(on: boolean): void {
    const was = this.booting;
    this.booting = on;
    if (was && !on) {
      for (const s of this.sessions.values()) if (s.loggedIn && s.events) this.fullyBooted(s);
    }
  }

  get isBooting(): boolean {
    return this.booting;
  }

  /** Sends an event to every logged-in session with events on. */
  broadcast(name: string, privilege: string, fields: AmiFieldList): void {
    // Every session logs in as the one user, so its filter decides for all of them.
    if (this.opts.eventFilter && !this.opts.eventFilter(name, privilege, fields)) return;
    const frame = encodeFrame([
      ['Event', name],
      ['Privilege', privilege],
      ['Timestamp', amiTimestamp(this.opts.clock.now())],
      ['SystemName', this.opts.systemName],
      ...fields,
    ]);
    if (this.held) this.held.push(frame);
    else this.writeEvent(frame);
  }

  /** Event without Timestamp/SystemName (FullyBooted is written that way by Asterisk). */
  private bareEvent(s: Session, fields: AmiFieldList): void {
    this.write(s, encodeFrame(fields));
  }

  private writeEvent(frame: string): void {
    for (const s of this.sessions.values()) if (s.loggedIn && s.events) this.write(s, frame);
  }

  private write(s: Session, data: string): void {
    if (this.unresponsive || s.socket.destroyed) return;
    s.socket.write(data);
  }

  private accept(socket: net.Socket): void {
    if (this.refusing) {
      socket.destroy();
      return;
    }
    const s: Session = { id: ++this.seq, socket, loggedIn: false, events: true };
    this.sessions.set(s.id, s);
    socket.setEncoding('utf8');
    socket.setNoDelay(true);
    const splitter = new FrameSplitter();
    socket.on('data', (chunk: string) => {
      for (const frame of splitter.push(chunk)) this.onFrame(s, parseFrame(frame));
    });
    socket.on('error', () => undefined);
    socket.on('close', () => this.sessions.delete(s.id));
    this.write(s, AMI_BANNER);
  }

  private onFrame(s: Session, fields: AmiFieldList): void {
    const name = field(fields, 'Action');
    if (name === undefined) return; // Asterisk ignores frames without an action
    const ctx: AmiActionContext = { name, fields, actionId: field(fields, 'ActionID'), sessionId: s.id };
    const lower = name.toLowerCase();
    const masked: AmiFieldList = fields.map(([k, v]) => [k, k.toLowerCase() === 'secret' ? '****' : v]);
    this.opts.onAction?.({ ...ctx, fields: masked });
    if (lower === 'login') return this.login(s, ctx);
    if (!s.loggedIn) {
      this.write(s, encodeFrame(amiError(ctx, 'Authentication Required')));
      return;
    }
    if (lower === 'logoff') {
      this.write(s, encodeFrame(amiResponse(ctx, 'Goodbye', 'Thanks for all the fish.')));
      s.socket.end();
      return;
    }
    if (lower === 'ping') {
      this.write(s, encodeFrame(amiOk(ctx, undefined, [['Ping', 'Pong'], ['Timestamp', amiTimestamp(this.opts.clock.now())]])));
      return;
    }
    if (this.booting && lower.startsWith('queue')) {
      // app_queue not loaded yet: the exact answer Asterisk gives for an unregistered action.
      this.write(s, encodeFrame(amiError(ctx, `Invalid/unknown command: ${name}. Use Action: ListCommands to show available commands.`)));
      return;
    }
    this.held = [];
    let frames: AmiFieldList[];
    try {
      frames = this.opts.handler(ctx);
    } catch (e) {
      frames = [amiError(ctx, e instanceof Error ? e.message : String(e))];
    }
    const held = this.held;
    this.held = null;
    for (const f of frames) this.write(s, encodeFrame(f));
    for (const frame of held) this.writeEvent(frame);
  }

  private login(s: Session, ctx: AmiActionContext): void {
    const user = field(ctx.fields, 'Username');
    const secret = field(ctx.fields, 'Secret');
    if (user !== this.opts.username || secret !== this.opts.secret) {
      this.write(s, encodeFrame(amiError(ctx, 'Authentication failed')));
      // Asterisk closes the session after a failed login.
      s.socket.end();
      return;
    }
    const ev = (field(ctx.fields, 'Events') ?? 'on').toLowerCase();
    s.events = ev !== 'off' && ev !== 'no' && ev !== 'false';
    s.loggedIn = true;
    this.write(s, encodeFrame(amiOk(ctx, 'Authentication accepted')));
    if (s.events && !this.booting) this.fullyBooted(s);
  }

  private fullyBooted(s: Session): void {
    const up = String(Math.floor(this.opts.uptime()));
    this.bareEvent(s, [
      ['Event', 'FullyBooted'],
      ['Privilege', 'system,all'],
      ['Uptime', up],
      ['LastReload', up],
      ['Status', 'Fully Booted'],
    ]);
  }
}
