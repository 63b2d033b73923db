/**
 * ARI over HTTP + WebSocket: Basic auth (or `api_key=user:pass`) on REST and on the `/ari/events`
 * upgrade (401 otherwise). REST requests go to an injected router; a connected event socket
 * registers its app(s) in the model for as long as it is open.
 *
 * REST also comes as RESTRequest text frames on the event socket (Asterisk 22.4+; ari-ws-requests.ts),
 * answered there through the same router; `restOverWebSocket: false` models an older Asterisk that
 * reads such frames and drops them.
 *
 * setUnresponsive(true) models a hung Asterisk: REST requests are never answered, pings are not
 * ponged and no event is written (autoPong is off; pongs are sent by hand only when responsive).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import type { SimModel } from './model';
import { processWsRequest, uriDecode } from './ari-ws-requests';
import { ariTime } from './shapes';

/**
 * res_http_websocket reads a frame into a 65535-byte buffer (header included: 8 bytes for a masked
 * frame of this size) and closes the socket with 1009 when it does not fit; ws does the same here.
 */
const ASTERISK_MAX_FRAME_PAYLOAD = 65535 - 8;

export interface AriReply {
  status: number;
  body?: unknown;
  /** Asterisk's reason phrase when its handler uses its own (e.g. "Not found"); the status's standard one otherwise. */
  reason?: string;
}

export interface AriRequest {
  method: string;
  /** Path below /ari, split on '/', URI-decoded, e.g. ['channels', 'abc', 'answer']. */
  segments: string[];
  /** Query parameters merged with the JSON body's top-level fields (ARI accepts both). */
  params: Record<string, unknown>;
}

export type AriRouter = (req: AriRequest) => AriReply;

export interface AriServerOptions {
  username: string;
  password: string;
  model: SimModel;
  router: AriRouter;
  onRequest?: (req: AriRequest, via: 'http' | 'websocket') => void;
  /** Answer RESTRequest frames on the event socket (Asterisk 22.4+). Default true; false = an older Asterisk. */
  restOverWebSocket?: boolean;
}

export class AriServer {
  private server: http.Server | undefined;
  private wss = new WebSocketServer({ noServer: true, autoPong: false, maxPayload: ASTERISK_MAX_FRAME_PAYLOAD });
  private sockets = new Map<WebSocket, string[]>();
  private parked = new Set<http.ServerResponse>();
  private unresponsive = false;
  private refusing = false;
  private restOverWebSocket: boolean;
  private _port = 0;

  constructor(private readonly opts: AriServerOptions) {
    this.restOverWebSocket = opts.restOverWebSocket ?? true;
  }

  /** false: behave like an Asterisk before REST over WebSocket (RESTRequest frames are dropped unanswered). */
  setRestOverWebSocket(on: boolean): void {
    this.restOverWebSocket = on;
  }

  get port(): number {
    return this._port;
  }

  get url(): string {
    return `http://127.0.0.1:${this._port}`;
  }

  /** Number of open event sockets. */
  get socketCount(): number {
    return this.sockets.size;
  }

