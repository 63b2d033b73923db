import { AgentPicker } from '../../src/callbacks/agent-picker';
import type { CallbackDialer } from '../../src/callbacks/model';
import { CallbacksRepo } from '../../src/callbacks/repo';
import { CallbackScheduler, type SchedulerLink, type SchedulerOptions } from '../../src/callbacks/scheduler';
import { CallbackService } from '../../src/callbacks/service';
import { EventBus } from '../../src/events/bus';
import { silentLogger } from '../../src/log/logger';
import type { Db } from '../../src/store/db';
import { FakeClock } from '../../src/util/clock';
import { refused, unavailable } from '../../src/util/errors';
import { DncGuard } from '../../src/dnc/guard';
import { advance, FakePresence, seededDb, testConfig, thrown } from './helpers';

const START = Date.parse('2026-11-21T12:00:00Z');
const MIN = 60_000;

/** Records dials; each dial resolves or rejects as the test says. */
class FakeDialer implements CallbackDialer {
  calls: { ext: string; number: string; ddi: string; callbackId: number }[] = [];
  failWith?: Error;
  private seq = 0;
  queues: (string | undefined)[] = [];
  async dialForAgent(ext: string, number: string, ddi: string, opts: { callbackId: number; queue?: string }): Promise<string> {
    this.calls.push({ ext, number, ddi, callbackId: opts.callbackId });
    this.queues.push(opts.queue);
    if (this.failWith) throw this.failWith;
    return `CB-${++this.seq}`;
  }
}

/** One daemon "instance" over a DB that outlives it (restart tests create a second one). */
/** The ARI link as the scheduler sees it; up()/down() as the real client's (re)connects. */
class FakeLink implements SchedulerLink {
  connected = false;
  private handlers = new Set<() => void>();
  onConnected(h: () => void): () => void {
    this.handlers.add(h);
    return () => this.handlers.delete(h);
  }
  up(): void {
    this.connected = true;
    for (const h of this.handlers) h();
  }
  down(): void {
    this.connected = false;
  }
}

function instance(db: Db, clock: FakeClock, presence: FakePresence, options: Partial<SchedulerOptions> = {}, link?: FakeLink) {
  const bus = new EventBus();
  const repo = new CallbacksRepo(db, clock);
  const picker = new AgentPicker({ directory: presence, db, bus });
  const dialer = new FakeDialer();
  const scheduler = new CallbackScheduler({ repo, picker, dialer, clock, log: silentLogger(), options, link });
  const service = new CallbackService({ db, repo, clock, policy: testConfig().policy, onChange: () => scheduler.rearm() });
  picker.start();
  scheduler.start();
  return { bus, repo, picker, dialer, scheduler, service };
}

function at(minutesFromStart: number): string {
  return new Date(START + minutesFromStart * MIN).toISOString();
}

