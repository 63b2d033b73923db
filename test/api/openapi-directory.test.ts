/**
 * The directory, its catalogues and the queue/group transfer answers validate against their
 * documented schemas (RouteDef.response) on the whole daemon driving the simulator, and
 * /openapi.json documents them closed (no undocumented field).
 */
import type { RouteDef } from '../../src/api/types';
import { AGENT_1000, AGENT_1001, startE2E, until, type E2E } from '../e2e/helpers';

jest.setTimeout(30000);

type Json = { type?: string; additionalProperties?: unknown; items?: Json; properties?: Record<string, Json> };

describe('documented responses of the directory, agent groups, services, contacts, queue and group transfers', () => {
  let x: E2E;
  let doc: { paths: Record<string, Record<string, { responses: Record<string, { content?: { 'application/json': { schema: Json } } }> }>> };
  const checked: string[] = [];

  beforeAll(async () => {
    x = await startE2E();
    doc = (await x.api('GET', '/openapi.json')).body;
  });
  afterAll(() => x.stop());

  const routeOf = (method: string, path: string): RouteDef => {
    const r = x.daemon.modules.flatMap((m) => m.routes?.() ?? []).find((d) => d.method === method && d.path === path);
    if (!r?.response) throw new Error(`${method} ${path} declares no response schema`);
    return r;
  };

  /** Calls the route, checks status (documented one unless `status`), schema and the closed document. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const documented = async (method: string, path: string, url: string, body?: unknown, token?: string, status?: number): Promise<any> => {
    const r = routeOf(method, path);
    const res = await x.api(method, url, body, token);
    expect({ route: `${method} ${path}`, status: res.status, body: res.status < 300 ? 'ok' : res.body }).toEqual({
      route: `${method} ${path}`,
      status: status ?? r.responseStatus ?? 200,
      body: 'ok',
    });
    const parsed = r.response!.safeParse(res.body);
    expect(parsed.success ? 'valid' : { route: `${method} ${path}`, body: res.body, issues: parsed.error.issues }).toBe('valid');
    const schema = doc.paths[path.replace(/:(\w+)/g, '{$1}')][method.toLowerCase()].responses[String(r.responseStatus ?? 200)].content!['application/json'].schema;
    const item = schema.type === 'array' ? schema.items! : schema;
    expect({ route: `${method} ${path}`, closed: item.additionalProperties }).toEqual({ route: `${method} ${path}`, closed: false });
    checked.push(`${method} ${path}`);
    return res.body;
  };

  it('catalogues: agent groups, services, contacts (add 201, list, change, remove)', async () => {
    const g = await documented('POST', '/catalogue/agent-groups', '/catalogue/agent-groups', { name: 'equipe', agents: ['1001', '1002'], strategy: 'sequential' });
    expect(g).toMatchObject({ name: 'equipe', agents: ['1001', '1002'], strategy: 'sequential', ringSeconds: null });
    expect(await documented('PATCH', '/catalogue/agent-groups/:name', '/catalogue/agent-groups/equipe', { ringSeconds: 5 })).toMatchObject({ ringSeconds: 5 });
    expect(await documented('GET', '/catalogue/agent-groups', '/catalogue/agent-groups')).toHaveLength(1);
    await documented('POST', '/catalogue/agent-groups', '/catalogue/agent-groups', { name: 'tmp', agents: ['1000'] });
    expect(await documented('DELETE', '/catalogue/agent-groups/:name', '/catalogue/agent-groups/tmp')).toEqual({ removed: 'tmp' });

    expect(await documented('POST', '/catalogue/services', '/catalogue/services', { extension: '301', name: 'Segunda via' })).toMatchObject({ extension: '301' });
    expect(await documented('PATCH', '/catalogue/services/:ext', '/catalogue/services/301', { name: 'Segunda via de boleto' })).toMatchObject({ name: 'Segunda via de boleto' });
    await documented('POST', '/catalogue/services', '/catalogue/services', { extension: '300', name: 'Eco' });
    expect(await documented('DELETE', '/catalogue/services/:ext', '/catalogue/services/300')).toEqual({ removed: '300' });
    expect(await documented('GET', '/catalogue/services', '/catalogue/services')).toHaveLength(1);

    expect(await documented('POST', '/catalogue/contacts', '/catalogue/contacts', { name: 'Banco Itaú', number: '(11) 3003-0000' })).toMatchObject({ number: '551130030000' });
    await documented('POST', '/catalogue/contacts', '/catalogue/contacts', { name: 'Tmp', number: '+1 415 555 0100' });
    expect(await documented('DELETE', '/catalogue/contacts/:name', `/catalogue/contacts/${encodeURIComponent('Tmp')}`)).toEqual({ removed: 'Tmp' });
    expect(await documented('GET', '/catalogue/contacts', '/catalogue/contacts')).toHaveLength(1);

    // Writes are admin-only; bad input is a 400 naming the field.
    expect((await x.api('POST', '/catalogue/contacts', { name: 'X', number: '11 3003' })).body.error).toMatchObject({ code: 'invalid', field: 'number' });
    expect((await x.api('POST', '/catalogue/agent-groups', { name: 'y', agents: ['1009'] })).body.error).toMatchObject({ code: 'invalid', field: 'agents' });
    expect((await x.api('POST', '/catalogue/services', { extension: '302', name: 'x' }, AGENT_1000)).status).toBe(403);
    expect((await x.api('GET', '/catalogue/contacts', undefined, AGENT_1000)).status).toBe(403);
  });

  it('GET /directory for any token, filtered by q', async () => {
    await x.login('1000', ['support']);
    const all = await documented('GET', '/directory', '/directory', undefined, AGENT_1001);
    expect(all.agents.map((a: { target: string; state: string }) => `${a.target} ${a.state}`)).toEqual(['1000 available', '1001 offline', '1002 offline']);
    expect(all.groups).toEqual([{ name: 'equipe', strategy: 'sequential', agents: ['1001', '1002'], available: 0, target: 'group:equipe' }]);
    expect(all.queues.map((q: { target: string }) => q.target)).toEqual(['queue:support', 'queue:vendas']);
    expect(all.services).toEqual([{ extension: '301', name: 'Segunda via de boleto', target: '301' }]);
    expect(all.contacts).toEqual([{ name: 'Banco Itaú', number: '551130030000', target: '+551130030000' }]);
    const itau = await documented('GET', '/directory', `/directory?q=${encodeURIComponent('ITAU')}`);
    expect(itau).toMatchObject({ query: 'ITAU', agents: [], groups: [], queues: [], services: [], contacts: [{ name: 'Banco Itaú' }] });
    expect((await x.api('GET', `/directory?q=${encodeURIComponent('3003-0000')}`)).body.contacts).toHaveLength(1);
    expect((await x.api('GET', '/directory?nope=1')).status).toBe(400);
  });

  it('transfer to a group (202, ringing with its progress) and to a queue (200, completed)', async () => {
    x.sim.setDevice('PJSIP/1001', { answer: 'never' });
    x.sim.placeQueueCall({ queue: 'support', callerNumber: '11912340000' });
    const call = await until(async () => (await x.calls()).find((c) => c.state === 'connected' && c.agent === '1000'), 5000, 'connected');
    await x.login('1001', ['support']);
    await x.login('1002', ['vendas']);
    x.sim.setDevice('PJSIP/1002', { answer: 'never' });
    const t = await documented('POST', '/calls/:id/transfer', `/calls/${call.id}/transfer`, { target: 'group:equipe' }, AGENT_1000);
    expect(t).toMatchObject({ targetType: 'group', state: 'ringing', group: { ringing: ['1001'], tried: ['1001'], answeredBy: null } });
    expect(await documented('GET', '/calls/:id/transfer', `/calls/${call.id}/transfer`)).toMatchObject({ group: { name: 'equipe' } });
    expect((await documented('POST', '/calls/:id/transfer/cancel', `/calls/${call.id}/transfer/cancel`, undefined, AGENT_1000)).state).toBe('cancelled');
    await x.waitAgentState('1001', 'available');

    const q = await documented('POST', '/calls/:id/transfer', `/calls/${call.id}/transfer`, { target: 'queue:vendas' }, AGENT_1000, 200);
    expect(q).toMatchObject({ targetType: 'queue', state: 'completed' });
  });

  it('checked every route of this group against a real answer', () => {
    expect([...new Set(checked)].sort()).toEqual(
      [
        'GET /directory',
        ...['agent-groups', 'services', 'contacts'].flatMap((c) => [`GET /catalogue/${c}`, `POST /catalogue/${c}`]),
        'PATCH /catalogue/agent-groups/:name',
        'PATCH /catalogue/services/:ext',
        'DELETE /catalogue/agent-groups/:name',
        'DELETE /catalogue/services/:ext',
        'DELETE /catalogue/contacts/:name',
        'POST /calls/:id/transfer',
        'GET /calls/:id/transfer',
        'POST /calls/:id/transfer/cancel',
      ].sort(),
    );
  });
});
