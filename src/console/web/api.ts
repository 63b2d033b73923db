/**
 * The daemon's API from the page: same origin, `Authorization: Bearer` with the token the user
 * typed. The token lives in sessionStorage (gone when the tab closes, never in a URL except the
 * /events WebSocket's ?token=, which browsers need because they cannot set headers there).
 */

const TOKEN_KEY = 'callcenterd.console.token';

export function getToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function clearToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

/**
 * Where the API is: the directory above /console/, so a reverse proxy that mounts the daemon
 * under a path (https://host/callcenter/console/) keeps working.
 */
export function apiBase(): string {
  const m = /^(.*\/)console(\/.*)?$/.exec(location.pathname);
  return m ? m[1] : '/';
}

export function eventsUrl(token: string): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${apiBase()}events?token=${encodeURIComponent(token)}`;
}

/** An answer other than 2xx: the status and the daemon's `{error: {code, message}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Fired on window when the daemon answers 401: the page goes back to the login form. */
export const UNAUTHORIZED_EVENT = 'callcenterd:unauthorized';

interface Options {
  body?: unknown;
  accept?: string;
  as?: 'json' | 'blob' | 'text';
  /** A token to try (the login form) instead of the stored one. */
  token?: string;
}

export async function api<T = unknown>(method: string, path: string, opts: Options = {}): Promise<T> {
  const token = opts.token ?? getToken() ?? '';
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: opts.accept ?? 'application/json' };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(`${apiBase()}${path.replace(/^\//, '')}`, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      cache: 'no-store',
    });
  } catch (err) {
    throw new ApiError(0, 'network', err instanceof Error ? err.message : String(err));
  }
  if (!res.ok) {
    let code = 'http';
    let message = res.statusText;
    try {
      const body = (await res.json()) as { error?: { code?: string; message?: string } };
      code = body.error?.code ?? code;
      message = body.error?.message ?? message;
    } catch {
      /* not JSON (a proxy's page): keep the status text */
    }
    if (res.status === 401 && opts.token === undefined) window.dispatchEvent(new Event(UNAUTHORIZED_EVENT));
    throw new ApiError(res.status, code, message);
  }
  if (opts.as === 'blob') return (await res.blob()) as T;
  if (opts.as === 'text') return (await res.text()) as T;
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}
