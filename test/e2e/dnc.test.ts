/**
 * Do-not-call list end to end (whole daemon on the simulator): a listed number is refused on every
 * path that would call it (dial through the API and the CLI, transfer to an external number,
 * callback when scheduled and when due), nothing is originated on the sim, and every refused
 * attempt is in the refusals history with who tried. The list is managed by the CLI (on the
 * database) and the API (JSON and text/csv import).
 */
import { ADMIN, AGENT_1000, bootEach, SUPERVISOR, type E2E, until } from './helpers';

jest.setTimeout(30000);

const LISTED = '11987654321';
const originates = (x: E2E, since = 0) =>
  x.sim.actions.filter((a) => a.seq > since && (a.route === 'POST /channels' || a.route === 'POST /channels/{id}'));

describe('e2e: do-not-call list', () => {
  const boot = bootEach();

  it('an agent dials a listed number: 409 / exit 3 naming the entry, nothing originated, the refusal recorded', async () => {
    const x = await boot();
    const added = await x.cli(['dnc', 'add', '(11) 98765-4321', '--reason', 'pediu para não ligar']);
    expect(added).toMatchObject({ code: 0, stdout: '+5511987654321 added to the do-not-call list (global)\n' });
    const mark = x.sim.mark();

    const api = await x.api('POST', '/calls/dial', { agent: '1000', number: '+55 11 98765-4321' }, AGENT_1000);
    expect(api.status).toBe(409);
    const [entry] = (await x.api('GET', '/dnc')).body.entries;
    const today = new Date(entry.createdAt).toISOString().slice(0, 10);
    expect(api.body.error).toMatchObject({
      code: 'refused',
      message: `number +5511987654321 is on the do-not-call list (global) since ${today}: pediu para não ligar`,
      details: { number: '5511987654321', dnc: { scope: 'global', queue: null, reason: 'pediu para não ligar' } },
    });
    const cli = await x.cli(['call', 'dial', '1000', LISTED], AGENT_1000);
    expect(cli.code).toBe(3);
    expect(cli.stderr).toBe(`callcenterd: number +5511987654321 is on the do-not-call list (global) since ${today}: pediu para não ligar\n`);
    // A supervisor dialling for the agent is refused the same way, and named as who tried.
    expect((await x.api('POST', '/calls/dial', { agent: '1000', number: LISTED }, SUPERVISOR)).status).toBe(409);

    expect(originates(x, mark)).toEqual([]);
    expect(x.rows('SELECT COUNT(*) AS n FROM calls')[0].n).toBe(0);
    expect((await x.agent('1000')).state).toBe('available');
    const refusals = (await x.api('GET', '/dnc/refusals')).body.refusals;
    expect(refusals.map((r: any) => [r.action, r.agent, r.by, r.queue, r.entryQueue])).toEqual([
      ['dial', '1000', 'sup', 'support', null],
      ['dial', '1000', '1000', 'support', null],
      ['dial', '1000', '1000', 'support', null],
    ]);
    // Agents do not manage the list or read its refusals.
    expect((await x.api('GET', '/dnc', undefined, AGENT_1000)).status).toBe(403);

    // Off the list, the same dial goes through.
    expect((await x.api('DELETE', `/dnc/${encodeURIComponent('+5511987654321')}`)).body).toEqual({ removed: '5511987654321', queue: null });
    expect((await x.api('POST', '/calls/dial', { agent: '1000', number: LISTED }, AGENT_1000)).status).toBe(201);
  });

  it('a queue entry refuses calls for that queue only (the agent\'s first queue)', async () => {
    const x = await boot();
    x.sim.setRemote(/11987654321/, { answer: 'never' });
    expect((await x.api('POST', '/dnc', { number: LISTED, queue: 'vendas' })).status).toBe(201);
    // 1000 is logged into support: the vendas entry does not apply.
    const ok = await x.api('POST', '/calls/dial', { agent: '1000', number: LISTED }, AGENT_1000);
    expect(ok.status).toBe(201);
    expect((await x.api('POST', `/calls/${ok.body.id}/hangup`)).status).toBe(200);
    await until(async () => (await x.agent('1000')).state === 'available', 5000, 'agent free');
    expect((await x.cli(['agent', 'logout', '1000'])).code).toBe(0);
    await x.login('1000', ['vendas']);
    const mark = x.sim.mark();
    const refused = await x.api('POST', '/calls/dial', { agent: '1000', number: LISTED }, AGENT_1000);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/on the do-not-call list \(queue vendas\)/);
    expect(originates(x, mark)).toEqual([]);
  });

  it('a transfer of a live call to a listed external number is refused; the call goes on', async () => {
    const x = await boot();
    await x.cli(['dnc', 'add', LISTED, '--queue', 'support', '--reason', 'campanha']);
    x.sim.placeQueueCall({ queue: 'support', callerNumber: '5511912340000' });
    const call = await until(async () => (await x.calls()).find((c) => c.state === 'connected'), 5000, 'queue call connected');
    const mark = x.sim.mark();
    const r = await x.api('POST', `/calls/${call.id}/transfer`, { target: '011 98765-4321' }, AGENT_1000);
    expect(r.status).toBe(409);
    expect(r.body.error.message).toMatch(/^number \+5511987654321 is on the do-not-call list \(queue support\) since .*: campanha$/);
    const cli = await x.cli(['call', 'transfer', call.id, LISTED], AGENT_1000);
    expect(cli.code).toBe(3);
    expect(originates(x, mark)).toEqual([]);
    expect((await x.api('GET', `/calls/${call.id}`)).body.state).toBe('connected');
    const refusals = (await x.api('GET', '/dnc/refusals?agent=1000')).body.refusals;
    expect(refusals[0]).toMatchObject({ action: 'transfer', callId: call.id, agent: '1000', by: '1000', entryQueue: 'support', reason: 'campanha' });
    // The call's own history shows the refused transfer too.
    const events = (await x.api('GET', `/calls/${call.id}`)).body.events.filter((e: any) => e.type === 'transfer-refused');
    expect(events.map((e: any) => e.data)).toEqual([
      expect.objectContaining({ to: 'number 5511987654321', by: '1000', reason: expect.stringMatching(/do-not-call list \(queue support\)/) }),
      expect.objectContaining({ to: 'number 5511987654321', by: '1000' }),
    ]);
  });

  it('callbacks: a listed number is refused when scheduled; one listed after scheduling fails when due, never retried', async () => {
    const x = await boot();
    await x.cli(['dnc', 'add', LISTED]);
    const at = new Date(Date.now() + 60_000).toISOString();
    const refused = await x.api('POST', '/callbacks', { agent: '1000', number: LISTED, at }, AGENT_1000);
    expect(refused.status).toBe(409);
    expect((await x.cli(['callback', 'add', '--queue', 'support', '--number', LISTED, '--at', at])).code).toBe(3);
    expect(x.rows('SELECT COUNT(*) AS n FROM callbacks')[0].n).toBe(0);

    const other = '11987650077';
    const soon = new Date(Date.now() + 1500).toISOString();
    const cb = await x.api('POST', '/callbacks', { queue: 'support', number: other, at: soon });
    expect(cb.status).toBe(201);
    await x.cli(['dnc', 'add', other, '--reason', 'pediu depois']);
    const mark = x.sim.mark();
    const failed = await until(
      () => x.rows('SELECT status, attempts, last_error FROM callbacks WHERE id = ?', cb.body.id).find((c: any) => c.status !== 'pending'),
      5000,
      'callback settled',
    );
    expect(failed).toMatchObject({ status: 'failed', attempts: 0, last_error: expect.stringMatching(/^number \+5511987650077 is on the do-not-call list \(global\) .*: pediu depois$/) });
    expect(originates(x, mark)).toEqual([]);
    const actions = (await x.api('GET', '/dnc/refusals')).body.refusals.map((r: any) => [r.action, r.by, r.callbackId]);
    expect(actions).toEqual([
      ['callback-dial', `callback ${cb.body.id}`, cb.body.id],
      ['callback-schedule', 'ops', null],
      ['callback-schedule', '1000', null],
    ]);
  });

  it('API: import as text/csv and as JSON (all or nothing), list, add', async () => {
    const x = await boot();
    const csv = 'number;queue;reason\n11987650001;;pediu\n11987650002;vendas;\n11987650001;;de novo\n';
    const post = (body: string, type: string, q = '') =>
      fetch(`${x.apiUrl}/dnc/import${q}`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': type }, body }).then(
        async (r) => ({ status: r.status, body: await r.json() as any }),
      );
    expect(await post(csv, 'text/csv; charset=utf-8')).toEqual({ status: 200, body: { rows: 3, added: 2, alreadyListed: 0, duplicates: 1 } });
    const bad = await post('number\n11987650003\nnot-a-number\n', 'text/csv');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.errors).toEqual([{ where: 'line 3', message: expect.stringMatching(/digits only/) }]);
    const json = await x.api('POST', '/dnc/import?queue=support', [{ number: '11987650003' }, { number: '11987650004', reason: 'x' }], SUPERVISOR);
    expect(json).toEqual({ status: 200, body: { rows: 2, added: 2, alreadyListed: 0, duplicates: 0 } });
    const badJson = await x.api('POST', '/dnc/import', [{ number: '11987650005' }, { number: '123' }]);
    expect(badJson.status).toBe(400);
    expect(badJson.body.error.message).toMatch(/item 2: /);
    const listed = (await x.api('GET', '/dnc?queue=support')).body.entries;
    expect(listed.map((e: any) => [e.number, e.queue, e.addedBy]).sort()).toEqual([
      ['5511987650001', null, 'ops'],
      ['5511987650003', 'support', 'sup'],
      ['5511987650004', 'support', 'sup'],
    ]);
    expect((await x.api('POST', '/dnc', { number: '11987650001', reason: 'outra vez' })).body).toMatchObject({ created: false, reason: 'outra vez' });
    expect((await x.api('POST', '/dnc', { number: '11987650001', queue: 'nope' })).status).toBe(400);
  });
});
