/**
 * Queue stays and survey scores persisted from AMI (src/reports/stays.ts, surveys.ts) on a fake AMI
 * and a fake clock: each outcome from the events app_queue sends (captures/queue-call-answered shows
 * QueueCallerLeave before AgentConnect), and the QueueStatus re-sync after a reconnect: a caller
 * still waiting keeps its one stay (also across a daemon restart), one gone is answered or lost.
 */
import { agentExtFromInterface } from '../../src/ami/events';
import type { AmiEvent } from '../../src/ami/types';
import { silentLogger } from '../../src/log/logger';
import { LEAVE_GRACE_MS, QueueStayRecorder } from '../../src/reports/stays';
import { StaysRepo, type QueueStay } from '../../src/reports/stays-repo';
import { SurveyRecorder } from '../../src/reports/surveys';
import { openDatabase, type Db } from '../../src/store/db';
import { FakeClock } from '../../src/util/clock';

class Ami {
  handlers = new Map<string, ((e: AmiEvent) => void)[]>();
  connected: (() => void)[] = [];
  entries: AmiEvent[] = [];
  release?: () => void;
  hold = false;
  onEvent(name: string, h: (e: AmiEvent) => void) {
    this.handlers.set(name, [...(this.handlers.get(name) ?? []), h]);
    return () => this.handlers.set(name, (this.handlers.get(name) ?? []).filter((x) => x !== h));
  }
  onConnected(h: () => void) {
    this.connected.push(h);
    return () => (this.connected = this.connected.filter((x) => x !== h));
  }
  onDisconnected() {
    return () => undefined;
  }
  async actionList() {
    if (this.hold) await new Promise<void>((r) => (this.release = r));
    return { response: { Response: 'Success', ActionID: '1' }, events: this.entries };
  }
  emit(e: AmiEvent) {
    for (const h of this.handlers.get(e.Event) ?? []) h(e);
  }
  connect() {
    for (const h of this.connected) h();
  }
}

const flush = () => new Promise((r) => setImmediate(r));

/** Caller fields app_queue events carry (Uniqueid = the caller's channel, Linkedid = the customer's). */
const ev = (Event: string, id: string, extra: Record<string, string> = {}): AmiEvent => ({
  Event,
  Queue: 'support',
  Uniqueid: `${id}-q`,
  Linkedid: id,
  Channel: `Local/support@queues-${id};2`,
  CallerIDNum: '5550101',
  CallerIDName: 'Ana Cliente',
  Position: '1',
  ...extra,
});

