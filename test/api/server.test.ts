import http from 'node:http';
import net from 'node:net';
import { z } from 'zod';
import { ApiServer, type HealthReport } from '../../src/api/server';
import { route } from '../../src/api/types';
import { catalogueRoutes } from '../../src/api/routes/catalogue';
import { parseConfigObject } from '../../src/config/load';
import { silentLogger } from '../../src/log/logger';
import { openDatabase, type Db } from '../../src/store/db';
import { notFound, refused } from '../../src/util/errors';
import { baseRawConfig, TEST_ADMIN_TOKEN, TEST_AGENT_TOKEN, TEST_SUPERVISOR_TOKEN } from '../helpers/tmp';

const cfg = parseConfigObject(baseRawConfig(), {});

describe('ApiServer', () => {
  let server: ApiServer;
  let base: string;
  let db: Db;
  let health: HealthReport;
  /** A database that cannot grow past its current size: any insert needing a page fails SQLITE_FULL. */
  let full: Db;
  const errors: unknown[] = [];

  beforeAll(async () => {
    db = openDatabase(':memory:');
    full = openDatabase(':memory:');
    full.exec('CREATE TABLE t (v TEXT)');
    full.pragma(`max_page_count = ${full.pragma('page_count', { simple: true }) as number}`);
    const log = silentLogger();
    log.error = ((msg: string, meta: unknown) => {
      errors.push({ msg, meta });
      return log;
    }) as typeof log.error;
    server = new ApiServer({
      listen: '127.0.0.1:0',
      tokens: cfg.api.tokens,
      log,
      health: () => health,
      routes: [
        ...catalogueRoutes({ db }),
        route({
          method: 'POST',
          path: '/calls/dial',
          summary: 'Dial',
          tag: 'calls',
          roles: ['admin', 'agent'],
          body: z.object({ number: z.string().regex(/^\d+$/, 'must be digits only'), agent: z.string().optional() }).strict(),
          handler: ({ body, principal }) => ({ dialled: body.number, by: principal.role }),
        }),
        route({
          method: 'POST',
          path: '/agents/:ext/pause',
          summary: 'Pause',
          tag: 'agents',
          roles: ['admin', 'supervisor', 'agent'],
          agentParam: 'ext',
          handler: ({ params }) => ({ paused: params.ext }),
        }),
        route({
          method: 'POST',
          path: '/agents/:ext/login',
          summary: 'Login (a plain, non-strict zod object: the server makes it strict)',
          tag: 'agents',
          roles: ['admin'],
          body: z
            .object({
              queues: z.array(z.object({ queue: z.string(), penalty: z.number().optional() })).min(1),
              note: z.object({ text: z.string() }).optional(),
              meta: z.object({}).passthrough().optional(),
            })
            .refine((b) => b.queues.length < 10, 'too many queues'),
          handler: ({ body }) => body,
        }),
        route({ method: 'GET', path: '/agents/:ext', summary: 'one agent', tag: 'agents', roles: ['admin', 'agent'], agentParam: 'ext', handler: ({ params }) => ({ ext: params.ext }) }),
        route({ method: 'GET', path: '/boom', summary: 'bug', tag: 't', roles: ['admin'], handler: () => { throw new Error('secret internals'); } }),
        route({ method: 'GET', path: '/gone', summary: 'nf', tag: 't', roles: ['admin'], handler: () => { throw notFound('call c1 does not exist'); } }),
        route({ method: 'GET', path: '/busy', summary: 'rf', tag: 't', roles: ['admin'], handler: () => { throw refused('agent 1000 is on a call'); } }),
        route({
          method: 'POST',
          path: '/full',
          summary: 'writes to a database that cannot grow (SQLITE_FULL, as on a full disk)',
          tag: 't',
          roles: ['admin'],
          handler: () => {
            full.prepare('INSERT INTO t (v) VALUES (?)').run('x'.repeat(8192));
            return { written: true };
          },
        }),
        route({ method: 'GET', path: '/status-shaped', summary: 's', tag: 't', roles: ['admin'], handler: () => ({ status: 'ok', extra: 1 }) }),
      ],
    });
    base = await server.start();
  });
  afterAll(async () => {
    await server.stop();
    db.close();
    full.close();
  });

  const call = async (method: string, path: string, opts: { token?: string; body?: string | object } = {}) => {
    const res = await fetch(base + path, {
      method,
      headers: { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), 'content-type': 'application/json' },
      body: opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body),
    });
    const text = await res.text();
    const retryAfter = res.headers.get('retry-after');
    return { status: res.status, body: text ? JSON.parse(text) : undefined, ...(retryAfter !== null ? { retryAfter } : {}) };
  };

  it('a full disk (SQLITE_FULL) is a 503 "storage unavailable" with Retry-After, not a 500', async () => {
    const before = errors.length;
    const r = await call('POST', '/full', { token: TEST_ADMIN_TOKEN });
    expect(r).toMatchObject({
      status: 503,
      retryAfter: '5',
      body: { error: { code: 'unavailable', message: 'storage unavailable: disk full; retry later', details: { code: 'SQLITE_FULL', retryAfterSeconds: 5 } } },
    });
    expect(errors.length).toBe(before); // not logged as a bug
  });

  it('401 without or with a wrong token', async () => {
    expect(await call('GET', '/catalogue/queues')).toEqual({
      status: 401,
      body: { error: { code: 'unauthorized', message: 'missing or invalid bearer token' } },
    });
    expect((await call('GET', '/catalogue/queues', { token: TEST_ADMIN_TOKEN + 'x' })).status).toBe(401);
    expect((await call('GET', '/catalogue/queues', { token: TEST_ADMIN_TOKEN })).status).toBe(200);
  });

  it('403 for a role not allowed, and for an agent token acting for another agent', async () => {
    expect(await call('POST', '/catalogue/queues', { token: TEST_SUPERVISOR_TOKEN, body: { name: 'x' } })).toMatchObject({
      status: 403,
      body: { error: { code: 'forbidden' } },
    });
    expect(await call('POST', '/agents/1001/pause', { token: TEST_AGENT_TOKEN })).toMatchObject({
      status: 403,
      body: { error: { code: 'forbidden', message: 'this token acts only for agent 1000' } },
    });
    expect(await call('POST', '/agents/1000/pause', { token: TEST_AGENT_TOKEN })).toEqual({ status: 200, body: { paused: '1000' } });
    expect((await call('POST', '/agents/1001/pause', { token: TEST_SUPERVISOR_TOKEN })).status).toBe(200);
  });

  it('400 for malformed JSON and for zod failures, naming the field', async () => {
    expect(await call('POST', '/calls/dial', { token: TEST_ADMIN_TOKEN, body: '{"number":' })).toEqual({
      status: 400,
      body: { error: { code: 'invalid', message: 'request body is not valid JSON' } },
    });
    expect(await call('POST', '/calls/dial', { token: TEST_ADMIN_TOKEN, body: { number: '12a' } })).toEqual({
      status: 400,
      body: { error: { code: 'invalid', message: 'number: must be digits only', field: 'number' } },
    });
    expect(await call('POST', '/calls/dial', { token: TEST_ADMIN_TOKEN, body: {} })).toEqual({
      status: 400,
      body: { error: { code: 'invalid', message: 'number: is required', field: 'number' } },
    });
    expect(await call('POST', '/calls/dial', { token: TEST_ADMIN_TOKEN, body: { number: '1', x: 1 } })).toMatchObject({
      status: 400,
      body: { error: { field: 'x', message: 'x: unknown field' } },
    });
    expect(await call('POST', '/calls/dial', { token: TEST_AGENT_TOKEN, body: { number: '123' } })).toEqual({
      status: 200,
      body: { dialled: '123', by: 'agent' },
    });
  });

  it('unknown body fields are a 400 naming the field, on every route (strict by default), nothing done', async () => {
    const invalid = (message: string, field: string) => ({ status: 400, body: { error: { code: 'invalid', message, field } } });
    // A route without a body schema takes no body: POST /agents/1000/logout {"force":true} was a silent 200.
    expect(await call('POST', '/agents/1000/pause', { token: TEST_ADMIN_TOKEN, body: { force: true } })).toEqual(invalid('force: unknown field', 'force'));
    expect(await call('POST', '/agents/1000/pause', { token: TEST_ADMIN_TOKEN, body: [1] })).toEqual(
      invalid('body: this endpoint takes no request body', 'body'),
    );
    expect(await call('POST', '/agents/1000/pause', { token: TEST_ADMIN_TOKEN, body: {} })).toEqual({ status: 200, body: { paused: '1000' } });
    expect(await call('POST', '/agents/1000/pause', { token: TEST_ADMIN_TOKEN })).toEqual({ status: 200, body: { paused: '1000' } });

    // Plain z.object schemas (not declared .strict()) are strict too, nested ones included, through refine.
    const login = (body: object) => call('POST', '/agents/1000/login', { token: TEST_ADMIN_TOKEN, body });
    expect(await login({ queues: [{ queue: 'support' }], force: true })).toEqual(invalid('force: unknown field', 'force'));
    expect(await login({ queues: [{ queue: 'support', penalti: 1 }] })).toEqual(invalid('queues[0].penalti: unknown field', 'queues[0].penalti'));
    expect(await login({ queues: [{ queue: 'support' }], note: { text: 'x', txet: 'y' } })).toEqual(invalid('note.txet: unknown field', 'note.txet'));
    // What the schema knows still works; refinements still run; an explicit .passthrough() stays open.
    expect(await login({ queues: [{ queue: 'support', penalty: 2 }], note: { text: 'x' }, meta: { any: 1 } })).toEqual({
      status: 200,
      body: { queues: [{ queue: 'support', penalty: 2 }], note: { text: 'x' }, meta: { any: 1 } },
    });
    expect((await login({ queues: Array.from({ length: 10 }, () => ({ queue: 'q' })) })).status).toBe(400);

    // The OpenAPI document says so.
    const doc = (await call('GET', '/openapi.json')).body;
    const schema = doc.paths['/agents/{ext}/login'].post.requestBody.content['application/json'].schema;
    expect(schema).toMatchObject({ additionalProperties: false, properties: { queues: { items: { additionalProperties: false } } } });
  });

  it('maps CcError kinds to statuses and hides bugs behind a generic 500', async () => {
    expect(await call('GET', '/gone', { token: TEST_ADMIN_TOKEN })).toMatchObject({ status: 404, body: { error: { code: 'not_found', message: 'call c1 does not exist' } } });
    expect(await call('GET', '/busy', { token: TEST_ADMIN_TOKEN })).toMatchObject({ status: 409, body: { error: { code: 'refused' } } });
    const boom = await call('GET', '/boom', { token: TEST_ADMIN_TOKEN });
    expect(boom).toEqual({ status: 500, body: { error: { code: 'internal', message: 'internal error' } } });
    expect(JSON.stringify(errors)).toContain('secret internals');
    expect(await call('GET', '/status-shaped', { token: TEST_ADMIN_TOKEN })).toEqual({ status: 200, body: { status: 'ok', extra: 1 } });
    expect((await call('GET', '/nope', { token: TEST_ADMIN_TOKEN })).status).toBe(404);
    expect((await call('DELETE', '/calls/dial', { token: TEST_ADMIN_TOKEN })).status).toBe(405);
  });

  it('a malformed request target is a 400 with the usual error JSON, not a 500 with a logged stack', async () => {
    // Raw HTTP: fetch would normalise the target; a client (or a scanner) can send anything.
    const raw = (target: string, token = TEST_ADMIN_TOKEN) =>
      new Promise<{ status: number; body: unknown }>((resolve, reject) => {
        const req = http.request(base, { method: 'GET', path: target, headers: { authorization: `Bearer ${token}` } }, (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
        });
        req.on('error', reject);
        req.end();
      });
    const before = errors.length;
    const bad = { status: 400, body: { error: { code: 'invalid', message: 'malformed percent-encoding in the path' } } };
    expect(await raw('/agents/%E0%A4%A')).toEqual(bad);
    expect(await raw('/agents/%zz')).toEqual(bad);
    // Before the agent-scope check, so an agent token gets the same answer (and never a 500).
    expect(await raw('/agents/%E0%A4%A', TEST_AGENT_TOKEN)).toEqual(bad);
    // A target WHATWG URL cannot parse against a base ("//" is scheme-relative with no host).
    expect(await raw('//')).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    expect(await raw('//[::')).toMatchObject({ status: 404 });
    expect(await raw('/agents/%31000')).toEqual({ status: 200, body: { ext: '1000' } });
    expect(errors.length).toBe(before);
  });

  it('catalogue routes use the repositories (same validation as the CLI)', async () => {
    const t = { token: TEST_ADMIN_TOKEN };
    expect(await call('POST', '/catalogue/queues', { ...t, body: { name: 'support', wrapupSeconds: 5 } })).toMatchObject({ status: 201, body: { name: 'support', wrapupSeconds: 5 } });
    expect(await call('POST', '/catalogue/queues', { ...t, body: { name: 'support' } })).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid', message: 'queue support already exists', field: 'name' } },
    });
    expect(await call('POST', '/catalogue/agents', { ...t, body: { extension: '1000', name: 'Ana', device: 'PJSIP/1000', queues: [{ queue: 'support' }] } })).toMatchObject({ status: 201 });
    expect(await call('DELETE', '/catalogue/queues/support', t)).toMatchObject({ status: 409 });
    expect(await call('DELETE', '/catalogue/queues/support?force=true', t)).toEqual({ status: 200, body: { removedAssignments: 1 } });
    expect(await call('POST', '/catalogue/pause-reasons', { ...t, body: { name: 'Almoço', statusId: 2 } })).toMatchObject({ status: 201 });
    expect(await call('GET', '/catalogue/pause-reasons', { token: TEST_AGENT_TOKEN })).toMatchObject({ status: 200, body: [{ name: 'Almoço', statusId: 2 }] });
    expect(await call('DELETE', `/catalogue/pause-reasons/${encodeURIComponent('Almoço')}`, t)).toEqual({ status: 200, body: { removed: 'Almoço' } });
  });

  it('/healthz is unauthenticated: 200 when all up, 503 when degraded', async () => {
    health = { status: 'ok', ami: { state: 'connected' }, ari: { connected: true }, db: { ok: true } };
    expect(await call('GET', '/healthz')).toEqual({ status: 200, body: health });
    health = { status: 'degraded', ami: { state: 'connecting' }, ari: { connected: false }, db: { ok: true } };
    expect(await call('GET', '/healthz')).toEqual({ status: 503, body: health });
  });

  it('/openapi.json describes the mounted routes with bearer security and zod bodies', async () => {
    const { status, body } = await call('GET', '/openapi.json');
    expect(status).toBe(200);
    expect(body.openapi).toBe('3.0.3');
    expect(body.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer' });
    const dial = body.paths['/calls/dial'].post;
    expect(dial).toMatchObject({ summary: 'Dial', tags: ['calls'], security: [{ bearer: [] }] });
    expect(dial.requestBody.content['application/json'].schema).toEqual({
      type: 'object',
      properties: { number: { type: 'string', pattern: '^\\d+$' }, agent: { type: 'string' } },
      required: ['number'],
      additionalProperties: false,
    });
    expect(body.paths['/agents/{ext}/pause'].post.parameters).toEqual([{ name: 'ext', in: 'path', required: true, schema: { type: 'string' } }]);
    expect(body.paths['/catalogue/queues/{name}'].delete.parameters).toContainEqual({
      name: 'force',
      in: 'query',
      required: false,
      schema: { type: 'string', enum: ['true', 'false'] },
    });
    expect(body.paths['/healthz'].get.security).toEqual([]);
  });

  it('WebSocket upgrades reach a registered handler only with a valid token', async () => {
    const seen: string[] = [];
    server.onUpgrade('/events', (_req, socket, _head, principal) => {
      seen.push(principal.role);
      socket.end('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    });
    const upgrade = (path: string) =>
      new Promise<string>((resolve) => {
        const port = Number(new URL(base).port);
        const s = net.connect(port, '127.0.0.1', () =>
          s.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`),
        );
        let data = '';
        s.on('data', (d) => (data += d));
        s.on('close', () => resolve(data.split('\r\n')[0]));
      });
    expect(await upgrade('/events')).toBe('HTTP/1.1 401 Unauthorized');
    expect(await upgrade(`/events?token=${TEST_SUPERVISOR_TOKEN}`)).toBe('HTTP/1.1 101 Switching Protocols');
    expect(await upgrade(`/other?token=${TEST_SUPERVISOR_TOKEN}`)).toBe('HTTP/1.1 404 Not Found');
    // An unparseable target on an upgrade threw out of the 'upgrade' listener (uncaught: the daemon died).
    expect(await upgrade(`//[::?token=${TEST_SUPERVISOR_TOKEN}`)).toBe('HTTP/1.1 404 Not Found');
    expect(seen).toEqual(['supervisor']);
  });
});

it('refuses to start when the port is taken, and stop() is idempotent', async () => {
  const blocker = http.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as net.AddressInfo).port;
  const s = new ApiServer({ listen: `127.0.0.1:${port}`, tokens: [], routes: [], health: () => ({ status: 'ok' }), log: silentLogger() });
  await expect(s.start()).rejects.toMatchObject({
    kind: 'unavailable',
    message: `cannot listen on api.listen 127.0.0.1:${port}: address already in use`,
  });
  await s.stop();
  await new Promise<void>((r) => blocker.close(() => r()));
});
