/**
 * The wallboard reducer (src/console/web/wallboard-model.ts): snapshot, each event type, the cases
 * where it asks for a fresh snapshot, the derived rows and actions; then against a whole daemon:
 * after a scenario, the state built from /events agrees with GET /monitor.
 */
import WebSocket from 'ws';
import { actionsFor, agentRows, applyEvent, fromSnapshot, queueRows, type WallboardState } from '../../src/console/web/wallboard-model';
import { SUPERVISOR, startE2E, until, type E2E } from '../e2e/helpers';

const T0 = 1_800_000_000_000;

function snapshot(): WallboardState {
  return fromSnapshot({
    type: 'snapshot',
    seq: 10,
    at: T0,
    agents: [
      { extension: '1000', name: 'Ana', state: 'available', since: T0 - 60_000, pauseReason: null, pendingPause: null, queues: ['support'], currentCallId: null, wrapup: null },
      { extension: '1001', name: 'Bruno', state: 'paused', since: T0 - 5_000, pauseReason: 'Almoço', pendingPause: null, queues: ['support', 'vendas'], currentCallId: null, wrapup: null },
      { extension: '1002', name: 'Carla', state: 'offline', since: null, pauseReason: null, pendingPause: null, queues: [], currentCallId: null, wrapup: null },
    ],
    calls: [],
    queues: [
      { queue: 'support', waiting: 1, longestWaitSeconds: 12, abandoned: 2, callers: [{ number: '5550101', name: '', position: 1, waitSeconds: 12 }] },
      { queue: 'vendas', waiting: 0, longestWaitSeconds: 0, abandoned: 0, callers: [] },
    ],
  });
}

const ev = (seq: number, type: string, fields: Record<string, unknown>, data: Record<string, unknown> = {}) => ({ type, seq, at: T0 + seq * 1000, ...fields, data });

