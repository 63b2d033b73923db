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
import { AGENT_1000, AGENT_1001, startE2E, until, type E2E } from '../e2e/helpers';

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

type OpenApiDoc = { paths: Record<string, Record<string, { responses: Record<string, { content?: { 'application/json': { schema: JsonNode } } }> }>> };
type JsonNode = { type?: string; additionalProperties?: unknown; items?: JsonNode; oneOf?: JsonNode[] };

/**
 * Documented bodies are closed: an object forbids unknown fields, an array's items and every
 * alternative of a union too (so the document is as strict as the zod schema the test validates).
 */
function closed(s: JsonNode): boolean {
  if (s.oneOf) return s.oneOf.every(closed);
  if (s.type === 'array') return !!s.items && closed(s.items);
  return s.type === 'object' && s.additionalProperties === false;
}

/**
 * Returns `documented(method, path, url, body?, token?)`: calls the route, checks the status, the
 * body against its schema and the document, records the route in `checked`, returns the body.
 */
function documentedOn(x: () => E2E, doc: () => OpenApiDoc, checked: string[]) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return async (method: string, path: string, url: string, body?: unknown, token?: string): Promise<any> => {
    const r = x().daemon.modules.flatMap((m) => m.routes?.() ?? []).find((d) => d.method === method && d.path === path);
    if (!r?.response) throw new Error(`${method} ${path} declares no response schema`);
    const res = await x().api(method, url, body, token);
    expect({ route: `${method} ${path}`, status: res.status, body: res.status < 300 ? 'ok' : res.body }).toEqual({
      route: `${method} ${path}`,
      status: r.responseStatus ?? 200,
      body: 'ok',
    });
    const parsed = r.response.safeParse(res.body);
    expect(parsed.success ? 'valid' : { route: `${method} ${path}`, body: res.body, issues: parsed.error.issues }).toBe('valid');
    const op = doc().paths[path.replace(/:(\w+)/g, '{$1}')][method.toLowerCase()];
    const content = op.responses[String(r.responseStatus ?? 200)].content;
    expect({ route: `${method} ${path}`, closed: !!content && closed(content['application/json'].schema) }).toEqual({ route: `${method} ${path}`, closed: true });
    checked.push(`${method} ${path}`);
    return res.body;
  };
}

/**
 * The integration routes (session, calls, agent actions, history) on the whole daemon driving the
 * simulator, so the answers are the ones a softphone really gets: a queue call answered, held,
 * unheld, muted and hung up; an outbound dial; login, pause, unpause, logout.
 */
