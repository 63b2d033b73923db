/**
 * Callback from the queue, whole daemon on the simulator (app_queue's exit key and the shipped
 * [cc-queue-callback] modelled by src/sim/queue-callback.ts): a waiting caller presses 1, the
 * daemon keeps a request with their place, the caller is hung up after the thank-you; when the
 * callers who entered earlier are served and an agent is free, the agent is rung, then the caller
 * dialled. The request shows in /callbacks, the CLI, /monitor, /events (callback.state), the
 * history of the callback call and the reports (stay outcome callback, not abandoned).
 */
import type { DomainEvent } from '../../src/events/bus';
import { bootEach, type E2E, until } from './helpers';

jest.setTimeout(30000);

const EARLY = '11911112222';
const CALLER = '11933334444';

describe('e2e: callback from the queue', () => {
  const boot = bootEach();
  const withKey = { simQueues: { support: { exitContext: 'cc-queue-callback' } } };

  async function waiting(x: E2E, n: number): Promise<void> {
    await until(async () => (await x.api('GET', '/monitor/queues/support')).body.waiting === n, 3000, `${n} waiting`);
  }

  async function finishCall(x: E2E, number: string): Promise<void> {
    const call = await until(async () => (await x.calls()).find((c) => c.number === number && c.state === 'connected'), 5000, `${number} connected`);
    await x.api('POST', `/calls/${call.id}/hangup`);
    await x.waitAgentState('1000', 'wrap-up');
    expect((await x.api('POST', '/agents/1000/wrapup', { disposition: 'Resolvido' })).status).toBe(200);
  }

  it('keeps the caller\'s turn: the earlier caller first, then the agent is rung and the caller dialled', async () => {
    const x = await boot(withKey);
    const events: DomainEvent[] = [];
    x.daemon.deps.bus.subscribe((e) => {
      if (e.type === 'callback.state') events.push(e);
    });
    x.sim.setRemote(CALLER, { answer: 'auto', answerDelayMs: 10 });
    expect((await x.api('POST', '/agents/1000/pause', { reason: 'Almoço' })).status).toBe(200);
    const early = x.sim.placeQueueCall({ queue: 'support', callerNumber: EARLY });
    const caller = x.sim.placeQueueCall({ queue: 'support', callerNumber: CALLER });
    await waiting(x, 2);

    x.sim.pressDtmf(caller.channelId, '5'); // not an extension of cc-queue-callback: nothing happens
    expect(x.sim.queueCall(caller).state).toBe('waiting');
    x.sim.pressDtmf(caller.channelId, '1');
    await until(() => !x.sim.channel(caller.channelId), 3000, 'caller thanked and hung up');
    await waiting(x, 1);
    const [req] = (await x.api('GET', '/callbacks?origin=queue')).body;
    expect(req).toMatchObject({ origin: 'queue', queue: 'support', number: CALLER, status: 'pending', queuePosition: 2, uniqueid: caller.channelId });
    const stay = x.rows('SELECT joined_at, outcome, callback_id FROM queue_stays WHERE uniqueid = ?', caller.channelId)[0];
    expect(req.queueJoinedAt).toBe(stay.joined_at);
    await until(() => x.rows('SELECT outcome FROM queue_stays WHERE uniqueid = ?', caller.channelId)[0].outcome === 'callback', 3000, 'stay outcome callback');
    expect(x.rows('SELECT callback_id FROM queue_stays WHERE uniqueid = ?', caller.channelId)[0].callback_id).toBe(req.id);

    const mon = (await x.api('GET', '/monitor/queues/support')).body;
    expect(mon.callbackRequests).toEqual([{ id: req.id, number: CALLER, status: 'pending', waitSeconds: expect.any(Number) }]);
    const listed = await x.cli(['callback', 'list', '--origin', 'queue']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(CALLER);
    expect((await x.cli(['callback', 'list', '--origin', 'nope'])).code).toBe(2);

    // The agent comes back: app_queue offers the earlier caller, the request waits for its turn.
    expect((await x.api('POST', '/agents/1000/unpause')).status).toBe(200);
    await until(() => x.sim.queueCall(early).state === 'connected', 5000, 'earlier caller answered');
    expect(x.rows('SELECT status FROM callbacks WHERE id = ?', req.id)[0].status).toBe('pending');
    await finishCall(x, EARLY);

    const done = await until(() => x.rows("SELECT * FROM callbacks WHERE id = ? AND status = 'done'", req.id)[0], 5000, 'request done');
    const call = await until(async () => (await x.calls()).find((c) => c.id === done.call_id && c.state === 'connected'), 5000, 'callback connected');
    expect(call).toMatchObject({ agent: '1000', kind: 'callback', direction: 'outbound', queue: 'support', number: CALLER });
    const hist = x.rows("SELECT data FROM call_events WHERE call_id = ? AND type = 'callback'", done.call_id);
    expect(JSON.parse(hist[0].data)).toMatchObject({ callbackId: req.id, origin: 'queue', queue: 'support', requestedFrom: caller.id });
    expect(events.map((e) => `${e.data.previous}->${e.data.state}`)).toEqual(['null->pending', 'pending->ringing', 'ringing->done']);
    expect(events[0]).toMatchObject({ queue: 'support', data: { origin: 'queue', callbackId: req.id, number: CALLER } });

    const range = `from=${Date.now() - 60_000}&to=${Date.now() + 1000}`;
    const d = (await x.api('GET', `/reports/detailed?${range}`)).body;
    const left = d.contacts.find((c: { linkedid: string }) => c.linkedid === caller.id);
    expect(left.stays).toMatchObject([{ outcome: 'callback', detail: `callback ${req.id}`, callId: done.call_id }]);
    const q = (await x.api('GET', `/reports/quantitative?${range}`)).body.total;
    expect(q).toMatchObject({ offered: 2, answered: 1, callbackRequests: 1, abandoned: 0, left: 0, callbacks: 1, callbackConnects: 1 });
  });

  it('a request pending across a daemon restart is still served', async () => {
    const x = await boot(withKey);
    x.sim.setRemote(CALLER, { answer: 'auto', answerDelayMs: 10 });
    expect((await x.api('POST', '/agents/1000/pause', { reason: 'Almoço' })).status).toBe(200);
    const caller = x.sim.placeQueueCall({ queue: 'support', callerNumber: CALLER });
    await waiting(x, 1);
    x.sim.pressDtmf(caller.channelId, '1');
    const req = await until(async () => (await x.api('GET', '/callbacks?origin=queue&status=pending')).body[0], 3000, 'request');

    await x.restartDaemon();
    expect((await x.api('GET', `/callbacks?origin=queue&status=pending`)).body.map((c: { id: number }) => c.id)).toEqual([req.id]);
    expect((await x.api('POST', '/agents/1000/unpause')).status).toBe(200);
    const done = await until(() => x.rows("SELECT * FROM callbacks WHERE id = ? AND status = 'done'", req.id)[0], 5000, 'request done after restart');
    expect(done).toMatchObject({ origin: 'queue', attempts: 1 });
  });

  it('a caller without a usable number is refused and goes back into the queue', async () => {
    const x = await boot(withKey);
    expect((await x.api('POST', '/agents/1000/pause', { reason: 'Almoço' })).status).toBe(200);
    const caller = x.sim.placeQueueCall({ queue: 'support', callerNumber: 'anonymous' });
    await waiting(x, 1);
    x.sim.pressDtmf(caller.channelId, '1');
    await until(() => x.sim.queueCall(caller).state === 'waiting' && x.sim.channel(caller.channelId)?.vars.CC_CALLBACK === 'refused', 3000, 'back in the queue');
    await waiting(x, 1);
    expect((await x.api('GET', '/callbacks?origin=queue')).body).toEqual([]);
  });

  // Stand-in topology (the default for trunk calls): Queue() runs on the stand-in, so the stand-in's
  // ;2 is the queue caller that asks; the customer, in our app with music, is the one thanked.
  it('stand-in: the customer\'s key reaches the stand-in; accepted, the customer is thanked and hung up', async () => {
    const x = await boot(withKey);
    expect((await x.api('POST', '/agents/1000/pause', { reason: 'Almoço' })).status).toBe(200);
    const h = x.sim.placeTrunkCall({ queue: 'support', callerNumber: CALLER });
    await waiting(x, 1);
    expect(x.sim.channel(`${h.channelId}-si`)).toBeDefined();
    x.sim.pressDtmf(h.channelId, '1');
    await until(() => !x.sim.channel(h.channelId) && !x.sim.channel(`${h.channelId}-si`), 3000, 'customer thanked, stand-in gone');
    const [req] = (await x.api('GET', '/callbacks?origin=queue')).body;
    expect(req).toMatchObject({ queue: 'support', number: CALLER, status: 'pending', uniqueid: `${h.channelId}-si-q` });
    await until(() => x.rows('SELECT outcome FROM queue_stays WHERE uniqueid = ?', `${h.channelId}-si-q`)[0]?.outcome === 'callback', 3000, 'stay outcome callback');
    await waiting(x, 0);
  });

  it('stand-in: refused, the stand-in goes back into the queue and the customer keeps waiting', async () => {
    const x = await boot(withKey);
    expect((await x.api('POST', '/agents/1000/pause', { reason: 'Almoço' })).status).toBe(200);
    const h = x.sim.placeTrunkCall({ queue: 'support', callerNumber: 'anonymous' });
    await waiting(x, 1);
    x.sim.pressDtmf(h.channelId, '1');
    await until(() => x.sim.channel(`${h.channelId}-si-q`)?.vars.CC_CALLBACK === 'refused', 3000, 'refused');
    await waiting(x, 1);
    expect(x.sim.isHearingMoh(h.channelId)).toBe(true);
    expect((await x.api('GET', '/callbacks?origin=queue')).body).toEqual([]);
    // Still a queue call: the agent comes back and the customer is connected.
    expect((await x.api('POST', '/agents/1000/unpause')).status).toBe(200);
    await x.waitAgentState('1000', 'on-call');
    await until(() => !x.sim.isHearingMoh(h.channelId) && x.sim.channel(h.channelId)?.bridgeId, 3000, 'customer bridged with the agent');
  });
});