describe('wallboard model', () => {
  test('snapshot: queues with ticking waits and agents by state; agent rows with since and actions', () => {
    const s = snapshot();
    const [support, vendas] = queueRows(s, T0 + 3000);
    expect(support).toEqual({ queue: 'support', waiting: 1, callbacks: 0, longestWaitSeconds: 15, abandoned: 2, loggedIn: 2, byState: { available: 1, paused: 1 } });
    expect(vendas).toMatchObject({ waiting: 0, longestWaitSeconds: 0, loggedIn: 1 });
    const rows = agentRows(s, T0);
    expect(rows.map((r) => [r.extension, r.state, r.forSeconds, r.pauseReason])).toEqual([
      ['1000', 'available', 60, null],
      ['1001', 'paused', 5, 'Almoço'],
      ['1002', 'offline', null, null],
    ]);
    expect(rows.map((r) => r.actions)).toEqual([['pause', 'logout'], ['unpause', 'logout'], []]);
  });

  test('callback requests from the exit key: counted per queue while pending or ringing; scheduled callbacks ignored', () => {
    const s = fromSnapshot({
      type: 'snapshot',
      seq: 1,
      at: T0,
      agents: [],
      calls: [],
      queues: [{ queue: 'support', callers: [], abandoned: 0, callbackRequests: [{ id: 7, number: '11933334444', status: 'pending', waitSeconds: 30 }] }],
    });
    expect(queueRows(s, T0)[0].callbacks).toBe(1);
    applyEvent(s, ev(2, 'callback.state', { queue: 'support' }, { callbackId: 8, origin: 'queue', state: 'pending', previous: null }));
    applyEvent(s, ev(3, 'callback.state', { queue: 'support' }, { callbackId: 9, origin: 'scheduled', state: 'pending', previous: null }));
    applyEvent(s, ev(4, 'callback.state', { queue: 'vendas' }, { callbackId: 10, origin: 'queue', state: 'pending', previous: null }));
    expect(queueRows(s, T0).map((r) => [r.queue, r.callbacks])).toEqual([['support', 2], ['vendas', 1]]);
    applyEvent(s, ev(5, 'callback.state', { queue: 'support' }, { callbackId: 7, origin: 'queue', state: 'ringing', previous: 'pending' }));
    expect(queueRows(s, T0)[0].callbacks).toBe(2);
    applyEvent(s, ev(6, 'callback.state', { queue: 'support' }, { callbackId: 7, origin: 'queue', state: 'done', previous: 'ringing' }));
    applyEvent(s, ev(7, 'callback.state', { queue: 'support' }, { callbackId: 8, origin: 'queue', state: 'cancelled', previous: 'pending' }));
    applyEvent(s, ev(8, 'callback.state', { queue: 'vendas' }, { callbackId: 10, origin: 'queue', state: 'failed', previous: 'pending' }));
    expect(queueRows(s, T0).map((r) => [r.queue, r.callbacks])).toEqual([['support', 0], ['vendas', 0]]);
  });

  test('a queue call: join, agent ringing and on the call, talk time, call ends, wrap-up, released', () => {
    const s = snapshot();
    let r = applyEvent(s, ev(11, 'queue.caller', { queue: 'support' }, { action: 'join', number: '5550102', uniqueid: 'u-2', waitSeconds: 0, waiting: 2 }));
    expect(r).toEqual({ needSnapshot: false, changes: [{ kind: 'caller', queue: 'support', action: 'join', waiting: 2 }] });
    r = applyEvent(s, ev(12, 'queue.caller', { queue: 'support' }, { action: 'leave', number: '5550102', uniqueid: 'u-2', waiting: 1 }));
    expect(r.needSnapshot).toBe(false);
    expect(s.queues.get('support')!.callers.map((c) => c.number)).toEqual(['5550101']);
    applyEvent(s, ev(13, 'call.state', { agent: '1000', queue: 'support', callId: 'c1' }, { state: 'ringing-agent', number: '5550102' }));
    applyEvent(s, ev(14, 'agent.state', { agent: '1000', callId: 'c1' }, { state: 'ringing', previous: 'available', reason: null, queues: ['support'] }));
    applyEvent(s, ev(15, 'call.state', { agent: '1000', queue: 'support', callId: 'c1' }, { state: 'bridging', number: '5550102' }));
    r = applyEvent(s, ev(16, 'agent.state', { agent: '1000', callId: 'c1' }, { state: 'on-call', previous: 'ringing', reason: null, queues: ['support'] }));
    expect(r.changes).toEqual([{ kind: 'agent', extension: '1000', name: 'Ana', from: 'ringing', to: 'on-call' }]);
    let ana = agentRows(s, T0 + 20_000)[0];
    expect(ana).toMatchObject({ state: 'on-call', forSeconds: 4, call: { id: 'c1', number: '5550102', queue: 'support', talkSeconds: 5 } });
    expect(ana.actions).toEqual(['pause', 'logout']);
    applyEvent(s, ev(21, 'call.ended', { agent: '1000', queue: 'support', callId: 'c1' }, { state: 'ended', number: '5550102' }));
    applyEvent(s, ev(22, 'agent.state', { agent: '1000', callId: 'c1' }, { state: 'wrap-up', previous: 'on-call', reason: 'call ended', queues: ['support'] }));
    applyEvent(s, ev(23, 'wrapup.started', { agent: '1000', callId: 'c1', queue: 'support' }, { deadline: T0 + 53_000, seconds: 30 }));
    ana = agentRows(s, T0 + 33_000)[0];
    expect(ana).toMatchObject({ state: 'wrap-up', call: null, wrapupLeftSeconds: 20, actions: ['finish-wrapup', 'pause', 'logout'] });
    expect(queueRows(s, T0 + 33_000)[0].byState).toEqual({ 'wrap-up': 1, paused: 1 });
    applyEvent(s, ev(24, 'wrapup.ended', { agent: '1000', callId: 'c1', queue: 'support' }, { disposition: 'Venda' }));
    applyEvent(s, ev(25, 'agent.state', { agent: '1000' }, { state: 'available', previous: 'wrap-up', reason: null, queues: ['support'] }));
    expect(agentRows(s, T0 + 25_000)[0]).toMatchObject({ state: 'available', forSeconds: 0, wrapupLeftSeconds: null });
  });

  test('pauses: reason, pause during a call, pause after the call, unpause', () => {
    const s = snapshot();
    applyEvent(s, ev(11, 'agent.state', { agent: '1000' }, { state: 'paused', previous: 'available', reason: 'Banheiro', queues: ['support'] }));
    applyEvent(s, ev(12, 'agent.pause', { agent: '1000' }, { reason: 'Banheiro', statusId: 3 }));
    expect(agentRows(s, T0 + 12_000)[0]).toMatchObject({ state: 'paused', pauseReason: 'Banheiro', forSeconds: 1 });
    // Another reason while paused moves "since", as the daemon does.
    applyEvent(s, ev(13, 'agent.state', { agent: '1000' }, { state: 'paused', previous: 'paused', reason: 'Almoço', queues: ['support'] }));
    expect(agentRows(s, T0 + 13_000)[0]).toMatchObject({ pauseReason: 'Almoço', forSeconds: 0 });
    applyEvent(s, ev(14, 'agent.unpause', { agent: '1000' }, { previousReason: 'Almoço' }));
    applyEvent(s, ev(15, 'agent.state', { agent: '1000' }, { state: 'available', previous: 'paused', reason: 'unpause', queues: ['support'] }));
    expect(agentRows(s, T0 + 15_000)[0]).toMatchObject({ state: 'available', pauseReason: null });
    // On a call: "pause after the call" is pending; "pause now" sets the reason, the state stays.
    applyEvent(s, ev(16, 'agent.state', { agent: '1000', callId: 'c2' }, { state: 'on-call', previous: 'available', reason: null, queues: ['support'] }));
    applyEvent(s, ev(17, 'agent.state', { agent: '1000', callId: 'c2' }, { state: 'on-call', previous: 'on-call', pendingPause: 'Almoço', statusId: 2 }));
    expect(agentRows(s, T0 + 17_000)[0]).toMatchObject({ state: 'on-call', pendingPause: 'Almoço', pauseReason: null, forSeconds: 1, actions: ['pause', 'unpause', 'logout'] });
    applyEvent(s, ev(18, 'agent.state', { agent: '1000', callId: 'c2' }, { state: 'on-call', previous: 'on-call', pauseReason: 'Banheiro', statusId: 3, duringCall: true }));
    expect(agentRows(s, T0 + 18_000)[0]).toMatchObject({ state: 'on-call', pauseReason: 'Banheiro', actions: ['unpause', 'logout'] });
  });

  test('logout clears the agent; an unknown agent or queue appears; system events track the links', () => {
    const s = snapshot();
    applyEvent(s, ev(11, 'agent.state', { agent: '1001' }, { state: 'offline', previous: 'paused', reason: 'logout', queues: [] }));
    expect(agentRows(s, T0).find((a) => a.extension === '1001')).toMatchObject({ state: 'offline', pauseReason: null, queues: [], actions: [] });
    applyEvent(s, ev(12, 'agent.state', { agent: '1005' }, { state: 'available', previous: 'offline', queues: ['novos'] }));
    expect(queueRows(s, T0).map((q) => q.queue)).toEqual(['novos', 'support', 'vendas']);
    const r = applyEvent(s, ev(13, 'system', {}, { link: 'ami', connected: false, reason: 'socket closed' }));
    expect(r.changes).toEqual([{ kind: 'link', link: 'ami', up: false }]);
    expect(s.links).toEqual({ ami: false, ari: null });
  });

  test('events already in the snapshot are ignored; a resync or a count that does not add up asks for a snapshot', () => {
    const s = snapshot();
    expect(applyEvent(s, ev(9, 'agent.state', { agent: '1000' }, { state: 'offline', previous: 'available' })).changes).toEqual([]);
    expect(s.agents.get('1000')!.state).toBe('available');
    // A snapshot caller (no uniqueid) leaves: matched by number.
    expect(applyEvent(s, ev(11, 'queue.caller', { queue: 'support' }, { action: 'abandon', number: '5550101', uniqueid: 'u-1', waiting: 0 })).needSnapshot).toBe(false);
    expect(queueRows(s, T0)[0]).toMatchObject({ waiting: 0, abandoned: 3 });
    expect(applyEvent(s, ev(12, 'queue.caller', { queue: 'support' }, { action: 'join', number: '1', uniqueid: 'u-9', waiting: 3 })).needSnapshot).toBe(true);
    expect(applyEvent(s, ev(13, 'queue.caller', {}, { action: 'resync', waiting: 0 })).needSnapshot).toBe(true);
  });

  test('actionsFor: what a supervisor may try per state', () => {
    const a = (state: string, pauseReason: string | null = null, pendingPause: string | null = null) => actionsFor({ state, pauseReason, pendingPause });
    expect(a('offline')).toEqual([]);
    expect(a('available')).toEqual(['pause', 'logout']);
    expect(a('wrap-up')).toEqual(['finish-wrapup', 'pause', 'logout']);
    expect(a('paused', 'Almoço')).toEqual(['unpause', 'logout']);
    expect(a('inactive', 'Almoço')).toEqual(['unpause', 'logout']);
  });
});