describe('documented responses of the integration routes (daemon on the simulator)', () => {
  jest.setTimeout(20000);
  let x: E2E;
  let doc: OpenApiDoc;
  const checked: string[] = [];

  beforeAll(async () => {
    x = await startE2E();
    doc = (await x.api('GET', '/openapi.json')).body;
  });
  afterAll(() => x.stop());

  const documented = documentedOn(() => x, () => doc, checked);

  it('GET /me for an admin and for an agent token', async () => {
    expect(await documented('GET', '/me', '/me')).toEqual({ role: 'admin', agent: null, name: 'ops' });
    expect(await documented('GET', '/me', '/me', undefined, AGENT_1000)).toEqual({ role: 'agent', agent: '1000', name: null });
  });

  it('agent login, pause, unpause', async () => {
    const login = await documented('POST', '/agents/:ext/login', '/agents/1000/login', { queues: ['support'] });
    expect(login).toMatchObject({ extension: '1000', queues: [{ queue: 'support', penalty: 0 }] });
    await documented('POST', '/agents/:ext/login', '/agents/1001/login', { queues: ['support'] });
    expect(await documented('POST', '/agents/:ext/pause', '/agents/1000/pause', { reason: 'Almoço' })).toEqual({
      extension: '1000',
      reason: 'Almoço',
      statusId: 2,
      pending: false,
    });
    expect(await documented('POST', '/agents/:ext/unpause', '/agents/1000/unpause')).toEqual({ extension: '1000', cancelledPending: false });
    await x.waitAgentState('1000', 'available');
  });

  it('a queue call: list, show, hold, unhold, mute, hangup; then history and recent calls', async () => {
    await documented('POST', '/agents/:ext/pause', '/agents/1001/pause', { reason: 'Almoço' });
    x.sim.placeQueueCall({ queue: 'support', callerNumber: '5511987650001' });
    const live = await until(async () => (await x.calls()).find((c) => c.state === 'connected'), 5000, 'queue call connected');
    const list = await documented('GET', '/calls', '/calls');
    expect(list.calls.map((c: { id: string }) => c.id)).toEqual([live.id]);
    expect((await documented('POST', '/calls/:id/hold', `/calls/${live.id}/hold`)).state).toBe('on-hold');
    expect((await documented('POST', '/calls/:id/unhold', `/calls/${live.id}/unhold`)).state).toBe('connected');
    expect((await documented('POST', '/calls/:id/mute', `/calls/${live.id}/mute`)).muted).toBe(true);
    // A second caller waits (1000 busy, 1001 paused): the monitor shows both the call and the waiter.
    const waiter = x.sim.placeQueueCall({ queue: 'support', callerNumber: '5511987650002' });
    await until(async () => (await x.api('GET', '/monitor/queues/support')).body.waiting === 1, 5000, 'a caller waiting');
    const monitor = await documented('GET', '/monitor', '/monitor');
    expect(monitor.agents.find((a: { extension: string }) => a.extension === '1000').call).toMatchObject({ id: live.id });
    expect((await documented('GET', '/monitor/queues/:queue', '/monitor/queues/support')).callers).toHaveLength(1);
    expect((await documented('GET', '/monitor/agents/:ext', '/monitor/agents/1000')).state).toBe('on-call');
    x.sim.customerHangup(waiter);
    await until(async () => (await x.api('GET', '/monitor/queues/support')).body.waiting === 0, 5000, 'the waiter gone');
    const shown = await documented('GET', '/calls/:id', `/calls/${live.id}`);
    expect(shown.events.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['hold', 'unhold']));
    expect((await documented('POST', '/calls/:id/hangup', `/calls/${live.id}/hangup`)).id).toBe(live.id);
    await until(async () => (await x.api('GET', `/calls/${live.id}`)).body.endedAt !== null, 5000, 'call ended');
    // An ended call (from history) answers the same documented shape.
    expect((await documented('GET', '/calls/:id', `/calls/${live.id}`)).endReason).not.toBeNull();
    const history = await documented('GET', '/history', '/history');
    expect(history.calls[0]).toMatchObject({ id: live.id, status: 'answered' });
    const recent = await documented('GET', '/agents/:ext/recent-calls', '/agents/1000/recent-calls');
    expect(recent.calls[0]).toMatchObject({ id: live.id, category: 'incoming' });
  });

  it('an outbound dial (201) and a logout', async () => {
    await documented('POST', '/agents/:ext/unpause', '/agents/1001/unpause');
    await x.waitAgentState('1001', 'available');
    const dialled = await documented('POST', '/calls/dial', '/calls/dial', { agent: '1001', number: '11987654321' });
    expect(dialled).toMatchObject({ kind: 'outbound', agent: '1001', state: 'dialing-agent' });
    await until(async () => (await x.api('GET', `/calls/${dialled.id}`)).body.state === 'connected', 5000, 'outbound call connected');
    await documented('POST', '/calls/:id/hangup', `/calls/${dialled.id}/hangup`);
    // Logout during the wrap-up of the answered call is allowed (only calls in progress refuse it).
    await x.waitAgentState('1001', 'wrap-up');
    expect(await documented('POST', '/agents/:ext/logout', '/agents/1001/logout')).toEqual({ extension: '1001', queues: ['support'] });
  });

  it('checked every route of this group against a real answer', () => {
    expect([...new Set(checked)].sort()).toEqual(
      [
        'GET /me',
        'GET /calls',
        'GET /calls/:id',
        'POST /calls/dial',
        'POST /calls/:id/hold',
        'POST /calls/:id/unhold',
        'POST /calls/:id/mute',
        'POST /calls/:id/hangup',
        'POST /agents/:ext/login',
        'POST /agents/:ext/logout',
        'POST /agents/:ext/pause',
        'POST /agents/:ext/unpause',
        'GET /history',
        'GET /agents/:ext/recent-calls',
        'GET /monitor',
        'GET /monitor/queues/:queue',
        'GET /monitor/agents/:ext',
      ].sort(),
    );
  });
});