describe('queue stays from AMI', () => {
  let db: Db;
  let ami: Ami;
  let clock: FakeClock;
  let rec: QueueStayRecorder;
  const stays = () => db.prepare('SELECT * FROM queue_stays ORDER BY id').all() as Record<string, unknown>[];
  const only = () => {
    const all = new StaysRepo(db);
    const rows = stays();
    expect(rows).toHaveLength(1);
    return all.get(Number(rows[0].id)) as QueueStay;
  };
  const newRecorder = () => new QueueStayRecorder({ ami, repo: new StaysRepo(db), clock, log: silentLogger(), agentOfInterface: (i) => agentExtFromInterface(i, 'cc-agent') });
  /** The agent part the daemon creates when the member leg enters Stasis (src/calls/inbound.ts). */
  const part = (id: string, linkedid: string, agent: string, extra: Partial<Record<string, unknown>> = {}) =>
    db
      .prepare(
        `INSERT INTO calls (id, root_id, kind, direction, queue, agent_ext, state, started_at, answered_at, ended_at, end_reason, linkedid, customer_channel_id)
         VALUES (@id, @id, 'inbound', 'inbound', 'support', @agent, 'connected', @started, @answered, @ended, @reason, @linkedid, @channel)`,
      )
      .run({ id, agent, linkedid, started: clock.now(), answered: null, ended: null, reason: null, channel: null, ...extra });

  beforeEach(() => {
    db = openDatabase(':memory:');
    ami = new Ami();
    clock = new FakeClock();
    rec = newRecorder();
    rec.start();
  });
  afterEach(() => {
    rec.stop();
    db.close();
  });

  it('callback: the exit key\'s leave becomes outcome callback, also when the request comes after the grace', () => {
    const t0 = clock.now();
    ami.emit(ev('QueueCallerJoin', 'c1'));
    clock.advance(20_000);
    ami.emit(ev('QueueCallerLeave', 'c1')); // the key: nothing else from app_queue
    clock.advance(100);
    expect(rec.markCallback('c1-q', 7)).toBe(true);
    clock.advance(LEAVE_GRACE_MS);
    expect(only()).toMatchObject({ outcome: 'callback', joinedAt: t0, leftAt: t0 + 20_000, detail: 'callback 7' });
    expect(stays()[0].callback_id).toBe(7);

    ami.emit(ev('QueueCallerJoin', 'c2'));
    ami.emit(ev('QueueCallerLeave', 'c2'));
    clock.advance(LEAVE_GRACE_MS); // closed as left before the request was seen
    expect(rec.markCallback('c2-q', 8)).toBe(true);
    expect(stays()[1]).toMatchObject({ outcome: 'callback', callback_id: 8 });
    expect(rec.markCallback('nobody-q', 9)).toBe(false);
  });

  it('answered: the leave time is the answer time, linked to the part the agent answered', () => {
    const t0 = clock.now();
    ami.emit(ev('QueueCallerJoin', 'c1', { Position: '2' }));
    clock.advance(12_000);
    part('20261121-000001', 'c1', '1000');
    ami.emit(ev('QueueCallerLeave', 'c1'));
    clock.advance(5); // AgentConnect follows in the same burst
    ami.emit(ev('AgentConnect', 'c1', { Interface: 'Local/1000@cc-agent/n', MemberName: 'Ana', HoldTime: '12' }));
    expect(only()).toMatchObject({
      queue: 'support',
      uniqueid: 'c1-q',
      linkedid: 'c1',
      callerNumber: '5550101',
      callerName: 'Ana Cliente',
      joinedAt: t0,
      joinSource: 'event',
      position: 2,
      leftAt: t0 + 12_000,
      outcome: 'answered',
      agentExt: '1000',
      callId: '20261121-000001',
      rootId: '20261121-000001',
    });
    // Nothing is left pending: the grace passing changes nothing.
    clock.advance(LEAVE_GRACE_MS * 2);
    expect(only().outcome).toBe('answered');
  });

  it('abandoned, and blocked when the daemon refused the caller', () => {
    ami.emit(ev('QueueCallerJoin', 'c1'));
    clock.advance(3000);
    ami.emit(ev('QueueCallerAbandon', 'c1', { HoldTime: '3' }));
    ami.emit(ev('QueueCallerLeave', 'c1'));
    ami.emit(ev('QueueCallerJoin', 'c2', { Uniqueid: 'c2-q' }));
    part('20261121-000002', 'c2', '1000', { ended: clock.now(), reason: 'blocked' });
    ami.emit(ev('QueueCallerAbandon', 'c2'));
    const rows = stays();
    expect(rows.map((r) => [r.linkedid, r.outcome, (r.left_at as number) - (r.joined_at as number)])).toEqual([
      ['c1', 'abandoned', 3000],
      ['c2', 'blocked', 0],
    ]);
  });

  it('timeout from CcQueueExit, other statuses and unexplained leaves are "left"', () => {
    ami.emit(ev('QueueCallerJoin', 'c1'));
    clock.advance(60_000);
    ami.emit(ev('QueueCallerLeave', 'c1'));
    clock.advance(10);
    ami.emit(ev('UserEvent', 'c1', { UserEvent: 'CcQueueExit', Status: 'TIMEOUT', Info: '' }));
    // QueueWithdrawCaller: app_queue counts it as an abandon (QueueCallerAbandon first), then the
    // caller goes on in the dialplan and CcQueueExit says WITHDRAW.
    ami.emit(ev('QueueCallerJoin', 'c2'));
    ami.emit(ev('QueueCallerAbandon', 'c2'));
    ami.emit(ev('QueueCallerLeave', 'c2'));
    ami.emit(ev('UserEvent', 'c2', { UserEvent: 'CcQueueExit', Status: 'WITHDRAW', Info: 'callback' }));
    ami.emit(ev('QueueCallerJoin', 'c3'));
    clock.advance(1000);
    ami.emit(ev('QueueCallerLeave', 'c3')); // an exit key to a service: nothing explains it
    expect(stays().find((r) => r.linkedid === 'c3')!.outcome).toBe('waiting');
    clock.advance(LEAVE_GRACE_MS);
    // An answered call's caller going on in the dialplan: empty status, the stay is closed already.
    ami.emit(ev('UserEvent', 'c3', { UserEvent: 'CcQueueExit', Status: '' }));
    expect(stays().map((r) => [r.linkedid, r.outcome, r.detail, (r.left_at as number) - (r.joined_at as number)])).toEqual([
      ['c1', 'timeout', 'TIMEOUT', 60_000],
      ['c2', 'left', 'WITHDRAW callback', 0],
      ['c3', 'left', 'left the queue', 1000],
    ]);
  });

  it('a caller waiting through a daemon restart stays one stay; QueueStatus adds those joined meanwhile', async () => {
    const t0 = clock.now();
    ami.emit(ev('QueueCallerJoin', 'c1'));
    rec.stop(); // the daemon goes away
    clock.advance(30_000);
    rec = newRecorder();
    rec.start();
    ami.entries = [
      { Event: 'QueueEntry', Queue: 'support', Position: '1', Uniqueid: 'c1-q', Channel: 'x', CallerIDNum: '5550101', Wait: '30' },
      { Event: 'QueueEntry', Queue: 'support', Position: '2', Uniqueid: 'c9-q', Channel: 'y', CallerIDNum: '5550109', Wait: '7' },
    ];
    ami.connect();
    await flush();
    expect(stays().map((r) => [r.uniqueid, r.outcome, r.joined_at, r.join_source, r.linkedid])).toEqual([
      ['c1-q', 'waiting', t0, 'event', 'c1'],
      ['c9-q', 'waiting', t0 + 30_000 - 7000, 'status', null],
    ]);
    // QueueStatus has no Linkedid: the answer brings it.
    part('20261121-000009', 'c9', '1001');
    ami.emit(ev('QueueCallerLeave', 'c9', { Uniqueid: 'c9-q' }));
    ami.emit(ev('AgentConnect', 'c9', { Uniqueid: 'c9-q', Interface: 'Local/1001@cc-agent/n' }));
    expect(stays()[1]).toMatchObject({ linkedid: 'c9', outcome: 'answered', agent_ext: '1001', call_id: '20261121-000009' });
  });

  it('after a reconnect, open stays not waiting any more are answered (a part says so) or lost', async () => {
    ami.emit(ev('QueueCallerJoin', 'c1'));
    ami.emit(ev('QueueCallerJoin', 'c2'));
    clock.advance(20_000);
    const answeredAt = clock.now();
    part('20261121-000001', 'c1', '1000', { answered: answeredAt });
    clock.advance(40_000);
    ami.entries = [];
    ami.connect();
    await flush();
    expect(stays().map((r) => [r.linkedid, r.outcome, r.left_at, r.call_id])).toEqual([
      ['c1', 'answered', answeredAt, '20261121-000001'],
      ['c2', 'lost', clock.now(), null],
    ]);
  });

  it('events seen while QueueStatus is in flight win over its answer', async () => {
    ami.emit(ev('QueueCallerJoin', 'c1'));
    ami.entries = [{ Event: 'QueueEntry', Queue: 'support', Position: '1', Uniqueid: 'c1-q', Wait: '0' }];
    ami.hold = true;
    ami.connect();
    await flush();
    ami.emit(ev('QueueCallerAbandon', 'c1')); // gone while the list was built
    ami.emit(ev('QueueCallerJoin', 'c2')); // not in the list, not gone
    ami.release!();
    await flush();
    expect(stays().map((r) => [r.linkedid, r.outcome])).toEqual([
      ['c1', 'abandoned'],
      ['c2', 'waiting'],
    ]);
  });
});

