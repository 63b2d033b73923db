/**
 * Supervisors scoped to monitoring groups (issue 10): a token with `groups: [support-floor]`
 * (queue support) sees /agents, /monitor, /calls, /history, /events only for support and the agents
 * in it, and is refused (403, nothing changes) on agent 1002 (vendas only) and on vendas calls. The
 * unscoped supervisor still sees everything.
 */
import WebSocket from 'ws';
import { bootEach, SCOPED_SUPERVISOR, SUPERVISOR, until } from './helpers';

describe('supervisor scoped to monitoring groups', () => {
  const boot = bootEach({ '1001': ['support'], '1002': ['vendas'] });

  it('sees and acts only inside its groups; 403 elsewhere before anything changes', async () => {
    const x = await boot();
    expect((await x.cli(['group', 'add', 'support-floor', '--queues', 'support'])).code).toBe(0);
    expect((await x.cli(['group', 'add', 'bad', '--queues', 'nope'])).code).toBe(2);

    // Live events of the scoped supervisor, from the start.
    const ws = new WebSocket(`${x.apiUrl.replace(/^http/, 'ws')}/events`, { headers: { authorization: `Bearer ${SCOPED_SUPERVISOR}` } });
    const got: any[] = [];
    ws.on('message', (d) => got.push(JSON.parse(String(d))));
    await until(() => got.length > 0, 3000, 'snapshot');
    expect(got[0].type).toBe('snapshot');
    expect(got[0].agents.map((a: { extension: string }) => a.extension).sort()).toEqual(['1000', '1001']);
    expect(got[0].queues.map((q: { queue: string }) => q.queue)).toEqual(['support']);

    const agents = await x.api('GET', '/agents', undefined, SCOPED_SUPERVISOR);
    expect(agents.body.agents.map((a: { extension: string }) => a.extension).sort()).toEqual(['1000', '1001']);
    expect((await x.api('GET', '/agents', undefined, SUPERVISOR)).body.agents).toHaveLength(3);
    const mon = await x.api('GET', '/monitor', undefined, SCOPED_SUPERVISOR);
    expect(mon.body.queues.map((q: { queue: string }) => q.queue)).toEqual(['support']);
    expect((await x.api('GET', '/monitor/queues/vendas', undefined, SCOPED_SUPERVISOR)).status).toBe(403);

    // Acting on 1002 (vendas only): refused, nothing changes.
    const pause = await x.api('POST', '/agents/1002/pause', { reason: 'Almoço' }, SCOPED_SUPERVISOR);
    expect(pause.status).toBe(403);
    expect(pause.body.error.message).toBe('this token is limited to monitoring group(s) support-floor: agent 1002 is outside them');
    expect((await x.agent('1002')).state).toBe('available');
    expect((await x.api('POST', '/agents/1002/logout', { force: true }, SCOPED_SUPERVISOR)).status).toBe(403);
    expect((await x.agent('1002')).state).toBe('available');
    // Inside: fine.
    expect((await x.api('POST', '/agents/1001/pause', { reason: 'Almoço' }, SCOPED_SUPERVISOR)).status).toBe(200);
    expect((await x.api('POST', '/agents/1001/unpause', undefined, SCOPED_SUPERVISOR)).status).toBe(200);

    // A vendas call answered by 1002: invisible and untouchable for the scoped supervisor.
    const mark = got.length;
    const h = x.sim.placeQueueCall({ queue: 'vendas', callerNumber: '5511987650300' });
    const onCall = await x.waitAgentState('1002', 'on-call');
    const id = onCall.currentCallId;
    expect((await x.api('GET', '/calls', undefined, SCOPED_SUPERVISOR)).body.calls).toEqual([]);
    expect((await x.api('GET', '/calls', undefined, SUPERVISOR)).body.calls.map((c: { id: string }) => c.id)).toEqual([id]);
    expect((await x.api('GET', `/calls/${id}`, undefined, SCOPED_SUPERVISOR)).status).toBe(403);
    expect((await x.api('POST', `/calls/${id}/hangup`, undefined, SCOPED_SUPERVISOR)).status).toBe(403);
    expect((await x.api('GET', `/calls/${id}`, undefined, SUPERVISOR)).body.state).toBe('connected');
    expect((await x.api('POST', '/calls/dial', { agent: '1002', number: '11987654321' }, SCOPED_SUPERVISOR)).status).toBe(403);
    x.sim.customerHangup(h);
    await x.waitAgentState('1002', 'wrap-up');
    expect((await x.api('POST', '/agents/1002/wrapup/finish', { disposition: 'Venda' }, SCOPED_SUPERVISOR)).status).toBe(403);
    expect((await x.agent('1002')).state).toBe('wrap-up');
    // History: the vendas call is not in the scoped view.
    expect((await x.api('GET', '/history', undefined, SCOPED_SUPERVISOR)).body.calls).toEqual([]);
    expect((await x.api('GET', '/history', undefined, SUPERVISOR)).body.calls.map((c: { id: string }) => c.id)).toContain(id);
    expect((await x.api('GET', '/history?agent=1002', undefined, SCOPED_SUPERVISOR)).status).toBe(403);
    // Reports: the scoped supervisor's figures leave the vendas call out; by queue it sees support only.
    const rep = async (token: string, q = '') => (await x.api('GET', `/reports/quantitative?from=2h${q}`, undefined, token)).body;
    expect((await rep(SUPERVISOR)).total.offered).toBe(1);
    expect((await rep(SCOPED_SUPERVISOR)).total.offered).toBe(0);
    expect((await x.api('GET', '/reports/quantitative?from=2h&queue=vendas', undefined, SCOPED_SUPERVISOR)).status).toBe(403);
    // No event about 1002 or its call reached the scoped stream.
    expect(got.slice(mark).filter((e) => e.agent === '1002' || e.callId === id || e.queue === 'vendas')).toEqual([]);

    // A support call handled by 1000 is visible, with its events.
    await x.login('1000', ['support']);
    const h2 = x.sim.placeQueueCall({ queue: 'support', callerNumber: '5511987650301' });
    const c2 = (await until(async () => (await x.api('GET', '/calls', undefined, SCOPED_SUPERVISOR)).body.calls.find((c: { state: string }) => c.state === 'connected'), 5000, 'support call connected')) as { id: string };
    await until(() => got.some((e) => e.type === 'call.state' && e.callId === c2.id), 3000, 'call event on the scoped stream');
    expect((await x.api('POST', `/calls/${c2.id}/hold`, undefined, SCOPED_SUPERVISOR)).status).toBe(200);
    x.sim.customerHangup(h2);
    ws.close();
  });
});
