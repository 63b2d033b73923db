/**
 * A callback fired by the scheduler through the calls core on the simulator: the agent's device
 * rings first, then the customer is dialled; an agent who does not answer fails the attempt.
 */
import { AgentPicker } from '../../src/callbacks/agent-picker';
import { callServiceDialer } from '../../src/callbacks/dialer';
import { CallbacksRepo } from '../../src/callbacks/repo';
import { CallbackScheduler } from '../../src/callbacks/scheduler';
import { CallbackService } from '../../src/callbacks/service';
import { EventBus } from '../../src/events/bus';
import { silentLogger } from '../../src/log/logger';
import { systemClock } from '../../src/util/clock';
import { until, world, type World } from '../transfers/sim-harness';
import { testConfig } from './helpers';

describe('callbacks on the simulator', () => {
  let w: World;
  let scheduler: CallbackScheduler;
  afterEach(async () => {
    scheduler.stop();
    await w.stop();
  });

  it('rings the agent, then dials the customer; a missed ring is retried later', async () => {
    w = await world();
    const bus = (w.svc.core.deps as { bus: EventBus }).bus;
    const repo = new CallbacksRepo(w.db, systemClock);
    const picker = new AgentPicker({ directory: w.agents, db: w.db, bus });
    scheduler = new CallbackScheduler({
      repo,
      picker,
      dialer: callServiceDialer(w.svc, bus),
      clock: systemClock,
      log: silentLogger(),
      options: { retryDelayMs: 60_000, maxAttempts: 2 },
    });
    const service = new CallbackService({ db: w.db, repo, clock: systemClock, policy: testConfig().policy, onChange: () => scheduler.rearm() });
    scheduler.start();
    w.sim.setRemote('11987654321', { answer: 'auto', answerDelayMs: 20 });

    const now = new Date(Date.now()).toISOString();
    const cb = service.add({ agent: '1001', number: '11987654321', at: now });
    await until(() => repo.get(cb.id)!.status === 'done');
    const placed = repo.get(cb.id)!;
    const call = w.svc.get(placed.callId!)!;
    expect(call).toMatchObject({ agentExt: '1001', kind: 'callback', direction: 'outbound' });
    await until(() => w.svc.get(call.id)?.state === 'connected');
    expect(w.sim.canHear(call.agentChannelId!, call.customerChannelId!)).toBe(true);
    expect(w.svc.repo.events(call.id).map((e: { type: string }) => e.type)).toContain('callback');
    await w.svc.actions.hangup(call.id);

    w.sim.setDevice('PJSIP/1002', { answer: 'busy' });
    const missed = service.add({ queue: 'support', number: '11987654321', at: now });
    // 1000 and 1001 are free too: make 1002 the only available agent of the queue.
    w.agents.add('1000', { state: 'paused' });
    w.agents.add('1001', { state: 'paused' });
    await until(() => repo.get(missed.id)!.attempts === 1 && repo.get(missed.id)!.status === 'pending');
    expect(repo.get(missed.id)!.lastError).toMatch(/agent 1002 did not take the callback/);
  });
});
