/**
 * Supervisor monitoring: the view itself (buildMonitor), GET /monitor on the shipped daemon (roles,
 * agent scope, 404s, live queue callers from AMI) and `callcenterd monitor` (tables, --json, --watch,
 * exit codes 0/2/3/4).
 */
import type { AgentStatus } from '../../src/agents/service';
import { buildMonitor, type MonitorCall, type MonitorSources } from '../../src/api/monitor';
import { duration } from '../../src/cli/commands/monitor';
import { cleanupTmpDirs, runCli, writeConfig } from '../helpers/tmp';
import { http, startKit, TEST_ADMIN_TOKEN, TEST_AGENT_TOKEN, TEST_SUPERVISOR_TOKEN, type DaemonKit } from './daemon-kit';

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);

function status(extension: string, over: Partial<AgentStatus>): AgentStatus {
  return {
    extension,
    name: `Agent ${extension}`,
    device: `PJSIP/${extension}`,
    state: 'offline',
    since: null,
    pauseReason: null,
    pauseStatusId: null,
    pendingPause: null,
    queues: [],
    loginAt: null,
    callsTaken: 0,
    missesInRow: 0,
    talkSeconds: 0,
    currentCallId: null,
    wrapup: null,
    ...over,
  };
}

describe('buildMonitor', () => {
  it('per queue: waiting, longest wait, logged-in agents by state; per agent: state, since, call, pause', () => {
    const call: MonitorCall = { id: 'c9', agent: '1000', number: '5511987654321', queue: 'support', direction: 'inbound', kind: 'inbound', state: 'connected', talkSeconds: 95, durationSeconds: 100 };
    const src: MonitorSources = {
      now: () => T0 + 120_000,
      agents: () => [
        status('1000', { state: 'on-call', since: T0, queues: ['support'], currentCallId: 'c9', callsTaken: 3 }),
        status('1001', { state: 'paused', since: T0 + 60_000, queues: ['support', 'vendas'], pauseReason: 'Almoço' }),
        status('1002', { state: 'offline' }),
      ],
      calls: () => [call],
      queueNames: () => ['support', 'vendas'],
      waiting: (names) =>
        names.map((q) => ({ queue: q, waiting: q === 'support' ? 2 : 0, longestWaitSeconds: q === 'support' ? 33 : 0, abandoned: 0, callers: [] })),
    };
    const v = buildMonitor(src);
    expect(v.at).toBe(T0 + 120_000);
    expect(v.queues).toEqual([
      {
        queue: 'support',
        waiting: 2,
        longestWaitSeconds: 33,
        abandoned: 0,
        callers: [],
        loggedIn: 2,
        agents: { available: 0, ringing: 0, 'on-call': 1, 'wrap-up': 0, paused: 1, inactive: 0 },
        callbackRequests: [],
      },
      expect.objectContaining({ queue: 'vendas', loggedIn: 1, agents: expect.objectContaining({ paused: 1, 'on-call': 0 }) }),
    ]);
    expect(v.agents[0]).toMatchObject({
      extension: '1000',
      state: 'on-call',
      forSeconds: 120,
      call: { id: 'c9', number: '5511987654321', queue: 'support', talkSeconds: 95 },
      callsTaken: 3,
    });
    expect(v.agents[1]).toMatchObject({ extension: '1001', state: 'paused', forSeconds: 60, pauseReason: 'Almoço', call: null });
    expect(v.agents[2]).toMatchObject({ extension: '1002', state: 'offline', forSeconds: null });
  });

  it('per queue: the callback requests callers left and not yet served, with the wait of their place', () => {
    const src: MonitorSources = {
      now: () => T0 + 90_000,
      agents: () => [],
      calls: () => [],
      queueNames: () => ['support'],
      waiting: (names) => names.map((q) => ({ queue: q, waiting: 0, longestWaitSeconds: 0, abandoned: 0, callers: [] })),
      callbackRequests: () =>
        new Map([
          ['support', [{ id: 4, number: '11933334444', queueJoinedAt: T0, status: 'pending' }]],
          // A queue the catalogue no longer lists still shows its open requests.
          ['old', [{ id: 2, number: '11911112222', queueJoinedAt: T0 + 60_000, status: 'ringing' }]],
        ]),
    };
    const v = buildMonitor(src);
    expect(v.queues.map((q) => [q.queue, q.callbackRequests])).toEqual([
      ['support', [{ id: 4, number: '11933334444', status: 'pending', waitSeconds: 90 }]],
      ['old', [{ id: 2, number: '11911112222', status: 'ringing', waitSeconds: 30 }]],
    ]);
  });

  it('formats durations for the tables', () => {
    expect([duration(0), duration(75), duration(3700), duration(null)]).toEqual(['0:00', '1:15', '1:01:40', '']);
  });
});

