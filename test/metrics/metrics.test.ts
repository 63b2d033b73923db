import { ApiServer } from '../../src/api/server';
import { EventBus } from '../../src/events/bus';
import { silentLogger } from '../../src/log/logger';
import { createMetrics, metricsAllowed, type MetricsSources } from '../../src/metrics/metrics';
import { cleanupTmpDirs, TEST_ADMIN_TOKEN, TEST_AGENT_TOKEN, TEST_SUPERVISOR_TOKEN } from '../helpers/tmp';
import { http, startKit } from '../monitor/daemon-kit';

afterAll(cleanupTmpDirs);

const sources = (): MetricsSources => ({
  agents: () => [{ state: 'available' }, { state: 'available' }, { state: 'paused' }, { state: 'offline' }],
  calls: () => [{ state: 'connected' }, { state: 'on-hold' }, { state: 'connected' }, { state: 'ended' }],
  queues: () => [{ queue: 'support', waiting: 3, longestWaitSeconds: 41, abandoned: 2 }],
  links: () => ({
    ami: { up: true, info: { state: 'connected', reconnects: 4, eventsReceived: 1200 } },
    ari: { up: false, info: { state: 'connecting', reconnects: 1, eventsReceived: 300 } },
  }),
  eventClients: () => 2,
  eventLimits: () => ({ tooSlow: 3, refused: 5 }),
});

describe('metrics registry', () => {
  it('exposes states, queues, links, clients and domain events in Prometheus text', async () => {
    const bus = new EventBus();
    const m = createMetrics(sources(), { bus, agentStates: ['offline', 'available', 'paused', 'on-call'], callStates: ['connected', 'on-hold', 'ended'], version: '9.9.9' });
    bus.publish({ type: 'agent.state', agent: '1000', data: {} });
    bus.publish({ type: 'agent.state', agent: '1001', data: {} });
    bus.publish({ type: 'call.ended', data: {} });
    const text = await m.render();
    const lines = text.split('\n');
    for (const l of [
      'callcenterd_agents{state="available"} 2',
      'callcenterd_agents{state="paused"} 1',
      'callcenterd_agents{state="on-call"} 0',
      'callcenterd_calls{state="connected"} 2',
      'callcenterd_calls{state="on-hold"} 1',
      'callcenterd_queue_waiting_callers{queue="support"} 3',
      'callcenterd_queue_longest_wait_seconds{queue="support"} 41',
      'callcenterd_queue_abandoned_total{queue="support"} 2',
      'callcenterd_link_up{link="ami"} 1',
      'callcenterd_link_up{link="ari"} 0',
      'callcenterd_link_reconnects_total{link="ami"} 4',
      'callcenterd_link_reconnects_total{link="ari"} 1',
      'callcenterd_events_clients 2',
      'callcenterd_events_clients_closed_total{reason="too_slow"} 3',
      'callcenterd_events_connections_refused_total 5',
      'callcenterd_domain_events_total{type="agent.state"} 2',
      'callcenterd_build_info{version="9.9.9"} 1',
    ])
      expect(lines).toContain(l);
    // Ended calls are history: never a live state series.
    expect(text).not.toMatch(/callcenterd_calls\{state="ended"\}/);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    // A second scrape mirrors the clients' counters; it does not add them up again.
    expect((await m.render()).split('\n')).toContain('callcenterd_link_reconnects_total{link="ami"} 4');
    expect((await m.render()).split('\n')).toContain('callcenterd_events_connections_refused_total 5');
    m.stop();
  });

  it('two daemons in one process have separate registries', async () => {
    const a = createMetrics(sources(), { agentStates: [], callStates: [], defaultMetrics: false });
    const b = createMetrics({ ...sources(), eventClients: () => 7 }, { agentStates: [], callStates: [], defaultMetrics: false });
    expect(await a.render()).toContain('callcenterd_events_clients 2');
    expect(await b.render()).toContain('callcenterd_events_clients 7');
    a.stop();
    b.stop();
  });

  it('access: loopback needs no token; elsewhere admin or supervisor', () => {
    expect(metricsAllowed('127.0.0.1', undefined)).toBe(true);
    expect(metricsAllowed('::1', undefined)).toBe(true);
    expect(metricsAllowed('::ffff:127.0.0.1', undefined)).toBe(true);
    expect(metricsAllowed('10.0.0.5', undefined)).toBe(false);
    expect(metricsAllowed('10.0.0.5', { role: 'agent', agent: '1000' })).toBe(false);
    expect(metricsAllowed('10.0.0.5', { role: 'supervisor' })).toBe(true);
    expect(metricsAllowed('10.0.0.5', { role: 'admin' })).toBe(true);
  });

  it('access: a request that came through a proxy is not a loopback scrape, whatever the socket address', () => {
    expect(metricsAllowed('127.0.0.1', undefined, true)).toBe(false);
    expect(metricsAllowed('::1', { role: 'agent', agent: '1000' }, true)).toBe(false);
    expect(metricsAllowed('127.0.0.1', { role: 'supervisor' }, true)).toBe(true);
  });
});