  async start(port = 0): Promise<void> {
    const server = http.createServer((req, res) => this.onHttp(req, res));
    server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket as import('node:net').Socket, head));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this._port = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.dropConnections();
    for (const res of this.parked) res.destroy();
    this.parked.clear();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Sends an event to every socket subscribed to `app`. */
  send(app: string, event: Record<string, unknown>): void {
    if (this.unresponsive) return;
    if (!this.opts.model.appEventAllowed(app, event.type as string)) return;
    const data = JSON.stringify(event);
    for (const [ws, apps] of this.sockets) if (apps.includes(app) && ws.readyState === WebSocket.OPEN) ws.send(data);
  }

  /** Kills every event socket (TCP destroy, no close frame), as a crash or a cut would. */
  dropConnections(): void {
    for (const ws of [...this.sockets.keys()]) {
      // Unregister now: the model must see the app gone before the next Stasis() attempt.
      this.unregister(ws);
      ws.terminate();
    }
    this.server?.closeIdleConnections();
  }

  setUnresponsive(on: boolean): void {
    this.unresponsive = on;
  }

  /** While refusing (Asterisk down), REST gets 503 and upgrades are rejected. */
  setRefusing(on: boolean): void {
    this.refusing = on;
  }

  private authorized(req: http.IncomingMessage, url: URL): boolean {
    const expected = `${this.opts.username}:${this.opts.password}`;
    const auth = req.headers.authorization;
    if (auth?.startsWith('Basic ')) return Buffer.from(auth.slice(6), 'base64').toString('utf8') === expected;
    return url.searchParams.get('api_key') === expected;
  }

  private onUpgrade(req: http.IncomingMessage, socket: import('node:net').Socket, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const reject = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    };
    if (this.refusing) return reject(503, 'Service Unavailable');
    if (!this.authorized(req, url)) return reject(401, 'Unauthorized');
    if (url.pathname !== '/ari/events') return reject(404, 'Not Found');
    const apps = (url.searchParams.get('app') ?? '').split(',').filter((a) => a !== '');
    if (apps.length === 0) return reject(400, 'Bad Request');
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.sockets.set(ws, apps);
      for (const app of apps) {
        this.opts.model.apps.set(app, (this.opts.model.apps.get(app) ?? 0) + 1);
        this.opts.model.knownApps.add(app);
      }
      ws.on('ping', (data) => {
        if (!this.unresponsive) ws.pong(data);
      });
      ws.on('error', () => undefined);
      ws.on('close', () => this.unregister(ws));
      ws.on('message', (data, isBinary) => {
        // session_read: only text frames are read; others are ignored.
        if (!isBinary) this.onWsRequest(ws, apps[0], data.toString());
      });
    });
  }

  /** ari_websocket_process_request, answered through ari_websocket_send_event (the app's event filter applies). */
  private onWsRequest(ws: WebSocket, app: string, text: string): void {
    if (!this.restOverWebSocket || this.unresponsive) return;
    const response = processWsRequest(text, (req) => this.invoke(req, 'websocket'));
    if (!this.opts.model.appEventAllowed(app, 'RESTResponse')) return;
    const out = { ...response, application: app, timestamp: ariTime(this.opts.model.now()), asterisk_id: this.opts.model.opts.asteriskId };
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(out));
  }

  private invoke(request: AriRequest, via: 'http' | 'websocket'): AriReply {
    this.opts.onRequest?.(request, via);
    try {
      return this.opts.router(request);
    } catch (e) {
      return { status: 500, body: { message: e instanceof Error ? e.message : String(e) } };
    }
  }

  private unregister(ws: WebSocket): void {
    const apps = this.sockets.get(ws);
    if (!apps) return;
    this.sockets.delete(ws);
    for (const app of apps) {
      const n = (this.opts.model.apps.get(app) ?? 1) - 1;
      if (n > 0) this.opts.model.apps.set(app, n);
      else this.opts.model.apps.delete(app);
    }
  }

  private onHttp(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (raw += c));
    req.on('end', () => {
      if (this.refusing) return this.reply(res, { status: 503, body: { message: 'Asterisk is restarting' } });
      if (!this.authorized(req, url)) {
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="Asterisk REST Interface"', 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: 'Authentication required' }));
        return;
      }
      if (this.unresponsive) {
        this.parked.add(res);
        res.on('close', () => this.parked.delete(res));
        return;
      }
      if (!url.pathname.startsWith('/ari/')) return this.reply(res, { status: 404, body: { message: 'Resource not found' } });
      const params: Record<string, unknown> = {};
      for (const [k, v] of url.searchParams) if (k !== 'api_key') params[k] = v;
      if (raw.trim() !== '') {
        try {
          const body = JSON.parse(raw) as unknown;
          if (body && typeof body === 'object' && !Array.isArray(body)) Object.assign(params, body);
        } catch {
          return this.reply(res, { status: 400, body: { message: 'Invalid JSON body' } });
        }
      }
      const segments = url.pathname.slice(5).split('/').filter((s) => s !== '').map(uriDecode);
      this.reply(res, this.invoke({ method: req.method ?? 'GET', segments, params }, 'http'));
    });
  }

  private reply(res: http.ServerResponse, r: AriReply): void {
    if (r.body === undefined) {
      res.writeHead(r.status, r.reason);
      res.end();
      return;
    }
    const data = JSON.stringify(r.body);
    const headers = { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) };
    // Asterisk sends its handler's reason phrase over HTTP too.
    if (r.reason) res.writeHead(r.status, r.reason, headers);
    else res.writeHead(r.status, headers);
    res.end(data);
  }
}
