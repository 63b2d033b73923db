/** Transfer / conference / room routes through the real API server and CLI, on the simulator. */
import { ApiServer } from '../../src/api/server';
import { silentLogger } from '../../src/log/logger';
import { cleanupTmpDirs, runCli, TEST_ADMIN_TOKEN, writeConfig } from '../helpers/tmp';
import { until, world, type World } from './sim-harness';

const AGENT_1001_TOKEN = 'agent-token-1001-0123456789ab';

describe('transfer API and CLI', () => {
  let w: World;
  let server: ApiServer;
  let url: string;
  let cfg: string;
  const cli = (args: string[], token = TEST_ADMIN_TOKEN) => runCli([...args, '--config', cfg, '--api', url, '--token', token]);

  beforeEach(async () => {
    w = await world();
    cfg = writeConfig();
    server = new ApiServer({
      listen: '127.0.0.1:0',
      tokens: [
        { token: TEST_ADMIN_TOKEN, role: 'admin', name: 'ops' },
        { token: AGENT_1001_TOKEN, role: 'agent', agent: '1001' },
      ],
      routes: [...w.transfers.routes!(), ...w.conference.routes!()],
      health: () => ({ status: 'ok' }),
      log: silentLogger(),
    });
    url = await server.start();
  });
  afterEach(async () => {
    await server.stop();
    await w.stop();
  });
  afterAll(cleanupTmpDirs);

  it('agent tokens act only on their own calls; attended transfer from the CLI', async () => {
    const { call } = await w.connectedCall();
    const denied = await cli(['call', 'transfer', call.id, '1002'], AGENT_1001_TOKEN);
    expect(denied.code).toBe(3);
    expect(denied.stderr).toContain('this token acts only for agent 1001');
    expect((await cli(['call', 'room', call.id, '1001'], AGENT_1001_TOKEN)).code).toBe(3);
    expect(w.svc.list()).toHaveLength(1);

    const bad = await cli(['call', 'transfer', call.id, '12']);
    expect(bad.code).toBe(2);

    const noRoom = await cli(['call', 'room', call.id, '1001']);
    expect(noRoom).toMatchObject({ code: 3, stderr: expect.stringContaining('room *1001 is not configured') });

    const started = await cli(['call', 'transfer', call.id, '1001']);
    expect(started.code).toBe(0);
    expect(started.stdout).toMatch(/transfer to agent 1001 consulting/);
    const tr = w.transfers.transfers.get(call.id)!;
    // The new part belongs to agent 1001: its token may act on it, and read the parent's outcome.
    expect(await cli(['call', 'transfer-complete', call.id])).toMatchObject({ code: 0, stdout: expect.stringContaining('transferred to agent 1001') });
    await until(() => w.svc.get(tr.childId)?.customerChannelId === call.customerChannelId);
    expect((await cli(['call', 'transfer-cancel', call.id])).code).toBe(3); // the parent call is over
    // Agent 1000 is free again: agent 1001 may transfer its own part back, then cancel.
    const back = await cli(['call', 'transfer', tr.childId, '1000'], AGENT_1001_TOKEN);
    expect(back).toMatchObject({ code: 0, stdout: expect.stringMatching(/transfer to agent 1000 consulting/) });
    expect(await cli(['call', 'transfer-cancel', tr.childId], AGENT_1001_TOKEN)).toMatchObject({ code: 0 });
    expect(w.svc.get(tr.childId)!.state).toBe('connected');
  });

  it('scope before lookup: another agent\'s call, with or without a transfer, and an unknown id are the same 403', async () => {
    const { call } = await w.connectedCall(); // agent 1000's call, no transfer yet
    const ask = async (method: string, path: string, token = AGENT_1001_TOKEN) => {
      const res = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
      return { status: res.status, body: (await res.json()) as { error?: { message: string } } };
    };
    const denied = { status: 403, body: { error: { code: 'forbidden', message: 'this token acts only for agent 1001', details: { call: call.id } } } };
    expect(await ask('GET', `/calls/${call.id}/transfer`)).toEqual(denied);
    expect(await ask('GET', `/calls/${call.id}/conference`)).toEqual(denied);
    expect(await ask('GET', '/calls/nope/transfer')).toEqual({
      status: 403,
      body: { error: { code: 'forbidden', message: 'this token acts only for agent 1001', details: { call: 'nope' } } },
    });
    // The admin still learns the truth.
    expect((await ask('GET', `/calls/${call.id}/transfer`, TEST_ADMIN_TOKEN)).status).toBe(404);
    expect((await ask('GET', '/calls/nope/transfer', TEST_ADMIN_TOKEN)).status).toBe(404);
  });
});
