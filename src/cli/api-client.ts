/**
 * HTTP client for live CLI commands (they act through the running daemon, never on Asterisk directly).
 * Maps HTTP outcomes to CLI exit codes so every live command fails the same way.
 */
import { CliError } from './errors';

export interface ApiClientOptions {
  /** Base URL, e.g. http://127.0.0.1:8600 */
  baseUrl: string;
  token?: string;
  timeoutMs?: number;
  /** Injected for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
}

const STATUS_EXIT: Record<number, number> = { 400: 2, 401: 3, 403: 3, 404: 3, 409: 3, 503: 4 };

export class ApiClient {
  readonly baseUrl: string;
  private readonly token?: string;
  private readonly timeoutMs: number;
  private readonly fetchFn: typeof fetch;

  constructor(opts: ApiClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.token = opts.token;
    this.timeoutMs = opts.timeoutMs ?? 10000;
    this.fetchFn = opts.fetch ?? fetch;
  }

  /** Sends one request; resolves with the parsed JSON body (undefined for an empty body). */
  async request<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const url = this.baseUrl + (path.startsWith('/') ? path : `/${path}`);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await this.fetchFn(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch {
      // Refused, reset, DNS, timeout: all mean "no daemon to talk to" for the operator.
      throw new CliError(4, `daemon not reachable at ${this.baseUrl}`);
    }
    const text = await res.text();
    let parsed: unknown = undefined;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
    }
    if (res.ok) return parsed as T;
    const err = (parsed as { error?: { message?: string; field?: string } } | undefined)?.error;
    const message = err?.message ?? `HTTP ${res.status} ${res.statusText}`.trim();
    if (res.status === 401) throw new CliError(3, `unauthorized: ${message} (check --token / CALLCENTERD_TOKEN)`, 401);
    throw new CliError(STATUS_EXIT[res.status] ?? 1, message, res.status);
  }
}
