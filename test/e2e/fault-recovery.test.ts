/**
 * Issue 13, what the fault bench (`npm run chaos`) found, reproduced on the simulator.
 * 1. db-lock: another writer holding
 * the database (BEGIN EXCLUSIVE past busy_timeout) while a customer hangs up. The end of the call
 * part failed to be written and the agent's callEnded was dropped ("agent callEnded ignored:
 * database is locked"): the part stayed open and the agent on-call for good, out of the queue.
 * Now the part's end is retried until written, and agents whose call is no longer live are freed
 * by the reconciliation sweep (CallHooks.reconcile).
 * 2. half-open / ARI cut: bridge destroys that failed while Asterisk was unreachable left empty
 *    stasis bridges for good; a periodic sweep (Recovery.sweep) destroys empty unowned ones.
 */
import Database from 'better-sqlite3';
import { RECONCILE_MS } from '../../src/agents/service';
import { SWEEP_MS } from '../../src/calls/service';
import { bootEach, until } from './helpers';

jest.setTimeout(60000);

describe('e2e: the database locked by another writer while a call ends', () => {
  const boot = bootEach();

  it('the part is written once the lock is gone and the agent goes to wrap-up, then takes the next call', async () => {
    const x = await boot();
    const h = x.sim.placeQueueCall({ queue: 'support', callerNumber: '5550701' });
    const call = await until(async () => (await x.calls()).find((c) => c.state === 'connected'), 5000, 'connected');
    const other = new Database(x.dbPath);
    try {
      other.exec('BEGIN EXCLUSIVE');
      x.sim.customerHangup(h);
      // The daemon's writes wait busy_timeout (the event loop with them), then fail.
      await until(async () => (await x.calls()).length === 0, 20000, 'call gone from the live list');
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      other.exec('COMMIT');
      other.close();
    }
    await until(() => x.rows('SELECT ended_at FROM calls WHERE id = ?', call.id)[0].ended_at !== null, 15000, 'part end written');
    expect(x.rows('SELECT end_reason FROM calls WHERE id = ?', call.id)[0].end_reason).toBe('customer-hangup');
    const st = await x.waitAgentState('1000', 'wrap-up', RECONCILE_MS * 3 + 5000);
    expect(st.wrapup).toMatchObject({ callId: call.id });
    // Out of wrap-up, the agent takes the next queue call.
    await x.api('POST', '/agents/1000/wrapup', { disposition: 'Venda' });
    await x.waitAgentState('1000', 'available');
    x.sim.placeQueueCall({ queue: 'support', callerNumber: '5550702' });
    await until(async () => (await x.calls()).find((c) => c.state === 'connected' && c.id !== call.id), 5000, 'next call connected');
  });
});

describe('e2e: an empty bridge left behind while Asterisk was unreachable (issue 13, half-open fault)', () => {
  const boot = bootEach();

  it('is destroyed by the periodic sweep once empty and unowned twice in a row; a live call\'s bridge is kept', async () => {
    const x = await boot();
    x.sim.placeQueueCall({ queue: 'support', callerNumber: '5550801' });
    const call = await until(async () => (await x.calls()).find((c) => c.state === 'connected'), 5000, 'connected');
    // What a destroy that failed during the outage leaves: a bridge of the app, empty, no call's.
    x.sim.model.createBridge({ id: 'left-behind-br', type: 'mixing', app: x.sim.app, bridgeClass: 'stasis' });
    await until(() => !x.sim.bridges().some((b) => b.id === 'left-behind-br'), SWEEP_MS * 3 + 5000, 'empty orphan bridge destroyed');
    expect(x.sim.bridges().some((b) => b.id === call.bridgeId)).toBe(true);
    expect((await x.calls()).find((c) => c.id === call.id)?.state).toBe('connected');
  });
});
