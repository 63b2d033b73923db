/**
 * Issue 3 end to end, with queue calls: max-no-answer (queue override and policy default, reset on
 * answer, RingTime=0 ignored while the app is absent), agent states through a call, wrap-up
 * (automatic disposition at the deadline, `wrapup set`, `wrapup finish`, pause after the call,
 * daemon restart mid wrap-up) and logout refused during a call.
 */
import { PassThrough } from 'node:stream';
import { EventBus, type DomainEvent } from '../../src/events/bus';
import { createLogger } from '../../src/log/logger';
import { AGENT_1000, E2E, memberIface, startE2E, SUPERVISOR, until, type E2EOptions } from './helpers';

jest.setTimeout(30000);

describe('e2e: agents with queue calls', () => {
  let e: E2E | undefined;
  const boot = async (o: E2EOptions = {}) => (e = await startE2E(o));
  afterEach(async () => {
    await e?.stop();
    e = undefined;
  });

  const ringNoAnswers = (x: E2E, since: number, positive = true) =>
    x.sim.events.filter((ev) => ev.seq > since && ev.name === 'AgentRingNoAnswer' && (Number(ev.data.RingTime) > 0) === positive);

  it('max-no-answer: queue override (2) pauses in ALL queues with "Sem resposta"', async () => {
    const x = await boot({ policy: { max_no_answer: 3 }, queueSettings: { support: { maxNoAnswer: 2 } } });
    await x.login('1000', ['support', 'vendas']);
    x.sim.setDevice('PJSIP/1000', { answer: 'never' });
    const h = x.sim.placeQueueCall({ queue: 'support', callerNumber: '5550101' });
    const st = await x.waitAgentState('1000', 'paused', 8000);
    expect(st).toMatchObject({ pauseReason: 'Sem resposta', pauseStatusId: 9, missesInRow: 2 });
    // The QueuePause actions follow the state change (best effort, async).
    await until(() => ['support', 'vendas'].every((q) => x.sim.member(q, memberIface('1000'))?.pausedReason === 'Sem resposta'), 3000, 'paused in Asterisk');
    for (const q of ['support', 'vendas']) expect(x.sim.member(q, memberIface('1000'))).toMatchObject({ paused: true });
    // The unanswered device rings were cancelled: no agent device channel is left.
    await until(() => !x.sim.channels().some((c) => c.device === 'PJSIP/1000'), 3000, 'device channels gone');
    x.sim.customerHangup(h);
    const log = x.rows("SELECT state, reason, detail FROM agent_state_log WHERE extension = '1000' AND state = 'paused'");
    expect(log).toHaveLength(1);
    expect(log[0].detail).toMatch(/max-no-answer: 2 unanswered/);
  });

  it('max-no-answer: policy default (3) applies to a queue without override; misses reset on answer', async () => {
    const x = await boot({ policy: { max_no_answer: 3 }, simQueues: { vendas: { timeoutMs: 800 } } });
    await x.login('1002', ['vendas']);
    x.sim.setDevice('PJSIP/1002', { answer: 'never' });
    const mark = x.sim.mark();
    const h = x.sim.placeQueueCall({ queue: 'vendas', callerNumber: '5550102' });
    await until(async () => (await x.agent('1002')).missesInRow === 2, 8000, 'two misses');
    expect((await x.agent('1002')).state).not.toBe('paused');
    // The agent answers the third ring: the count resets.
    const seen = new Set(x.sim.events.filter((ev) => ev.seq > mark && ev.name === 'AgentRingNoAnswer').map((ev) => ev.seq));
    expect(seen.size).toBe(2);
    const rings = () => x.sim.actions.filter((a) => a.seq > mark && a.route?.startsWith('POST /channels') && a.params.endpoint === 'PJSIP/1002');
    const third = await until(() => rings()[2], 3000, 'third ring');
    x.sim.answerDevice(String(third.params.channelId));
    await x.waitAgentState('1002', 'on-call', 8000);
    expect(await x.agent('1002')).toMatchObject({ missesInRow: 0 });
    expect(ringNoAnswers(x, mark).length).toBeGreaterThanOrEqual(2);
    x.sim.customerHangup(h);
    await x.waitAgentState('1002', 'wrap-up');
  });

  it('RingTime=0 misses (Stasis app absent) are not counted', async () => {
    const x = await boot({ policy: { max_no_answer: 1 }, simQueues: { support: { retryMs: 10 } } });
    await x.login('1000', ['support']);
    const mark = x.sim.mark();
    x.sim.dropAri();
    const h = x.sim.placeQueueCall({ queue: 'support', callerNumber: '5550103' });
    await until(() => ringNoAnswers(x, mark, false).length >= 3, 5000, 'RingTime=0 misses');
    expect(await x.agent('1000')).toMatchObject({ missesInRow: 0 });
    expect((await x.agent('1000')).state).not.toBe('paused');
    // The app comes back: the call is answered normally.
    await until(() => x.sim.isAppRegistered(), 5000);
    await x.waitAgentState('1000', 'on-call', 8000);
    expect(x.sim.member('support', memberIface('1000'))?.paused).toBe(false);
    x.sim.customerHangup(h);
  });

  it('answered call: ringing → on-call → wrap-up with deadline → automatic disposition, available again', async () => {
    const x = await boot({ queueSettings: { support: { wrapupSeconds: 1 } } });
    await x.login('1000', ['support']);
    x.sim.setDevice('PJSIP/1000', { answer: 'never' });
    const h = x.sim.placeQueueCall({ queue: 'support', callerNumber: '5550104' });
    const ringing = await x.waitAgentState('1000', 'ringing');
    expect(ringing.currentCallId).toMatch(/^\d{8}-\d{6}$/);
    const dev = await until(() => x.sim.channels().find((c) => c.device === 'PJSIP/1000'));
    x.sim.answerDevice(dev.id);
    const onCall = await x.waitAgentState('1000', 'on-call');
    expect(onCall).toMatchObject({ currentCallId: ringing.currentCallId, callsTaken: 1 });
    expect(x.sim.deviceState('Custom:agent-1000')).toBe('INUSE');
    x.sim.hangupDevice(dev.id);
    const wrap = await x.waitAgentState('1000', 'wrap-up');
    expect(wrap.wrapup).toMatchObject({ callId: ringing.currentCallId, queue: 'support' });
    const [row] = x.rows('SELECT * FROM wrapups WHERE call_id = ?', ringing.currentCallId);
    expect(row.deadline - row.started_at).toBe(1000);
    expect(row.ended_at).toBeNull();
    await until(() => x.sim.queueCall(h).state === 'ended', 3000, 'customer hung up');
    await x.waitAgentState('1000', 'available', 5000);
    const [done] = x.rows('SELECT * FROM wrapups WHERE call_id = ?', ringing.currentCallId);
    expect(done).toMatchObject({ disposition: 'Tabulação automática', auto: 1, finished_by: 'timer' });
    expect(done.ended_at).toBeGreaterThanOrEqual(row.deadline);
    expect(x.sim.deviceState('Custom:agent-1000')).toBe('NOT_INUSE');
    // The call's history row carries the disposition too.
    await until(() => x.rows('SELECT disposition FROM calls WHERE id = ?', ringing.currentCallId)[0]?.disposition === 'Tabulação automática', 3000, 'call disposition');
    const hist = await x.cli(['history', '--agent', '1000', '--json']);
    expect(JSON.parse(hist.stdout)[0]).toMatchObject({ id: ringing.currentCallId, disposition: 'Tabulação automática', queue: 'support' });
  });

  it('wrapup set within the window frees at once; wrapup finish by a supervisor; pause requested during the call applies after', async () => {
    const x = await boot();
    await x.login('1000', ['support']);
    // Call 1: the agent tabulates.
    let h = x.sim.placeQueueCall({ queue: 'support', callerNumber: '5550105' });
    let call = (await x.waitAgentState('1000', 'on-call')).currentCallId;
    expect((await x.cli(['wrapup', 'set', '1000', '--disposition', 'Venda'], AGENT_1000)).code).toBe(3); // not in wrap-up yet
    x.sim.customerHangup(h);
    await x.waitAgentState('1000', 'wrap-up');
    const bad = await x.cli(['wrapup', 'set', '1000', '--disposition', 'Nada'], AGENT_1000);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/unknown disposition "Nada"/);
    const ok = await x.cli(['wrapup', 'set', '1000', '--disposition', 'Venda', '--notes', 'pedido 42'], AGENT_1000);
    expect(ok).toMatchObject({ code: 0, stdout: `agent 1000: call ${call} tabulated "Venda"\n` });
    expect((await x.agent('1000')).state).toBe('available');
    expect(x.rows('SELECT disposition, notes, auto, finished_by FROM wrapups WHERE call_id = ?', call)[0]).toEqual({
      disposition: 'Venda',
      notes: 'pedido 42',
      auto: 0,
      finished_by: 'agent',
    });

    // Call 2: pause asked during the call, supervisor ends the wrap-up.
    h = x.sim.placeQueueCall({ queue: 'support', callerNumber: '5550106' });
    call = (await x.waitAgentState('1000', 'on-call')).currentCallId;
    const p = await x.cli(['agent', 'pause', '1000', '--reason', 'Almoço'], AGENT_1000);
    expect(p).toMatchObject({ code: 0, stdout: 'agent 1000 will pause after the current call: Almoço (status 2)\n' });
    expect(x.sim.member('support', memberIface('1000'))?.paused).toBe(false);
    const out = await x.cli(['agent', 'logout', '1000']);
    expect(out.code).toBe(3);
    expect(out.stderr).toMatch(/cannot log out while calls are in progress/);
    expect(x.sim.member('support', memberIface('1000'))).toBeDefined();
    x.sim.customerHangup(h);
    await x.waitAgentState('1000', 'wrap-up');
    const fin = await x.cli(['wrapup', 'finish', '1000', '--disposition', 'Resolvido'], SUPERVISOR);
    expect(fin).toMatchObject({ code: 0, stdout: `agent 1000: wrap-up finished, call ${call} tabulated "Resolvido"\n` });
    expect((await x.cli(['wrapup', 'finish', '1000', '--disposition', 'Resolvido'], AGENT_1000)).code).toBe(3);
    const st = await x.waitAgentState('1000', 'paused');
    expect(st).toMatchObject({ pauseReason: 'Almoço', pauseStatusId: 2, pendingPause: null });
    await until(() => x.sim.member('support', memberIface('1000'))?.pausedReason === 'Almoço', 3000, 'paused in asterisk');
    expect(x.rows('SELECT finished_by FROM wrapups WHERE call_id = ?', call)[0].finished_by).toMatch(/^supervisor:/);
    expect(x.rows('SELECT disposition FROM calls WHERE id = ?', call)[0].disposition).toBe('Resolvido');
  });

  it('during wrap-up app_queue does not offer the agent a new call; after the disposition it does', async () => {
    const x = await boot();
    await x.login('1000', ['support']);
    const h1 = x.sim.placeQueueCall({ queue: 'support', callerNumber: '5550109' });
    await x.waitAgentState('1000', 'on-call');
    x.sim.customerHangup(h1);
    await x.waitAgentState('1000', 'wrap-up');
    const mark = x.sim.mark();
    const h2 = x.sim.placeQueueCall({ queue: 'support', callerNumber: '5550110' });
    // app_queue sees the member in use through its hint (Custom:agent-1000 stays INUSE): it skips it.
    expect(x.sim.deviceState('Custom:agent-1000')).toBe('INUSE');
    expect(x.sim.member('support', memberIface('1000'))?.status).toBe(2);
    expect(x.sim.queueCall(h2).state).toBe('waiting');
    expect(x.sim.events.some((ev) => ev.seq > mark && ev.name === 'AgentCalled')).toBe(false);
    expect((await x.cli(['wrapup', 'set', '1000', '--disposition', 'Resolvido'], AGENT_1000)).code).toBe(0);
    await until(() => x.sim.queueCall(h2).state === 'connected', 5000, 'second call offered after wrap-up');
    await x.waitAgentState('1000', 'on-call');
    x.sim.customerHangup(h2);
  });

  it('daemon restart in the middle of wrap-up: the deadline still fires (overdue → at once)', async () => {
    const x = await boot({ queueSettings: { support: { wrapupSeconds: 1 } } });
    await x.login('1000', ['support']);
    const h = x.sim.placeQueueCall({ queue: 'support', callerNumber: '5550107' });
    const call = (await x.waitAgentState('1000', 'on-call')).currentCallId;
    x.sim.customerHangup(h);
    await x.waitAgentState('1000', 'wrap-up');
    const [row] = x.rows('SELECT * FROM wrapups WHERE call_id = ?', call);
    await x.daemon.stop();
    await until(() => Date.now() > row.deadline + 100, 5000, 'deadline passed while the daemon was down');
    expect(x.rows('SELECT ended_at FROM wrapups WHERE id = ?', row.id)[0].ended_at).toBeNull();
    // Watch the new daemon from its first instant: its bus (what /events sends) and its warnings.
    const bus = new EventBus();
    const seen: DomainEvent[] = [];
    bus.subscribe((e) => void seen.push(e));
    const logged = new PassThrough();
    let logText = '';
    logged.on('data', (b) => (logText += String(b)));
    await x.startDaemon({ bus, log: createLogger('warn', { stream: logged }) });
    await until(() => x.rows('SELECT ended_at FROM wrapups WHERE id = ?', row.id)[0].ended_at !== null, 3000, 'wrap-up closed');
    expect(x.rows('SELECT disposition, finished_by FROM wrapups WHERE id = ?', row.id)[0]).toEqual({ disposition: 'Tabulação automática', finished_by: 'timer' });
    // Closed at start-up exactly as a live expiry: the call's history carries the disposition.
    expect(x.rows('SELECT disposition FROM calls WHERE id = ?', call)[0].disposition).toBe('Tabulação automática');
    expect(x.rows("SELECT data FROM call_events WHERE call_id = ? AND type = 'disposition'", call).map((r) => JSON.parse(r.data))).toEqual([
      { disposition: 'Tabulação automática', by: 'timer' },
    ]);
    expect(seen.filter((e) => e.type === 'wrapup.ended')).toEqual([
      expect.objectContaining({ agent: '1000', callId: call, data: expect.objectContaining({ auto: true, finishedBy: 'timer', late: true }) }),
    ]);
    const hist = await x.cli(['history', '--agent', '1000', '--json']);
    expect(JSON.parse(hist.stdout)[0]).toMatchObject({ id: call, disposition: 'Tabulação automática' });
    await x.waitAgentState('1000', 'available');
    expect(x.sim.member('support', memberIface('1000'))).toMatchObject({ paused: false });
    await until(() => x.sim.deviceState('Custom:agent-1000') === 'NOT_INUSE', 3000, 'custom state free');
    // No AMI action was tried before AMI was up (it only failed and warned): the re-sync set it.
    expect(logText).not.toMatch(/device state not set|QueuePause failed/i);
    // And the agent takes the next queue call.
    const h2 = x.sim.placeQueueCall({ queue: 'support', callerNumber: '5550117' });
    await x.waitAgentState('1000', 'on-call');
    x.sim.customerHangup(h2);
  });

  it('daemon restart before the deadline: the new daemon fires it on time', async () => {
    const x = await boot({ queueSettings: { support: { wrapupSeconds: 2 } } });
    await x.login('1000', ['support']);
    const h = x.sim.placeQueueCall({ queue: 'support', callerNumber: '5550108' });
    const call = (await x.waitAgentState('1000', 'on-call')).currentCallId;
    x.sim.customerHangup(h);
    await x.waitAgentState('1000', 'wrap-up');
    const [row] = x.rows('SELECT * FROM wrapups WHERE call_id = ?', call);
    await x.restartDaemon();
    expect((await x.agent('1000')).state).toBe('wrap-up');
    await x.waitAgentState('1000', 'available', 6000);
    const [done] = x.rows('SELECT * FROM wrapups WHERE id = ?', row.id);
    expect(done).toMatchObject({ auto: 1, finished_by: 'timer' });
    expect(done.ended_at).toBeGreaterThanOrEqual(row.deadline);
  });
});
