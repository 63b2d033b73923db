/**
 * ARI REST over global fetch: Basic auth, query parameters the way Asterisk ARI expects them
 * (it reads most arguments from the query string; originate variables go in a JSON body), every
 * request bounded by a timeout. We avoid the npm ari-client package: it loads swagger docs at start,
 * prints to stdout and throws uncaught on a 401.
 */
import type { Logger } from '../log/logger';
import type { Clock } from '../util/clock';
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
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw invalid(`ARI url ${JSON.stringify(url)} is not a URL (e.g. http://127.0.0.1:8088)`, { field: 'asterisk.ari.url' });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw invalid(`ARI url must be http(s):// (got ${u.protocol})`, { field: 'asterisk.ari.url' });
  }
  if (u.username || u.password) {
    throw invalid('ARI url must not embed credentials: use asterisk.ari.username/password', { field: 'asterisk.ari.url' });
  }
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

export class AriRest {
  constructor(
    private readonly endpoint: AriEndpointInfo,
    private readonly clock: Clock,
    private readonly timeoutMs: number,
    private readonly log: Logger,
  ) {}

  /**
   * Resolves with the parsed JSON body (undefined for 204/empty). Rejects with AriHttpError for a
   * non-2xx answer and AriNotConnectedError when Asterisk cannot be reached or does not answer.
   */
  async request<T>(method: string, path: string, query?: Query, body?: unknown): Promise<T> {
    let url = this.endpoint.restBase + path;
    if (query) {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined) qs.append(k, String(v));
      const s = qs.toString();
      if (s) url += '?' + s;
    }
    const headers: Record<string, string> = { Authorization: this.endpoint.authorization, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const ctl = new AbortController();
    const timer = this.clock.setTimeout(() => ctl.abort(), this.timeoutMs);
    try {
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: ctl.signal,
        });
      } catch (err) {
        throw this.unreachable(method, path, err, ctl.signal.aborted);
      }
      let text: string;
      try {
        text = await res.text();
      } catch (err) {
        throw this.unreachable(method, path, err, ctl.signal.aborted);
      }
      if (!res.ok) {
        if (res.status === 401) this.log.error('ARI REST refused our credentials: check asterisk.ari.username/password', { method, path });
        throw new AriHttpError(method, path, res.status, text);
      }
      if (text.length === 0) return undefined as T;
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new AriHttpError(method, path, res.status, `invalid JSON in response: ${text.slice(0, 100)}`);
      }
    } finally {
      this.clock.clearTimeout(timer);
    }
  }

  private unreachable(method: string, path: string, err: unknown, timedOut: boolean): AriNotConnectedError {
    if (timedOut) return new AriNotConnectedError(`${method} ${path}: no answer within ${this.timeoutMs} ms`);
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const detail = e.cause?.code ?? e.cause?.message ?? e.message;
    return new AriNotConnectedError(`${method} ${path}: ${detail}`);
  }
}
