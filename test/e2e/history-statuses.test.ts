/**
 * History statuses end to end (src/history/status.ts): on the simulator, daemon as shipped, one agent
 * walks an answered call, a missed call (its device never answers), an abandoned call (the caller
 * hangs up while it rings), a blocked caller, an outbound call nobody answers and a completed
 * transfer; `GET /agents/:ext/recent-calls` and `callcenterd history --json` must say the same.
 * A queue caller who hangs up while an agent's phone rings leaves that agent's part 'abandoned'
 * (AMI QueueCallerAbandon, src/calls/abandons.ts), not the agent's 'missed', and counts no miss.
 * A blocked caller is refused before any agent is rung: its part has no agent ('rejected' in the
 * history, not in the agent's recent calls).
 */
import { AGENT_1000, E2E, startE2E, until } from './helpers';

jest.setTimeout(40000);

describe('e2e: history statuses', () => {
  let x: E2E | undefined;
  afterEach(async () => {
    await x?.stop();
    x = undefined;
  });

  it('answered, missed, abandoned, rejected, no-answer, transferred in recent calls and history --json', async () => {
    const e = (x = await startE2E());
    const rows = (number: string) => e.rows('SELECT * FROM calls WHERE customer_number = ? ORDER BY started_at', number);
    const connected = (number: string) =>
      until(async () => (await e.calls()).find((c) => c.state === 'connected' && c.number === number), 5000, `${number} connected`);
    const dispose = async (ext: string, token?: string) => {
      await e.waitAgentState(ext, 'wrap-up');
      expect((await e.cli(['wrapup', 'set', ext, '--disposition', 'Venda'], token)).code).toBe(0);
      await e.waitAgentState(ext, 'available');
    };
    await e.login('1000', ['support']);

    // Answered: the customer talks to 1000, then hangs up.
    const answered = e.sim.placeQueueCall({ queue: 'support', callerNumber: '11911110001' });
    await connected('11911110001');
    e.sim.customerHangup(answered);
    await dispose('1000', AGENT_1000);

    // Missed: 1000's device rings until app_queue gives up on it; then the caller gives up.
    e.sim.setDevice('PJSIP/1000', { answer: 'never' });
    const missed = e.sim.placeQueueCall({ queue: 'support', callerNumber: '11911110002' });
    await until(() => rows('11911110002').some((r) => r.end_reason !== null), 5000, 'first ring ended');
    e.sim.customerHangup(missed);
    await until(() => e.sim.queueCall(missed).state === 'ended' && rows('11911110002').every((r) => r.ended_at !== null), 5000, 'missed call over');

    // Abandoned: the caller hangs up while 1000's device rings.
    const abandoned = e.sim.placeQueueCall({ queue: 'support', callerNumber: '11911110003' });
    await until(() => rows('11911110003').some((r) => r.agent_ext === '1000' && r.ended_at === null), 5000, '1000 ringing');
    const missesBefore = (await e.agent('1000')).missesInRow;
    e.sim.customerHangup(abandoned);
    await until(() => rows('11911110003').length > 0 && rows('11911110003').every((r) => r.end_reason === 'caller-abandoned'), 5000, 'abandoned call over');
    // Not a miss of the agent: the no-answer count did not move.
    expect((await e.agent('1000')).missesInRow).toBe(missesBefore);
    e.sim.setDevice('PJSIP/1000', { answer: 'auto', answerDelayMs: 10 });
    if ((await e.agent('1000')).state === 'paused') expect((await e.cli(['agent', 'unpause', '1000'])).code).toBe(0);
    await e.waitAgentState('1000', 'available');

    // Rejected: a blocked caller is offered to 1000 and refused by the daemon.
    expect((await e.cli(['blocklist', 'add', '11922220004', '--reason', 'trote'])).code).toBe(0);
    const blocked = e.sim.placeQueueCall({ queue: 'support', callerNumber: '11922220004' });
    await until(() => e.sim.queueCall(blocked).state === 'ended', 5000, 'blocked caller rejected');
    await until(() => rows('11922220004').length > 0 && rows('11922220004').every((r) => r.ended_at !== null), 5000, 'blocked rows ended');

    // No answer: 1000 dials out, the number rings until the originate times out.
    e.sim.setRemote(/11933330005/, { answer: 'never' });
    expect((await e.cli(['call', 'dial', '1000', '11933330005'], AGENT_1000)).code).toBe(0);
    await until(() => rows('11933330005').some((r) => r.ended_at !== null), 8000, 'outbound call not answered');
    await e.waitAgentState('1000', 'available');

    // Transferred: 1000 hands the customer to 1001 (attended, completed); 1001 ends the call.
    const tr = e.sim.placeQueueCall({ queue: 'support', callerNumber: '11911110006' });
    const call = await connected('11911110006');
    await e.login('1001', ['support']);
    expect((await e.api('POST', `/calls/${call.id}/transfer`, { target: '1001' }, AGENT_1000)).status).toBe(202);
    await until(async () => (await e.calls()).some((c) => c.kind === 'transfer' && c.state === 'connected'), 5000, 'consulting');
    expect((await e.api('POST', `/calls/${call.id}/transfer/complete`, {}, AGENT_1000)).status).toBeLessThan(300);
    await dispose('1000', AGENT_1000);
    e.sim.customerHangup(tr);
    await dispose('1001');

    // Recent calls of 1000: one status per number (a missed call may have rung it more than once).
    const recent = await e.api('GET', '/agents/1000/recent-calls', undefined, AGENT_1000);
    expect(recent.status).toBe(200);
    const byNumber = (list: { number: string | null; status: string }[]) => {
      const m: Record<string, string[]> = {};
      for (const c of list) (m[c.number ?? ''] ??= []).push(c.status);
      for (const k of Object.keys(m)) m[k] = [...new Set(m[k])].sort();
      return m;
    };
    const expected1000 = {
      '11911110001': ['answered'],
      '11911110002': expect.arrayContaining(['missed']),
      '11911110003': ['abandoned'],
      '11933330005': ['no-answer'],
      '11911110006': ['transferred'],
    };
    expect(byNumber(recent.body.calls)).toEqual(expected1000);
    // The missed call's parts: missed, or abandoned for a ring the caller hung up on; nothing else.
    expect(byNumber(recent.body.calls)['11911110002'].every((s) => s === 'missed' || s === 'abandoned')).toBe(true);

    // history --json says the same per part, and the transfer target's part is answered.
    const hist = await e.cli(['history', '--json']);
    expect(hist.code).toBe(0);
    const parts: { agentExt: string | null; customerNumber: string | null; status: string; endReason: string | null }[] = JSON.parse(hist.stdout);
    const of = (ext: string) => byNumber(parts.filter((p) => p.agentExt === ext).map((p) => ({ number: p.customerNumber, status: p.status })));
    expect(of('1000')).toEqual(byNumber(recent.body.calls));
    expect(of('1001')).toEqual({ '11911110006': ['answered'] });
    expect(parts.filter((p) => p.customerNumber === '11922220004')).toEqual([
      expect.objectContaining({ agentExt: null, status: 'rejected', endReason: 'blocked' }),
    ]);
    expect(parts.find((p) => p.customerNumber === '11911110003')).toMatchObject({ agentExt: '1000', status: 'abandoned', endReason: 'caller-abandoned' });
  });
});
