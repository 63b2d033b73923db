/**
 * Callback requests from a queue (origin 'queue'): the turn rule, the intake's checks, and the
 * scheduler serving them in their callers' queue order with their own retry policy, across a
 * daemon restart (the DB outlives the instance).
 */
import { AgentPicker } from '../../src/callbacks/agent-picker';
import type { CallbackDialer, CallbackStatus } from '../../src/callbacks/model';
import { QueueCallbackIntake, type QueueEntry } from '../../src/callbacks/queue-intake';
import { queueTurn } from '../../src/callbacks/queue-turn';
import { CallbacksRepo } from '../../src/callbacks/repo';
import { CallbackScheduler, type SchedulerOptions } from '../../src/callbacks/scheduler';
import { DncGuard } from '../../src/dnc/guard';
import { EventBus } from '../../src/events/bus';
import { silentLogger } from '../../src/log/logger';
import type { Db } from '../../src/store/db';
import { FakeClock } from '../../src/util/clock';
import { refused } from '../../src/util/errors';
import { advance, FakePresence, seededDb, testConfig, thrown } from './helpers';

const START = Date.parse('2026-11-21T12:00:00Z');
const SEC = 1000;

describe('queueTurn', () => {
  it('is the head when nobody who entered earlier still waits', () => {
    const live = (...t: number[]) => t.map((joinedAt, i) => ({ uniqueid: `u${i}`, joinedAt }));
    expect(queueTurn({ id: 1, queueJoinedAt: 100 }, live(101, 150), [])).toEqual({ head: true });
    // Its own caller, still listed until the leave is seen, is not ahead of it.
    expect(queueTurn({ id: 1, queueJoinedAt: 100, uniqueid: 'u0' }, live(100), [])).toEqual({ head: true });
    expect(queueTurn({ id: 1, queueJoinedAt: 100 }, [], [{ id: 1, queueJoinedAt: 100, status: 'pending' }])).toEqual({ head: true });
  });

  it('counts earlier live callers and earlier pending requests, not ringing ones', () => {
    // A live caller of the same millisecond is ahead.
    const t = queueTurn({ id: 5, queueJoinedAt: 100 }, [50, 100, 120].map((joinedAt, i) => ({ uniqueid: `u${i}`, joinedAt })), [
      { id: 3, queueJoinedAt: 90, status: 'pending' },
      { id: 4, queueJoinedAt: 80, status: 'ringing' },
      { id: 6, queueJoinedAt: 110, status: 'pending' },
    ]);
    expect(t).toEqual({ head: false, ahead: 3, reason: 'waiting for its turn: 2 callers and 1 earlier callback request ahead' });
  });

  it('breaks a tie between requests by id', () => {
    const open = [
      { id: 1, queueJoinedAt: 100, status: 'pending' },
      { id: 2, queueJoinedAt: 100, status: 'pending' },
    ];
    expect(queueTurn({ id: 1, queueJoinedAt: 100 }, [], open).head).toBe(true);
    expect(queueTurn({ id: 2, queueJoinedAt: 100 }, [], open).head).toBe(false);
  });
});

class FakeDialer implements CallbackDialer {
  calls: { ext: string; number: string; callbackId: number; origin?: string; linkedid?: string }[] = [];
  failWith?: Error;
  private seq = 0;
  async dialForAgent(ext: string, number: string, _ddi: string, o: { callbackId: number; origin?: string; linkedid?: string }): Promise<string> {
    this.calls.push({ ext, number, callbackId: o.callbackId, origin: o.origin, linkedid: o.linkedid });
    if (this.failWith) throw this.failWith;
    return `CB-${++this.seq}`;
  }
}

