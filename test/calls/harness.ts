/** Builds a CallService on an in-memory DB, a FakeAri and a recording AgentDirectory. */
import { configSchema, type Config } from '../../src/config/schema';
import type { AgentDirectory, AgentPresence } from '../../src/daemon/ports';
import { EventBus, type DomainEvent } from '../../src/events/bus';
import { silentLogger } from '../../src/log/logger';
import { openDatabase, type Db } from '../../src/store/db';
import { FakeClock } from '../../src/util/clock';
import { CallService } from '../../src/calls/service';
import { FakeAri, flush } from './fake-ari';
import { createAriClient, type AriClientImpl } from '../../src/ari/client';
import { createAmiClient } from '../../src/ami/client';
import { systemClock } from '../../src/util/clock';
import type { Simulator } from '../../src/sim';
import type { CallRecord } from '../../src/calls/types';

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
  /** Native topology: a member is the agent's device (src/queues/member-interfaces.ts). */
  memberExtension(iface: string): string | undefined {
    for (const [ext, a] of this.agents) if (a.device === iface) return ext;
    return /^Local\/(\d+)@cc-agent\/n$/.exec(iface)?.[1];
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

/** A queue call's member leg enters Stasis for agent `ext` (app_queue rang its member). */
export function startQueueCall(h: Harness, ext = '1000', number = '5550101'): string {
  h.svc.inbound.onAgentCalled({ Event: 'AgentCalled', Linkedid: 'lk-1', Queue: 'support', Channel: 'Local/support@queues-1;2' });
  return h.ari.enterStasis(['agent-leg', ext, 'lk-1'], { number });
}

/** A queue call to agent 1000 whose device answered: connected and bridged. */
export async function connectedQueueCall(h: Harness, number = '5550101') {
  const leg = startQueueCall(h, '1000', number);
  await flush();
  const dev = h.ari.originated('agent')[0];
  h.ari.answer(dev.id);
  await flush();
  const call = h.svc.list()[0];
  return { leg, dev: dev.id, call };
}

/** Polls (the sim's waitFor only re-checks when its own logs change; daemon state changes later). */
export async function until(check: () => unknown, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${check.toString()}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A queue member as the daemon adds it (QueueAdd), for the simulator's static queue config. */
export const simMember = (ext: string) => ({ interface: `Local/${ext}@cc-agent/n`, memberName: `Agent ${ext}`, stateInterface: `hint:${ext}@agent-hints` });

/** asterisk.ari.rest_transport values the sim flow suites run under: the default (the event socket, after its probe) and plain HTTP. */
export const SIM_REST_TRANSPORTS = ['auto', 'http'] as const;
export type SimRestTransport = (typeof SIM_REST_TRANSPORTS)[number];

/**
 * auto: REST goes over the event socket once its probe was answered; http: it never does. Also
 * waits for the connect's event filter (sent over HTTP while the probe runs), so that the requests
 * after this moment are the flow's.
 */
export function restReady(ari: AriClientImpl, transport: SimRestTransport, sim: Simulator): boolean {
  return ari.info.restTransport === (transport === 'http' ? 'http' : 'websocket') && sim.actions.some((a) => a.name.endsWith('/eventFilter'));
}

/**
 * How the simulator received the ARI requests logged from `from` on: all over `transport`'s way,
 * except collection GETs (/channels...), which always go over HTTP. Returns the count checked.
 */
export function expectRequestsVia(sim: Simulator, from: number, transport: SimRestTransport): number {
  const want = transport === 'http' ? 'http' : 'websocket';
  const ari = sim.actions.filter((a) => a.seq > from && a.proto === 'ari' && !/^GET \/[A-Za-z]+$/.test(a.name));
  expect(ari.filter((a) => a.via !== want).map((a) => `${a.via} ${a.name}`)).toEqual([]);
  expect(ari.length).toBeGreaterThan(0);
  return ari.length;
}

/**
 * Ringall between PJSIP/1001 (answers after 30 ms) and PJSIP/1002 (never answers): returns the
 * parts that end, in order. `place` puts the caller in the ringall queue. Once 1001 takes the caller,
 * app_queue drops 1002's leg: that part must end answered-elsewhere, not not-answered (missed).
 */
export async function ringallLoser(sim: Simulator, svc: CallService, place: () => void): Promise<CallRecord> {
  sim.setDevice('PJSIP/1001', { answer: 'auto', answerDelayMs: 30 });
  sim.setDevice('PJSIP/1002', { answer: 'never' });
  const ended: CallRecord[] = [];
  svc.onCallEnded((c) => void ended.push(c));
  place();
  await until(() => ended.length === 1 && svc.list()[0]?.state === 'connected', 3000);
  expect(svc.list()[0]).toMatchObject({ agentExt: '1001' });
  expect(ended[0]).toMatchObject({ agentExt: '1002', endReason: 'answered-elsewhere' });
  await until(() => !sim.channel(ended[0].agentChannelId!), 3000);
  return ended[0];
}

/**
 * The calls domain (CallService) on the simulator with real AMI/ARI clients, as the daemon wires
 * it, under `topology`; resolves once both links are up and the first recovery ran.
 */
export async function startSimCalls(
  sim: Simulator,
  db: Db,
  agents: AgentDirectory,
  o: { topology: Config['asterisk']['queue_topology']; transport?: SimRestTransport },
): Promise<{ svc: CallService; stop: () => Promise<void> }> {
  const log = silentLogger();
  const ari = createAriClient({ url: sim.ariUrl, ...sim.credentials.ari, app: sim.app, log, ...(o.transport ? { restTransport: o.transport } : {}) });
  const ami = createAmiClient({ host: '127.0.0.1', port: sim.amiPort, ...sim.credentials.ami, log });
  const config = configSchema.parse({
    asterisk: {
      ari: { url: 'http://127.0.0.1:8088', username: 'cc', password: 'secret' },
      ami: { username: 'cc', secret: 'secret' },
      queue_topology: o.topology,
    },
  });
  const svc = new CallService({ ari, ami, db, clock: systemClock, agents, bus: new EventBus(), config, log });
  svc.start();
  ari.start();
  ami.start();
  await until(
    () => ari.connected && ami.state === 'connected' && sim.isAppRegistered() && (!o.transport || restReady(ari, o.transport, sim)) && svc.lastRecovery !== undefined,
  );
  return {
    svc,
    stop: async () => {
      svc.stop();
      await Promise.all([ari.stop(), ami.stop()]);
    },
  };
}
