import { flush, makeKit } from '../agents/helpers';

describe('pauses', () => {
  it('pauses in all the agent queues with the reason; the status id travels with the event', async () => {
    const k = makeKit();
    await k.svc.login.login('1000', { queues: ['support', 'vendas'] });
    k.clock.advance(5000);
    const r = await k.svc.pause.pause('1000', 'Almoço');
    expect(r).toEqual({ extension: '1000', reason: 'Almoço', statusId: 5, pending: false });
    const pauses = k.ami.actions.filter((a) => a.action === 'QueuePause').map((a) => a.fields);
    expect(pauses).toEqual([
      { Queue: 'support', Interface: 'Local/1000@cc-agent/n', Paused: true, Reason: 'Almoço' },
      { Queue: 'vendas', Interface: 'Local/1000@cc-agent/n', Paused: true, Reason: 'Almoço' },
    ]);
    const st = k.svc.status('1000');
    expect(st).toMatchObject({ state: 'paused', pauseReason: 'Almoço', pauseStatusId: 5, since: k.clock.now() });
    const ev = k.events.find((e) => e.type === 'agent.pause')!;
    expect(ev.data).toMatchObject({ reason: 'Almoço', statusId: 5 });
    const state = k.events.filter((e) => e.type === 'agent.state').at(-1)!;
    expect(state.data).toMatchObject({ state: 'paused', previous: 'available', reason: 'Almoço', statusId: 5 });
    const row = k.db.prepare("SELECT reason, status_id AS statusId FROM agent_state_log WHERE state = 'paused'").get();
    expect(row).toEqual({ reason: 'Almoço', statusId: 5 });
  });

  it('refuses an unknown reason and a logged-out agent, changing nothing', async () => {
    const k = makeKit();
    await expect(k.svc.pause.pause('1000', 'Almoço')).rejects.toThrow('agent 1000 is not logged in');
    await k.svc.login.login('1000', { queues: ['support'] });
    const before = k.ami.actions.length;
    await expect(k.svc.pause.pause('1000', 'Café')).rejects.toMatchObject({
      kind: 'not_found',
      message: 'unknown pause reason "Café" (see pause-reason list)',
    });
    await expect(k.svc.pause.pause('1000', ' ')).rejects.toMatchObject({ kind: 'invalid' });
    expect(k.ami.actions.length).toBe(before);
    expect(k.svc.status('1000').state).toBe('available');
  });

  it('changing the reason logs a new pause row; unpause clears the pause and the misses', async () => {
    const k = makeKit();
    await k.svc.login.login('1000', { queues: ['support'] });
    await k.svc.pause.pause('1000', 'Almoço');
    k.clock.advance(1000);
    await k.svc.pause.pause('1000', 'Banheiro');
    expect(k.svc.status('1000')).toMatchObject({ pauseReason: 'Banheiro', pauseStatusId: 6, since: k.clock.now() });
    k.db.prepare("UPDATE agent_runtime SET misses_in_row = 2 WHERE extension = '1000'").run();
    await k.svc.pause.unpause('1000');
    expect(k.ami.member('support', '1000')).toMatchObject({ paused: false, reason: '' });
    expect(k.svc.status('1000')).toMatchObject({ state: 'available', pauseReason: null, missesInRow: 0 });
    expect(k.events.at(-1)).toMatchObject({ type: 'agent.unpause', data: { previousReason: 'Banheiro' } });
    await expect(k.svc.pause.unpause('1000')).rejects.toMatchObject({ kind: 'refused' });
  });

  it('during a call the pause waits for the end of wrap-up ("pause after this call")', async () => {
    const k = makeKit();
    await k.svc.login.login('1000', { queues: ['support', 'vendas'] });
    k.svc.callRinging('1000', { callId: 'c1', queue: 'support', direction: 'inbound' });
    k.svc.callConnected('1000', { callId: 'c1', queue: 'support', direction: 'inbound' });
    const r = await k.svc.pause.pause('1000', 'Almoço');
    expect(r.pending).toBe(true);
    expect(k.ami.count('QueuePause')).toBe(0);
    expect(k.svc.status('1000')).toMatchObject({ state: 'on-call', pendingPause: 'Almoço' });
    k.svc.callEnded('1000', { callId: 'c1', queue: 'support', answered: true });
    expect(k.svc.status('1000').state).toBe('wrap-up');
    k.clock.advance(30_000);
    await flush();
    expect(k.svc.status('1000')).toMatchObject({ state: 'paused', pauseReason: 'Almoço', pendingPause: null });
    expect(k.ami.member('support', '1000')).toMatchObject({ paused: true, reason: 'Almoço' });
    expect(k.ami.member('vendas', '1000')).toMatchObject({ paused: true, reason: 'Almoço' });
    expect(k.events.filter((e) => e.type === 'agent.pause').at(-1)!.data).toMatchObject({
      reason: 'Almoço',
      statusId: 5,
      afterCall: true,
    });
  });

  it('afterCall without a call is refused; unpause cancels a pending pause', async () => {
    const k = makeKit();
    await k.svc.login.login('1000', { queues: ['support'] });
    await expect(k.svc.pause.pause('1000', 'Almoço', { afterCall: true })).rejects.toMatchObject({ kind: 'refused' });
    k.svc.callConnected('1000', { callId: 'c1', direction: 'outbound' });
    await k.svc.pause.pause('1000', 'Almoço', { afterCall: true });
    expect((await k.svc.pause.unpause('1000')).cancelledPending).toBe(true);
    k.svc.callEnded('1000', { callId: 'c1', answered: true });
    k.svc.wrapup.set('1000', 'Venda');
    expect(k.svc.status('1000').state).toBe('available');
  });

  it('now: paused in the queues at once during a call, which goes on; rests in that pause after wrap-up', async () => {
    const k = makeKit();
    await k.svc.login.login('1000', { queues: ['support', 'vendas'] });
    k.svc.callConnected('1000', { callId: 'c1', queue: 'support', direction: 'inbound' });
    await expect(k.svc.pause.pause('1000', 'Almoço', { now: true, afterCall: true })).rejects.toThrow(/either/);
    const r = await k.svc.pause.pause('1000', 'Almoço', { now: true });
    expect(r).toEqual({ extension: '1000', reason: 'Almoço', statusId: 5, pending: false, duringCall: true });
    expect(k.ami.members.every((m) => m.paused && m.reason === 'Almoço')).toBe(true);
    expect(k.svc.status('1000')).toMatchObject({ state: 'on-call', pauseReason: 'Almoço', pendingPause: null, currentCallId: 'c1' });
    expect(k.events.filter((e) => e.type === 'agent.pause').at(-1)!.data).toMatchObject({ reason: 'Almoço', duringCall: true });
    k.svc.callEnded('1000', { callId: 'c1', queue: 'support', answered: true });
    expect(k.svc.status('1000').state).toBe('wrap-up');
    k.svc.wrapup.set('1000', 'Venda');
    await flush();
    expect(k.svc.status('1000')).toMatchObject({ state: 'paused', pauseReason: 'Almoço', pauseStatusId: 5 });
    expect(k.ami.members.every((m) => m.paused && m.reason === 'Almoço')).toBe(true);
  });

  it('now: unpause during the call unpauses the queues and the call goes on', async () => {
    const k = makeKit();
    await k.svc.login.login('1000', { queues: ['support'] });
    k.svc.callConnected('1000', { callId: 'c1', queue: 'support', direction: 'inbound' });
    await k.svc.pause.pause('1000', 'Banheiro', { now: true });
    await k.svc.pause.unpause('1000');
    expect(k.ami.members[0]).toMatchObject({ paused: false });
    expect(k.svc.status('1000')).toMatchObject({ state: 'on-call', pauseReason: null });
  });

  it('a paused agent taking an outbound call returns to its pause afterwards', async () => {
    const k = makeKit();
    await k.svc.login.login('1000', { queues: ['support'] });
    await k.svc.pause.pause('1000', 'Almoço');
    k.svc.callRinging('1000', { callId: 'o1', direction: 'outbound' });
    k.svc.callConnected('1000', { callId: 'o1', direction: 'outbound' });
    k.svc.callEnded('1000', { callId: 'o1', answered: true });
    k.svc.wrapup.set('1000', 'Venda');
    expect(k.svc.status('1000')).toMatchObject({ state: 'paused', pauseReason: 'Almoço' });
  });
});
