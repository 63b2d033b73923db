/**
 * Live monitoring end to end (whole daemon on the simulator), as users drive it: the API routes
 * with their roles (agent tokens 403), the CLI commands, /events scoping (supervisors see monitor.*,
 * the monitored agent's softphone does not), the history rows (GET /calls/:id/monitor, call show,
 * SQLite), and a daemon restart in the middle of a session.
 */
import WebSocket from 'ws';
import { AGENT_1000, SUPERVISOR, bootEach, until, type E2E } from './helpers';

describe('live monitoring (daemon on the simulator)', () => {
  jest.setTimeout(20000);
  const boot = bootEach();

  async function connected(x: E2E, number = '5550301'): Promise<any> {
    x.sim.placeQueueCall({ queue: 'support', callerNumber: number });
    return until(async () => (await x.calls()).find((c) => c.state === 'connected' && c.agent === '1000'), 5000, 'call connected');
  }

  function events(x: E2E, token: string): { frames: any[]; close: () => void; ready: Promise<unknown> } {
    const frames: any[] = [];
    const ws = new WebSocket(`${x.apiUrl.replace(/^http/, 'ws')}/events`, { headers: { authorization: `Bearer ${token}` } });
    ws.on('message', (d) => frames.push(JSON.parse(String(d))));
    return { frames, close: () => ws.close(), ready: until(() => frames.some((f) => f.type === 'snapshot'), 3000, 'snapshot') };
  }

  it('agent tokens get 403 on every monitoring route, even for their own call; nothing is rung', async () => {
    const x = await boot();
    const call = await connected(x);
    const base = `/calls/${call.id}/monitor`;
    for (const [method, path, body] of [
      ['POST', base, { mode: 'listen', device: 'PJSIP/2000' }],
      ['GET', base, undefined],
      ['PATCH', `${base}/1`, { mode: 'barge' }],
      ['DELETE', `${base}/1`, undefined],
    ] as const) {
      const r = await x.api(method, path, body, AGENT_1000);
      expect({ method, status: r.status, code: r.body.error.code }).toEqual({ method, status: 403, code: 'forbidden' });
    }
    expect(x.sim.channels().filter((c) => c.device === 'PJSIP/2000')).toEqual([]);
    const cli = await x.cli(['call', 'monitor', call.id, '--mode', 'listen', '--device', 'PJSIP/2000'], AGENT_1000);
    expect(cli.code).toBe(3);
    // The agent still gets its call in `call show`, without any monitoring section.
    const show = await x.cli(['call', 'show', call.id], AGENT_1000);
    expect(show.code).toBe(0);
    expect(show.stdout).not.toContain('monitoring');
  });

  it('supervisor: CLI monitor, switch, list, call show, stop; /events to supervisors only; history row', async () => {
    const x = await boot();
    const sup = events(x, SUPERVISOR);
    const agent = events(x, AGENT_1000);
    await Promise.all([sup.ready, agent.ready]);
    const call = await connected(x);

    const noDevice = await x.api('POST', `/calls/${call.id}/monitor`, { mode: 'listen' }, SUPERVISOR);
    expect(noDevice).toMatchObject({ status: 400, body: { error: { code: 'invalid', field: 'device' } } });
    expect(noDevice.body.error.message).toContain('--device');
    expect((await x.api('POST', `/calls/${call.id}/monitor`, { mode: 'spy', device: 'PJSIP/2000' }, SUPERVISOR)).status).toBe(400);
    expect((await x.api('POST', `/calls/${call.id}/monitor`, { mode: 'listen', device: 'PJSIP/2000\r\nAction: Originate' }, SUPERVISOR)).status).toBe(400);
    expect((await x.cli(['call', 'monitor', call.id, '--mode', 'spy'], SUPERVISOR)).code).toBe(2);

    const started = await x.cli(['call', 'monitor', call.id, '--mode', 'listen', '--device', 'PJSIP/2000'], SUPERVISOR);
    expect(started).toMatchObject({ code: 0, stdout: expect.stringMatching(new RegExp(`^call ${call.id}: monitoring session 1 active \\(listen\\) on PJSIP/2000;`)) });
    const supPhone = x.sim.channels().find((c) => c.device === 'PJSIP/2000')!;
    expect(x.sim.canHear(supPhone.id, call.channels.agent)).toBe(true);
    expect(x.sim.canHear(call.channels.agent, supPhone.id)).toBe(false);

    expect(await x.cli(['call', 'monitor-mode', call.id, '1', 'whisper'], SUPERVISOR)).toMatchObject({ code: 0, stdout: `call ${call.id}: monitoring session 1 now whisper\n` });
    expect(x.sim.canHear(call.channels.agent, supPhone.id)).toBe(true);
    expect((await x.cli(['call', 'monitor-mode', call.id, '1', 'loud'], SUPERVISOR)).code).toBe(2);
    expect((await x.cli(['call', 'monitor-mode', call.id, '7', 'barge'], SUPERVISOR)).code).toBe(3);

    const list = await x.cli(['call', 'monitors', call.id], SUPERVISOR);
    expect(list.stdout).toMatch(/ID\s+SUPERVISOR\s+DEVICE\s+MODES\s+STATE/);
    expect(list.stdout).toMatch(/1\s+sup\s+PJSIP\/2000\s+listen>whisper\s+active/);
    const show = await x.cli(['call', 'show', call.id], SUPERVISOR);
    expect(show.stdout).toMatch(/monitoring:\n.*\n1\s+sup\s+PJSIP\/2000\s+listen>whisper\s+active/);
    const json = JSON.parse((await x.cli(['call', 'show', call.id, '--json'], SUPERVISOR)).stdout);
    expect(json.monitors).toEqual([expect.objectContaining({ id: 1, mode: 'whisper', state: 'active' })]);

    expect(await x.cli(['call', 'monitor-stop', call.id, '1'], SUPERVISOR)).toMatchObject({ code: 0, stdout: `call ${call.id}: monitoring session 1 stopped\n` });
    await until(() => !x.sim.channel(supPhone.id), 3000, 'supervisor phone hung up');
    expect((await x.api('DELETE', `/calls/${call.id}/monitor/1`, undefined, SUPERVISOR)).status).toBe(409);
    expect((await x.calls()).find((c) => c.id === call.id)).toMatchObject({ state: 'connected' });

    const types = (frames: any[]) => frames.filter((f) => String(f.type).startsWith('monitor.')).map((f) => `${f.type}:${f.data.change}`);
    await until(() => types(sup.frames).length === 4, 3000, 'monitor events');
    expect(types(sup.frames)).toEqual(['monitor.started:started', 'monitor.changed:answered', 'monitor.changed:mode', 'monitor.ended:stopped']);
    expect(sup.frames.find((f) => f.type === 'monitor.started')).toMatchObject({ callId: call.id, data: { id: 1, supervisor: 'sup', device: 'PJSIP/2000', mode: 'listen', monitoredAgent: '1000' } });
    expect(agent.frames.filter((f) => String(f.type).startsWith('monitor.'))).toEqual([]);
    expect(agent.frames.some((f) => f.type === 'call.state')).toBe(true); // the agent's socket was live all along
    sup.close();
    agent.close();

    const [row] = x.rows('SELECT * FROM monitor_sessions');
    expect(row).toMatchObject({ id: 1, call_id: call.id, current_call_id: call.id, supervisor: 'sup', device: 'PJSIP/2000', mode: 'whisper', state: 'ended', end_reason: 'stopped' });
    expect(JSON.parse(row.changes).map((c: { mode: string; by: string }) => `${c.mode}/${c.by}`)).toEqual(['listen/sup', 'whisper/sup']);
    expect(row.answered_at).toBeGreaterThanOrEqual(row.started_at);
  });

  it('a daemon restart during a session: the row closes as daemon-restart, its channels go, the call goes on', async () => {
    const x = await boot();
    const call = await connected(x);
    const r = await x.api('POST', `/calls/${call.id}/monitor`, { mode: 'barge', device: 'PJSIP/2000' }, SUPERVISOR);
    expect(r.status).toBe(202);
    await until(() => x.rows('SELECT state FROM monitor_sessions')[0]?.state === 'active', 3000, 'active');
    const phone = x.sim.channels().find((c) => c.device === 'PJSIP/2000')!.id;
    await x.restartDaemon();
    expect(x.rows('SELECT state, end_reason FROM monitor_sessions')).toEqual([{ state: 'ended', end_reason: 'daemon-restart' }]);
    // Recovery hangs up what no live call or session owns: the supervisor's phone, the snoop, their bridge.
    await until(() => !x.sim.channel(phone) && !x.sim.channels().some((c) => c.snoop), 8000, 'monitoring channels cleaned up');
    await until(() => !x.sim.bridges().some((b) => b.name.startsWith('monitor-')), 3000, 'monitoring bridge destroyed');
    const after = (await x.calls()).find((c) => c.id === call.id);
    expect(after).toMatchObject({ state: 'connected' });
    expect(x.sim.canHear(after.channels.agent, after.channels.customer)).toBe(true);
    // Monitoring works again on the adopted call.
    const again = await x.api('POST', `/calls/${call.id}/monitor`, { mode: 'listen', device: 'PJSIP/2000' }, SUPERVISOR);
    expect(again.status).toBe(202);
    await until(async () => (await x.api('GET', `/calls/${call.id}/monitor`, undefined, SUPERVISOR)).body.sessions[1]?.state === 'active', 3000, 'active again');
  });
});
