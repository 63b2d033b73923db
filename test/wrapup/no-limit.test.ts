/**
 * After-call work without a time limit (queue wrapup_limit off): the window stays open past the
 * queue's seconds until the agent (or a supervisor) finishes it, and closes with the automatic
 * disposition at the safety cap policy.wrapup_max_seconds, through the same timer/reload/expiry as
 * a limited window. Fake clock throughout.
 */
import { flush, makeKit, type Kit } from '../agents/helpers';

const CAP = 600; // seconds

function kit(): Kit {
  const k = makeKit({ policy: { wrapup_max_seconds: CAP } });
  // vendas: 10 s window in the seed; without limit the 10 s no longer close it.
  k.db.prepare("UPDATE queues SET wrapup_limit = 0 WHERE name = 'vendas'").run();
  return k;
}

async function answered(k: Kit, queue = 'vendas', callId = 'c1', ext = '1000') {
  k.svc.callRinging(ext, { callId, queue, direction: 'inbound' });
  k.svc.callConnected(ext, { callId, queue, direction: 'inbound' });
  k.clock.advance(20_000);
  k.svc.callEnded(ext, { callId, queue, answered: true });
  await flush();
}

const rows = (k: Kit) =>
  k.db.prepare('SELECT deadline, ended_at AS endedAt, disposition, auto, finished_by AS finishedBy, limited FROM wrapups ORDER BY id').all() as Record<
    string,
    unknown
  >[];

describe('wrap-up without time limit', () => {
  it('stays open past the queue\'s seconds; the status shows since/elapsed; closes with the automatic disposition at the cap', async () => {
    const k = kit();
    k.svc.start(k.ami);
    await k.svc.login.login('1000', { queues: ['vendas'] });
    await answered(k);
    const start = k.clock.now();
    expect(k.events.find((e) => e.type === 'wrapup.started')!.data).toEqual({
      deadline: start + CAP * 1000,
      seconds: null,
      limit: false,
      capSeconds: CAP,
      wrapupId: 1,
    });
    expect(rows(k)[0]).toMatchObject({ deadline: start + CAP * 1000, limited: 0, endedAt: null });

    k.clock.advance(10_000); // the queue's window: no effect without limit
    k.clock.advance(290_000);
    await flush();
    expect(k.svc.status('1000')).toMatchObject({
      state: 'wrap-up',
      wrapup: { callId: 'c1', since: start, elapsedSeconds: 300, limit: false, deadline: start + CAP * 1000 },
    });
    // app_queue still sees the agent busy: Custom:agent-1000 stays INUSE while the window is open.
    expect(k.ami.customStates.get('Custom:agent-1000')).toBe('INUSE');

    k.clock.advance(CAP * 1000 - 300_000 - 1);
    expect(k.svc.status('1000').state).toBe('wrap-up');
    k.clock.advance(1);
    await flush();
    expect(rows(k)[0]).toMatchObject({ endedAt: start + CAP * 1000, disposition: 'Tabulação automática', auto: 1, finishedBy: 'cap' });
    expect(k.svc.status('1000')).toMatchObject({ state: 'available', wrapup: null });
    expect(k.ami.customStates.get('Custom:agent-1000')).toBe('NOT_INUSE');
    expect(k.events.find((e) => e.type === 'wrapup.ended')!.data).toMatchObject({ auto: true, finishedBy: 'cap', late: false });
  });

  it('the agent finishes it whenever it likes (before the cap); the timer then does nothing', async () => {
    const k = kit();
    k.svc.start(k.ami);
    await k.svc.login.login('1000', { queues: ['vendas'] });
    await answered(k);
    k.clock.advance(9 * 60_000); // far past the queue's 10 s, within the cap
    expect(k.svc.wrapup.set('1000', 'Venda', 'long call notes')).toMatchObject({ disposition: 'Venda', finishedBy: 'agent', limited: false, auto: false });
    expect(k.svc.status('1000').state).toBe('available');
    k.clock.advance(CAP * 1000);
    expect(rows(k)).toHaveLength(1);
    expect(rows(k)[0]).toMatchObject({ disposition: 'Venda' });
  });

  it('a queue with the limit on (and a call without queue) keeps the timed window', async () => {
    const k = kit();
    await k.svc.login.login('1000', { queues: ['vendas', 'support'] });
    await answered(k, 'support', 'c1');
    expect(k.svc.status('1000').wrapup).toMatchObject({ limit: true, deadline: k.clock.now() + 30_000 });
    k.clock.advance(30_000);
    expect(rows(k)[0]).toMatchObject({ finishedBy: 'timer', limited: 1 });
    await answered(k, null as never, 'c2');
    expect(rows(k)[1]).toMatchObject({ limited: 1 });
  });

  it('a restart reloads the cap as it was stored: still open past the queue\'s seconds, closed at the cap', async () => {
    const k = kit();
    k.svc.start(k.ami);
    await k.svc.login.login('1000', { queues: ['vendas'] });
    await answered(k);
    const start = k.clock.now();
    k.clock.advance(100_000);
    // The cap in the config changes before the restart: the open window keeps the one it started with.
    k.config.policy.wrapup_max_seconds = 60;
    const svc2 = k.restart();
    svc2.start(k.ami);
    expect(svc2.ready()).toEqual({ scheduled: 1, fired: 0 });
    k.clock.advance(400_000);
    expect(svc2.status('1000')).toMatchObject({ state: 'wrap-up', wrapup: { limit: false, elapsedSeconds: 500 } });
    k.clock.advance(start + CAP * 1000 - k.clock.now());
    await flush();
    expect(rows(k)[0]).toMatchObject({ endedAt: start + CAP * 1000, auto: 1, finishedBy: 'cap' });
    expect(svc2.status('1000').state).toBe('available');
  });

  it('a cap that passed while the daemon was down closes the window when the next one is ready', async () => {
    const k = kit();
    await k.svc.login.login('1000', { queues: ['vendas'] });
    await answered(k);
    k.svc.stop();
    k.clock.advance(CAP * 1000 + 5_000);
    const svc2 = k.restart();
    svc2.start(k.ami);
    expect(svc2.ready()).toEqual({ scheduled: 0, fired: 1 });
    expect(rows(k)[0]).toMatchObject({ auto: 1, finishedBy: 'cap', endedAt: k.clock.now() });
  });
});
