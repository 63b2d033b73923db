/**
 * RouteDef.response is documentation a client codes against: for the routes that declare one, a
 * real answer of the running daemon (fake links) must validate against the schema, and
 * /openapi.json must carry it under the declared status. Also the Error schema and the /events
 * message envelope.
 */
import { startDaemon, type DaemonHandle } from '../../src/daemon/app';
import type { RouteDef } from '../../src/api/types';
import { parseConfigObject } from '../../src/config/load';
import { silentLogger } from '../../src/log/logger';
import { createFakeAri, FakeAmi } from '../helpers/fake-links';
import { cleanupTmpDirs, makeTmpDir, TEST_ADMIN_TOKEN, withOverrides } from '../helpers/tmp';

afterAll(cleanupTmpDirs);

describe('documented responses', () => {
  let daemon: DaemonHandle;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${daemon.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as unknown };
  };
  const routeOf = (method: string, path: string): RouteDef => {
    const r = daemon.modules.flatMap((m) => m.routes?.() ?? []).find((x) => x.method === method && x.path === path);
    if (!r?.response) throw new Error(`${method} ${path} declares no response schema`);
    return r;
  };

  beforeAll(async () => {
    const config = parseConfigObject(withOverrides({}), {}, { baseDir: makeTmpDir() });
    daemon = await startDaemon(config, { log: silentLogger(), amiFactory: () => new FakeAmi(), ariFactory: () => createFakeAri() });
    expect((await call('POST', '/catalogue/queues', { name: 'support' })).status).toBe(201);
    expect((await call('POST', '/catalogue/agents', { extension: '1000', name: 'Ana', device: 'PJSIP/1000', queues: [{ queue: 'support' }] })).status).toBe(201);
  });
  afterAll(() => daemon.stop());

  it.each([
    ['GET', '/agents', '/agents'],
    ['GET', '/agents/:ext', '/agents/1000'],
  ])('%s %s answers what its schema documents', async (method, path, url) => {
    const r = routeOf(method, path);
    const res = await call(method, url);
    expect(res.status).toBe(r.responseStatus ?? 200);
    const parsed = r.response!.safeParse(res.body);
    expect(parsed.success ? 'valid' : parsed.error.issues).toBe('valid');
    const doc = (await call('GET', '/openapi.json')).body as { paths: Record<string, Record<string, { responses: Record<string, { content?: unknown }> }>> };
    const op = doc.paths[path.replace(/:(\w+)/g, '{$1}')][method.toLowerCase()];
    expect(op.responses[String(r.responseStatus ?? 200)].content).toEqual({ 'application/json': { schema: expect.objectContaining({ type: 'object' }) } });
  });

  it('a schema is strict: an undocumented field fails validation', () => {
    const r = routeOf('GET', '/agents/:ext');
    expect(r.response!.safeParse({ extension: '1000', surprise: true }).success).toBe(false);
  });

  it('documents Error.details and the /events message envelope', async () => {
    const doc = (await call('GET', '/openapi.json')).body as {
      paths: Record<string, { get: Record<string, unknown> }>;
      components: { schemas: Record<string, { properties: Record<string, unknown>; required?: string[] }> };
    };
    const { schemas } = doc.components;
    expect(Object.keys((schemas.Error.properties.error as { properties: object }).properties)).toEqual(['code', 'message', 'field', 'details']);
    expect(schemas.EventsSnapshot.required).toEqual(['type', 'seq', 'at', 'agents', 'calls', 'queues']);
    expect(schemas.EventsEvent.required).toEqual(['type', 'seq', 'at', 'data']);
    expect(doc.paths['/events'].get['x-messages']).toEqual([{ $ref: '#/components/schemas/EventsSnapshot' }, { $ref: '#/components/schemas/EventsEvent' }]);
    // A real error carries details as documented.
    const notFound = await call('GET', '/agents/1009');
    expect(notFound).toEqual({ status: 404, body: { error: { code: 'not_found', message: 'agent 1009 does not exist', details: { agent: '1009' } } } });
  });
});
