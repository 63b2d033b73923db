/**
 * Blocklist numbers in any format: a block entered in national format stops the same caller arriving
 * with the DDI, with '+', or with the trunk prefix 0, and the reverse (prank block from an E.164 caller).
 */
import { AGENT_1000, E2E, startE2E, until } from './helpers';

jest.setTimeout(30000);

describe('e2e: blocklist number formats', () => {
  let x: E2E | undefined;
  afterEach(async () => {
    await x?.stop();
    x = undefined;
  });

  const offered = (e: E2E, since: number) => e.sim.actions.filter((a) => a.seq > since && a.route === 'POST /channels').length;

  it('manual block in national format rejects 5511…, +5511… and 011… callers; another number still connects', async () => {
    const e = (x = await startE2E());
    await e.login('1000', ['support']);
    const add = await e.cli(['blocklist', 'add', '(11) 99999-0000', '--reason', 'abuse']);
    expect(add.code).toBe(0);
    expect(add.stdout).toContain('blocked 5511999990000');
    const mark = e.sim.mark();
    for (const callerNumber of ['5511999990000', '+5511999990000', '011999990000', '11999990000']) {
      const h = e.sim.placeQueueCall({ queue: 'support', callerNumber });
      await until(() => e.sim.queueCall(h).state === 'ended', 5000, `${callerNumber} rejected`);
    }
    expect(offered(e, mark)).toBe(0); // the agent's device never rang
    expect(e.rows("SELECT COUNT(*) AS n FROM calls WHERE end_reason = 'blocked'")[0].n).toBe(4);
    const h = e.sim.placeQueueCall({ queue: 'support', callerNumber: '11999990001' });
    await until(() => e.sim.queueCall(h).state === 'connected', 5000, 'other caller connected');
    e.sim.customerHangup(h);
  });

  it('a prank on an E.164 caller blocks the national and trunk-prefixed forms too', async () => {
    const e = (x = await startE2E({ policy: { prank_block_minutes: 30 } }));
    await e.login('1000', ['support']);
    e.sim.placeQueueCall({ queue: 'support', callerNumber: '+5521934567890' });
    const call = await until(async () => (await e.calls()).find((c) => c.state === 'connected'), 5000, 'connected');
    expect((await e.cli(['call', 'prank', call.id], AGENT_1000)).code).toBe(0);
    const [entry] = JSON.parse((await e.cli(['blocklist', 'list', '--json'])).stdout);
    expect(entry.number).toBe('5521934567890');
    await e.waitAgentState('1000', 'wrap-up');
    expect((await e.cli(['wrapup', 'set', '1000', '--disposition', 'Resolvido'], AGENT_1000)).code).toBe(0);
    const mark = e.sim.mark();
    for (const callerNumber of ['21934567890', '021934567890']) {
      const h = e.sim.placeQueueCall({ queue: 'support', callerNumber });
      await until(() => e.sim.queueCall(h).state === 'ended', 5000, `${callerNumber} rejected`);
    }
    expect(offered(e, mark)).toBe(0);
    expect((await e.cli(['blocklist', 'remove', '021934567890'])).stdout).toContain('unblocked 5521934567890');
    expect(JSON.parse((await e.cli(['blocklist', 'list', '--json'])).stdout)).toEqual([]);
    // The API answers with the stored form too, whatever form was typed.
    expect((await e.api('POST', '/blocklist', { number: '+55 21 93456-7890', reason: 'manual' })).status).toBe(201);
    const del = await e.api('DELETE', `/blocklist/${encodeURIComponent('(21) 93456-7890')}`);
    expect(del).toMatchObject({ status: 200, body: { removed: '5521934567890' } });
    expect((await e.api('DELETE', '/blocklist/021934567890')).status).toBe(404);
  });
});
