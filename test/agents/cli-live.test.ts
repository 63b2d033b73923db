/**
 * Live CLI commands end to end: runCli → ApiClient → HTTP → the domain's RouteDefs → AgentService.
 * A minimal router stands in for the API server (bearer check, zod body, CcError → HTTP status),
 * so these tests check the route definitions and the CLI's output and exit codes.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RouteDef } from '../../src/api/types';
import { agentRoutes } from '../../src/agents/routes';
import { CcError, HTTP_STATUS } from '../../src/util/errors';
import { wrapupRoutes } from '../../src/wrapup/routes';
import { cleanupTmpDirs, runCli, TEST_ADMIN_TOKEN, TEST_AGENT_TOKEN, writeConfig } from '../helpers/tmp';
import { makeKit, type Kit } from './helpers';

const TOKENS: Record<string, { role: 'admin' | 'agent'; agent?: string; name?: string }> = {
  [TEST_ADMIN_TOKEN]: { role: 'admin', name: 'ops' },
  [TEST_AGENT_TOKEN]: { role: 'agent', agent: '1000' },
};

function match(pattern: string, path: string): Record<string, string> | undefined {
  const p = pattern.split('/');
  const a = path.split('/');
  if (p.length !== a.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(':')) params[p[i].slice(1)] = decodeURIComponent(a[i]);
    else if (p[i] !== a[i]) return undefined;
  }
  return params;
}

function serve(routes: RouteDef[]): Promise<http.Server> {
  const server = http.createServer(async (req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    let raw = '';
    for await (const c of req) raw += c;
    const url = new URL(req.url ?? '/', 'http://x');
    const principal = TOKENS[(req.headers.authorization ?? '').replace(/^Bearer /, '')];
    if (!principal) return send(401, { error: { message: 'bad token' } });
    for (const r of routes) {
      const params = r.method === req.method ? match(r.path, url.pathname) : undefined;
      if (!params) continue;
      try {
        if (!r.roles.includes(principal.role)) throw new CcError('forbidden', 'role not allowed');
        if (principal.role === 'agent' && r.agentParam && params[r.agentParam] !== principal.agent) {
          throw new CcError('forbidden', `token may only act for agent ${principal.agent}`);
        }
        let data: unknown;
        if (r.body) {
          const parsed = r.body.safeParse(raw ? JSON.parse(raw) : {});
          if (!parsed.success) {
            const issue = parsed.error.issues[0];
            throw new CcError('invalid', `body: ${issue.path.join('.')} ${issue.message}`);
          }
          data = parsed.data;
        }
        const query = r.query ? r.query.parse(Object.fromEntries(url.searchParams)) : {};
        return send(200, await r.handler({ principal, params, query, body: data, headers: req.headers, scope: null }));
      } catch (e) {
        if (e instanceof CcError) return send(HTTP_STATUS[e.kind], { error: { message: e.message } });
        return send(500, { error: { message: String(e) } });
      }
    }
    send(404, { error: { message: 'no route' } });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('live CLI: agent and wrapup commands', () => {
  let k: Kit;
  let server: http.Server;
  let cfg: string;
  let api: string;
  const cli = (args: string[], token = TEST_ADMIN_TOKEN) => runCli([...args, '--config', cfg, '--api', api, '--token', token]);

  beforeEach(async () => {
    k = makeKit();
    server = await serve([...agentRoutes(k.svc), ...wrapupRoutes(k.svc.wrapup, k.svc.late)]);
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    cfg = writeConfig();
  });
  afterEach(() => new Promise<void>((r) => server.close(() => r())));
  afterAll(cleanupTmpDirs);

  it('login, status, pause, unpause, logout', async () => {
    expect(await cli(['agent', 'login', '1000', '--queues', 'support,vendas'])).toEqual({
      code: 0,
      stdout: 'agent 1000 logged in: support (penalty 0), vendas (penalty 1)\n',
      stderr: '',
    });
    expect(k.ami.member('vendas', '1000')).toBeDefined();
    expect((await cli(['agent', 'pause', '1000', '--reason', 'Almoço'])).stdout).toBe('agent 1000 paused: Almoço (status 5)\n');
    const st = await cli(['agent', 'status', '1000']);
    expect(st.stdout.split('\n')[0]).toMatch(/^EXTENSION\s+NAME\s+STATE\s+REASON\s+SINCE\s+QUEUES\s+CALLS\s+MISSES/);
    expect(st.stdout).toMatch(/1000\s+Agent 1000\s+paused\s+Almoço\s+\S+\s+support,vendas\s+0\s+0/);
    const js = JSON.parse((await cli(['agent', 'status', '--json'])).stdout);
    expect(js.map((a: { extension: string; state: string }) => [a.extension, a.state])).toEqual([
      ['1000', 'paused'],
      ['1001', 'offline'],
      ['1002', 'offline'],
    ]);
    expect((await cli(['agent', 'unpause', '1000'])).stdout).toBe('agent 1000 unpaused\n');
    expect((await cli(['agent', 'logout', '1000'])).code).toBe(0);
    expect(k.ami.members).toEqual([]);
  });

  it('refusals exit 3 with a clear message; bad input exits 2', async () => {
    expect(await cli(['agent', 'login', '1999', '--queues', 'support'])).toMatchObject({
      code: 3,
      stderr: 'callcenterd: agent 1999 does not exist\n',
    });
    expect((await cli(['agent', 'login', '1001', '--queues', 'vendas'])).stderr).toBe(
      'callcenterd: agent 1001 is not allowed in queue vendas\n',
    );
    await cli(['agent', 'login', '1000', '--queues', 'support']);
    expect((await cli(['agent', 'login', '1000', '--queues', 'support'])).code).toBe(3);
    k.calls.active.set('1000', ['c1']);
    expect(await cli(['agent', 'logout', '1000'])).toMatchObject({
      code: 3,
      stderr: 'callcenterd: cannot log out while calls are in progress (a supervisor may force it: --force)\n',
    });
    expect((await cli(['agent', 'pause', '1000', '--reason', 'Café'])).code).toBe(3);
    expect((await cli(['agent', 'login', 'abc', '--queues', 'support'])).code).toBe(2);
    expect((await cli(['agent', 'login', '1000', '--queues', ','])).code).toBe(2);
  });

  it('wrapup set and finish; agent tokens only for their own extension', async () => {
    await cli(['agent', 'login', '1000', '--queues', 'support']);
    await cli(['agent', 'login', '1002', '--queues', 'support']);
    for (const e of ['1000', '1002']) {
      k.svc.callConnected(e, { callId: `c-${e}`, queue: 'support', direction: 'inbound' });
      k.svc.callEnded(e, { callId: `c-${e}`, queue: 'support', answered: true });
    }
    expect((await cli(['wrapup', 'set', '1002', '--disposition', 'Venda'], TEST_AGENT_TOKEN)).code).toBe(3);
    expect(await cli(['wrapup', 'set', '1000', '--disposition', 'Venda', '--notes', 'ok'], TEST_AGENT_TOKEN)).toEqual({
      code: 0,
      stdout: 'agent 1000: call c-1000 tabulated "Venda"\n',
      stderr: '',
    });
    expect((await cli(['wrapup', 'finish', '1002', '--disposition', 'Venda'], TEST_AGENT_TOKEN)).code).toBe(3);
    expect((await cli(['wrapup', 'finish', '1002', '--disposition', 'Sem interesse'])).stdout).toBe(
      'agent 1002: wrap-up finished, call c-1002 tabulated "Sem interesse"\n',
    );
    expect(k.svc.status('1002').state).toBe('available');
    expect((await cli(['wrapup', 'set', '1000', '--disposition', 'Venda'])).stderr).toBe(
      'callcenterd: agent 1000 is not in wrap-up\n',
    );
  });

  it('extensions lists free registered extensions', async () => {
    k.probe.offline.add('PJSIP/1001');
    const r = await cli(['agent', 'extensions', '--queues', 'support', '--json']);
    expect(JSON.parse(r.stdout).map((x: { extension: string }) => x.extension)).toEqual(['1000', '1002']);
  });
});
