/**
 * Live monitoring on the protocol-level simulator: the transfers/conference world (real ARI and AMI
 * clients, the real call core and modules) plus the live-monitor module as the daemon builds it.
 * Supervisor phones are PJSIP/2000 and PJSIP/2001 (the sim answers unknown devices at once).
 */
import type { DomainEvent } from '../../src/events/bus';
import { createLiveMonitorModule, MonitorRepo, type LiveMonitorModule, type MonitorSession } from '../../src/live-monitor';
import { silentLogger } from '../../src/log/logger';
import { systemClock } from '../../src/util/clock';
import { until, world, type World } from '../transfers/sim-harness';

export { until };

export interface MonitorWorld extends World {
  live: LiveMonitorModule;
  events: DomainEvent[];
  /** The channel the sim has on `device` (the supervisor's phone), if any. */
  deviceChannel(device: string): string | undefined;
  /** The snoop channels in the sim. */
  snoops(): { id: string; targetId: string; spy: string; whisper: string }[];
  /** The session's row, once it reaches `state`. */
  session(id: number, state: MonitorSession['state']): Promise<MonitorSession>;
}

export async function monitorWorld(opts: { ringTimeoutSec?: number; relinkGraceMs?: number } = {}): Promise<MonitorWorld> {
  const w = await world();
  const events: DomainEvent[] = [];
  w.svc.core.deps.bus.subscribe((e) => events.push(e));
  const live = createLiveMonitorModule({
    db: w.db,
    clock: systemClock,
    log: silentLogger(),
    control: w.svc,
    ringTimeoutSec: opts.ringTimeoutSec ?? 20,
    relinkGraceMs: opts.relinkGraceMs,
  });
  await live.start?.();
  const repo = new MonitorRepo(w.db, systemClock);
  const stop = w.stop;
  return Object.assign(w, {
    live,
    events,
    deviceChannel: (device: string) => w.sim.channels().find((c) => c.device === device && c.kind === 'device')?.id,
    snoops: () =>
      w.sim
        .channels()
        .filter((c) => c.snoop)
        .map((c) => ({ id: c.id, ...c.snoop! })),
    async session(id: number, state: MonitorSession['state']) {
      await until(() => repo.get(id)?.state === state, 5000);
      return repo.get(id)!;
    },
    async stop() {
      await live.stop?.();
      await stop();
    },
  });
}
