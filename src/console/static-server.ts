/**
 * The static half of the supervisor console: GET/HEAD of files under one URL prefix, from one
 * directory (the page, its CSS, its compiled scripts) plus a fixed list of vendor files taken from
 * node_modules (the chart library). No token: these files hold no data; everything the page shows
 * comes from the API with the token the user types.
 *
 * Why each rule:
 * - Only names made of [A-Za-z0-9._-] segments, none starting with a dot, with a known extension:
 *   a request can never name `..`, an encoded slash (`..%2f`), a backslash, a NUL or a dotfile,
 *   whatever decoding a proxy or the URL parser did before. The resolved path is checked again to
 *   be inside the root (and symlinks are resolved), so a link planted in the directory cannot leak
 *   a file outside it either.
 * - Content-Type from a fixed table, X-Content-Type-Options nosniff: a browser never guesses a type.
 * - Content-Security-Policy: scripts, styles and connections only from this origin (the /events
 *   WebSocket is ws:/wss:); blob: media for the recording player (audio fetched with the token);
 *   no framing (clickjacking a supervisor's buttons).
 * - Caching: ETag/Last-Modified on every file, `no-cache` (revalidate: 304, no body) for our own
 *   files so a new daemon version's page is picked up at once; vendor files a day.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';

export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

export const CONSOLE_CSP = [
  "default-src 'self'",
  "connect-src 'self' ws: wss:",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "media-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers on every answer of the console, errors included. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};

export interface StaticSiteOptions {
  /** URL prefix without a trailing slash, e.g. '/console'. */
  prefix: string;
  /** Directory served under `${prefix}/`; `${prefix}/` itself is its index.html. */
  root: string;
  /** URL path below the prefix (e.g. 'vendor/uPlot.iife.min.js') → absolute file path. */
  vendor?: Readonly<Record<string, string>>;
  /** Cache-Control of vendor files (default one day). */
  vendorMaxAgeSeconds?: number;
}

const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/**
 * The file path a URL pathname names under `root`, or null when the name is not acceptable (any
 * traversal attempt, unknown extension, hidden file). Pure: no file system access.
 */
export function safeRelativePath(pathname: string, prefix: string): string[] | null {
  if (pathname !== prefix && !pathname.startsWith(`${prefix}/`)) return null;
  const rest = pathname.slice(prefix.length + 1);
  if (rest === '') return ['index.html'];
  const segments: string[] = [];
  for (const raw of rest.split('/')) {
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return null;
    }
    // Decoded, a segment must still be one plain name: no '/', '\', '..', NUL or leading dot.
    if (!SEGMENT.test(seg) || seg.includes('..')) return null;
    segments.push(seg);
  }
  if (!(path.extname(segments[segments.length - 1]).toLowerCase() in CONTENT_TYPES)) return null;
  return segments;
}

interface Found {
  file: string;
  stat: fs.Stats;
  vendor: boolean;
}

export class StaticSite {
  private readonly root: string;

  constructor(private readonly opts: StaticSiteOptions) {
    this.root = path.resolve(opts.root);
  }

  /** Whether `pathname` belongs to this site (the API server hands it over then). */
  owns(pathname: string): boolean {
    return pathname === this.opts.prefix || pathname.startsWith(`${this.opts.prefix}/`);
  }

  /** Whether the page is there to serve (the daemon logs a warning at start otherwise). */
  available(): boolean {
    return fs.existsSync(path.join(this.root, 'index.html'));
  }

  handle(req: http.IncomingMessage, res: http.ServerResponse, pathname: string): void {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    const method = (req.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return plain(res, 405, 'method not allowed');
    }
    // Relative URLs in the page (js/main.js, the API's ../me) need the trailing slash.
    if (pathname === this.opts.prefix) {
      res.setHeader('location', `${this.opts.prefix}/`);
      return plain(res, 301, 'moved');
    }
    const found = this.find(pathname);
    if (!found) return plain(res, 404, 'not found');
    const { file, stat, vendor } = found;
    const etag = `"${crypto.createHash('sha1').update(`${file}:${stat.size}:${stat.mtimeMs}`).digest('base64url').slice(0, 20)}"`;
    res.setHeader('etag', etag);
    res.setHeader('last-modified', stat.mtime.toUTCString());
    res.setHeader('cache-control', vendor ? `public, max-age=${this.opts.vendorMaxAgeSeconds ?? 86400}` : 'no-cache');
    if (fresh(req, etag, stat.mtime)) {
      res.writeHead(304);
      return void res.end();
    }
    res.writeHead(200, { 'content-type': CONTENT_TYPES[path.extname(file).toLowerCase()], 'content-length': stat.size });
    if (method === 'HEAD') return void res.end();
    const stream = fs.createReadStream(file);
    stream.on('error', () => res.destroy());
    res.on('close', () => stream.destroy());
    stream.pipe(res);
  }

  private find(pathname: string): Found | null {
    const rel = pathname.slice(this.opts.prefix.length + 1);
    const vendorFile = this.opts.vendor?.[rel];
    if (vendorFile) return statFile(vendorFile, true);
    const segments = safeRelativePath(pathname, this.opts.prefix);
    if (!segments) return null;
    const file = path.join(this.root, ...segments);
    const found = statFile(file, false);
    if (!found) return null;
    // Belt and braces: the real path (symlinks resolved) must still be inside the root.
    let real: string;
    let realRoot: string;
    try {
      real = fs.realpathSync(file);
      realRoot = fs.realpathSync(this.root);
    } catch {
      return null;
    }
    return real.startsWith(realRoot + path.sep) ? found : null;
  }
}

function statFile(file: string, vendor: boolean): Found | null {
  try {
    const stat = fs.statSync(file);
    return stat.isFile() ? { file, stat, vendor } : null;
  } catch {
    return null;
  }
}

/** Conditional GET: If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2). */
function fresh(req: http.IncomingMessage, etag: string, mtime: Date): boolean {
  const inm = req.headers['if-none-match'];
  if (inm !== undefined) return inm.split(',').some((t) => t.trim() === etag || t.trim() === '*');
  const ims = req.headers['if-modified-since'];
  if (!ims) return false;
  const since = Date.parse(ims);
  return !Number.isNaN(since) && Math.floor(mtime.getTime() / 1000) * 1000 <= since;
}

function plain(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}