/** One daemon instance over a DB that outlives it. `waiting`: entry times of the live callers of support. */
function instance(db: Db, clock: FakeClock, presence: FakePresence, waiting: number[], options: Partial<SchedulerOptions> = {}) {
  const bus = new EventBus();
  const changes: { id: number; state: CallbackStatus; previous: CallbackStatus | null }[] = [];
  const repo = new CallbacksRepo(db, clock, (c, previous) => changes.push({ id: c.id, state: c.status, previous }));
  const picker = new AgentPicker({ directory: presence, db, bus });
  const dialer = new FakeDialer();
  const scheduler = new CallbackScheduler({
    repo,
    picker,
    dialer,
    clock,
    log: silentLogger(),
    options: { ...options, queue: { maxAttempts: 2, retryDelayMs: 30 * SEC, waitRetryMs: 5 * SEC, giveUpAfterMs: 600 * SEC, ...options.queue } },
    turn: (c) => queueTurn({ id: c.id, queueJoinedAt: c.queueJoinedAt!, uniqueid: c.uniqueid }, waiting.map((joinedAt, n) => ({ uniqueid: `live-${n}`, joinedAt })), repo.openQueueRequests(c.queue!).map((r) => ({ ...r, queueJoinedAt: r.queueJoinedAt! }))),
  });
  const entries = new Map<string, QueueEntry>();
  const dnc = new DncGuard({ db, clock });
  const intake = new QueueCallbackIntake({ db, repo, policy: testConfig().policy, clock, log: silentLogger(), dnc, onRequest: () => scheduler.rearm() });
  intake.setEntries({ entryOf: (u) => entries.get(u) });
  picker.start();
  scheduler.start();
  return { repo, dialer, scheduler, intake, entries, changes, dnc };
}

describe('QueueCallbackIntake', () => {
  it('stores the request with the entry time of the caller\'s queue stay; a second key press keeps the first', () => {
    const clock = new FakeClock(START);
    const i = instance(seededDb(), clock, new FakePresence(), []);
    i.entries.set('ch-1', { queue: 'support', joinedAt: START - 40 * SEC, linkedid: 'lk-1' });
    const c = i.intake.request({ uniqueid: 'ch-1', queue: 'support', callerNumber: '+55 11 98765-4321', position: 3, fallbackJoinedAt: START - 99 * SEC });
    expect(c).toMatchObject({
      origin: 'queue',
      queue: 'support',
      number: '11987654321',
      ddi: '55',
      status: 'pending',
      at: START,
      queueJoinedAt: START - 40 * SEC,
      queuePosition: 3,
      uniqueid: 'ch-1',
      linkedid: 'lk-1',
    });
    expect(i.intake.request({ uniqueid: 'ch-1', queue: 'support', callerNumber: '11987654321', fallbackJoinedAt: 0 }).id).toBe(c.id);
    expect(i.repo.list({ origin: 'queue' })).toHaveLength(1);
    expect(i.changes).toEqual([{ id: c.id, state: 'pending', previous: null }]);
    i.scheduler.stop();
  });

  it('falls back to the channel creation time without a stay of that queue', () => {
    const clock = new FakeClock(START);
    const i = instance(seededDb(), clock, new FakePresence(), []);
    i.entries.set('ch-2', { queue: 'sales', joinedAt: START - 5 * SEC, linkedid: null });
    const c = i.intake.request({ uniqueid: 'ch-2', queue: 'support', callerNumber: '11987654321', fallbackJoinedAt: START - 70 * SEC });
    expect(c.queueJoinedAt).toBe(START - 70 * SEC);
    expect(c.linkedid).toBeUndefined();
    i.scheduler.stop();
  });

  it('refuses, storing nothing: no number, a bad number, an unknown queue, a do-not-call number', () => {
    const clock = new FakeClock(START);
    const i = instance(seededDb(), clock, new FakePresence(), []);
    const req = (callerNumber: string, queue = 'support') => () => i.intake.request({ uniqueid: 'x', queue, callerNumber, fallbackJoinedAt: START });
    expect(thrown(req('')).message).toMatch(/no number to call back/);
    expect(thrown(req('anonymous')).kind).toBe('invalid');
    expect(thrown(req('11987654321', 'nope')).message).toMatch(/queue nope does not exist/);
    expect(thrown(req('11987654321', 'Bad;Queue')).kind).toBe('invalid');
    i.dnc.list.add({ number: '11987654321', reason: 'asked not to be called' });
    expect(thrown(req('11987654321')).kind).toBe('refused');
    expect(i.repo.list({ origin: 'queue' })).toEqual([]);
    i.scheduler.stop();
  });
});