describe('survey scores from CcSurvey', () => {
  it('stored on the part whose customer side ran the survey; scores outside 1-5 are not', () => {
    const db = openDatabase(':memory:');
    const ami = new Ami();
    const clock = new FakeClock();
    const rec = new SurveyRecorder({ ami, repo: new StaysRepo(db), clock, log: silentLogger() });
    rec.start();
    const ins = db.prepare(
      `INSERT INTO calls (id, parent_id, root_id, kind, direction, queue, agent_ext, state, started_at, answered_at, ended_at, linkedid, customer_channel_id)
       VALUES (?, ?, ?, ?, 'inbound', 'support', ?, 'ended', ?, ?, ?, 'c1', 'leg-2')`,
    );
    // A transfer: both parts had the same customer side; the target's part is the one rated.
    ins.run('P1', null, 'P1', 'inbound', '1000', 1, 2, 5);
    ins.run('P2', 'P1', 'P1', 'transfer', '1001', 4, 5, 9);
    const survey = (score: string) => ami.emit({ Event: 'UserEvent', UserEvent: 'CcSurvey', Score: score, Uniqueid: 'leg-2', Linkedid: 'c1' });
    survey('4');
    survey('9');
    survey('');
    expect(db.prepare('SELECT call_id, root_id, queue, agent_ext, score, at FROM call_surveys').all()).toEqual([
      { call_id: 'P2', root_id: 'P1', queue: 'support', agent_ext: '1001', score: 4, at: clock.now() },
    ]);
    rec.stop();
    db.close();
  });
});
