/**
 * The live module reads agents and calls through the typed ports (DaemonPorts.agentsView /
 * callsView) the agents and calls factories publish, not by duck-typing other ports.
 */
import type { AgentStatus } from '../../src/agents/service';
import type { CallRecord } from '../../src/calls/types';
import { createLiveModule } from '../../src/monitor/module';
import { cleanupTmpDirs } from '../helpers/tmp';
import { startKit, type DaemonKit } from './daemon-kit';

describe('live module ports', () => {
  let kit: DaemonKit | undefined;
  afterEach(async () => {
    await kit?.stop();
    kit = undefined;
  });
  afterAll(() => cleanupTmpDirs());

  it('the shipped factories publish agentsView (AgentService) and callsView (CallService)', async () => {
    kit = await startKit();
    const { ports, modules } = kit.daemon;
    const agents = modules.find((m) => m.name === 'agents') as unknown as { service: unknown };
    const calls = modules.find((m) => m.name === 'calls') as unknown as { control: unknown };
    expect(ports.agentsView).toBe(agents.service);
    expect(ports.callsView).toBe(calls.control);
    const live = modules.find((m) => m.name === 'live') as ReturnType<typeof createLiveModule>;
    expect(live.sources.agents().map((a) => a.extension).sort()).toEqual(['1000', '1001']);
    expect(live.sources.calls()).toEqual([]);
  });

  it('reads exactly what the views list, and nothing from untyped ports', async () => {
    kit = await startKit();
    const live = createLiveModule(kit.daemon.deps);
    const agent = { extension: '1000', name: 'Ana', state: 'available', queues: ['support'] } as unknown as AgentStatus;
    const call = { id: 'c1', agentExt: '1000', state: 'connected', startedAt: 0, answeredAt: 0, endedAt: null } as unknown as CallRecord;
    // A port that merely happens to have list() is not a source any more.
    live.wire!({ agents: { list: () => [agent] } as never, callControl: { list: () => [call] } });
    expect(live.sources.agents()).toEqual([]);
    expect(live.sources.calls()).toEqual([]);
    live.wire!({ agentsView: { list: () => [agent] }, callsView: { list: () => [call] } });
    expect(live.sources.agents()).toEqual([agent]);
    expect(live.sources.calls()).toEqual([expect.objectContaining({ id: 'c1', agent: '1000', state: 'connected' })]);
    await live.stop!();
  });
});