/**
 * Callbacks, blocklist, rooms, and what agents do with a live call (conference, transfer, room
 * move, wrap-up) on the whole daemon driving the simulator.
 */
describe('documented responses of callbacks, blocklist, rooms, conference, transfers, wrap-up', () => {
  jest.setTimeout(30000);
  let x: E2E;
  let doc: OpenApiDoc;
  const checked: string[] = [];
  const documented = documentedOn(() => x, () => doc, checked);

  beforeAll(async () => {
    x = await startE2E();
    doc = (await x.api('GET', '/openapi.json')).body;
  });
  afterAll(() => x.stop());

  /** The call part of `kind` made from `parentId`, once connected. */
  const partOf = (parentId: string, kind: string) =>
    until(async () => (await x.calls()).find((c) => c.parentId === parentId && c.kind === kind && c.state === 'connected'), 5000, `${kind} part connected`);
  /** `ext` is off its call: close a wrap-up it got with the CLI, then wait until available. */
  const settle = async (ext: string) => {
    const st = await until(async () => {
      const a = await x.agent(ext);
      return a.state !== 'on-call' && a.state !== 'ringing' ? a.state : undefined;
    }, 5000, `${ext} off the call`);
    if (st === 'wrap-up') expect((await x.cli(['wrapup', 'set', ext, '--disposition', 'Venda'])).code).toBe(0);
    await x.waitAgentState(ext, 'available');
  };

  it('callbacks: add (201), list, cancel', async () => {
    const at = new Date(Date.now() + 3_600_000).toISOString();
    const added = await documented('POST', '/callbacks', '/callbacks', { agent: '1002', number: '11987654321', at });
    expect(added).toMatchObject({ agent: '1002', status: 'pending', atIso: at });
    expect((await documented('GET', '/callbacks', '/callbacks')).map((c: { id: number }) => c.id)).toEqual([added.id]);
    expect(await documented('DELETE', '/callbacks/:id', `/callbacks/${added.id}`)).toMatchObject({ id: added.id, status: 'cancelled' });
  });

  it('blocklist: add (201), list, remove', async () => {
    const entry = await documented('POST', '/blocklist', '/blocklist', { number: '11987650009', minutes: 5 });
    expect(entry).toMatchObject({ number: '5511987650009', reason: 'manual', blockedBy: 'ops' });
    expect((await documented('GET', '/blocklist', '/blocklist')).entries).toEqual([entry]);
    expect(await documented('DELETE', '/blocklist/:number', '/blocklist/11987650009')).toEqual({ removed: '5511987650009' });
  });

  it('do-not-call list: add (201), list, import, a refused dial in refusals, remove', async () => {
    const entry = await documented('POST', '/dnc', '/dnc', { number: '11987650010', reason: 'pediu' });
    expect(entry).toMatchObject({ number: '5511987650010', queue: null, reason: 'pediu', addedBy: 'ops', created: true });
    expect(await documented('POST', '/dnc/import', '/dnc/import?queue=support', [{ number: '11987650011' }])).toEqual({ rows: 1, added: 1, alreadyListed: 0, duplicates: 0 });
    expect((await documented('GET', '/dnc', '/dnc')).entries).toHaveLength(2);
    await x.login('1002', ['vendas']);
    const dial = await x.api('POST', '/calls/dial', { agent: '1002', number: '11987650010' });
    expect(dial.body.error.message).toMatch(/do-not-call list \(global\)/);
    expect((await x.cli(['agent', 'logout', '1002'])).code).toBe(0);
    expect((await documented('GET', '/dnc/refusals', '/dnc/refusals')).refusals).toEqual([expect.objectContaining({ action: 'dial', number: '5511987650010' })]);
    expect(await documented('DELETE', '/dnc/:number', '/dnc/11987650011?queue=support')).toEqual({ removed: '5511987650011', queue: 'support' });
    const importOp = doc.paths['/dnc/import'].post as unknown as { requestBody: { content: Record<string, unknown> } };
    expect(Object.keys(importOp.requestBody.content)).toEqual(['application/json', 'text/csv']);
  });

  it('a queue call: conference, transfer cancelled and completed, room move, wrap-up by the agent and by a supervisor', async () => {
    expect(await documented('POST', '/rooms', '/rooms', { extension: '1001' })).toMatchObject({ extension: '1001', name: '*1001', agentName: 'Bruno' });
    expect((await documented('GET', '/rooms', '/rooms')).rooms.map((r: { name: string }) => r.name)).toEqual(['*1001']);
    await x.login('1000', ['support']);
    x.sim.placeQueueCall({ queue: 'support', callerNumber: '11912340000' });
    const call = await until(async () => (await x.calls()).find((c) => c.state === 'connected' && c.agent === '1000'), 5000, 'connected');
    // 1001 logs in once the queue call is with 1000: an available target.
    await x.login('1001', ['support']);

    expect(await documented('GET', '/calls/:id/conference', `/calls/${call.id}/conference`)).toEqual({ callId: call.id, state: 'none' });
    expect(await documented('POST', '/calls/:id/conference', `/calls/${call.id}/conference`, { agent: '1001' }, AGENT_1000)).toMatchObject({ agent: '1001', state: 'ringing' });
    await partOf(call.id, 'conference');
    expect((await documented('GET', '/calls/:id/conference', `/calls/${call.id}/conference`)).state).toBe('joined');
    expect((await documented('POST', '/calls/:id/conference/cancel', `/calls/${call.id}/conference/cancel`, undefined, AGENT_1000)).callId).toBe(call.id);
    await settle('1001');

    expect(await documented('POST', '/calls/:id/transfer', `/calls/${call.id}/transfer`, { target: '1001', kind: 'attended' }, AGENT_1000)).toMatchObject({
      targetType: 'agent',
      state: 'ringing',
    });
    await partOf(call.id, 'transfer');
    expect((await documented('GET', '/calls/:id/transfer', `/calls/${call.id}/transfer`)).state).toBe('consulting');
    expect((await documented('POST', '/calls/:id/transfer/cancel', `/calls/${call.id}/transfer/cancel`, undefined, AGENT_1000)).state).toBe('cancelled');
    await settle('1001');

    await documented('POST', '/calls/:id/transfer', `/calls/${call.id}/transfer`, { target: '1001', kind: 'attended' }, AGENT_1000);
    const child = await partOf(call.id, 'transfer');
    expect((await documented('POST', '/calls/:id/transfer/complete', `/calls/${call.id}/transfer/complete`, undefined, AGENT_1000)).state).toBe('completed');
    await x.waitAgentState('1000', 'wrap-up');
    const done = await documented('POST', '/agents/:ext/wrapup', '/agents/1000/wrapup', { disposition: 'Venda' }, AGENT_1000);
    expect(done).toMatchObject({ extension: '1000', callId: call.id, disposition: 'Venda', auto: false, finishedBy: 'agent' });

    await until(async () => (await x.calls()).find((c) => c.id === child.id && c.agent === '1001' && c.state === 'connected'), 5000, 'transferred');
    expect(await documented('POST', '/calls/:id/room', `/calls/${child.id}/room`, { extension: '1001' }, AGENT_1001)).toMatchObject({ callId: child.id, room: '*1001' });
    expect((await x.api('POST', `/calls/${child.id}/hangup`)).status).toBe(200);
    await x.waitAgentState('1001', 'wrap-up');
    const finished = await documented('POST', '/agents/:ext/wrapup/finish', '/agents/1001/wrapup/finish', { disposition: 'Resolvido' });
    expect(finished).toMatchObject({ extension: '1001', callId: child.id, disposition: 'Resolvido', finishedBy: 'supervisor:ops' });
    expect(await documented('DELETE', '/rooms/:ext', '/rooms/1001')).toEqual({ removed: '*1001' });
  });

  it('catalogue: queues, agents, pause reasons, dispositions (add 201, list, change, remove)', async () => {
    const q = await documented('POST', '/catalogue/queues', '/catalogue/queues', { name: 'extra', wrapupSeconds: 10 });
    expect(q).toMatchObject({ name: 'extra', wrapupSeconds: 10, maxNoAnswer: null });
    expect(await documented('PATCH', '/catalogue/queues/:name', '/catalogue/queues/extra', { maxNoAnswer: 3 })).toMatchObject({ name: 'extra', maxNoAnswer: 3 });
    expect((await documented('GET', '/catalogue/queues', '/catalogue/queues')).map((r: { name: string }) => r.name)).toEqual(expect.arrayContaining(['support', 'extra']));
    const agent = { extension: '1003', name: 'Davi', device: 'PJSIP/1003', queues: [{ queue: 'extra', penalty: 2 }] };
    expect(await documented('POST', '/catalogue/agents', '/catalogue/agents', agent)).toMatchObject(agent);
    expect(await documented('PATCH', '/catalogue/agents/:ext', '/catalogue/agents/1003', { name: 'Davi S' })).toMatchObject({ extension: '1003', name: 'Davi S' });
    expect((await documented('GET', '/catalogue/agents', '/catalogue/agents')).map((r: { extension: string }) => r.extension)).toContain('1003');
    // The queue still has 1003 assigned: removing it with force reports the assignment it dropped.
    expect(await documented('DELETE', '/catalogue/queues/:name', '/catalogue/queues/extra?force=true')).toEqual({ removedAssignments: 1 });
    expect(await documented('DELETE', '/catalogue/agents/:ext', '/catalogue/agents/1003')).toEqual({ removed: '1003' });
    expect(await documented('POST', '/catalogue/pause-reasons', '/catalogue/pause-reasons', { name: 'Treino', statusId: 5 })).toMatchObject({ name: 'Treino', statusId: 5 });
    expect((await documented('GET', '/catalogue/pause-reasons', '/catalogue/pause-reasons')).map((r: { name: string }) => r.name)).toContain('Treino');
    expect(await documented('DELETE', '/catalogue/pause-reasons/:name', '/catalogue/pause-reasons/Treino')).toEqual({ removed: 'Treino' });
    expect(await documented('POST', '/catalogue/dispositions', '/catalogue/dispositions', { tag: 'Teste', description: 'só teste' })).toMatchObject({ tag: 'Teste', description: 'só teste' });
    expect((await documented('GET', '/catalogue/dispositions', '/catalogue/dispositions')).map((r: { tag: string }) => r.tag)).toContain('Teste');
    expect(await documented('DELETE', '/catalogue/dispositions/:tag', '/catalogue/dispositions/Teste')).toEqual({ removed: 'Teste' });
  });

  it('reports: quantitative, summary (by queue), detailed; CSV documented next to the JSON', async () => {
    const q = await documented('GET', '/reports/quantitative', '/reports/quantitative?by=agent');
    expect(q.total.offered).toBeGreaterThan(0);
    const sum = await documented('GET', '/reports/summary', '/reports/summary?by=queue');
    expect(sum.rows.map((r: { key: string }) => r.key)).toContain('support');
    const det = await documented('GET', '/reports/detailed', '/reports/detailed?limit=2');
    expect(det.contacts.length).toBeGreaterThan(0);
    const op = doc.paths['/reports/summary'].get.responses['200'] as { content: Record<string, unknown> };
    expect(Object.keys(op.content).sort()).toEqual(['application/json', 'text/csv']);
  });

  it('the mounted routes still without a response schema are exactly the expected ones', () => {
    const undocumented = x.daemon.modules
      .flatMap((m) => m.routes?.() ?? [])
      .filter((r) => !r.response && !r.rawResponse)
      .map((r) => `${r.method} ${r.path}`);
    // Shrink this list on purpose when a route gets its schema; a new route must come with one.
    expect(undocumented.sort()).toEqual(['GET /agents/:ext/history', 'GET /agents/extensions'].sort());
  });

  it('checked every route of this group against a real answer', () => {
    expect([...new Set(checked)].sort()).toEqual(
      [
        'GET /callbacks',
        'POST /callbacks',
        'DELETE /callbacks/:id',
        'GET /blocklist',
        'POST /blocklist',
        'DELETE /blocklist/:number',
        'GET /dnc',
        'POST /dnc',
        'POST /dnc/import',
        'GET /dnc/refusals',
        'DELETE /dnc/:number',
        'GET /rooms',
        'POST /rooms',
        'DELETE /rooms/:ext',
        'GET /calls/:id/conference',
        'POST /calls/:id/conference',
        'POST /calls/:id/conference/cancel',
        'POST /calls/:id/transfer',
        'GET /calls/:id/transfer',
        'POST /calls/:id/transfer/cancel',
        'POST /calls/:id/transfer/complete',
        'POST /calls/:id/room',
        'POST /agents/:ext/wrapup',
        'POST /agents/:ext/wrapup/finish',
        ...['queues', 'agents', 'pause-reasons', 'dispositions'].flatMap((c) => [`GET /catalogue/${c}`, `POST /catalogue/${c}`]),
        'PATCH /catalogue/queues/:name',
        'PATCH /catalogue/agents/:ext',
        'DELETE /catalogue/queues/:name',
        'DELETE /catalogue/agents/:ext',
        'DELETE /catalogue/pause-reasons/:name',
        'DELETE /catalogue/dispositions/:tag',
        'GET /reports/quantitative',
        'GET /reports/summary',
        'GET /reports/detailed',
      ].sort(),
    );
  });
});

