/**
 * Calls taken count calls the agent handled with a customer: a cancelled consult and a conference
 * participation are not calls taken for the target; a completed transfer is (for the target).
 */
import { AGENT_1000, E2E, startE2E, until } from './helpers';

jest.setTimeout(30000);

describe('e2e: calls taken', () => {
  let x: E2E | undefined;
  afterEach(async () => {
    await x?.stop();
    x = undefined;
  });

  const taken = async (e: E2E, ext: string) => (await e.agent(ext)).callsTaken as number;
  const partOf = async (e: E2E, parentId: string, kind: string) =>
    until(async () => (await e.calls()).find((c) => c.parentId === parentId && c.kind === kind && c.state === 'connected'), 5000, `${kind} part connected`);

  /** The target's part ended: close its wrap-up if it got one, back to available. */
  const settle = async (e: E2E, ext: string) => {
    const st = await until(async () => {
      const a = await e.agent(ext);
      return a.state !== 'on-call' && a.state !== 'ringing' ? a.state : undefined;
    }, 5000, `${ext} off the call`);
    if (st === 'wrap-up') expect((await e.cli(['wrapup', 'set', ext, '--disposition', 'Venda'])).code).toBe(0);
    await until(async () => (await e.agent(ext)).state === 'available', 5000, `${ext} available again`);
  };

  it('cancelled consult and conference leg: not taken by the target; completed transfer: taken by the target', async () => {
    const e = (x = await startE2E());
    await e.login('1000', ['support']);
    e.sim.placeQueueCall({ queue: 'support', callerNumber: '11912340000' });
    const call = await until(async () => (await e.calls()).find((c) => c.state === 'connected' && c.agent === '1000'), 5000, 'connected');
    // 1001 logs in once the only queue call is with 1000: an available agent (a paused one is not a
    // transfer/conference target).
    await e.login('1001', ['support']);
    expect(await taken(e, '1000')).toBe(1);

    // 1. Attended transfer to 1001, consult answered, then cancelled.
    expect((await e.api('POST', `/calls/${call.id}/transfer`, { target: '1001', kind: 'attended' }, AGENT_1000)).status).toBeLessThan(300);
    await partOf(e, call.id, 'transfer');
    expect((await e.api('POST', `/calls/${call.id}/transfer/cancel`, {}, AGENT_1000)).status).toBeLessThan(300);
    await until(async () => !(await e.calls()).some((c) => c.kind === 'transfer'), 5000, 'consult ended');
    expect(await taken(e, '1001')).toBe(0);

    // 2. Conference: 1001 joins, then leaves.
    await settle(e, '1001');
    expect((await e.api('POST', `/calls/${call.id}/conference`, { agent: '1001' }, AGENT_1000)).status).toBe(202);
    await partOf(e, call.id, 'conference');
    expect((await e.api('POST', `/calls/${call.id}/conference/cancel`, {}, AGENT_1000)).status).toBeLessThan(300);
    await until(async () => !(await e.calls()).some((c) => c.kind === 'conference'), 5000, 'conference leg ended');
    expect(await taken(e, '1001')).toBe(0);

    // 3. Attended transfer completed: the target took the call.
    await settle(e, '1001');
    const again = await e.api('POST', `/calls/${call.id}/transfer`, { target: '1001', kind: 'attended' }, AGENT_1000);
    expect(again.status).toBeLessThan(300);
    await partOf(e, call.id, 'transfer');
    expect((await e.api('POST', `/calls/${call.id}/transfer/complete`, {}, AGENT_1000)).status).toBeLessThan(300);
    await until(async () => (await e.calls()).some((c) => c.kind === 'transfer' && c.agent === '1001' && c.state === 'connected'), 5000, 'transferred');
    await until(async () => (await taken(e, '1001')) === 1, 3000, '1001 took the transferred call');
    expect(await taken(e, '1000')).toBe(1);
  });
});
