/**
 * HTTP API: node:http, bearer tokens from config api.tokens, roles, zod validation, CcError mapping,
 * /healthz and /openapi.json built from the same RouteDefs the server mounts (they cannot drift).
 * WebSocket endpoints (e.g. /events) hook in through onUpgrade().
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ApiToken } from '../config/schema';
import type { Logger } from '../log/logger';
import { CcError, HTTP_STATUS, storageError } from '../util/errors';
import { buildOpenApi } from './openapi';
import type { Principal, RouteDef, RouteScope } from './types';
import { respond, send } from './reply';
import { HttpError, bearer, decodeSegment, isProxied, noBody, readBody, requestUrl, strictBody, validate } from './request';
export { isProxied, strictBody } from './request';

export interface HealthReport {
  status: 'ok' | 'degraded';
  [key: string]: unknown;
}

export type UpgradeHandler = (req: http.IncomingMessage, socket: Duplex, head: Buffer, principal: Principal) => void;

/**
 * Files served without a token under a path prefix (the supervisor console's page and assets,
 * src/console): the site answers every request it owns itself, errors included.
 */
export interface StaticMount {
  owns(pathname: string): boolean;
  handle(req: http.IncomingMessage, res: http.ServerResponse, pathname: string): void;
}

export interface ApiServerOptions {
  /** host:port; port 0 picks a free port (see url after start()). */
  listen: string;
  tokens: ApiToken[];
  routes: RouteDef[];
  health: () => HealthReport;
  log: Logger;
  /** Request bodies above this are refused with 413 (default 1 MiB). */
  maxBodyBytes?: number;
  version?: string;
  /**
   * GET /metrics (Prometheus text). `allowed` decides access per request (e.g. loopback without a
   * token, remote scrapers with a token); `proxied` says the request carries forwarding headers
   * (see isProxied). A refused scrape gets 401 (no/invalid token) or 403.
   */
  metrics?: {
    contentType: string;
    render(): Promise<string>;
    allowed(remoteAddress: string | undefined, principal: Principal | undefined, proxied: boolean): boolean;
  };
  /** Monitoring-group limits of a principal (null = none): src/supervision/scope.ts. */
  scopeOf?: (p: Principal) => RouteScope | null;
  /** A call part's queue and agent, live or past (checks `/calls/:id/...` against a scope). */
  callOf?: (id: string) => { queue: string | null; agentExt: string | null } | undefined;
}

interface Compiled {
  def: RouteDef;
  re: RegExp;
  keys: string[];
}

const sha = (s: string) => crypto.createHash('sha256').update(s).digest();

export class ApiServer {
  private readonly server: http.Server;
  private readonly routes: Compiled[] = [];
  private readonly upgrades = new Map<string, UpgradeHandler>();
  private readonly upgradeClosers: Array<() => Promise<void> | void> = [];
  private readonly statics: StaticMount[] = [];
  private readonly tokenDigests: { digest: Buffer; token: ApiToken; id: string }[];
  private readonly sockets = new Set<Socket>();
  private address?: AddressInfo;

  constructor(private readonly opts: ApiServerOptions) {
    // Compare digests, not raw tokens: equal length, so timingSafeEqual never leaks the token length.
    this.tokenDigests = opts.tokens.map((token, i) => ({ digest: sha(token.token), token, id: `api.tokens[${i}]` }));
    for (const def of opts.routes) this.addRoute(def);
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server.on('upgrade', (req, socket, head) => this.handleUpgrade(req, socket, head));
  }

