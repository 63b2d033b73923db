/**
 * Queue stays across restarts, end to end (whole daemon on the simulator): a caller who waits
 * through a daemon restart is one stay, answered afterwards; callers waiting when Asterisk restarts
 * are gone with it, their stays closed as lost.
 */
import { cleanupTmpDirs } from '../helpers/tmp';
import { startE2E, until, type E2E } from '../e2e/helpers';

jest.setTimeout(30_000);
afterAll(cleanupTmpDirs);

describe('queue stays across restarts', () => {
  let x: E2E | undefined;
  afterEach(async () => {
    await x?.stop();
    x = undefined;
  });
  const stays = (e: E2E) => e.rows('SELECT id, uniqueid, outcome, agent_ext, call_id, join_source FROM queue_stays ORDER BY id');

  it('a caller waiting through a daemon restart is one stay, answered after it', async () => {
    const e = (x = await startE2E());
    e.sim.placeQueueCall({ queue: 'support', callerNumber: '5550101' }); // nobody logged in: it waits
    const [before] = await until(() => stays(e).length === 1 && stays(e), 5000, 'stay recorded');
    expect(before).toMatchObject({ outcome: 'waiting', join_source: 'event' });
    await e.restartDaemon();
    // The new daemon's QueueStatus finds the caller waiting: the same row, nothing added.
    await until(async () => (await e.api('GET', '/monitor/queues/support')).body.waiting === 1, 5000, 'caller seen again');
    expect(stays(e)).toEqual([before]);
    await e.login('1000', ['support']);
    const [after] = await until(() => stays(e)[0].outcome === 'answered' && stays(e), 5000, 'answered');
    const part = e.rows("SELECT id FROM calls WHERE agent_ext = '1000' AND answered_at IS NOT NULL")[0];
    expect(after).toEqual({ ...before, outcome: 'answered', agent_ext: '1000', call_id: part.id });
  });

  it('callers waiting when Asterisk restarts: their stays are closed as lost', async () => {
    const e = (x = await startE2E());
    e.sim.placeQueueCall({ queue: 'support', callerNumber: '5550101' });
    e.sim.placeQueueCall({ queue: 'vendas', callerNumber: '5550102' });
    await until(() => stays(e).length === 2, 5000, 'stays recorded');
    await e.sim.restartAsterisk();
    await until(() => stays(e).every((s: { outcome: string }) => s.outcome === 'lost'), 8000, () => `lost: ${JSON.stringify(stays(e))}`);
    const r = await e.api('GET', '/reports/quantitative');
    expect(r.body.total).toMatchObject({ offered: 2, lost: 2, waiting: 0, answered: 0 });
  });
});