describe('GET /metrics', () => {
  it('the API server applies the access rule: 401 without token, 403 for agents, 200 with the text format', async () => {
    const api = new ApiServer({
      listen: '127.0.0.1:0',
      tokens: [
        { token: TEST_ADMIN_TOKEN, role: 'admin' },
        { token: TEST_AGENT_TOKEN, role: 'agent', agent: '1000' },
      ],
      routes: [],
      health: () => ({ status: 'ok' }),
      log: silentLogger(),
      // As seen from a remote address: the loopback shortcut is off.
      metrics: { contentType: 'text/plain; version=0.0.4', render: async () => 'x_total 1\n', allowed: (_addr, p) => metricsAllowed('192.0.2.1', p) },
    });
    const url = await api.start();
    try {
      expect((await http(`${url}/metrics`)).status).toBe(401);
      expect((await http(`${url}/metrics`, { token: TEST_AGENT_TOKEN })).status).toBe(403);
      const ok = await http(`${url}/metrics`, { token: TEST_ADMIN_TOKEN });
      expect([ok.status, ok.text, ok.headers.get('content-type')]).toEqual([200, 'x_total 1\n', 'text/plain; version=0.0.4']);
    } finally {
      await api.stop();
    }
  });

  it('the shipped daemon serves its metrics to a loopback scraper without a token', async () => {
    const kit = await startKit();
    try {
      const res = await http(`${kit.url}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(res.text).toContain('callcenterd_agents{state="offline"} 2');
      expect(res.text).toContain('callcenterd_link_up{link="ami"} 0');
      expect(res.text).toMatch(/^nodejs_eventloop_lag_seconds /m);
      kit.ami.connect();
      expect((await http(`${kit.url}/metrics`, { token: TEST_SUPERVISOR_TOKEN })).text).toContain('callcenterd_link_up{link="ami"} 1');
    } finally {
      await kit.stop();
    }
  });

  it('a loopback request forwarded by a local reverse proxy needs a token (401 without)', async () => {
    const kit = await startKit();
    try {
      // What nginx/Caddy/Apache on the same host add: the socket is loopback, the scraper is not.
      const proxied: Record<string, string>[] = [
        { 'x-forwarded-for': '203.0.113.9' },
        { forwarded: 'for=203.0.113.9;proto=https' },
        { 'x-real-ip': '203.0.113.9' },
        { 'x-forwarded-for': '127.0.0.1' }, // the header is not trusted either way: a proxy was there
      ];
      for (const headers of proxied) {
        const refused = await http(`${kit.url}/metrics`, { headers });
        expect([refused.status, refused.body]).toEqual([401, { error: { code: 'unauthorized', message: 'metrics through a proxy need a bearer token' } }]);
        expect((await http(`${kit.url}/metrics`, { headers, token: TEST_AGENT_TOKEN })).status).toBe(403);
        const ok = await http(`${kit.url}/metrics`, { headers, token: TEST_SUPERVISOR_TOKEN });
        expect(ok.status).toBe(200);
        expect(ok.text).toContain('callcenterd_agents{state="offline"} 2');
      }
      expect((await http(`${kit.url}/metrics`)).status).toBe(200); // a direct loopback scrape still needs none
    } finally {
      await kit.stop();
    }
  });
});