  addRoute(def: RouteDef): void {
    const keys: string[] = [];
    const pattern = def.path
      .split('/')
      .map((seg) => {
        if (seg.startsWith(':')) {
          keys.push(seg.slice(1));
          return '([^/]+)';
        }
        return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('/');
    const dup = this.routes.find((r) => r.def.method === def.method && r.def.path === def.path);
    if (dup) throw new Error(`route ${def.method} ${def.path} is defined twice`);
    // Bodies are strict for every route (unknown field → 400 naming it), so an integrator's typo
    // ("forse": true) is refused instead of silently ignored; /openapi.json then says so too.
    const strictDef = def.body ? { ...def, body: strictBody(def.body) } : def;
    this.routes.push({ def: strictDef, re: new RegExp(`^${pattern}/?$`), keys });
  }

  /**
   * Registers a WebSocket endpoint; the principal is authenticated (header or ?token=) before the call.
   * `close` runs at stop(), before the remaining sockets are destroyed, so the endpoint can send its
   * own close frame (clients would otherwise see 1006, abnormal closure).
   */
  onUpgrade(path: string, handler: UpgradeHandler, close?: () => Promise<void> | void): void {
    this.upgrades.set(path, handler);
    if (close) this.upgradeClosers.push(close);
  }

  /** Serves a static site (no token) for the paths it owns; checked before the API routes. */
  onStatic(site: StaticMount): void {
    this.statics.push(site);
  }

  /** Principal for a bearer token, or undefined. Constant-time over all configured tokens. */
  authenticate(token: string | undefined): Principal | undefined {
    if (!token) return undefined;
    const digest = sha(token);
    let found: { token: ApiToken; id: string } | undefined;
    for (const t of this.tokenDigests) if (crypto.timingSafeEqual(digest, t.digest) && !found) found = t;
    return found && { role: found.token.role, agent: found.token.agent, name: found.token.name, tokenId: found.id, ...(found.token.groups?.length ? { groups: found.token.groups } : {}) };
  }

  async start(): Promise<string> {
    const i = this.opts.listen.lastIndexOf(':');
    const host = this.opts.listen.slice(0, i);
    const port = Number(this.opts.listen.slice(i + 1));
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', (err: NodeJS.ErrnoException) => {
        const why = err.code === 'EADDRINUSE' ? 'address already in use' : err.code === 'EACCES' ? 'permission denied' : err.message;
        reject(new CcError('unavailable', `cannot listen on api.listen ${this.opts.listen}: ${why}`, { code: err.code }));
      });
      this.server.listen(port, host, () => {
        this.server.removeAllListeners('error');
        resolve();
      });
    });
    this.address = this.server.address() as AddressInfo;
    return this.url;
  }

  get url(): string {
    if (!this.address) throw new Error('API server not started');
    const host = this.address.family === 'IPv6' ? `[${this.address.address}]` : this.address.address;
    return `http://${host}:${this.address.port}`;
  }

  async stop(): Promise<void> {
    if (!this.server.listening) return;
    // Stop accepting first, then let the WebSocket endpoints say goodbye on their upgraded sockets.
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const close of this.upgradeClosers) {
      try {
        await close();
      } catch (err) {
        this.opts.log.warn('websocket endpoint close failed', { error: err instanceof Error ? err.message : String(err) });
      }
    }
    // Keep-alive sockets (and upgraded ones an endpoint left open) would hold close() open forever.
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  openApi(): unknown {
    return buildOpenApi(
      this.routes.map((r) => r.def),
      { version: this.opts.version ?? '0.0.0', metrics: !!this.opts.metrics, upgrades: [...this.upgrades.keys()] },
    );
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = Date.now();
    const url = requestUrl(req);
    const method = (req.method ?? 'GET').toUpperCase();
    try {
      if (method === 'GET' && url.pathname === '/healthz') {
        // Unauthenticated for load balancers; the daemon's health() carries no secrets.
        const h = this.opts.health();
        return send(res, h.status === 'ok' ? 200 : 503, h);
      }
      if (method === 'GET' && url.pathname === '/openapi.json') return send(res, 200, this.openApi());
      if (method === 'GET' && url.pathname === '/metrics' && this.opts.metrics) return await this.serveMetrics(req, res);
      const site = this.statics.find((s) => s.owns(url.pathname));
      if (site) return site.handle(req, res, url.pathname);
      if (this.upgrades.has(url.pathname)) {
        res.setHeader('upgrade', 'websocket');
        throw new HttpError(426, 'upgrade_required', `${url.pathname} is a WebSocket endpoint: connect with Upgrade: websocket`);
      }

      const candidates = this.routes.filter((r) => r.re.test(url.pathname));
      if (!candidates.length) throw new HttpError(404, 'not_found', `no such endpoint: ${url.pathname}`);
      const match = candidates.find((r) => r.def.method === method);
      if (!match) {
        res.setHeader('allow', [...new Set(candidates.map((r) => r.def.method))].join(', '));
        throw new HttpError(405, 'method_not_allowed', `${method} not allowed on ${url.pathname}`);
      }
      const principal = this.authenticate(bearer(req.headers.authorization));
      if (!principal) throw new HttpError(401, 'unauthorized', 'missing or invalid bearer token');
      const def = match.def;
      if (!def.roles.includes(principal.role)) {
        throw new HttpError(403, 'forbidden', `role ${principal.role} may not ${method} ${def.path}`);
      }
      const exec = match.re.exec(url.pathname)!;
      const params: Record<string, string> = {};
      match.keys.forEach((k, idx) => (params[k] = decodeSegment(exec[idx + 1])));
      if (principal.role === 'agent' && def.agentParam && params[def.agentParam] !== principal.agent) {
        throw new HttpError(403, 'forbidden', `this token acts only for agent ${principal.agent}`);
      }
      const scope = this.opts.scopeOf?.(principal) ?? null;
      if (scope) this.checkScope(scope, def.path, params, url.searchParams);
      const rawQuery = Object.fromEntries(url.searchParams);
      const query = def.query ? validate(def.query, rawQuery, 'query') : rawQuery;
      const raw = await readBody(req, this.opts.maxBodyBytes ?? 1 << 20, def.textBody?.contentTypes);
      const body = def.body ? validate(def.body, raw ?? {}, 'body') : noBody(raw);
      const bodyAgent = (body as { agent?: unknown } | undefined)?.agent;
      if (scope && typeof bodyAgent === 'string' && !scope.allowsAgent(bodyAgent)) throw scope.deny(`agent ${bodyAgent}`);
      const result = await def.handler({ principal, params, query, body, headers: req.headers, scope });
      respond(res, result);
    } catch (err) {
      this.fail(res, err, method, url.pathname);
    } finally {
      this.opts.log.debug('api request', { method, path: url.pathname, status: res.statusCode, ms: Date.now() - started });
    }
  }

  /**
   * A scoped supervisor: agents, queues and calls named in the path (or the agent/queue filters of
   * the query) must be inside its monitoring groups, before any handler runs.
   */
  private checkScope(scope: RouteScope, path: string, params: Record<string, string>, query: URLSearchParams): void {
    const ext = params.ext ?? query.get('agent') ?? undefined;
    if (ext !== undefined && !scope.allowsAgent(ext)) throw scope.deny(`agent ${ext}`);
    const queue = params.queue ?? query.get('queue') ?? undefined;
    if (queue !== undefined && !scope.allowsQueue(queue)) throw scope.deny(`queue ${queue}`);
    const callId = path.startsWith('/calls/:id') ? params.id : query.get('call') ?? undefined;
    if (callId !== undefined) {
      const call = this.opts.callOf?.(callId);
      // Unknown and out-of-scope look the same: the answer never tells whether the call exists.
      if (!call || !scope.allowsCall(call)) throw scope.deny(`call ${callId}`);
    }
  }

  private async serveMetrics(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const metrics = this.opts.metrics!;
    const principal = this.authenticate(bearer(req.headers.authorization));
    const proxied = isProxied(req);
    if (!metrics.allowed(req.socket.remoteAddress, principal, proxied)) {
      if (!principal) throw new HttpError(401, 'unauthorized', `metrics ${proxied ? 'through a proxy' : 'from this address'} need a bearer token`);
      throw new HttpError(403, 'forbidden', `role ${principal.role} may not read metrics`);
    }
    const text = await metrics.render();
    res.writeHead(200, { 'content-type': metrics.contentType, 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  private fail(res: http.ServerResponse, err: unknown, method: string, path: string): void {
    if (err instanceof HttpError) {
      return send(res, err.status, { error: { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) } });
    }
    // A full disk or a locked database is temporary: 503 with a retry hint, not a 500 "bug".
    const storage = storageError(err);
    if (storage) {
      this.opts.log.warn('api request failed on storage', { method, path, code: storage.details?.code, error: (err as Error).message });
      res.setHeader('retry-after', String(storage.details?.retryAfterSeconds));
      err = storage;
    }
    if (err instanceof CcError) {
      const field = typeof err.details?.field === 'string' ? err.details.field : undefined;
      return send(res, HTTP_STATUS[err.kind], { error: { code: err.kind, message: err.message, ...(field ? { field } : {}), ...(err.details ? { details: err.details } : {}) } });
    }
    // A bug: the client gets a generic message, the log gets the stack.
    this.opts.log.error('api handler failed', { method, path, error: err instanceof Error ? err.stack : String(err) });
    send(res, 500, { error: { code: 'internal', message: 'internal error' } });
  }

  private handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = requestUrl(req);
    const handler = this.upgrades.get(url.pathname);
    const reject = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (!handler) return reject(404, 'Not Found');
    // Browsers cannot set headers on a WebSocket: accept ?token= as well.
    const principal = this.authenticate(bearer(req.headers.authorization) ?? url.searchParams.get('token') ?? undefined);
    if (!principal) return reject(401, 'Unauthorized');
    try {
      handler(req, socket, head, principal);
    } catch (err) {
      this.opts.log.error('websocket upgrade failed', { path: url.pathname, error: err instanceof Error ? err.stack : String(err) });
      socket.destroy();
    }
  }
}
