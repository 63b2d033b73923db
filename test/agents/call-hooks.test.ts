import { RECONCILE_MS } from '../../src/agents/service';
import { unitOfWork } from '../../src/store/unit-of-work';
import { recordRuns } from '../helpers/sql-runs';
import { makeKit } from './helpers';

describe('calls taken (AgentDirectory hooks)', () => {
  it('counts handling parts and completed transfers, not consult legs nor conference participations', async () => {
    const k = makeKit();
    await k.svc.login.login('1000', { queues: ['support'] });
    const end = (callId: string) => {
      k.svc.callEnded('1000', { callId, queue: 'support', answered: true });
      k.svc.wrapup.set('1000', 'Venda');
    };
    k.svc.callConnected('1000', { callId: 'q1', queue: 'support', direction: 'inbound' }); // default: handling
    end('q1');
    k.svc.callConnected('1000', { callId: 'o1', direction: 'outbound', part: 'handling' });
    end('o1');
    expect(k.svc.status('1000').callsTaken).toBe(2);
    k.svc.callConnected('1000', { callId: 't1', queue: 'support', direction: 'inbound', part: 'consult' });
    k.svc.callEnded('1000', { callId: 't1', queue: 'support', answered: true }); // consult cancelled: no wrap-up
    k.svc.callConnected('1000', { callId: 'c1', queue: 'support', direction: 'inbound', part: 'conference' });
    end('c1');
    expect(k.svc.status('1000').callsTaken).toBe(2);
    k.svc.callConnected('1000', { callId: 't2', queue: 'support', direction: 'inbound', part: 'consult' });
    k.svc.callTaken('1000', { callId: 't2', queue: 'support' }); // transfer completed
    expect(k.svc.status('1000')).toMatchObject({ callsTaken: 3, state: 'on-call' });
  });
});

describe("wrap-up after a transfer target's or conference participant's part (AgentDirectory hooks)", () => {
  const consult = { queue: 'support', direction: 'inbound' as const, part: 'consult' as const };

  it('a cancelled consult leg frees the target at once: no wrap-up window, not busy for app_queue', async () => {
    const k = makeKit();
    await k.svc.login.login('1000', { queues: ['support'] });
    k.svc.callRinging('1000', { callId: 't1', queue: 'support', direction: 'inbound' });
    k.svc.callConnected('1000', { callId: 't1', ...consult });
    await new Promise((r) => setImmediate(r));
    expect(k.ami.customStates.get('Custom:agent-1000')).toBe('INUSE');
    k.svc.callEnded('1000', { callId: 't1', queue: 'support', answered: true });
    await new Promise((r) => setImmediate(r));
    expect(k.svc.status('1000')).toMatchObject({ state: 'available', currentCallId: null, wrapup: null, callsTaken: 0 });
    expect(k.svc.wrapup.open('1000')).toBeUndefined();
    expect(k.ami.customStates.get('Custom:agent-1000')).toBe('NOT_INUSE');
  });

  it('a pause asked during a cancelled consult starts when it ends', async () => {
    const k = makeKit();
    await k.svc.login.login('1000', { queues: ['support'] });
    k.svc.callConnected('1000', { callId: 't1', ...consult });
    await k.svc.pause.pause('1000', 'Almoço');
    k.svc.callEnded('1000', { callId: 't1', queue: 'support', answered: true });
    expect(k.svc.status('1000')).toMatchObject({ state: 'paused', pauseReason: 'Almoço', wrapup: null });
  });

  it('a completed transfer (callTaken) and a conference participation end in wrap-up', async () => {
    const k = makeKit();
    await k.svc.login.login('1000', { queues: ['support'] });
    k.svc.callConnected('1000', { callId: 't2', ...consult });
    k.svc.callTaken('1000', { callId: 't2', queue: 'support' });
    k.svc.callEnded('1000', { callId: 't2', queue: 'support', answered: true });
    expect(k.svc.status('1000')).toMatchObject({ state: 'wrap-up', wrapup: { callId: 't2' } });
    k.svc.wrapup.set('1000', 'Venda');
    k.svc.callConnected('1000', { callId: 'c1', queue: 'support', direction: 'inbound', part: 'conference' });
    k.svc.callEnded('1000', { callId: 'c1', queue: 'support', answered: true });
    expect(k.svc.status('1000')).toMatchObject({ state: 'wrap-up', wrapup: { callId: 'c1' } });
  });
});