describe('GET /monitor and callcenterd monitor', () => {
  let kit: DaemonKit;
  let cfg: string;
  beforeAll(async () => {
    kit = await startKit();
    cfg = writeConfig();
  });
  afterAll(async () => {
    await kit.stop();
    cleanupTmpDirs();
  });
  const cli = (args: string[], token = TEST_SUPERVISOR_TOKEN, api = kit.url) => runCli([...args, '--config', cfg, '--api', api, '--token', token]);

  it('shows the catalogue queues and agents, and callers waiting as AMI reports them', async () => {
    kit.ami.emitEvent({ Event: 'QueueCallerJoin', Queue: 'support', Uniqueid: '1795.1', Channel: 'Local/support@queues-1;2', CallerIDNum: '5550101', Position: '1' });
    const res = await http(`${kit.url}/monitor`, { token: TEST_SUPERVISOR_TOKEN });
    expect(res.status).toBe(200);
    expect(res.body.queues.map((q: { queue: string; waiting: number }) => [q.queue, q.waiting])).toEqual([
      ['support', 1],
      ['vendas', 0],
    ]);
    expect(res.body.agents.map((a: { extension: string; state: string }) => [a.extension, a.state])).toEqual([
      ['1000', 'offline'],
      ['1001', 'offline'],
    ]);
    expect((await http(`${kit.url}/monitor/queues/support`, { token: TEST_ADMIN_TOKEN })).body).toMatchObject({ queue: 'support', waiting: 1 });
    expect((await http(`${kit.url}/monitor/queues/nope`, { token: TEST_ADMIN_TOKEN })).status).toBe(404);
  });

  it('agent tokens: only their own agent view', async () => {
    expect((await http(`${kit.url}/monitor`, { token: TEST_AGENT_TOKEN })).status).toBe(403);
    expect((await http(`${kit.url}/monitor/agents/1000`, { token: TEST_AGENT_TOKEN })).body).toMatchObject({ extension: '1000', name: 'Ana' });
    expect((await http(`${kit.url}/monitor/agents/1001`, { token: TEST_AGENT_TOKEN })).status).toBe(403);
    expect((await http(`${kit.url}/monitor/agents/1999`, { token: TEST_ADMIN_TOKEN })).status).toBe(404);
  });

  it('prints the queue and agent tables (exit 0) and --json the API document', async () => {
    const r = await cli(['monitor']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^callcenterd monitor — \d{4}-\d\d-\d\d /);
    expect(lines[2]).toMatch(/^QUEUE\s+WAITING\s+LONGEST\s+ABANDONED\s+CALLBACKS\s+AGENTS\s+AVAILABLE\s+RINGING\s+ON_CALL\s+WRAP_UP\s+PAUSED$/);
    expect(lines[3]).toMatch(/^support\s+1\s+\d:\d\d\s+0\s+0/);
    expect(r.stdout).toMatch(/\nAGENT\s+NAME\s+STATE\s+FOR\s+REASON\s+CALL\s+NUMBER\s+TALK\s+QUEUES\s+CALLS\s+MISSES\n1000\s+Ana\s+offline/);
    const js = await cli(['monitor', '--json']);
    expect(JSON.parse(js.stdout)).toMatchObject({ queues: [{ queue: 'support' }, { queue: 'vendas' }], agents: [{ extension: '1000' }, { extension: '1001' }] });
  });

  it('--watch --count n redraws n times', async () => {
    const r = await cli(['monitor', '--watch', '--interval', '1', '--count', '2', '--json']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').map((l) => Object.keys(JSON.parse(l)).sort())).toEqual([
      ['agents', 'at', 'queues'],
      ['agents', 'at', 'queues'],
    ]);
  });

  it('exit codes: 2 bad input, 3 refused, 4 daemon unreachable', async () => {
    expect(await cli(['monitor', '--interval', '0', '--watch'])).toMatchObject({ code: 2, stderr: 'callcenterd: --interval: must be between 1 and 3600, got 0\n' });
    expect(await cli(['monitor'], TEST_SUPERVISOR_TOKEN, 'ftp://x')).toMatchObject({ code: 2 });
    const refused = await cli(['monitor'], TEST_AGENT_TOKEN);
    expect(refused).toMatchObject({ code: 3, stderr: 'callcenterd: role agent may not GET /monitor\n' });
    expect((await cli(['monitor'], 'not-a-valid-token-at-all')).code).toBe(3);
    const down = await cli(['monitor'], TEST_SUPERVISOR_TOKEN, 'http://127.0.0.1:1');
    expect(down).toMatchObject({ code: 4, stderr: 'callcenterd: daemon not reachable at http://127.0.0.1:1\n' });
  });
});
