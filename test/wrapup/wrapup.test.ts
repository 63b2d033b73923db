import { EXPIRY_RETRY_MS } from '../../src/wrapup/service';
import { openDatabase } from '../../src/store/db';
import { FakeClock } from '../../src/util/clock';
import { flush, makeKit, seedCatalogue } from '../agents/helpers';

async function answered(k: ReturnType<typeof makeKit>, ext = '1000', queue = 'support', callId = 'c1') {
  k.svc.callRinging(ext, { callId, queue, direction: 'inbound' });
  k.svc.callConnected(ext, { callId, queue, direction: 'inbound' });
  k.clock.advance(20_000);
  k.svc.callEnded(ext, { callId, queue, answered: true });
}

const wrapups = (k: ReturnType<typeof makeKit>) =>
  k.db
    .prepare('SELECT call_id AS callId, queue, started_at AS startedAt, deadline, ended_at AS endedAt, disposition, notes, auto, finished_by AS finishedBy FROM wrapups')
    .all() as Record<string, unknown>[];

describe('wrap-up', () => {
  it('starts when an answered call ends: busy flag held, deadline stored (policy 30 s)', async () => {
    const k = makeKit();
    k.svc.start(k.ami);
    await k.svc.login.login('1000', { queues: ['support', 'vendas'] });
    await answered(k);
    await flush();
    expect(k.ami.customStates.get('Custom:agent-1000')).toBe('INUSE');
    const st = k.svc.status('1000');
    expect(st.state).toBe('wrap-up');
    expect(st.callsTaken).toBe(1);
    expect(st.talkSeconds).toBe(20);
    expect(st.wrapup).toEqual({ callId: 'c1', queue: 'support', deadline: k.clock.now() + 30_000, since: k.clock.now(), elapsedSeconds: 0, limit: true });
    expect(wrapups(k)[0]).toMatchObject({ callId: 'c1', startedAt: k.clock.now(), endedAt: null });
    expect(k.events.find((e) => e.type === 'wrapup.started')!.data).toMatchObject({ seconds: 30, limit: true, capSeconds: null });
    // No "Wrap-up" pause: the agent's own pause reason stays meaningful for the dialer.
    expect(k.ami.count('QueuePause')).toBe(0);
  });

  it('uses the queue override (vendas: 10 s) and, at the deadline, the automatic disposition', async () => {
    const k = makeKit();
    k.svc.start(k.ami);
    await k.svc.login.login('1000', { queues: ['vendas'] });
    await answered(k, '1000', 'vendas');
    const end = k.clock.now();
    k.clock.advance(9_999);
    expect(k.svc.status('1000').state).toBe('wrap-up');
    k.clock.advance(1);
    await flush();
    expect(wrapups(k)[0]).toMatchObject({
      endedAt: end + 10_000,
      disposition: 'Tabulação automática',
      auto: 1,
      finishedBy: 'timer',
    });
    expect(k.svc.status('1000').state).toBe('available');
    expect(k.ami.customStates.get('Custom:agent-1000')).toBe('NOT_INUSE');
    expect(k.events.find((e) => e.type === 'wrapup.ended')!.data).toMatchObject({ auto: true });
  });

  it('the agent types a disposition within the window and is freed at once', async () => {
    const k = makeKit({ policy: { auto_disposition: 'AUTO' } });
    k.svc.start(k.ami);
    await k.svc.login.login('1000', { queues: ['support'] });
    await answered(k);
    k.clock.advance(5_000);
    k.svc.wrapup.set('1000', 'Venda', 'cliente comprou');
    await flush();
    expect(k.svc.status('1000').state).toBe('available');
    expect(wrapups(k)[0]).toMatchObject({ disposition: 'Venda', notes: 'cliente comprou', auto: 0, finishedBy: 'agent' });
    k.clock.advance(60_000); // the cancelled timer must not overwrite it
    expect(wrapups(k)[0]).toMatchObject({ disposition: 'Venda' });
    expect(() => k.svc.wrapup.set('1000', 'Venda')).toThrow('agent 1000 is not in wrap-up');
  });

  it('refuses unknown dispositions and bad notes, changing nothing', async () => {
    const k = makeKit();
    await k.svc.login.login('1000', { queues: ['support'] });
    await answered(k);
    expect(() => k.svc.wrapup.set('1000', 'Nope')).toThrow('unknown disposition "Nope"');
    expect(() => k.svc.wrapup.set('1000', '')).toThrow(/disposition is required/);
    expect(() => k.svc.wrapup.set('1000', 'Venda', 'x'.repeat(2001))).toThrow(/notes/);
    expect(() => k.svc.wrapup.set('1999', 'Venda')).toThrow('agent 1999 does not exist');
    expect(k.svc.status('1000').state).toBe('wrap-up');
  });

  it('a supervisor finishes it immediately', async () => {
    const k = makeKit();
    await k.svc.login.login('1000', { queues: ['support'] });
    await answered(k);
    k.svc.wrapup.finish('1000', 'Sem interesse', 'maria');
    expect(wrapups(k)[0]).toMatchObject({ disposition: 'Sem interesse', finishedBy: 'supervisor:maria', auto: 0 });
    expect(k.svc.status('1000').state).toBe('available');
  });

  it('unanswered calls do not start a wrap-up', async () => {
    const k = makeKit();
    await k.svc.login.login('1000', { queues: ['support'] });
    k.svc.callRinging('1000', { callId: 'c1', queue: 'support', direction: 'inbound' });
    k.svc.callEnded('1000', { callId: 'c1', queue: 'support', answered: false });
    expect(k.svc.status('1000').state).toBe('available');
    expect(wrapups(k)).toEqual([]);
  });

  it('logout during wrap-up records the automatic disposition', async () => {
    const k = makeKit();
    await k.svc.login.login('1000', { queues: ['support'] });
    await answered(k);
    await k.svc.login.logout('1000');
    expect(wrapups(k)[0]).toMatchObject({ auto: 1, finishedBy: 'logout' });
    expect(k.svc.status('1000').state).toBe('offline');
  });

  it('survives a daemon restart: pending deadline reloaded and fired on time', async () => {
    const k = makeKit();
    k.svc.start(k.ami);
    await k.svc.login.login('1000', { queues: ['support'] });
    await answered(k);
    const svc2 = k.restart(); // old timers are gone with the old instance
    svc2.start(k.ami);
    expect(svc2.ready()).toEqual({ scheduled: 1, fired: 0 });
    k.clock.advance(29_999);
    expect(svc2.status('1000').state).toBe('wrap-up');
    k.clock.advance(1);
    expect(wrapups(k)[0]).toMatchObject({ auto: 1, finishedBy: 'timer' });
    expect(svc2.status('1000').state).toBe('available');
  });

  it('overdue deadlines fire at once when a new instance starts on the same DB', async () => {
    const db = openDatabase(':memory:');
    seedCatalogue(db);
    const clock = new FakeClock();
    const k = makeKit({ db, clock });
    await k.svc.login.login('1000', { queues: ['support'] });
    await answered(k);
    k.svc.stop(); // daemon dies
    k.ami.state = 'disconnected';
    clock.advance(120_000); // ...and stays down past the deadline
    const svc2 = k.restart();
    svc2.start(k.ami);
    expect(svc2.ready()).toEqual({ scheduled: 0, fired: 1 });
    const row = wrapups(k)[0];
    expect(row).toMatchObject({ disposition: 'Tabulação automática', auto: 1, endedAt: clock.now() });
    expect(svc2.status('1000').state).toBe('available');
    // AMI was down: the busy flag is repaired by the re-sync on connect.
    k.ami.connect();
    await flush();
    await flush();
    expect(k.ami.customStates.get('Custom:agent-1000')).toBe('NOT_INUSE');
  });
});

describe('wrap-up expiry when the database refuses the write (issue 13, disk-full fault)', () => {
  it('is retried until it lands: the window does not stay open for good', async () => {
    const k = makeKit();
    k.svc.start(k.ami);
    await k.svc.login.login('1000', { queues: ['support'] });
    await answered(k);
    // Every write to wrapups fails, as on a full disk.
    k.db.exec("CREATE TEMP TRIGGER full_disk BEFORE UPDATE ON wrapups BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END");
    k.clock.advance(30_000);
    expect(wrapups(k)[0]).toMatchObject({ endedAt: null });
    expect(k.svc.status('1000').state).toBe('wrap-up');
    k.clock.advance(EXPIRY_RETRY_MS * 3);
    expect(wrapups(k)[0]).toMatchObject({ endedAt: null });
    k.db.exec('DROP TRIGGER full_disk');
    k.clock.advance(EXPIRY_RETRY_MS);
    expect(wrapups(k)[0]).toMatchObject({ disposition: 'Tabulação automática', auto: 1, finishedBy: 'timer' });
    expect(k.svc.status('1000').state).toBe('available');
    k.svc.stop();
  });
});