describe('agents whose call ended without telling them (issue 13: kill -9, locked DB)', () => {
  it('an agent on-call whose call is no longer live is put in wrap-up after two sweeps; one ringing goes back to available', async () => {
    const k = makeKit({ policy: { wrapup_seconds: 30 } });
    k.svc.start(k.ami);
    await k.svc.login.login('1000', { queues: ['support'] });
    await k.svc.login.login('1001', { queues: ['support'] });
    k.svc.callConnected('1000', { callId: 'q1', queue: 'support', direction: 'inbound' });
    k.svc.callRinging('1001', { callId: 'q2', queue: 'support', direction: 'inbound' });
    k.calls.active.set('1000', ['q1']);
    k.calls.active.set('1001', ['q2']);
    // Calls not re-synced yet (after a restart, before ARI recovery): nothing is touched.
    k.calls.active.clear();
    k.clock.advance(RECONCILE_MS * 3);
    expect(k.svc.status('1000').state).toBe('on-call');
    expect(k.svc.status('1001').state).toBe('ringing');
    k.calls.known = true;
    k.clock.advance(RECONCILE_MS); // first strike: maybe the end is on its way
    expect(k.svc.status('1000').state).toBe('on-call');
    k.clock.advance(RECONCILE_MS);
    expect(k.svc.status('1000')).toMatchObject({ state: 'wrap-up', wrapup: expect.objectContaining({ callId: 'q1' }) });
    expect(k.svc.status('1001')).toMatchObject({ state: 'available', currentCallId: null });
    k.svc.stop();
  });

  it('a live call is never touched, and a call that ends normally between two sweeps is ended once', async () => {
    const k = makeKit({ policy: { wrapup_seconds: 30 } });
    k.svc.start(k.ami);
    k.calls.known = true;
    await k.svc.login.login('1000', { queues: ['support'] });
    k.svc.callConnected('1000', { callId: 'q1', queue: 'support', direction: 'inbound' });
    k.calls.active.set('1000', ['q1']);
    k.clock.advance(RECONCILE_MS * 4);
    expect(k.svc.status('1000').state).toBe('on-call');
    k.calls.active.clear(); // the call ends: the calls domain drops it, then tells the agent
    k.clock.advance(RECONCILE_MS);
    k.svc.callEnded('1000', { callId: 'q1', queue: 'support', answered: true });
    k.clock.advance(RECONCILE_MS * 2);
    const rows = k.db.prepare("SELECT COUNT(*) AS n FROM wrapups WHERE extension = '1000'").get() as { n: number };
    expect(rows.n).toBe(1);
    expect(k.svc.status('1000').state).toBe('wrap-up');
    k.svc.stop();
  });
});

describe("the agent's writes join the call's step (src/store/unit-of-work.ts)", () => {
  const connected = async () => {
    const k = makeKit();
    await k.svc.login.login('1000', { queues: ['support'] });
    k.svc.callConnected('1000', { callId: 'q1', queue: 'support', direction: 'inbound' });
    k.clock.advance(5000);
    return k;
  };

  it("the end of a call: talk time, wrap-up row and state change in the caller's transaction, one runtime UPDATE, no savepoint", async () => {
    const k = await connected();
    const uow = unitOfWork(k.db);
    const c0 = uow.commits;
    const { runs, restore } = recordRuns(k.db);
    try {
      uow.run(() => k.svc.callEnded('1000', { callId: 'q1', queue: 'support', answered: true }));
    } finally {
      restore();
    }
    expect(uow.commits - c0).toBe(1);
    expect(runs.filter((s) => /^(BEGIN|COMMIT|SAVEPOINT|RELEASE)/.test(s))).toEqual(['BEGIN', 'COMMIT']);
    expect(runs.filter((s) => s.startsWith('UPDATE agent_runtime'))).toHaveLength(1);
    expect(k.svc.status('1000')).toMatchObject({ state: 'wrap-up', talkSeconds: 5, currentCallId: null, wrapup: { callId: 'q1' } });
  });

  it('when the step rolls back (a later write of the call fails), the agent stays as the database says', async () => {
    const k = await connected();
    expect(() =>
      unitOfWork(k.db).run(() => {
        k.svc.callEnded('1000', { callId: 'q1', queue: 'support', answered: true });
        throw new Error("the call's own write failed");
      }),
    ).toThrow("the call's own write failed");
    // The cached runtime row was dropped with the rollback: no wrap-up, no talk time, still on the call.
    expect(k.svc.status('1000')).toMatchObject({ state: 'on-call', talkSeconds: 0, currentCallId: 'q1', wrapup: null });
    expect(k.db.prepare('SELECT COUNT(*) FROM wrapups').pluck().get()).toBe(0);
  });
});