describe('CallbackScheduler', () => {
  it('rings the named agent at due time, not before, then records the call', async () => {
    const clock = new FakeClock(START);
    const presence = new FakePresence();
    presence.set('1000', 'available');
    const i = instance(seededDb(), clock, presence);
    const c = i.service.add({ agent: '1000', number: '11987654321', at: at(10) });

    await advance(clock, 10 * MIN - 1, i.scheduler);
    expect(i.dialer.calls).toHaveLength(0);
    await advance(clock, 1, i.scheduler);
    expect(i.dialer.calls).toEqual([{ ext: '1000', number: '11987654321', ddi: '55', callbackId: c.id }]);
    expect(i.repo.get(c.id)).toMatchObject({ status: 'done', attempts: 1, callId: 'CB-1' });
    i.scheduler.stop();
  });

  it('waits while the agent is paused and rings once available', async () => {
    const clock = new FakeClock(START);
    const presence = new FakePresence();
    presence.set('1000', 'paused');
    const i = instance(seededDb(), clock, presence, { waitRetryMs: MIN });
    const c = i.service.add({ agent: '1000', number: '11987654321', at: at(1) });

    await advance(clock, MIN, i.scheduler);
    expect(i.dialer.calls).toHaveLength(0);
    expect(i.repo.get(c.id)).toMatchObject({ status: 'pending', attempts: 0, nextAt: START + 2 * MIN });
    expect(i.repo.get(c.id)!.lastError).toMatch(/paused/);

    presence.set('1000', 'available');
    await advance(clock, MIN, i.scheduler);
    expect(i.dialer.calls.map((d) => d.ext)).toEqual(['1000']);
    expect(i.repo.get(c.id)!.status).toBe('done');
    i.scheduler.stop();
  });

  it('gives up when nobody is free long after the due time', async () => {
    const clock = new FakeClock(START);
    const presence = new FakePresence();
    presence.set('1000', 'offline');
    const i = instance(seededDb(), clock, presence, { waitRetryMs: MIN, giveUpAfterMs: 5 * MIN });
    const c = i.service.add({ agent: '1000', number: '11987654321', at: at(1) });
    await advance(clock, 10 * MIN, i.scheduler);
    expect(i.repo.get(c.id)).toMatchObject({ status: 'failed', attempts: 0 });
    expect(i.repo.get(c.id)!.lastError).toMatch(/gave up: agent 1000 is not logged in/);
    expect(i.dialer.calls).toHaveLength(0);
    i.scheduler.stop();
  });

  it('gives a queue callback to the longest-idle available agent of that queue', async () => {
    const clock = new FakeClock(START);
    const presence = new FakePresence();
    presence.set('1000', 'available');
    presence.set('1001', 'available');
    presence.set('1002', 'available', ['sales']); // not in support
    const i = instance(seededDb(), clock, presence);
    // 1001 became available before 1000: it has been idle longer.
    i.bus.publish({ type: 'agent.state', agent: '1001', at: START - 5 * MIN, data: { state: 'available', previous: 'wrap-up' } });
    i.bus.publish({ type: 'agent.state', agent: '1000', at: START - 1 * MIN, data: { state: 'available', previous: 'on-call' } });
    const c = i.service.add({ queue: 'support', number: '1133334444', at: at(1) });
    await advance(clock, MIN, i.scheduler);
    expect(i.dialer.calls.map((d) => d.ext)).toEqual(['1001']);
    expect(i.repo.get(c.id)!.status).toBe('done');
    // The dial is made for the callback's queue (caller id, recorded queue), not the agent's first.
    expect(i.dialer.queues).toEqual(['support']);
    i.scheduler.stop();
  });

  it('does not offer two simultaneous callbacks to the same agent', async () => {
    const clock = new FakeClock(START);
    const presence = new FakePresence();
    presence.set('1000', 'available');
    presence.set('1001', 'available');
    const i = instance(seededDb(), clock, presence);
    // The dialer never settles during the tick: both agents must be used once.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const seen: string[] = [];
    i.scheduler['deps'].dialer = {
      dialForAgent: async (ext: string) => {
        seen.push(ext);
        await gate;
        return `CB-${ext}`;
      },
    };
    i.service.add({ queue: 'support', number: '1133334444', at: at(1) });
    i.service.add({ queue: 'support', number: '1133335555', at: at(1) });
    clock.advance(MIN);
    expect(seen.sort()).toEqual(['1000', '1001']);
    release();
    await i.scheduler.idle();
    expect(i.repo.list({ status: 'done' })).toHaveLength(2);
    i.scheduler.stop();
  });

  it('retries a failed dial and fails after maxAttempts', async () => {
    const clock = new FakeClock(START);
    const presence = new FakePresence();
    presence.set('1000', 'available');
    const i = instance(seededDb(), clock, presence, { maxAttempts: 2, retryDelayMs: 5 * MIN });
    i.dialer.failWith = refused('agent 1000 did not answer');
    const c = i.service.add({ agent: '1000', number: '11987654321', at: at(1) });

    await advance(clock, MIN, i.scheduler);
    expect(i.repo.get(c.id)).toMatchObject({ status: 'pending', attempts: 1, nextAt: START + 6 * MIN });
    await advance(clock, 5 * MIN, i.scheduler);
    expect(i.repo.get(c.id)).toMatchObject({ status: 'failed', attempts: 2, lastError: 'agent 1000 did not answer' });
    expect(i.dialer.calls).toHaveLength(2);
    i.scheduler.stop();
  });

  it('a dial refused by the do-not-call list fails the callback at once, with the reason, never retried', async () => {
    const clock = new FakeClock(START);
    const presence = new FakePresence();
    presence.set('1000', 'available');
    const db = seededDb();
    const i = instance(db, clock, presence, { maxAttempts: 3, retryDelayMs: 5 * MIN });
    const c = i.service.add({ agent: '1000', number: '11987654321', at: at(1) });
    // The agent's first queue lists the number: only the dial knows that queue (an agent callback).
    const guard = new DncGuard({ db, clock });
    guard.list.add({ number: '11987654321', queue: 'support', reason: 'campanha' });
    i.dialer.failWith = thrown(() => guard.assertCallable({ number: '5511987654321', queue: 'support', action: 'callback-dial' }));
    await advance(clock, MIN, i.scheduler);
    expect(i.repo.get(c.id)).toMatchObject({ status: 'failed', attempts: 1, lastError: expect.stringMatching(/do-not-call list \(queue support\)/) });
    await advance(clock, 60 * MIN, i.scheduler);
    expect(i.dialer.calls).toHaveLength(1);
    i.scheduler.stop();
  });

  it('with the list given, a number listed after scheduling fails when due without ringing anyone', async () => {
    const clock = new FakeClock(START);
    const presence = new FakePresence();
    presence.set('1000', 'available');
    const db = seededDb();
    const guard = new DncGuard({ db, clock });
    const repo = new CallbacksRepo(db, clock);
    const dialer = new FakeDialer();
    const bus = new EventBus();
    const scheduler = new CallbackScheduler({ repo, picker: new AgentPicker({ directory: presence, db, bus }), dialer, clock, log: silentLogger(), dnc: guard });
    const service = new CallbackService({ db, repo, clock, policy: testConfig().policy, dnc: guard, onChange: () => scheduler.rearm() });
    scheduler.start();
    const c = service.add({ queue: 'support', number: '11987654321', at: at(5) });
    guard.list.add({ number: '+55 11 98765-4321', reason: 'pediu' });
    expect(() => service.add({ queue: 'support', number: '11987654321', at: at(6) })).toThrow(/do-not-call list \(global\).*: pediu$/);
    await advance(clock, 5 * MIN, scheduler);
    expect(repo.get(c.id)).toMatchObject({ status: 'failed', attempts: 0, lastError: expect.stringMatching(/^number \+5511987654321 is on the do-not-call list/) });
    expect(dialer.calls).toEqual([]);
    expect(guard.refusals().map((r) => [r.action, r.callbackId])).toEqual([
      ['callback-dial', c.id],
      ['callback-schedule', null],
    ]);
    scheduler.stop();
  });

  it('does not ring a callback cancelled before its time', async () => {
    const clock = new FakeClock(START);
    const presence = new FakePresence();
    presence.set('1000', 'available');
    const i = instance(seededDb(), clock, presence);
    const c = i.service.add({ agent: '1000', number: '11987654321', at: at(1) });
    i.service.cancel(c.id);
    await advance(clock, 2 * MIN, i.scheduler);
    expect(i.dialer.calls).toHaveLength(0);
    expect(i.repo.get(c.id)!.status).toBe('cancelled');
    i.scheduler.stop();
  });

  it('survives a restart: pending callbacks reload and overdue ones fire at once', async () => {
    const clock = new FakeClock(START);
    const presence = new FakePresence();
    presence.set('1000', 'available');
    presence.set('1001', 'available');
    const db = seededDb();
    const first = instance(db, clock, presence);
    const overdue = first.service.add({ agent: '1000', number: '11987654321', at: at(5) });
    const later = first.service.add({ agent: '1001', number: '11987654322', at: at(60) });
    first.scheduler.stop(); // the daemon dies; time passes with nobody watching
    clock.advance(30 * MIN);
    expect(first.dialer.calls).toHaveLength(0);

    const second = instance(db, clock, presence);
    await advance(clock, 0, second.scheduler);
    expect(second.dialer.calls.map((d) => d.callbackId)).toEqual([overdue.id]);
    expect(second.repo.get(later.id)!.status).toBe('pending');
    await advance(clock, 30 * MIN, second.scheduler);
    expect(second.dialer.calls.map((d) => d.callbackId)).toEqual([overdue.id, later.id]);
    second.scheduler.stop();
  });

  it('after a restart, a callback left ringing is tried again', async () => {
    const clock = new FakeClock(START);
    const presence = new FakePresence();
    presence.set('1000', 'available');
    const db = seededDb();
    const repo = new CallbacksRepo(db, clock);
    const c = repo.insert({ agent: '1000', number: '11987654321', ddi: '55', at: START });
    repo.transition(c.id, 'pending', 'ringing', { attempts: 1 });

    const i = instance(db, clock, presence);
    expect(i.repo.get(c.id)).toMatchObject({ status: 'pending', lastError: 'interrupted by a daemon restart' });
    await advance(clock, 0, i.scheduler);
    expect(i.repo.get(c.id)).toMatchObject({ status: 'done', attempts: 2 });
    i.scheduler.stop();
  });

  it('picks up callbacks another process wrote to the DB within the rescan period', async () => {
    const clock = new FakeClock(START);
    const presence = new FakePresence();
    presence.set('1000', 'available');
    const db = seededDb();
    const i = instance(db, clock, presence, { rescanMs: MIN });
    // e.g. written by a CLI process: the scheduler was not told.
    new CallbacksRepo(db, clock).insert({ agent: '1000', number: '11987654321', ddi: '55', at: START + 10_000 });
    await advance(clock, MIN, i.scheduler);
    expect(i.dialer.calls).toHaveLength(1);
    i.scheduler.stop();
  });

  describe('ARI link down', () => {
    it('fires nothing before ARI connects, then what is due at once on connect, with one attempt', async () => {
      const clock = new FakeClock(START);
      const presence = new FakePresence();
      presence.set('1000', 'available');
      const link = new FakeLink();
      const i = instance(seededDb(), clock, presence, { retryDelayMs: 5 * MIN }, link);
      const c = i.service.add({ agent: '1000', number: '11987654321', at: at(1) });

      await advance(clock, 10 * MIN, i.scheduler);
      expect(i.dialer.calls).toHaveLength(0);
      expect(i.repo.get(c.id)).toMatchObject({ status: 'pending', attempts: 0, nextAt: START + MIN });

      link.up();
      await advance(clock, 0, i.scheduler);
      expect(i.dialer.calls).toHaveLength(1);
      expect(i.repo.get(c.id)).toMatchObject({ status: 'done', attempts: 1 });
      i.scheduler.stop();
    });

    it('a dial refused because ARI dropped gives the attempt back and fires on reconnect', async () => {
      const clock = new FakeClock(START);
      const presence = new FakePresence();
      presence.set('1000', 'available');
      const link = new FakeLink();
      link.up();
      const i = instance(seededDb(), clock, presence, { retryDelayMs: 5 * MIN, maxAttempts: 1 }, link);
      const c = i.service.add({ agent: '1000', number: '11987654321', at: at(1) });
      // The link drops while the dial is under way: the dial fails as the calls core reports it.
      i.dialer.failWith = unavailable('Asterisk (ARI) is not connected: cannot dial');
      const dial = i.dialer.dialForAgent.bind(i.dialer);
      i.dialer.dialForAgent = (...args) => {
        link.down();
        return dial(...args);
      };

      await advance(clock, MIN, i.scheduler);
      expect(i.repo.get(c.id)).toMatchObject({ status: 'pending', attempts: 0, nextAt: START + MIN });
      expect(i.repo.get(c.id)!.lastError).toMatch(/not connected/);
      await advance(clock, 10 * MIN, i.scheduler);
      expect(i.dialer.calls).toHaveLength(1);

      i.dialer.failWith = undefined;
      i.dialer.dialForAgent = dial;
      link.up();
      await advance(clock, 0, i.scheduler);
      expect(i.dialer.calls).toHaveLength(2);
      // maxAttempts 1: the unreachable try did not use it up.
      expect(i.repo.get(c.id)).toMatchObject({ status: 'done', attempts: 1 });
      i.scheduler.stop();
    });

    it('unavailable with the link up retries after waitRetryMs without using an attempt, until giving up', async () => {
      const clock = new FakeClock(START);
      const presence = new FakePresence();
      presence.set('1000', 'available');
      const i = instance(seededDb(), clock, presence, { waitRetryMs: MIN, retryDelayMs: 5 * MIN, giveUpAfterMs: 3 * MIN });
      const c = i.service.add({ agent: '1000', number: '11987654321', at: at(1) });
      i.dialer.failWith = unavailable('Asterisk not reachable: cannot originate');

      await advance(clock, MIN, i.scheduler);
      expect(i.repo.get(c.id)).toMatchObject({ status: 'pending', attempts: 0, nextAt: START + 2 * MIN });
      await advance(clock, MIN, i.scheduler);
      expect(i.dialer.calls).toHaveLength(2);
      expect(i.repo.get(c.id)).toMatchObject({ status: 'pending', attempts: 0 });
      await advance(clock, 2 * MIN, i.scheduler);
      expect(i.repo.get(c.id)).toMatchObject({ status: 'failed', attempts: 0 });
      expect(i.repo.get(c.id)!.lastError).toMatch(/^gave up: Asterisk not reachable/);
      i.scheduler.stop();
    });
  });
});
