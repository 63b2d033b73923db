/**
 * Max-no-answer counts only genuine misses (the agent's device rang and nobody answered): member legs
 * the daemon rejects itself (a blocked caller calling back again and again) must not auto-pause the
 * agent, although app_queue reports each of them as AgentRingNoAnswer with RingTime > 0.
 */
import { NO_ANSWER_GRACE_MS } from '../../src/pause/no-answer';
import { E2E, startE2E, until } from './helpers';

jest.setTimeout(30000);

describe('e2e: no-answer misses of legs the daemon rejected', () => {
  let x: E2E | undefined;
  afterEach(async () => {
    await x?.stop();
    x = undefined;
  });

  const misses = (e: E2E, since: number) =>
    e.sim.events.filter((ev) => ev.seq > since && ev.name === 'AgentRingNoAnswer' && Number(ev.data.RingTime) > 0);

  it('a blocked caller offered N times counts no miss and pauses nobody; a never-answering device still does', async () => {
    const e = (x = await startE2E({ policy: { max_no_answer: 2 } }));
    await e.login('1000', ['support']);
    expect((await e.cli(['blocklist', 'add', '11987650000', '--reason', 'trote'])).code).toBe(0);
    const mark = e.sim.mark();
    for (let i = 0; i < 4; i++) {
      const h = e.sim.placeQueueCall({ queue: 'support', callerNumber: '11987650000' });
      await until(() => e.sim.queueCall(h).state === 'ended', 5000, `blocked call ${i + 1} rejected`);
    }
    // app_queue did report the rejected legs as ring-no-answer...
    await until(() => misses(e, mark).length >= 4, 3000, 'AgentRingNoAnswer per rejected leg');
    // ...but none counts, also once the grace period for a late rejection is over.
    await new Promise((r) => setTimeout(r, NO_ANSWER_GRACE_MS + 200));
    expect(await e.agent('1000')).toMatchObject({ state: 'available', missesInRow: 0 });
    expect(e.rows("SELECT COUNT(*) AS n FROM agent_state_log WHERE extension = '1000' AND state = 'paused'")[0].n).toBe(0);
    expect(e.rows("SELECT COUNT(*) AS n FROM calls WHERE end_reason = 'blocked'")[0].n).toBe(4);

    // A genuine miss: the device rings, nobody answers → counted, paused at the limit.
    e.sim.setDevice('PJSIP/1000', { answer: 'never' });
    const h = e.sim.placeQueueCall({ queue: 'support', callerNumber: '11912340000' });
    const st = await e.waitAgentState('1000', 'paused', 8000);
    expect(st).toMatchObject({ pauseReason: 'Sem resposta', missesInRow: 2 });
    e.sim.customerHangup(h);
  });

  it('a device that is busy (never rang) is not a miss; the queue call goes on', async () => {
    const e = (x = await startE2E({ policy: { max_no_answer: 1 } }));
    await e.login('1000', ['support']);
    e.sim.setDevice('PJSIP/1000', { answer: 'busy' });
    const mark = e.sim.mark();
    const h = e.sim.placeQueueCall({ queue: 'support', callerNumber: '11912340001' });
    await until(() => misses(e, mark).length >= 2, 5000, 'two rejected offers');
    await new Promise((r) => setTimeout(r, NO_ANSWER_GRACE_MS + 200));
    // With max_no_answer 1 a single counted miss would have paused the agent. app_queue keeps
    // re-offering the waiting caller, so the agent may be 'ringing' again at this instant.
    const a = await e.agent('1000');
    expect(a.missesInRow).toBe(0);
    expect(['available', 'ringing']).toContain(a.state);
    e.sim.setDevice('PJSIP/1000', { answer: 'auto', answerDelayMs: 10 });
    await until(() => e.sim.queueCall(h).state === 'connected', 5000, 'answered once the device is free');
    e.sim.customerHangup(h);
  });
});