describe('QueueCallbackIntake on the channel', () => {
  /** ARI channels as the intake uses them: records what it was told to do. */
  function fakeChannels(fail = false) {
    const done: string[] = [];
    const channels = {
      async setVariable(id: string, name: string, value: string) {
        if (fail) throw new Error('Channel not found');
        done.push(`${id} ${name}=${value}`);
      },
      async continueInDialplan(id: string) {
        done.push(`${id} continue`);
      },
    };
    return { done, ari: { channels: channels as never } };
  }
  const channel = (id: string, number: string, appData: string) =>
    ({
      id,
      name: `Local/support@cc-queues-0001;2`,
      state: 'Up',
      caller: { name: '', number },
      connected: { name: '', number: '' },
      accountcode: '',
      dialplan: { context: 'cc-queue-callback', exten: '1', priority: 1, app_name: 'Stasis', app_data: appData },
      creationtime: new Date(START - 30 * SEC).toISOString(),
      language: 'en',
    }) as never;

  function intakeWith(ari: { channels: never }) {
    const db = seededDb();
    const clock = new FakeClock(START);
    const repo = new CallbacksRepo(db, clock);
    return { repo, intake: new QueueCallbackIntake({ ari, db, repo, policy: testConfig().policy, clock, log: silentLogger() }) };
  }

  it('answers accepted (then continue) or refused; the position comes from the Stasis args', async () => {
    const f = fakeChannels();
    const { repo, intake } = intakeWith(f.ari);
    await intake.onStart({ type: 'StasisStart', args: ['queue-callback', 'support', '4'], channel: channel('c1', '11987654321', '') } as never);
    await intake.onStart({ type: 'StasisStart', args: ['queue-callback', 'support', ''], channel: channel('c2', '', '') } as never);
    expect(f.done).toEqual(['c1 CC_CALLBACK=accepted', 'c1 continue', 'c2 CC_CALLBACK=refused', 'c2 continue']);
    // No queue stay known (no entries port): the channel's creation time is the entry time.
    expect(repo.list({ origin: 'queue' })).toMatchObject([{ uniqueid: 'c1', queuePosition: 4, queueJoinedAt: START - 30 * SEC }]);
  });

  it('a caller gone before the answer keeps the request', async () => {
    const { repo, intake } = intakeWith(fakeChannels(true).ari);
    await intake.onStart({ type: 'StasisStart', args: ['queue-callback', 'support', '1'], channel: channel('c1', '11987654321', '') } as never);
    expect(repo.list({ origin: 'queue', status: 'pending' })).toHaveLength(1);
  });

  it('after a restart, claims a caller the previous process never answered, and nothing else', async () => {
    const f = fakeChannels();
    const { repo, intake } = intakeWith(f.ari);
    expect(intake.claimOnRecovery(channel('c9', '11987654321', 'callcenter,agent-leg,1000,lk'), 'callcenter')).toBe(false);
    expect(intake.claimOnRecovery(channel('c9', '11987654321', 'other,queue-callback,support,1'), 'callcenter')).toBe(false);
    expect(intake.claimOnRecovery(channel('c9', '11987654321', 'callcenter,queue-callback,support,2'), 'callcenter')).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(f.done).toEqual(['c9 CC_CALLBACK=accepted', 'c9 continue']);
    expect(repo.list({ origin: 'queue' })).toMatchObject([{ uniqueid: 'c9', queuePosition: 2 }]);
  });
});

