/**
 * "My" agent: GET /me tells a token who it is, and `callcenterd agent status` without EXT shows the
 * token's own agent for agent tokens (it was a 403 on GET /agents), every agent for the others.
 * Whole daemon on fake links (test/monitor/daemon-kit), CLI in-process.
 */
import { cleanupTmpDirs, runCli } from '../helpers/tmp';
import { http, startKit, TEST_ADMIN_TOKEN, TEST_AGENT_TOKEN, TEST_SUPERVISOR_TOKEN, type DaemonKit } from '../monitor/daemon-kit';

describe('GET /me and agent status defaulting to my agent', () => {
  let kit: DaemonKit;
  beforeAll(async () => {
    kit = await startKit();
  });
  afterAll(async () => {
    await kit.stop();
    cleanupTmpDirs();
  });

  const cli = (args: string[], token: string) => runCli(['--api', kit.url, '--token', token, ...args]);

  it('GET /me: role, agent and name of the token; 401 without one', async () => {
    expect((await http(`${kit.url}/me`, { token: TEST_AGENT_TOKEN })).body).toEqual({ role: 'agent', agent: '1000', name: null });
    expect((await http(`${kit.url}/me`, { token: TEST_ADMIN_TOKEN })).body).toEqual({ role: 'admin', agent: null, name: 'ops' });
    expect((await http(`${kit.url}/me`, { token: TEST_SUPERVISOR_TOKEN })).body).toEqual({ role: 'supervisor', agent: null, name: 'sup' });
    expect((await http(`${kit.url}/me`)).status).toBe(401);
    const doc = (await http(`${kit.url}/openapi.json`)).body;
    expect(doc.paths['/me'].get['x-roles']).toEqual(['admin', 'supervisor', 'agent']);
  });

  it('agent token: `agent status` without EXT is its own agent; another EXT is still refused', async () => {
    const mine = await cli(['agent', 'status', '--json'], TEST_AGENT_TOKEN);
    expect(mine).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(mine.stdout).map((a: { extension: string }) => a.extension)).toEqual(['1000']);
    const table = await cli(['agent', 'status'], TEST_AGENT_TOKEN);
    expect(table.stdout).toMatch(/^EXTENSION\s+NAME\s+STATE/);
    expect(table.stdout).toMatch(/\n1000\s+Ana\s+offline/);
    expect(table.stdout).not.toMatch(/\n1001/);
    expect(await cli(['agent', 'status', '1001'], TEST_AGENT_TOKEN)).toMatchObject({ code: 3, stdout: '' });
  });

  it('admin and supervisor tokens: `agent status` without EXT lists every agent', async () => {
    for (const token of [TEST_ADMIN_TOKEN, TEST_SUPERVISOR_TOKEN]) {
      const r = await cli(['agent', 'status', '--json'], token);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).map((a: { extension: string }) => a.extension)).toEqual(['1000', '1001']);
    }
  });
});
