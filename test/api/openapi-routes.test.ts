/**
 * /openapi.json ↔ what the server really does: every mounted route is documented (method, path,
 * roles, body), every documented operation is answered by the server (never "no such endpoint" /
 * 405), and the WebSocket and metrics endpoints are documented as what they are.
 */
import { TOO_SLOW_CLOSE } from '../../src/api/events';
import { zodToJsonSchema } from '../../src/api/openapi';
import { strictBody } from '../../src/api/server';
import type { RouteDef } from '../../src/api/types';
import { cleanupTmpDirs } from '../helpers/tmp';
import { http, startKit, TEST_ADMIN_TOKEN, type DaemonKit } from '../monitor/daemon-kit';

type Op = { summary: string; 'x-roles'?: string[]; requestBody?: { content: { 'application/json': { schema: unknown } } }; parameters?: { name: string; in: string }[]; description?: string; responses: Record<string, { description: string }>; 'x-close-codes'?: { code: number; reason: string }[] };
type Doc = { openapi: string; paths: Record<string, Record<string, Op>> };

const oaPath = (p: string) => p.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

describe('OpenAPI document matches the mounted routes', () => {
  let kit: DaemonKit;
  let routes: RouteDef[];
  let doc: Doc;

  beforeAll(async () => {
    kit = await startKit();
    routes = kit.daemon.modules.flatMap((m) => m.routes?.() ?? []);
    const res = await http(`${kit.url}/openapi.json`);
    expect(res.status).toBe(200);
    doc = res.body as Doc;
  });
  afterAll(async () => {
    await kit.stop();
    cleanupTmpDirs();
  });

  const documented = () =>
    Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));

  it('documents exactly the mounted routes plus /healthz, /metrics and /events', () => {
    const mounted = routes.map((r) => `${r.method} ${oaPath(r.path)}`);
    const expected = [...mounted, 'GET /healthz', 'GET /metrics', 'GET /events'].sort();
    expect(documented().sort()).toEqual(expected);
    expect(doc.openapi).toBe('3.0.3');
  });

  it('every route is documented with its roles, path parameters and body schema', () => {
    for (const r of routes) {
      const op = doc.paths[oaPath(r.path)][r.method.toLowerCase()];
      expect({ route: `${r.method} ${r.path}`, summary: op.summary, roles: op['x-roles'] }).toEqual({
        route: `${r.method} ${r.path}`,
        summary: r.summary,
        roles: r.roles,
      });
      const pathParams = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
      expect(pathParams).toEqual([...r.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]));
      // The server makes every body strict (unknown fields → 400), and documents it that way.
      if (r.body) expect(op.requestBody?.content['application/json'].schema).toEqual(JSON.parse(JSON.stringify(zodToJsonSchema(strictBody(r.body)))));
      else expect(op.requestBody).toBeUndefined();
    }
  });

  it('every documented operation is answered by the server (no 404 "no such endpoint", no 405)', async () => {
    const answers: string[] = [];
    for (const [p, ops] of Object.entries(doc.paths)) {
      for (const method of Object.keys(ops)) {
        const url = kit.url + p.replace(/\{([^}]+)\}/g, (_, k: string) => (k === 'ext' ? '1000' : `x${k}`));
        const res = await http(url, { method: method.toUpperCase(), token: TEST_ADMIN_TOKEN, body: method === 'get' ? undefined : {} });
        const unknown = res.status === 405 || (res.status === 404 && /no such endpoint/.test(res.body?.error?.message ?? ''));
        answers.push(`${method.toUpperCase()} ${p} ${unknown ? 'ABSENT' : 'served'}`);
      }
    }
    expect(answers).toEqual(documented().map((d) => `${d} served`));
  });

  it('documents /events as a WebSocket with the ?token= fallback, and plain GET /events is 426', async () => {
    const ev = doc.paths['/events'].get;
    expect(ev.summary).toMatch(/WebSocket/);
    expect(ev.parameters).toEqual([expect.objectContaining({ name: 'token', in: 'query' })]);
    // The limits: close codes (what the hub really sends) and the per-token refusal.
    expect(ev['x-close-codes']!.map((c: { code: number }) => c.code)).toEqual([1001, 1009, 1013]);
    expect(ev['x-close-codes']).toContainEqual(expect.objectContaining({ code: TOO_SLOW_CLOSE.code, reason: TOO_SLOW_CLOSE.reason }));
    expect(ev.description).toMatch(/api\.events_max_buffered_bytes/);
    expect(ev.responses['429'].description).toMatch(/api\.events_max_connections_per_token/);
    const res = await http(`${kit.url}/events`, { token: TEST_ADMIN_TOKEN });
    expect(res.status).toBe(426);
  });

  it("has a route for every action and read of the agent, queue and call issues", () => {
    const required = [
      'POST /agents/{ext}/login',
      'POST /agents/{ext}/logout',
      'POST /agents/{ext}/pause',
      'POST /agents/{ext}/unpause',
      'POST /calls/dial',
      'POST /calls/{id}/hold',
      'POST /calls/{id}/unhold',
      'POST /calls/{id}/mute',
      'POST /calls/{id}/unmute',
      'POST /calls/{id}/dtmf',
      'POST /calls/{id}/hangup',
      'POST /calls/{id}/transfer',
      'POST /calls/{id}/transfer/complete',
      'POST /calls/{id}/transfer/cancel',
      'POST /calls/{id}/conference',
      'POST /calls/{id}/room',
      'POST /calls/{id}/prank',
      'POST /agents/{ext}/wrapup',
      'POST /agents/{ext}/wrapup/finish',
      'GET /callbacks',
      'POST /callbacks',
      'GET /agents',
      'GET /agents/{ext}',
      'GET /catalogue/queues',
      'GET /monitor',
      'GET /calls',
      'GET /history',
      'GET /agents/{ext}/recent-calls',
    ];
    const have = new Set(documented());
    expect(required.filter((r) => !have.has(r))).toEqual([]);
  });

  it('a route removed from the server would be caught: the comparison is not vacuous', () => {
    expect(routes.length).toBeGreaterThan(30);
    const mounted = new Set(routes.map((r) => `${r.method} ${oaPath(r.path)}`));
    const extra = documented().filter((d) => !mounted.has(d));
    expect(extra.sort()).toEqual(['GET /events', 'GET /healthz', 'GET /metrics']);
  });
});
