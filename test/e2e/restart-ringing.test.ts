/**
 * Daemon restart while an agent's phone rings for a queue call: the new daemon finds the call row
 * still ringing, hangs up the stale device attempt (and the member leg it belonged to), the agent
 * is available again, app_queue re-offers the caller and the call connects; nothing is left over.
 */
import { E2E, memberIface, startE2E, until } from './helpers';

jest.setTimeout(30000);

describe('e2e: restart while ringing', () => {
  let e: E2E | undefined;
  afterEach(async () => {
    await e?.stop();
    e = undefined;
  });

  it('stale device attempt hung up, agent available, app_queue re-offers, the call connects', async () => {
    // A long ring time: the first attempt is still ringing when the new daemon comes up.
    e = await startE2E({ simQueues: { support: { timeoutMs: 4000, retryMs: 40 } } });
    const x = e;
    await x.login('1000', ['support']);
    x.sim.setDevice('PJSIP/1000', { answer: 'never' });
    const h = x.sim.placeQueueCall({ queue: 'support', callerNumber: '5550501' });
    await x.waitAgentState('1000', 'ringing');
    const first = await until(() => x.sim.channels().find((c) => c.device === 'PJSIP/1000'), 3000, 'device ringing');
    const firstRow = await until(() => x.rows("SELECT id FROM calls WHERE agent_ext = '1000' AND ended_at IS NULL")[0], 3000, 'call row');

    // The phone will answer the next offer.
    x.sim.setDevice('PJSIP/1000', { answer: 'auto', answerDelayMs: 10 });
    await x.restartDaemon();

    // The previous process's attempt: row ended as a restart, device gone, never answered.
    await until(() => x.rows('SELECT end_reason FROM calls WHERE id = ?', firstRow.id)[0].end_reason, 5000, 'stale row ended');
    expect(x.rows('SELECT end_reason, answered_at FROM calls WHERE id = ?', firstRow.id)[0]).toEqual({ end_reason: 'daemon-restart', answered_at: null });
    await until(() => !x.sim.channel(first.id), 3000, 'stale device hung up');

    // app_queue offers the caller again; the agent answers this time.
    const call = await until(async () => (await x.calls()).find((c) => c.state === 'connected' && c.agent === '1000'), 8000, 'call re-offered and connected');
    expect(call.id).not.toBe(firstRow.id);
    expect(call.number).toBe('5550501');
    expect(x.sim.queueCall(h).state).toBe('connected');
    expect(x.sim.canHear(call.channels.agent, call.channels.customer)).toBe(true);
    const st = await x.waitAgentState('1000', 'on-call');
    expect(st.currentCallId).toBe(call.id);
    // The restart's miss does not count as the agent's no-answer.
    expect(st.missesInRow).toBe(0);
    // In between, the new daemon freed the agent: ringing (stale) → available → ringing → on-call.
    const log = x.rows<{ previous: string; state: string; call_id: string | null }>(
      "SELECT previous, state, call_id FROM agent_state_log WHERE extension = '1000' ORDER BY id",
    );
    const freed = log.findIndex((r) => r.previous === 'ringing' && r.state === 'available');
    expect(freed).toBeGreaterThanOrEqual(0);
    expect(log.slice(freed + 1).map((r) => r.state)).toEqual(expect.arrayContaining(['ringing', 'on-call']));
    expect(log.some((r) => r.state === 'paused')).toBe(false);

    // Nothing stuck: the customer hangs up, every channel goes, the agent wraps up.
    x.sim.customerHangup(h);
    await until(async () => (await x.calls()).length === 0, 5000, 'no live call');
    await until(() => x.sim.channels().length === 0, 5000, () => `no channels (left: ${x.sim.channels().map((c) => c.name).join(', ')})`);
    const wrap = await x.waitAgentState('1000', 'wrap-up');
    expect(wrap.wrapup).toMatchObject({ callId: call.id });
    expect(x.sim.member('support', memberIface('1000'))).toBeTruthy();
    expect(x.rows('SELECT COUNT(*) AS n FROM calls WHERE ended_at IS NULL')[0].n).toBe(0);
  });
});
