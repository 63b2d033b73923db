import { AmiActionError, type AmiEvent } from '../../src/ami/types';
import { EventBus, type DomainEvent } from '../../src/events/bus';
import { silentLogger } from '../../src/log/logger';
import { QueueWaitingTracker } from '../../src/monitor/waiting';
import { FakeClock } from '../../src/util/clock';

/** AMI fake with a QueueStatus answer the test controls (and can hold back to race events). */
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
  disconnected: ((reason: string) => void)[] = [];
  /** The next N QueueStatus answer Response: Error (Asterisk still loading app_queue). */
  failures = 0;
  calls = 0;
  onConnected(h: () => void) {
    this.connected.push(h);
    return () => undefined;
  }
  onDisconnected(h: (reason: string) => void) {
    this.disconnected.push(h);
    return () => undefined;
  }
  async actionList(action: string) {
    expect(action).toBe('QueueStatus');
    this.calls++;
    if (this.failures > 0) {
      this.failures--;
      throw new AmiActionError(action, { Response: 'Error', ActionID: '1', Message: 'Invalid/unknown command: QueueStatus' });
    }
    if (this.hold) await new Promise<void>((r) => (this.release = r));
    return { response: { Response: 'Success', ActionID: '1' }, events: this.entries };
  }
  emit(e: AmiEvent) {
    for (const h of this.handlers.get(e.Event) ?? []) h(e);
  }
}

const flush = () => new Promise((r) => setImmediate(r));

const caller = (Event: string, id: string, queue = 'support', extra: Record<string, string> = {}): AmiEvent => ({
  Event,
  Queue: queue,
  Uniqueid: id,
  Channel: `Local/${queue}@queues-${id};2`,
  CallerIDNum: `55501${id}`,
  CallerIDName: 'unknown',
  Position: '1',
  ...extra,
});

describe('QueueWaitingTracker', () => {
  let ami: Ami;
  let clock: FakeClock;
  let bus: EventBus;
  let events: DomainEvent[];
  let t: QueueWaitingTracker;

  beforeEach(() => {
    ami = new Ami();
    clock = new FakeClock();
    bus = new EventBus();
    events = [];
    bus.subscribe((e) => events.push(e));
    t = new QueueWaitingTracker({ ami, clock, bus, log: silentLogger() });
    t.start();
  });

  it('counts callers from join/leave/abandon, with the longest wait and abandoned count', () => {
    ami.emit(caller('QueueCallerJoin', '01'));
    clock.advance(10_000);
    ami.emit(caller('QueueCallerJoin', '02'));
    ami.emit(caller('QueueCallerJoin', '03', 'vendas'));
    clock.advance(5_000);
    expect(t.summary(['support', 'vendas', 'idle'])).toEqual([
      { queue: 'idle', waiting: 0, longestWaitSeconds: 0, abandoned: 0, callers: [] },
      {
        queue: 'support',
        waiting: 2,
        longestWaitSeconds: 15,
        abandoned: 0,
        callers: [
          { number: '5550101', name: '', position: 1, waitSeconds: 15 },
          { number: '5550102', name: '', position: 1, waitSeconds: 5 },
        ],
      },
      expect.objectContaining({ queue: 'vendas', waiting: 1, longestWaitSeconds: 5 }),
    ]);
    ami.emit(caller('QueueCallerAbandon', '01'));
    ami.emit(caller('QueueCallerLeave', '01')); // Asterisk sends Leave after Abandon: counted once
    ami.emit(caller('QueueCallerLeave', '02'));
    expect(t.queue('support')).toMatchObject({ waiting: 0, longestWaitSeconds: 0, abandoned: 1 });
    expect(events.map((e) => `${e.queue}:${e.data.action}:${e.data.waiting}`)).toEqual([
      'support:join:1',
      'support:join:2',
      'vendas:join:1',
      'support:abandon:1',
      'support:leave:0',
    ]);
  });

  it('sanitises the caller id read from AMI (control characters gone, anonymous kept)', () => {
    // Asterisk C-escapes CallerIDName in AMI (CR/LF arrive as backslash sequences) but not the number.
    ami.emit(caller('QueueCallerJoin', '01', 'support', { CallerIDNum: '5550\x00101\x1b[31m', CallerIDName: 'Eve\\r\\n\x1b[2J\x9b31m' }));
    ami.emit(caller('QueueCallerJoin', '02', 'support', { CallerIDNum: 'anonymous', CallerIDName: 'Anonymous' }));
    const callers = t.queue('support').callers;
    expect(callers.map((c) => [c.number, c.name])).toEqual([
      ['5550101[31m', 'Eve\\r\\n[2J31m'],
      ['anonymous', 'Anonymous'],
    ]);
    // What /events and the monitor publish: no raw control character, none JSON-escaped either.
    const published = JSON.stringify(events.map((e) => e.data));
    expect(published).toContain('5550101[31m');
    expect(published).not.toMatch(/[\u0000-\u001f\u007f-\u009f]|\\u00[01][0-9a-f]/);
  });

  it('rebuilds from QueueStatus on (re)connect, using Wait for the join time', async () => {
    ami.emit(caller('QueueCallerJoin', 'gone')); // left while we were disconnected
    ami.entries = [
      { ...caller('QueueEntry', '07'), Wait: '42' },
      { Event: 'QueueParams', Queue: 'support' },
    ];
    for (const h of ami.connected) h();
    await new Promise((r) => setImmediate(r));
    expect(t.queue('support')).toMatchObject({ waiting: 1, longestWaitSeconds: 42, callers: [{ number: '5550107', waitSeconds: 42 }] });
  });

  it('a failed QueueStatus on connect is retried with backoff until it succeeds', async () => {
    ami.failures = 2;
    ami.entries = [caller('QueueEntry', 'w1', 'support', { Wait: '3' })];
    for (const h of ami.connected) h();
    await flush();
    expect(ami.calls).toBe(1);
    expect(t.queue('support').waiting).toBe(0);
    clock.advance(1_000); // first retry after 0.5-1 s
    await flush();
    expect(ami.calls).toBe(2);
    clock.advance(2_000); // second retry after 1-2 s
    await flush();
    expect(ami.calls).toBe(3);
    expect(t.queue('support')).toMatchObject({ waiting: 1, longestWaitSeconds: 3 });
    clock.advance(60_000);
    await flush();
    expect(ami.calls).toBe(3); // done: no more attempts
  });

  it('a disconnect cancels the pending retry', async () => {
    ami.failures = 5;
    for (const h of ami.connected) h();
    await flush();
    for (const h of ami.disconnected) h('connection closed by Asterisk');
    clock.advance(60_000);
    await flush();
    expect(ami.calls).toBe(1);
  });

  it('applies joins and leaves that happen while QueueStatus is in flight', async () => {
    ami.hold = true;
    ami.entries = [caller('QueueEntry', 'a'), caller('QueueEntry', 'b')];
    const done = t.resync();
    ami.emit(caller('QueueCallerLeave', 'a')); // left after the list was built
    ami.emit(caller('QueueCallerJoin', 'c')); // joined after the list was built
    ami.release!();
    await done;
    expect(t.queue('support').callers.map((c) => c.number)).toEqual(['55501b', '55501c']);
  });

  it('ignores events without a queue or uniqueid and refuses an empty queue name', () => {
    ami.emit({ Event: 'QueueCallerJoin' });
    expect(t.summary()).toEqual([]);
    expect(() => t.queue('')).toThrow('queue is required');
  });
});
