/**
 * The close of a wrap-up is one step (src/store/unit-of-work.ts): the wrap-up row, the call's
 * disposition and its history row, and the agent's move back to available commit together or not
 * at all. A failing trigger stands for the full disk here (a real SQLITE_FULL answers 503, see
 * test/api/server.test.ts; a trigger's error is a 500).
 */
import { AGENT_1000, bootEach } from './helpers';

jest.setTimeout(30000);

describe('e2e: a wrap-up close that cannot write the call disposition', () => {
  const boot = bootEach();

  it('leaves the window open with nothing written; the same request later lands whole', async () => {
    const x = await boot();
    const h = x.sim.placeQueueCall({ queue: 'support', callerNumber: '5550131' });
    const call = (await x.waitAgentState('1000', 'on-call')).currentCallId as string;
    x.sim.customerHangup(h);
    await x.waitAgentState('1000', 'wrap-up');
    const db = x.daemon.deps.db;
    db.exec("CREATE TEMP TRIGGER full BEFORE UPDATE OF disposition ON calls BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END");
    const failed = await x.api('POST', '/agents/1000/wrapup', { disposition: 'Venda' }, AGENT_1000);
    expect(failed.status).toBe(500);
    expect(x.rows('SELECT ended_at, disposition FROM wrapups WHERE call_id = ?', call)).toEqual([{ ended_at: null, disposition: null }]);
    expect(x.rows("SELECT COUNT(*) AS n FROM call_events WHERE call_id = ? AND type = 'disposition'", call)).toEqual([{ n: 0 }]);
    expect((await x.agent('1000')).state).toBe('wrap-up');
    db.exec('DROP TRIGGER full');
    const ok = await x.api('POST', '/agents/1000/wrapup', { disposition: 'Venda' }, AGENT_1000);
    expect(ok.status).toBe(200);
    expect(x.rows('SELECT disposition FROM calls WHERE id = ?', call)).toEqual([{ disposition: 'Venda' }]);
    expect(x.rows('SELECT disposition, finished_by FROM wrapups WHERE call_id = ?', call)).toEqual([{ disposition: 'Venda', finished_by: 'agent' }]);
    expect((await x.agent('1000')).state).toBe('available');
  });
});
