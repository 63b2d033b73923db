/** Builds a CallService on an in-memory DB, a FakeAri and a recording AgentDirectory. */
import { configSchema, type Config } from '../../src/config/schema';
import type { AgentDirectory, AgentPresence } from '../../src/daemon/ports';
import { EventBus, type DomainEvent } from '../../src/events/bus';
import { silentLogger } from '../../src/log/logger';
import { openDatabase, type Db } from '../../src/store/db';
import { FakeClock } from '../../src/util/clock';
import { CallService } from '../../src/calls/service';
import { FakeAri } from './fake-ari';

export function testConfig(policy: Record<string, unknown> = {}): Config {
  return configSchema.parse({
    asterisk: {
      ari: { url: 'http://127.0.0.1:8088', username: 'cc', password: 'secret' },
      ami: { username: 'cc', secret: 'secret' },
      dial_template: 'PJSIP/{number}@trunk',
    },
    policy,
  });
}

export class FakeAgents implements AgentDirectory {
  readonly calls: string[] = [];
  readonly agents = new Map<string, AgentPresence>();
  add(ext: string, p: Partial<AgentPresence> = {}): AgentPresence {
    const a: AgentPresence = {
      extension: ext,
      name: `Agent ${ext}`,
      device: `PJSIP/${ext}`,
      loggedIn: true,
      state: 'available',
      queues: ['support'],
      blockDialingInPause: false,
      ...p,
    };
    this.agents.set(ext, a);
    return a;
  }
  presence(ext: string): AgentPresence | undefined {
    return this.agents.get(ext);
  }
  callRinging(ext: string, c: { callId: string }): void {
    this.calls.push(`ringing ${ext} ${c.callId}`);
  }
  callConnected(ext: string, c: { callId: string }): void {
    this.calls.push(`connected ${ext} ${c.callId}`);
  }
  callEnded(ext: string, c: { callId: string; answered: boolean }): void {
    this.calls.push(`ended ${ext} ${c.callId} answered=${c.answered}`);
  }
}

export interface Harness {
  ari: FakeAri;
  db: Db;
  clock: FakeClock;
  agents: FakeAgents;
  bus: EventBus;
  events: DomainEvent[];
  svc: CallService;
  config: Config;
}

export function makeHarness(opts: { policy?: Record<string, unknown>; db?: Db; ari?: FakeAri; agents?: FakeAgents; clock?: FakeClock } = {}): Harness {
  const ari = opts.ari ?? new FakeAri();
  const db = opts.db ?? openDatabase(':memory:');
  const clock = opts.clock ?? new FakeClock();
  const agents = opts.agents ?? new FakeAgents();
  const bus = new EventBus();
  const events: DomainEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const config = testConfig(opts.policy);
  const svc = new CallService({ ari, db, clock, agents, bus, config, log: silentLogger() });
  return { ari, db, clock, agents, bus, events, svc, config };
}
