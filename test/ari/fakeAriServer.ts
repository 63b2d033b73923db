/**
 * Minimal ARI server for client tests: HTTP REST with Basic auth + the /ari/events WebSocket.
 * Knobs: reject the upgrade with 401 (bad credentials), stop answering pings (half-open), drop
 * every socket, per-test REST routes.
 */
import http from 'node:http';
import type net from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface RecordedRequest {
  method: string;
  url: string;
  path: string;
  query: URLSearchParams;
  authorization?: string;
  body: string;
}

/** null = never answer (to test request timeouts). */
export type Route = (req: RecordedRequest) => { status: number; body?: unknown } | null;

export class FakeAriServer {
  readonly http = http.createServer((req, res) => this.onRequest(req, res));
  readonly wss = new WebSocketServer({ noServer: true, autoPong: false });
  readonly requests: RecordedRequest[] = [];
  readonly upgrades: Array<{ url: string; authorization?: string; status: number }> = [];
  readonly sockets = new Set<WebSocket>();
  private readonly raw = new Set<net.Socket>();
  routes: Record<string, Route> = {};
  answerPings = true;

  constructor(
    public username = 'callcenterd',
    public password = 'ari-s3cret',
  ) {
    this.http.on('connection', (s) => {
      this.raw.add(s);
      s.on('close', () => this.raw.delete(s));
    });
    this.http.on('upgrade', (req, socket, head) => {
      const authorization = req.headers.authorization;
      const url = req.url ?? '';
      const ok = authorization === this.expectedAuth();
      const status = ok ? (url.startsWith('/ari/events?') ? 101 : 404) : 401;
      this.upgrades.push({ url, authorization, status });
      if (status !== 101) {
        socket.end(`HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : 'Not Found'}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        this.sockets.add(ws);
        ws.on('close', () => this.sockets.delete(ws));
        ws.on('ping', (data) => {
          if (this.answerPings) ws.pong(data);
        });
      });
    });
  }

  /** TCP connections currently open to this server (REST keep-alive sockets and event sockets). */
  get openConnections(): number {
    return this.raw.size;
  }

  expectedAuth(): string {
    return 'Basic ' + Buffer.from(`${this.username}:${this.password}`).toString('base64');
  }

  async listen(port = 0): Promise<string> {
    await new Promise<void>((resolve) => this.http.listen(port, '127.0.0.1', resolve));
    return this.url;
  }

  get url(): string {
    const a = this.http.address() as net.AddressInfo;
    return `http://127.0.0.1:${a.port}`;
  }

  /** Sends an ARI event (object or raw text) to every connected event socket. */
  emit(event: unknown): void {
    const text = typeof event === 'string' ? event : JSON.stringify(event);
    for (const ws of this.sockets) ws.send(text);
  }

  dropAll(): void {
    for (const ws of this.sockets) ws.terminate();
  }

  async close(): Promise<void> {
    this.dropAll();
    for (const s of this.raw) s.destroy();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://x');
      const rec: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        path: u.pathname,
        query: u.searchParams,
        authorization: req.headers.authorization,
        body,
      };
      this.requests.push(rec);
      if (rec.authorization !== this.expectedAuth()) {
        res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"message":"Authentication required"}');
        return;
      }
      const route = this.routes[`${rec.method} ${rec.path}`];
      const out = route ? route(rec) : { status: 404, body: { message: 'Resource not found' } };
      if (out === null) return;
      if (out.body === undefined) res.writeHead(out.status).end();
      else res.writeHead(out.status, { 'Content-Type': 'application/json' }).end(JSON.stringify(out.body));
    });
  }
}