describe('wallboard model against a whole daemon', () => {
  let x: E2E;
  afterEach(async () => x?.stop());

  test('the state built from /events agrees with GET /monitor after a call, a pause and a logout', async () => {
    x = await startE2E();
    await x.login('1000', ['support']);
    await x.login('1001', ['support']);
    const ws = new WebSocket(`${x.apiUrl.replace('http', 'ws')}/events`, { headers: { authorization: `Bearer ${SUPERVISOR}` } });
    let state: WallboardState | undefined;
    let resnapshots = 0;
    ws.on('message', (m) => {
      const msg = JSON.parse(String(m));
      if (msg.type === 'snapshot') state = fromSnapshot(msg);
      else if (state && applyEvent(state, msg).needSnapshot) resnapshots++;
    });
    await until(() => state, 5000, 'snapshot');
    await x.api('POST', '/agents/1001/pause', { reason: 'Almoço' });
    const h = x.sim.placeQueueCall({ queue: 'support', callerNumber: '5550101' });
    await x.waitAgentState('1000', 'on-call');
    x.sim.customerHangup(h);
    await x.waitAgentState('1000', 'wrap-up');
    await x.api('POST', '/agents/1000/wrapup/finish', { disposition: 'Venda' });
    await x.waitAgentState('1000', 'available');
    await x.api('POST', '/agents/1001/logout', {});
    await x.waitAgentState('1001', 'offline');
    const monitor = (await x.api('GET', '/monitor')).body;
    const view = (now: number) => ({
      agents: agentRows(state!, now).map((a) => ({ extension: a.extension, state: a.state, since: a.forSeconds === null ? null : now - a.forSeconds * 1000, pauseReason: a.pauseReason, queues: a.queues, call: a.call?.id ?? null })),
      queues: queueRows(state!, now).map((q) => ({ queue: q.queue, waiting: q.waiting, loggedIn: q.loggedIn })),
    });
    await until(() => JSON.stringify(view(monitor.at).agents.map((a) => a.state)) === JSON.stringify(monitor.agents.map((a: { state: string }) => a.state)), 3000, 'states agree');
    ws.close();
    const mine = view(monitor.at);
    expect(mine.agents.map(({ since: _s, ...a }) => a)).toEqual(
      monitor.agents.map((a: { extension: string; state: string; pauseReason: string | null; queues: string[]; call: { id: string } | null }) => ({ extension: a.extension, state: a.state, pauseReason: a.pauseReason, queues: a.queues, call: a.call?.id ?? null })),
    );
    // "since" to the second (the model keeps event times; /monitor reports the stored ones).
    mine.agents.forEach((a, i) => expect(Math.abs((a.since ?? 0) - (monitor.agents[i].since ?? 0))).toBeLessThan(1000));
    expect(mine.queues).toEqual(monitor.queues.map((q: { queue: string; waiting: number; loggedIn: number }) => ({ queue: q.queue, waiting: q.waiting, loggedIn: q.loggedIn })));
    expect(resnapshots).toBe(0);
  });
});