describe('queue requests in the scheduler', () => {
  it('waits for earlier callers, then rings the free agent and dials the caller', async () => {
    const clock = new FakeClock(START);
    const presence = new FakePresence();
    presence.set('1000', 'available');
    const waiting = [START - 60 * SEC]; // entered before our caller, still waiting
    const i = instance(seededDb(), clock, presence, waiting);
    i.entries.set('ch-1', { queue: 'support', joinedAt: START - 30 * SEC, linkedid: 'lk-1' });
    const c = i.intake.request({ uniqueid: 'ch-1', queue: 'support', callerNumber: '11987654321', fallbackJoinedAt: 0 });
    await advance(clock, 0, i.scheduler);
    expect(i.dialer.calls).toEqual([]);
    expect(i.repo.get(c.id)).toMatchObject({ status: 'pending', nextAt: START + 5 * SEC, lastError: 'waiting for its turn: 1 caller ahead' });

    waiting.splice(0); // the earlier caller was answered
    waiting.push(START - 10 * SEC); // a later caller does not block
    await advance(clock, 5 * SEC, i.scheduler);
    expect(i.dialer.calls).toEqual([{ ext: '1000', number: '11987654321', callbackId: c.id, origin: 'queue', linkedid: 'lk-1' }]);
    expect(i.repo.get(c.id)).toMatchObject({ status: 'done', callId: 'CB-1', attempts: 1 });
    expect(i.changes.map((x) => `${x.previous}->${x.state}`)).toEqual(['null->pending', 'pending->ringing', 'ringing->done']);
    i.scheduler.stop();
  });

  it('serves two requests in their callers\' order, whatever order they were made in', async () => {
    const clock = new FakeClock(START);
    const presence = new FakePresence();
    presence.set('1000', 'paused');
    const i = instance(seededDb(), clock, presence, []);
    i.entries.set('late', { queue: 'support', joinedAt: START - 10 * SEC, linkedid: null });
    i.entries.set('early', { queue: 'support', joinedAt: START - 50 * SEC, linkedid: null });
    const late = i.intake.request({ uniqueid: 'late', queue: 'support', callerNumber: '11911112222', fallbackJoinedAt: 0 });
    const early = i.intake.request({ uniqueid: 'early', queue: 'support', callerNumber: '11933334444', fallbackJoinedAt: 0 });
    await advance(clock, 5 * SEC, i.scheduler);
    expect(i.repo.get(late.id)!.lastError).toBe('waiting for its turn: 1 earlier callback request ahead');
    expect(i.repo.get(early.id)!.lastError).toMatch(/no agent of queue support is available/);
    presence.set('1000', 'available');
    i.scheduler.poke();
    await advance(clock, 0, i.scheduler);
    expect(i.dialer.calls.map((d) => d.callbackId)).toEqual([early.id]);
    await advance(clock, 5 * SEC, i.scheduler);
    expect(i.dialer.calls.map((d) => d.callbackId)).toEqual([early.id, late.id]);
    i.scheduler.stop();
  });

  it('retries a failed dial per the queue policy, then fails', async () => {
    const clock = new FakeClock(START);
    const presence = new FakePresence();
    presence.set('1000', 'available');
    const i = instance(seededDb(), clock, presence, []);
    i.dialer.failWith = refused('agent 1000 did not take the callback (no-answer)');
    const c = i.intake.request({ uniqueid: 'ch-1', queue: 'support', callerNumber: '11987654321', fallbackJoinedAt: START });
    await advance(clock, 0, i.scheduler);
    expect(i.repo.get(c.id)).toMatchObject({ status: 'pending', attempts: 1, nextAt: START + 30 * SEC });
    await advance(clock, 30 * SEC, i.scheduler);
    expect(i.repo.get(c.id)).toMatchObject({ status: 'failed', attempts: 2 });
    expect(i.dialer.calls).toHaveLength(2);
    i.scheduler.stop();
  });

  it('gives up when its turn never comes within give_up', async () => {
    const clock = new FakeClock(START);
    const presence = new FakePresence();
    presence.set('1000', 'available');
    const i = instance(seededDb(), clock, presence, [START - 100 * SEC]);
    const c = i.intake.request({ uniqueid: 'ch-1', queue: 'support', callerNumber: '11987654321', fallbackJoinedAt: START });
    await advance(clock, 600 * SEC, i.scheduler);
    expect(i.repo.get(c.id)).toMatchObject({ status: 'failed', attempts: 0, lastError: 'gave up: waiting for its turn: 1 caller ahead' });
    i.scheduler.stop();
  });

  it('a pending request survives a restart; one left ringing is tried again', async () => {
    const clock = new FakeClock(START);
    const db = seededDb();
    const presence = new FakePresence();
    presence.set('1000', 'paused');
    const first = instance(db, clock, presence, []);
    const a = first.intake.request({ uniqueid: 'a', queue: 'support', callerNumber: '11911112222', fallbackJoinedAt: START - 20 * SEC });
    const b = first.intake.request({ uniqueid: 'b', queue: 'support', callerNumber: '11933334444', fallbackJoinedAt: START - 10 * SEC });
    first.repo.transition(b.id, 'pending', 'ringing', { attempts: 1 }); // the daemon died mid-dial
    first.scheduler.stop();

    presence.set('1000', 'available');
    presence.set('1001', 'available');
    const second = instance(db, clock, presence, []);
    await advance(clock, 0, second.scheduler);
    expect(second.dialer.calls.map((d) => d.callbackId).sort()).toEqual([a.id, b.id].sort());
    expect(second.repo.get(a.id)).toMatchObject({ status: 'done', origin: 'queue', queueJoinedAt: START - 20 * SEC });
    expect(second.repo.get(b.id)).toMatchObject({ status: 'done', attempts: 2 });
    second.scheduler.stop();
  });
});
