/**
 * Auth matrix over EVERY route the shipped daemon mounts (whatever the domains add later is covered
 * automatically): no/invalid token → 401, role outside the route's roles → 403, agent token on
 * another agent's path → 403, missing required body fields → 400 naming the field; and in every
 * refused case the database and Asterisk (AMI actions) are left exactly as they were.
 */
import type { RouteDef } from '../../src/api/types';
import { cleanupTmpDirs } from '../helpers/tmp';
import { dumpDb, http, startKit, TEST_ADMIN_TOKEN, TEST_AGENT_TOKEN, TEST_SUPERVISOR_TOKEN, type DaemonKit } from '../monitor/daemon-kit';

const TOKENS = { admin: TEST_ADMIN_TOKEN, supervisor: TEST_SUPERVISOR_TOKEN, agent: TEST_AGENT_TOKEN } as const;

/** Concrete path for a route; agent params name agent 1001 (the agent token is bound to 1000). */
function concrete(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, (_, k: string) => (/^(ext|agent|extension)$/.test(k) ? '1001' : `x${k}`));
}

describe('auth matrix over all mounted routes', () => {
  let kit: DaemonKit;
  let routes: RouteDef[];
  let before: Record<string, unknown[]>;

  beforeAll(async () => {
    kit = await startKit();
    routes = kit.daemon.modules.flatMap((m) => m.routes?.() ?? []);
    before = dumpDb(kit.daemon.deps.db);
  });
  afterAll(async () => {
    await kit.stop();
    cleanupTmpDirs();
  });
  afterEach(() => {
    expect(dumpDb(kit.daemon.deps.db)).toEqual(before);
    expect(kit.ami.actions).toEqual([]);
  });

  it('mounts the routes of every shipped domain', () => {
    const paths = routes.map((r) => `${r.method} ${r.path}`);
    for (const p of ['POST /agents/:ext/login', 'POST /calls/:id/hold', 'GET /monitor', 'POST /catalogue/queues']) expect(paths).toContain(p);
  });

  it('no token or an invalid token → 401 on every route', async () => {
    const seen: string[] = [];
    for (const r of routes) {
      const url = kit.url + concrete(r.path);
      const body = r.method === 'GET' ? undefined : {};
      const none = await http(url, { method: r.method, body });
      const bad = await http(url, { method: r.method, body, token: 'not-a-valid-token-at-all' });
      seen.push(`${r.method} ${r.path} ${none.status} ${bad.status} ${none.body?.error?.code}`);
    }
    expect(seen).toEqual(routes.map((r) => `${r.method} ${r.path} 401 401 unauthorized`));
  });

  it('a role outside the route → 403 on every route', async () => {
    const checked: string[] = [];
    const got: string[] = [];
    for (const r of routes) {
      for (const role of ['admin', 'supervisor', 'agent'] as const) {
        if (r.roles.includes(role)) continue;
        const res = await http(kit.url + concrete(r.path), { method: r.method, token: TOKENS[role], body: r.method === 'GET' ? undefined : {} });
        checked.push(`${role} ${r.method} ${r.path} 403`);
        got.push(`${role} ${r.method} ${r.path} ${res.status}`);
      }
    }
    expect(checked.length).toBeGreaterThan(10);
    expect(got).toEqual(checked);
  });

  it("an agent token on another agent's path → 403", async () => {
    const scoped = routes.filter((r) => r.agentParam && r.roles.includes('agent'));
    expect(scoped.length).toBeGreaterThan(5);
    const got = await Promise.all(
      scoped.map(async (r) => {
        const res = await http(kit.url + concrete(r.path), { method: r.method, token: TEST_AGENT_TOKEN, body: r.method === 'GET' ? undefined : {} });
        return `${r.method} ${r.path} ${res.status}`;
      }),
    );
    expect(got).toEqual(scoped.map((r) => `${r.method} ${r.path} 403`));
  });

  it('a body missing required fields → 400 naming the field, on every route with a body', async () => {
    const withRequired = routes.filter((r) => r.body && !r.body.safeParse({}).success);
    expect(withRequired.length).toBeGreaterThan(5);
    for (const r of withRequired) {
      const res = await http(kit.url + concrete(r.path).replace('1001', '1000'), { method: r.method, token: TEST_ADMIN_TOKEN, body: {} });
      expect({ route: `${r.method} ${r.path}`, status: res.status, code: res.body?.error?.code }).toEqual({
        route: `${r.method} ${r.path}`,
        status: 400,
        code: 'invalid',
      });
      const field: string = res.body.error.field;
      expect(typeof field).toBe('string');
      expect(res.body.error.message.startsWith(`${field}:`)).toBe(true);
    }
  });

  it('a body that is not JSON → 400', async () => {
    const r = routes.find((x) => x.path === '/agents/:ext/pause')!;
    const res = await fetch(`${kit.url}/agents/1000/pause`, {
      method: r.method,
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: '{"reason": ',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid');
  });

  it('wrong types name the field: pause reason must be a string', async () => {
    const res = await http(`${kit.url}/agents/1000/pause`, { method: 'POST', token: TEST_ADMIN_TOKEN, body: { reason: 42 } });
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe('reason');
  });
});
