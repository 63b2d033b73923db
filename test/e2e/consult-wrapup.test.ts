/**
 * Wrap-up is after-call work for a customer the agent talked to. On the simulator, daemon as shipped:
 * a transfer target whose consult leg is cancelled never had the customer → straight back to
 * available, no wrap-up; a conference participant and the target of a completed transfer → wrap-up.
 */
import type { DomainEvent } from '../../src/events/bus';
import { AGENT_1000, E2E, startE2E, until } from './helpers';

jest.setTimeout(30000);

describe('e2e: wrap-up of transfer targets and conference participants', () => {
  let x: E2E | undefined;
  afterEach(async () => {
    await x?.stop();
    x = undefined;
  });

  it('cancelled consult: no wrap-up for the target; conference leg and completed transfer: wrap-up', async () => {
    const e = (x = await startE2E());
    const seen: DomainEvent[] = [];
    e.daemon.deps.bus.subscribe((ev) => {
      if (ev.agent === '1001' || ev.agents?.includes('1001')) seen.push(ev);
    });
    const of1001 = (type: string) => seen.filter((ev) => ev.type === type && ev.agent === '1001');
    const partOf = (parentId: string, kind: string) =>
      until(async () => (await e.calls()).find((c) => c.parentId === parentId && c.kind === kind && c.state === 'connected'), 5000, `${kind} part connected`);

    await e.login('1000', ['support']);
    e.sim.placeQueueCall({ queue: 'support', callerNumber: '11912340000' });
    const call = await until(async () => (await e.calls()).find((c) => c.state === 'connected' && c.agent === '1000'), 5000, 'connected');
    await e.login('1001', ['support']);

    // 1. Attended transfer: the target answers the consult, then the transfer is cancelled.
    expect((await e.api('POST', `/calls/${call.id}/transfer`, { target: '1001', kind: 'attended' }, AGENT_1000)).status).toBe(202);
    const consult = await partOf(call.id, 'transfer');
    await e.waitAgentState('1001', 'on-call');
    expect((await e.api('POST', `/calls/${call.id}/transfer/cancel`, {}, AGENT_1000)).status).toBeLessThan(300);
    await until(async () => !(await e.calls()).some((c) => c.kind === 'transfer'), 5000, 'consult ended');
    const after = await e.waitAgentState('1001', 'available');
    expect(after).toMatchObject({ currentCallId: null, wrapup: null });
    expect(of1001('wrapup.started')).toEqual([]);
    expect(of1001('agent.state').map((ev) => ev.data?.state)).toEqual(['available', 'ringing', 'on-call', 'available']);
    await until(() => e.sim.deviceState('Custom:agent-1001') === 'NOT_INUSE', 2000, 'Custom:agent-1001 not in use');
    expect(consult.agent).toBe('1001');

    // 2. Conference: 1001 joins the customer, then is removed → it talked with the customer: wrap-up.
    expect((await e.api('POST', `/calls/${call.id}/conference`, { agent: '1001' }, AGENT_1000)).status).toBe(202);
    const conf = await partOf(call.id, 'conference');
    expect((await e.api('POST', `/calls/${call.id}/conference/cancel`, {}, AGENT_1000)).status).toBeLessThan(300);
    await e.waitAgentState('1001', 'wrap-up');
    expect(of1001('wrapup.started').map((ev) => ev.callId)).toEqual([conf.id]);
    expect((await e.cli(['wrapup', 'set', '1001', '--disposition', 'Venda'])).code).toBe(0);
    await e.waitAgentState('1001', 'available');

    // 3. Completed transfer: the target takes the customer; when it hangs up, wrap-up.
    expect((await e.api('POST', `/calls/${call.id}/transfer`, { target: '1001', kind: 'attended' }, AGENT_1000)).status).toBe(202);
    const taken = await partOf(call.id, 'transfer');
    expect((await e.api('POST', `/calls/${call.id}/transfer/complete`, {}, AGENT_1000)).status).toBeLessThan(300);
    await until(async () => (await e.calls()).some((c) => c.id === taken.id && c.agent === '1001' && c.state === 'connected'), 5000, 'transferred');
    e.sim.hangupDevice('PJSIP/1001');
    await e.waitAgentState('1001', 'wrap-up');
    expect(of1001('wrapup.started').map((ev) => ev.callId)).toEqual([conf.id, taken.id]);
  });
});
