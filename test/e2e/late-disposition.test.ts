/**
 * A disposition given after the call (src/wrapup/late.ts), end to end on the simulator: a supervisor
 * corrects the automatic disposition of an ended call; the history and the reports show the new one,
 * the call event keeps the previous one and the notes, the agent's /events stream gets
 * call.disposition. Refused, with nothing changed, for a live call,
 * a wrap-up still open, an unanswered part, an unknown call or tag, an agent token, and a scoped
 * supervisor outside its groups. (Parts recovered from queue_log: test/e2e/queue-log-outage.test.ts.)
 */
import WebSocket from 'ws';
import { AGENT_1000, bootEach, SCOPED_SUPERVISOR, SUPERVISOR, until } from './helpers';

jest.setTimeout(30000);

describe('e2e: disposition after the call', () => {
  const boot = bootEach({});

  it('a supervisor corrects an ended call; refusals change nothing', async () => {
    const x = await boot({ queueSettings: { support: { wrapupSeconds: 30 }, vendas: { wrapupSeconds: 1 } } });
    await x.login('1000', ['support']);
    const h = x.sim.placeQueueCall({ queue: 'support', callerNumber: '5511987650101' });
    const call = await until(async () => (await x.calls()).find((c) => c.state === 'connected'), 5000, 'call connected');
    const put = (id: string, body: unknown, token = SUPERVISOR) => x.api('PUT', `/calls/${id}/disposition`, body, token);

    // Live: the disposition is the agent's wrap-up's.
    expect(await put(call.id, { disposition: 'Venda' })).toMatchObject({ status: 409, body: { error: { code: 'refused' } } });
    x.sim.customerHangup(h);
    await x.waitAgentState('1000', 'wrap-up');
    const open = await put(call.id, { disposition: 'Venda' });
    expect(open).toMatchObject({ status: 409 });
    expect(open.body.error.message).toMatch(/still in wrap-up.*\/agents\/1000\/wrapup\/finish/);
    expect((await x.cli(['wrapup', 'finish', '1000', '--disposition', 'Tabulação automática'], SUPERVISOR)).code).toBe(0);
    await x.waitAgentState('1000', 'available');

    // Refusals, before anything changes.
    expect(await put(call.id, { disposition: 'Nope' })).toMatchObject({ status: 404 });
    expect(await put(call.id, { disposition: '  ' })).toMatchObject({ status: 400 });
    expect(await put(call.id, { disposition: 'Venda', notes: 'x'.repeat(2001) })).toMatchObject({ status: 400 });
    expect(await put('20990101-000001', { disposition: 'Venda' })).toMatchObject({ status: 404 });
    expect(await put(call.id, { disposition: 'Venda' }, AGENT_1000)).toMatchObject({ status: 403 });
    expect(x.rows('SELECT disposition FROM calls WHERE id = ?', call.id)).toEqual([{ disposition: 'Tabulação automática' }]);

    // The agent's desktop follows it on /events.
    const ws = new WebSocket(`${x.apiUrl.replace(/^http/, 'ws')}/events`, { headers: { authorization: `Bearer ${AGENT_1000}` } });
    const got: any[] = [];
    ws.on('message', (d) => got.push(JSON.parse(String(d))));
    await until(() => got.length > 0, 3000, 'snapshot');
    const ok = await put(call.id, { disposition: 'Venda', notes: 'confirmed by phone' });
    const seen = await until(() => got.find((e) => e.type === 'call.disposition'), 3000, 'call.disposition on /events');
    ws.close();
    expect(seen).toMatchObject({ agent: '1000', callId: call.id, data: { disposition: 'Venda', previous: 'Tabulação automática', by: 'supervisor:sup' } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ callId: call.id, disposition: 'Venda', previous: 'Tabulação automática', notes: 'confirmed by phone', by: 'supervisor:sup' });
    expect((await x.api('GET', `/calls/${call.id}`)).body).toMatchObject({ disposition: 'Venda' });
    const ev = x.rows<{ data: string }>("SELECT data FROM call_events WHERE call_id = ? AND type = 'disposition' ORDER BY id", call.id).map((r) => JSON.parse(r.data));
    expect(ev.at(-1)).toEqual({ disposition: 'Venda', by: 'supervisor:sup', previous: 'Tabulação automática', notes: 'confirmed by phone', afterCall: true });
    // The wrap-up row keeps what its window closed with.
    expect(x.rows('SELECT disposition, finished_by FROM wrapups WHERE call_id = ?', call.id)).toEqual([{ disposition: 'Tabulação automática', finished_by: 'supervisor:sup' }]);
    // The reports count the new one.
    const report = await x.api('GET', '/reports/summary?by=disposition', undefined, SUPERVISOR);
    expect(report.status).toBe(200);
    expect(JSON.stringify(report.body)).toContain('Venda');
    // The CLI, once more.
    const cli = await x.cli(['wrapup', 'after', call.id, '--disposition', 'Resolvido'], SUPERVISOR);
    expect(cli).toMatchObject({ code: 0 });
    expect(cli.stdout).toContain(`call ${call.id} tabulated "Resolvido" (was "Venda")`);

    // An unanswered part, and a scoped supervisor outside its groups (vendas).
    x.sim.setDevice('PJSIP/1002', { answer: 'never' });
    await x.login('1002', ['vendas']);
    const missed = x.sim.placeQueueCall({ queue: 'vendas', callerNumber: '5511987650102' });
    const ringing = await until(async () => (await x.calls()).find((c) => c.agent === '1002'), 5000, '1002 rung');
    x.sim.customerHangup(missed);
    await until(() => x.rows<{ e: number | null }>('SELECT ended_at AS e FROM calls WHERE id = ?', ringing.id)[0]?.e, 5000, 'unanswered part ended');
    const unanswered = await put(ringing.id, { disposition: 'Venda' });
    expect(unanswered).toMatchObject({ status: 409 });
    expect(unanswered.body.error.message).toMatch(/not answered/);
    expect((await x.cli(['group', 'add', 'support-floor', '--queues', 'support'])).code).toBe(0);
    expect(await put(ringing.id, { disposition: 'Venda' }, SCOPED_SUPERVISOR)).toMatchObject({ status: 403 });
    expect(await put(call.id, { disposition: 'Venda' }, SCOPED_SUPERVISOR)).toMatchObject({ status: 200 });
  });
});
