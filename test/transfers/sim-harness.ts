/**
 * Transfers/conference/rooms/survey on the protocol-level simulator: real ARI (HTTP+WS) and AMI
 * (TCP) clients, the real call core, and the modules exactly as the daemon builds them.
 * Agent presence is faked (the agents domain is not under test).
 */
import { createAmiClient } from '../../src/ami/client';
import type { AmiClient } from '../../src/ami/types';
import { createAriClient } from '../../src/ari/client';
import type { AriClient } from '../../src/ari/types';
import { CallService } from '../../src/calls/service';
import type { CallRecord } from '../../src/calls/types';
import { createConferenceModule, type ConferenceModule } from '../../src/conference';
import { EventBus } from '../../src/events/bus';
import { silentLogger } from '../../src/log/logger';
import { Simulator } from '../../src/sim';
import { openDatabase, type Db } from '../../src/store/db';
import { createTransfersModule, type TransfersModule } from '../../src/transfers';
import { systemClock } from '../../src/util/clock';
import { FakeAgents, simMember as member, testConfig, until } from '../calls/harness';

export { until };

export interface World {
  sim: Simulator;
  db: Db;
  agents: FakeAgents;
  svc: CallService;
  transfers: TransfersModule;
  conference: ConferenceModule;
  /** Places a queue call answered by agent 1000; resolves with the live call part. */
  connectedCall(number?: string, callerName?: string): Promise<{ h: ReturnType<Simulator['placeQueueCall']>; call: CallRecord }>;
  stop(): Promise<void>;
}

export async function world(opts: { survey?: string; random?: () => number } = {}): Promise<World> {
  const sim = new Simulator({ queueTimeoutMs: 400, retryMs: 50, timeScale: 0.02, queues: { support: { members: [member('1000')] } } });
  await sim.start();
  const db = openDatabase(':memory:');
  db.prepare('INSERT INTO queues (name, survey_extension, created_at) VALUES (?, ?, 0)').run('support', opts.survey ?? null);
  for (const ext of ['1000', '1001', '1002']) {
    db.prepare('INSERT INTO agents (extension, name, device, created_at) VALUES (?, ?, ?, 0)').run(ext, `Agent ${ext}`, `PJSIP/${ext}`);
  }
  const agents = new FakeAgents();
  for (const ext of ['1000', '1001', '1002']) agents.add(ext);
  const log = silentLogger();
  const config = testConfig();
  const ari: AriClient = createAriClient({ url: sim.ariUrl, ...sim.credentials.ari, app: sim.app, log });
  const ami: AmiClient = createAmiClient({ host: '127.0.0.1', port: sim.amiPort, ...sim.credentials.ami, log });
  const bus = new EventBus();
  const svc = new CallService({ ari, ami, db, clock: systemClock, agents, bus, config, log });
  const transfers = createTransfersModule({ ami, db, config, clock: systemClock, log, control: svc, ringTimeoutSec: 20, random: opts.random });
  const conference = createConferenceModule({ db, clock: systemClock, log, config, control: svc, ringTimeoutSec: 20 });
  svc.start();
  await transfers.start?.();
  await conference.start?.();
  ari.start();
  ami.start();
  await until(() => ari.connected && ami.state === 'connected' && sim.isAppRegistered(), 3000);
  const live = () => svc.list().find((c) => c.kind === 'inbound');
  return {
    sim,
    db,
    agents,
    svc,
    transfers,
    conference,
    async connectedCall(number = '5550101', callerName?: string) {
      const h = sim.placeQueueCall({ queue: 'support', callerNumber: number, callerName });
      await until(() => sim.queueCall(h).state === 'connected' && live()?.state === 'connected');
      return { h, call: live()! };
    },
    async stop() {
      await conference.stop?.();
      svc.stop();
      await Promise.all([ari.stop(), ami.stop()]);
      await sim.stop();
      db.close();
    },
  };
}
