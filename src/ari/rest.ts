/**
 * ARI REST over node:http(s) with a keep-alive Agent: Basic auth, query parameters the way Asterisk
 * ARI expects them (it reads most arguments from the query string; originate variables go in a JSON
 * body), every request bounded by a timeout. We avoid the npm ari-client package: it loads swagger
 * docs at start, prints to stdout and throws uncaught on a 401. We avoid global fetch (undici) too:
 * it cost ~0.65 ms of CPU per request in the bench profile, a plain http.request on a reused socket
 * a fraction of that, and a queue call makes ~8 requests.
 */
import http from 'node:http';
import https from 'node:https';
import type { Logger } from '../log/logger';
import type { Clock } from '../util/clock';
import { ariUrlProblem } from '../config/schema';
import { invalid } from '../util/errors';
import { AriHttpError, AriNotConnectedError } from './types';

export type Query = Record<string, string | number | boolean | undefined>;

export interface AriEndpointInfo {
  /** e.g. http://127.0.0.1:8088/ari (no trailing slash) */
  restBase: string;
  /** e.g. ws://127.0.0.1:8088/ari/events?app=callcenter&subscribeAll=false */
  eventsUrl: string;
  authorization: string;
}

/** Accepts "http://host:8088" or "http://host:8088/ari" (with or without a trailing slash). */
export function resolveAriUrls(url: string, username: string, password: string, app: string): AriEndpointInfo {
  // The config schema applies the same rule, so a config that passed `config check` never fails here.
  const problem = ariUrlProblem(url);
  if (problem) throw invalid(`asterisk.ari.url: ${problem}`, { field: 'asterisk.ari.url' });
  const u = new URL(url);
  const prefix = u.pathname.replace(/\/+$/, '').replace(/\/ari$/, '');
  const restBase = `${u.origin}${prefix}/ari`;
  const wsOrigin = u.origin.replace(/^http/, 'ws');
  const qs = new URLSearchParams({ app, subscribeAll: 'false' });
  return {
    restBase,
    eventsUrl: `${wsOrigin}${prefix}/ari/events?${qs.toString()}`,
    authorization: 'Basic ' + Buffer.from(`${username}:${password}`, 'utf8').toString('base64'),
  };
}

/** One path segment; ':' stays literal because Asterisk expects /deviceStates/Stasis:agent-1000. */
export function seg(value: string, what: string): string {
  if (typeof value !== 'string' || value.length === 0) throw invalid(`${what} is required`, { field: what });
  return encodeURIComponent(value).replace(/%3A/gi, ':');
}

/** Query string exactly as URLSearchParams writes it (what the fetch version sent); '' when empty. */
export function queryString(query: Query | undefined): string {
  if (!query) return '';
  const qs = new URLSearchParams();
  for (const k in query) {
    const v = query[k];
    if (v !== undefined) qs.append(k, String(v));
  }
  const s = qs.toString();
  return s ? '?' + s : '';
}

/**
 * An answer as callers see it, whichever way it came (HTTP or the event socket): the parsed JSON
 * body (undefined when empty); AriHttpError for a non-2xx status or a body that is not JSON.
 */
export function ariResult<T>(method: string, path: string, status: number, text: string, log: Logger): T {
  if (status < 200 || status > 299) {
    if (status === 401) log.error('ARI REST refused our credentials: check asterisk.ari.username/password', { method, path });
    throw new AriHttpError(method, path, status, text);
  }
  if (text.length === 0) return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new AriHttpError(method, path, status, `invalid JSON in response: ${text.slice(0, 100)}`);
  }
}

/**
 * Sockets kept per client. A queue call's requests are short and mostly sequential per call, so a
 * handful of sockets serves the concurrency of a busy contact center; more would only add server
 * threads on Asterisk's side (one per HTTP session).
 */
export const ARI_MAX_SOCKETS = 12;
/**
 * An idle socket is closed by us after this long: below Asterisk's http.conf session_keep_alive
 * (15 s by default), so we rarely write on a socket the server is closing at the same moment.
 */
export const ARI_IDLE_SOCKET_MS = 10_000;

interface Target {
  lib: typeof http | typeof https;
  host: string;
  port: number;
  /** Path prefix of the REST base, e.g. "/ari". */
  basePath: string;
}

/** Raw outcome of one HTTP exchange (before status/JSON interpretation). */
interface RawResponse {
  status: number;
  text: string;
}