/** Live monitoring (supervisor/admin routes) on the whole daemon driving the simulator. */
describe('documented responses of live monitoring', () => {
  jest.setTimeout(20000);
  let x: E2E;
  let doc: OpenApiDoc;
  const checked: string[] = [];
  const documented = documentedOn(() => x, () => doc, checked);

  beforeAll(async () => {
    x = await startE2E();
    doc = (await x.api('GET', '/openapi.json')).body;
  });
  afterAll(() => x.stop());

  it('start (202), list, switch, stop; a failed session lists the same shape', async () => {
    await x.login('1000', ['support']);
    x.sim.placeQueueCall({ queue: 'support', callerNumber: '11912340001' });
    const call = await until(async () => (await x.calls()).find((c) => c.state === 'connected' && c.agent === '1000'), 5000, 'connected');
    const base = `/calls/${call.id}/monitor`;
    expect(await documented('GET', '/calls/:id/monitor', base)).toEqual({ callId: call.id, sessions: [] });
    const s = await documented('POST', '/calls/:id/monitor', base, { mode: 'listen', device: 'PJSIP/2000' });
    expect(s).toMatchObject({ callId: call.id, state: 'ringing', mode: 'listen', endReason: null });
    await until(async () => (await x.api('GET', base)).body.sessions[0].state === 'active', 3000, 'active');
    expect(await documented('PATCH', '/calls/:id/monitor/:monitorId', `${base}/${s.id}`, { mode: 'barge' })).toMatchObject({ mode: 'barge', state: 'active' });
    expect(await documented('DELETE', '/calls/:id/monitor/:monitorId', `${base}/${s.id}`)).toMatchObject({ state: 'ended', endReason: 'stopped' });
    x.sim.setDevice('PJSIP/2001', { answer: 'busy' });
    await documented('POST', '/calls/:id/monitor', base, { mode: 'whisper', device: 'PJSIP/2001' });
    await until(async () => (await x.api('GET', base)).body.sessions[1]?.state === 'failed', 3000, 'failed');
    const all = await documented('GET', '/calls/:id/monitor', base);
    expect(all.sessions.map((m: { state: string; endReason: string }) => `${m.state}/${m.endReason}`)).toEqual(['ended/stopped', 'failed/failed']);
  });

  it('checked every route of this group against a real answer', () => {
    expect([...new Set(checked)].sort()).toEqual(
      ['GET /calls/:id/monitor', 'POST /calls/:id/monitor', 'PATCH /calls/:id/monitor/:monitorId', 'DELETE /calls/:id/monitor/:monitorId'].sort(),
    );
  });
});
