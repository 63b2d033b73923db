/**
 * The console's static files through the real API server: no token, content types, security and
 * caching headers, conditional GETs, and no way out of the directory (raw request targets, since
 * fetch() would normalise them first).
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { ApiServer } from '../../src/api/server';
import { createConsoleModule, vendorFiles } from '../../src/console/module';
import { safeRelativePath, StaticSite } from '../../src/console/static-server';
import { parseConfigObject } from '../../src/config/load';
import { silentLogger } from '../../src/log/logger';
import { baseRawConfig } from '../helpers/tmp';

const SECRET = 'TOP SECRET outside the console';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request with the target exactly as written (no URL normalisation on our side). */
function raw(base: string, target: string, opts: { method?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: target, method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('console static files', () => {
  let dir: string;
  let root: string;
  let api: ApiServer;
  let base: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccd-static-'));
    root = path.join(dir, 'static');
    fs.mkdirSync(path.join(root, 'js'), { recursive: true });
    fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>console</title>');
    fs.writeFileSync(path.join(root, 'console.css'), 'body{}');
    fs.writeFileSync(path.join(root, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    fs.writeFileSync(path.join(root, 'js', 'main.js'), 'export {};');
    fs.writeFileSync(path.join(root, '.hidden.txt'), SECRET);
    fs.writeFileSync(path.join(root, 'notes.md'), SECRET);
    fs.writeFileSync(path.join(dir, 'outside.txt'), SECRET);
    fs.symlinkSync(path.join(dir, 'outside.txt'), path.join(root, 'leak.txt'));
    const cfg = parseConfigObject(baseRawConfig(), {});
    api = new ApiServer({ listen: '127.0.0.1:0', tokens: cfg.api.tokens, routes: [], health: () => ({ status: 'ok' }), log: silentLogger() });
    const mod = createConsoleModule({ staticDir: root, log: silentLogger() });
    for (const s of mod.statics!()) api.onStatic(s);
    base = await api.start();
  });

  afterAll(async () => {
    await api.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test.each([
    ['/console/', 'text/html; charset=utf-8', '<!doctype html>'],
    ['/console/index.html', 'text/html; charset=utf-8', '<!doctype html>'],
    ['/console/console.css', 'text/css; charset=utf-8', 'body{}'],
    ['/console/js/main.js', 'text/javascript; charset=utf-8', 'export {};'],
    ['/console/favicon.svg', 'image/svg+xml', '<svg'],
    ['/console/vendor/uPlot.iife.min.js', 'text/javascript; charset=utf-8', 'var uPlot='],
    ['/console/vendor/uPlot.min.css', 'text/css; charset=utf-8', '.uplot'],
  ])('GET %s without a token: 200 %s', async (target, type, start) => {
    const r = await raw(base, target);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe(type);
    expect(r.body).toContain(start);
    expect(Number(r.headers['content-length'])).toBe(Buffer.byteLength(r.body));
  });

  test('security headers on files and on errors', async () => {
    for (const target of ['/console/', '/console/nope.js', '/console/..%2foutside.txt']) {
      const r = await raw(base, target);
      expect(r.headers['content-security-policy']).toContain("default-src 'self'");
      expect(r.headers['content-security-policy']).toContain("connect-src 'self' ws: wss:");
      expect(r.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(r.headers['content-security-policy']).toContain("media-src 'self' blob:");
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['x-frame-options']).toBe('DENY');
      expect(r.headers['referrer-policy']).toBe('no-referrer');
    }
  });

  test('caching: own files revalidate (ETag, Last-Modified, 304), vendor files for a day', async () => {
    const page = await raw(base, '/console/js/main.js');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers.etag).toMatch(/^"[\w-]+"$/);
    expect(page.headers['last-modified']).toBeDefined();
    const again = await raw(base, '/console/js/main.js', { headers: { 'if-none-match': page.headers.etag! } });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
    const since = await raw(base, '/console/js/main.js', { headers: { 'if-modified-since': page.headers['last-modified']! } });
    expect(since.status).toBe(304);
    const stale = await raw(base, '/console/js/main.js', { headers: { 'if-none-match': '"other"' } });
    expect(stale.status).toBe(200);
    const vendor = await raw(base, '/console/vendor/uPlot.iife.min.js');
    expect(vendor.headers['cache-control']).toBe('public, max-age=86400');
  });

  test('HEAD has the headers and no body; other methods 405; /console redirects to /console/', async () => {
    const head = await raw(base, '/console/console.css', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('6');
    expect(head.body).toBe('');
    const post = await raw(base, '/console/', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    const bare = await raw(base, '/console');
    expect(bare.status).toBe(301);
    expect(bare.headers.location).toBe('/console/');
  });

  test.each([
    '/console/../outside.txt',
    '/console/%2e%2e/outside.txt',
    '/console/..%2foutside.txt',
    '/console/..%2Foutside.txt',
    '/console/%2e%2e%2foutside.txt',
    '/console/..%5coutside.txt',
    '/console/..\\outside.txt',
    '/console/js/..%2f..%2foutside.txt',
    '/console/js/%2e%2e%2f%2e%2e%2foutside.txt',
    '/console/%2fetc%2fpasswd',
    '/console//etc/passwd',
    '/console/leak.txt',
    '/console/.hidden.txt',
    '/console/%2ehidden.txt',
    '/console/notes.md',
    '/console/index.html%00.txt',
    '/console/C:%5cWindows%5cwin.ini',
    '/console/vendor/../../package.json',
    '/console/vendor/..%2f..%2fpackage.json',
    '/console/vendor/uPlot.d.ts',
    '/console/js',
    '/console/%E0%A4%A.js',
  ])('no way out of the directory: %s', async (target) => {
    const r = await raw(base, target);
    expect([400, 404]).toContain(r.status);
    expect(r.body).not.toContain(SECRET);
    expect(r.body).not.toContain('"name": "callcenterd"');
  });

  test('the API around it is unchanged: other paths are API 404s (JSON), /healthz answers', async () => {
    const r = await raw(base, '/consoles/index.html');
    expect(r.status).toBe(404);
    expect(JSON.parse(r.body)).toEqual({ error: { code: 'not_found', message: 'no such endpoint: /consoles/index.html' } });
    expect((await raw(base, '/healthz')).status).toBe(200);
  });
});

describe('safeRelativePath', () => {
  test.each([
    ['/console/', ['index.html']],
    ['/console/js/main.js', ['js', 'main.js']],
    ['/console/a-b_c.1.css', ['a-b_c.1.css']],
  ])('%s → %j', (p, want) => expect(safeRelativePath(p, '/console')).toEqual(want));

  test.each(['/consolex/a.js', '/console/a..b.js', '/console/.a.js', '/console/a.exe', '/console/a%2fb.js', '/console/a b.js', '/console/%ZZ.js', '/console/js/'])(
    'refuses %s',
    (p) => expect(safeRelativePath(p, '/console')).toBeNull(),
  );
});

describe('console module', () => {
  test('vendor files resolve in node_modules (uPlot) and nothing else is exposed', () => {
    const v = vendorFiles();
    expect(Object.keys(v).sort()).toEqual(['vendor/uPlot.iife.min.js', 'vendor/uPlot.min.css']);
    for (const f of Object.values(v)) expect(fs.existsSync(f)).toBe(true);
  });

  test('a daemon without the built page says so at start', () => {
    const warnings: string[] = [];
    const log = silentLogger();
    log.warn = ((msg: string) => (warnings.push(msg), log)) as typeof log.warn;
    const m = createConsoleModule({ staticDir: path.join(os.tmpdir(), 'ccd-no-such-console-dir'), log });
    void m.start!();
    expect(warnings.join('\n')).toMatch(/supervisor console not built/);
    expect(m.site).toBeInstanceOf(StaticSite);
  });
});
