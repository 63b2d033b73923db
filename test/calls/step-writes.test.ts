/**
 * A call step (creation, answer, end) and what the agents domain writes about it commit as one
 * transaction (src/store/unit-of-work.ts): once per step, and all or nothing.
 */
import type { Db } from '../../src/store/db';
import { unitOfWork } from '../../src/store/unit-of-work';
import { openDatabase } from '../../src/store/db';
import { flush } from './fake-ari';
import { FakeAgents, makeHarness, startQueueCall, type Harness } from './harness';

/**
 * An agents domain that writes a row per hook through the connection's unit of work and, like
 * AgentService.guard, logs and swallows its own failures.
 */
class WritingAgents extends FakeAgents {
  constructor(private readonly db: Db) {
    super();
    db.exec('CREATE TABLE agent_marks (ext TEXT NOT NULL, what TEXT NOT NULL, call_id TEXT NOT NULL)');
  }
  private mark(ext: string, what: string, callId: string): void {
    try {
      unitOfWork(this.db).run(() => this.db.prepare('INSERT INTO agent_marks VALUES (?, ?, ?)').run(ext, what, callId));
    } catch {
      // logged and ignored by the agents domain
    }
  }
  override callRinging(ext: string, c: { callId: string }): void {
    super.callRinging(ext, c);
    this.mark(ext, 'ringing', c.callId);
  }
  override callConnected(ext: string, c: { callId: string }): void {
    super.callConnected(ext, c);
    this.mark(ext, 'connected', c.callId);
  }
  override callEnded(ext: string, c: { callId: string; answered: boolean }): void {
    super.callEnded(ext, c);
    this.mark(ext, 'ended', c.callId);
  }
}

describe('call steps: one transaction each, the agent side included', () => {
  let h: Harness;
  let agents: WritingAgents;
  beforeEach(() => {
    const db = openDatabase(':memory:');
    agents = new WritingAgents(db);
    h = makeHarness({ db, agents });
    agents.add('1000');
    h.svc.start();
  });
  afterEach(() => h.svc.stop());

  const marks = () => h.db.prepare('SELECT what FROM agent_marks ORDER BY rowid').pluck().all();
  const row = (id: string) => h.svc.repo.get(id)!;

  it('creation, answer, bridge and end commit once each, with the agent rows', async () => {
    const uow = unitOfWork(h.db);
    const c0 = uow.commits;
    const leg = startQueueCall(h);
    await flush();
    // The row, its 'created' event and the agent ringing (the device id written on its own after the originate).
    expect(uow.commits - c0).toBe(1);
    expect(marks()).toEqual(['ringing']);
    const call = h.svc.list()[0];
    h.ari.answer(h.ari.originated('agent')[0].id);
    await flush();
    expect(call.state).toBe('connected');
    expect(uow.commits - c0).toBe(3); // leg answered (+ agent on-call), bridged
    expect(marks()).toEqual(['ringing', 'connected']);
    h.ari.remoteHangup(leg);
    await flush();
    expect(uow.commits - c0).toBe(4); // the part's end and the agent's end together
    expect(marks()).toEqual(['ringing', 'connected', 'ended']);
    expect(row(call.id)).toMatchObject({ state: 'ended', endReason: 'customer-hangup' });
    expect(h.svc.repo.events(call.id).map((e) => e.type)).toEqual(['created', 'state', 'state', 'ended']);
  });

  it("a storage failure in the agent's part of the end voids the part's end too; the end is retried, the agent's side written alone", async () => {
    const leg = startQueueCall(h);
    await flush();
    const call = h.svc.list()[0];
    h.ari.answer(h.ari.originated('agent')[0].id);
    await flush();
    h.db.exec(
      "CREATE TEMP TRIGGER full BEFORE INSERT ON agent_marks WHEN NEW.what = 'ended' BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END",
    );
    h.ari.remoteHangup(leg);
    await flush();
    // Nothing of the step landed: the row is open, no 'ended' event, no agent row.
    expect(row(call.id)).toMatchObject({ endedAt: null, state: 'connected' });
    expect(h.svc.repo.events(call.id).map((e) => e.type)).toEqual(['created', 'state', 'state']);
    expect(marks()).toEqual(['ringing', 'connected']);
    expect(h.svc.list()).toEqual([]); // gone from the live calls all the same
    expect(h.svc.core.endPending(call.id)).toBe(true);
    // The agents domain was told twice: in the step, then alone at once (it failed again here).
    expect(agents.calls.filter((c) => c.startsWith('ended'))).toHaveLength(2);
    h.db.exec('DROP TRIGGER full');
    h.clock.advance(500);
    expect(row(call.id)).toMatchObject({ state: 'ended', endReason: 'customer-hangup' });
    expect(h.svc.repo.events(call.id).map((e) => e.type)).toEqual(['created', 'state', 'state', 'ended']);
    expect(h.svc.core.endPending(call.id)).toBe(false);
  });

  it("a storage failure in the agent's part of the answer voids the answer: the call does not go on half-written", async () => {
    const leg = startQueueCall(h);
    await flush();
    const call = h.svc.list()[0];
    h.db.exec(
      "CREATE TEMP TRIGGER full BEFORE INSERT ON agent_marks WHEN NEW.what = 'connected' BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END",
    );
    h.ari.answer(h.ari.originated('agent')[0].id);
    await flush();
    // The answer (state, bridge id, answered_at, its event) did not land; the call ended as a failed bridge.
    const ended = row(call.id);
    expect(ended).toMatchObject({ state: 'ended', endReason: 'bridge-failed', answeredAt: null, bridgeId: null });
    expect(h.svc.repo.events(call.id).map((e) => `${e.type}:${String(e.data.state ?? e.data.reason)}`)).toEqual([
      'created:ringing-agent',
      'ended:bridge-failed',
    ]);
    expect(h.ari.chans.has(leg)).toBe(false);
  });
});