/** A failure before any response arrived; `retryable` = a reused keep-alive socket died under us. */
class TransportError extends Error {
  constructor(
    readonly reason: Error & { code?: string },
    readonly retryable: boolean,
  ) {
    super(reason.message);
  }
}

export class AriRest {
  private readonly target: Target;
  private readonly agent: http.Agent;

  constructor(
    private readonly endpoint: AriEndpointInfo,
    private readonly clock: Clock,
    private readonly timeoutMs: number,
    private readonly log: Logger,
  ) {
    const u = new URL(endpoint.restBase);
    const secure = u.protocol === 'https:';
    this.target = {
      lib: secure ? https : http,
      host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: u.port ? Number(u.port) : secure ? 443 : 80,
      basePath: u.pathname.replace(/\/+$/, ''),
    };
    const agentOptions = { keepAlive: true, maxSockets: ARI_MAX_SOCKETS, maxFreeSockets: ARI_MAX_SOCKETS, timeout: ARI_IDLE_SOCKET_MS, scheduling: 'lifo' as const };
    // Idle keep-alive sockets are unref'ed by the Agent: they never keep the process alive.
    this.agent = secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  }

  /** Closes the idle keep-alive sockets (requests in flight finish on theirs). */
  close(): void {
    this.agent.destroy();
  }

  /**
   * Resolves with the parsed JSON body (undefined for 204/empty). Rejects with AriHttpError for a
   * non-2xx answer and AriNotConnectedError when Asterisk cannot be reached or does not answer.
   */
  async request<T>(method: string, path: string, query?: Query, body?: unknown): Promise<T> {
    const fullPath = this.target.basePath + path + queryString(query);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    let res: RawResponse;
    try {
      res = await this.exchange(method, fullPath, payload);
    } catch (err) {
      if (!(err instanceof TransportError) || !err.retryable) throw this.unreachable(method, path, err);
      // The server closed an idle keep-alive socket as we wrote on it: the request never reached
      // it, so sending it again on a fresh connection is safe even for POST.
      try {
        res = await this.exchange(method, fullPath, payload);
      } catch (again) {
        throw this.unreachable(method, path, again);
      }
    }
    return ariResult<T>(method, path, res.status, res.text, this.log);
  }

  private exchange(method: string, path: string, payload: string | undefined): Promise<RawResponse> {
    const t = this.target;
    const headers: http.OutgoingHttpHeaders = { Authorization: this.endpoint.authorization, Accept: 'application/json' };
    if (payload !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = Buffer.byteLength(payload);
    }
    return new Promise<RawResponse>((resolve, reject) => {
      let settled = false;
      let timedOut = false;
      const finish = (err: Error | undefined, res?: RawResponse) => {
        if (settled) return;
        settled = true;
        this.clock.clearTimeout(timer);
        if (err) reject(err);
        else resolve(res!);
      };
      const req = t.lib.request({ host: t.host, port: t.port, method, path, headers, agent: this.agent }, (res) => {
        res.setEncoding('utf8');
        let text = '';
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => finish(undefined, { status: res.statusCode ?? 0, text }));
        res.on('error', (err) => finish(new TransportError(timedOut ? timeoutError() : err, false)));
        // The connection died mid-body: 'close' without 'end' (finish() ignores it after 'end').
        res.on('close', () => {
          if (!res.complete) finish(new TransportError(timedOut ? timeoutError() : new Error('response cut short'), false));
        });
      });
      const timer = this.clock.setTimeout(() => {
        timedOut = true;
        req.destroy(timeoutError());
      }, this.timeoutMs);
      req.on('error', (err: Error & { code?: string }) => {
        const retryable = !timedOut && req.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE');
        finish(new TransportError(timedOut ? timeoutError() : err, retryable));
      });
      req.end(payload);
    });
  }

  private unreachable(method: string, path: string, err: unknown): AriNotConnectedError {
    const cause = err instanceof TransportError ? err.reason : (err as Error & { code?: string });
    if (cause instanceof RequestTimeout) return new AriNotConnectedError(`${method} ${path}: no answer within ${this.timeoutMs} ms`);
    return new AriNotConnectedError(`${method} ${path}: ${cause.code ?? cause.message}`);
  }
}

class RequestTimeout extends Error {}
const timeoutError = () => new RequestTimeout('request timed out');
