/**
 * Test kit for the agents domain: an in-memory store with a small catalogue, a fake AmiClient that
 * models queue members (so QueueStatus reflects QueueAdd/Remove/Pause), a FakeClock and the service.
 */
import { AgentService } from '../../src/agents/service';
import { SqlAgentCatalogue } from '../../src/agents/catalogue-port';
import { AgentRepository } from '../../src/agents/repository';
import type { DeviceProbe } from '../../src/agents/devices';
import {
  AmiActionError,
  AmiNotConnectedError,
  type AmiClient,
  type AmiConnectionState,
  type AmiEvent,
  type AmiFields,
  type AmiResponse,
} from '../../src/ami/types';
import { configSchema, type Config } from '../../src/config/schema';
import type { CallDirectory, DispositionTarget } from '../../src/daemon/ports';
import { EventBus, type DomainEvent } from '../../src/events/bus';
import { silentLogger } from '../../src/log/logger';
import { QueueMembers } from '../../src/queues/members';
import { openDatabase, type Db } from '../../src/store/db';
import { FakeClock } from '../../src/util/clock';
import { WrapupRepository } from '../../src/wrapup/repository';

export interface FakeMember {
  queue: string;
  iface: string;
  name: string;
  stateInterface: string;
  paused: boolean;
  reason: string;
  membership: string;
}

export class FakeAmi implements AmiClient {
  state: AmiConnectionState = 'connected';
  actions: { action: string; fields: AmiFields }[] = [];
  members: FakeMember[] = [];
  customStates = new Map<string, string>();
  /** Make the next matching action fail with Response: Error. */
  failNext: { action: string; message: string }[] = [];
  private handlers = new Map<string, Set<(e: AmiEvent) => void>>();
  private connectedHandlers = new Set<() => void>();
  private disconnectedHandlers = new Set<(reason: string) => void>();

  start(): void {}
  async stop(): Promise<void> {}

  private ok(action: string, message = 'ok'): AmiResponse {
    return { Response: 'Success', ActionID: String(this.actions.length), Message: message };
  }

  private err(action: string, message: string): never {
    throw new AmiActionError(action, { Response: 'Error', ActionID: String(this.actions.length), Message: message });
  }

  async action(action: string, fields: AmiFields = {}): Promise<AmiResponse> {
    if (this.state !== 'connected') throw new AmiNotConnectedError(action);
    this.actions.push({ action, fields });
    const f = this.failNext.findIndex((x) => x.action === action);
    if (f >= 0) this.err(action, this.failNext.splice(f, 1)[0].message);
    const q = String(fields.Queue ?? '');
    const iface = String(fields.Interface ?? '');
    switch (action) {
      case 'QueueAdd': {
        if (this.members.some((m) => m.queue === q && m.iface === iface)) this.err(action, 'Unable to add interface: Already there');
        this.members.push({
          queue: q,
          iface,
          name: String(fields.MemberName ?? ''),
          stateInterface: String(fields.StateInterface ?? ''),
          paused: fields.Paused === true,
          // Like app_queue: QueueAdd takes an optional Reason for a member added paused.
          reason: fields.Paused === true ? String(fields.Reason ?? '') : '',
          membership: 'dynamic',
        });
        return this.ok(action, 'Added interface to queue');
      }
      case 'QueueRemove': {
        const i = this.members.findIndex((m) => m.queue === q && m.iface === iface);
        if (i < 0) this.err(action, 'Unable to remove interface: Not there');
        this.members.splice(i, 1);
        return this.ok(action, 'Removed interface from queue');
      }
      case 'QueuePause': {
        const found = this.members.filter((m) => (!q || m.queue === q) && m.iface === iface);
        if (!found.length) this.err(action, 'Interface not found');
        for (const m of found) {
          m.paused = fields.Paused === true;
          m.reason = fields.Paused === true ? String(fields.Reason ?? '') : '';
        }
        return this.ok(action, 'Interface paused successfully');
      }
      case 'Setvar': {
        const m = /^DEVICE_STATE\((.+)\)$/.exec(String(fields.Variable));
        if (m) this.customStates.set(m[1], String(fields.Value));
        return this.ok(action, 'Variable Set');
      }
      default:
        return this.err(action, 'Invalid/unknown command');
    }
  }

  async actionList(action: string, fields: AmiFields = {}): Promise<{ response: AmiResponse; events: AmiEvent[] }> {
    if (this.state !== 'connected') throw new AmiNotConnectedError(action);
    this.actions.push({ action, fields });
    const f = this.failNext.findIndex((x) => x.action === action);
    if (f >= 0) this.err(action, this.failNext.splice(f, 1)[0].message);
    if (action !== 'QueueStatus') this.err(action, 'Invalid/unknown command');
    const events: AmiEvent[] = this.members.map((m) => ({
      Event: 'QueueMember',
      Queue: m.queue,
      Name: m.name,
      Location: m.iface,
      StateInterface: m.stateInterface,
      Membership: m.membership,
      Penalty: '0',
      Status: '1',
      Paused: m.paused ? '1' : '0',
      PausedReason: m.reason,
    }));
    return { response: this.ok(action), events };
  }

  onEvent(name: string, handler: (event: AmiEvent) => void): () => void {
    if (!this.handlers.has(name)) this.handlers.set(name, new Set());
    this.handlers.get(name)!.add(handler);
    return () => this.handlers.get(name)?.delete(handler);
  }

  onConnected(handler: () => void): () => void {
    this.connectedHandlers.add(handler);
    return () => this.connectedHandlers.delete(handler);
  }

  onDisconnected(handler: (reason: string) => void): () => void {
    this.disconnectedHandlers.add(handler);
    return () => this.disconnectedHandlers.delete(handler);
  }

  /** Simulates a lost link: actions fail as not connected, onDisconnected handlers run. */
  disconnect(reason = 'connection closed by Asterisk'): void {
    this.state = 'disconnected';
    for (const h of [...this.disconnectedHandlers]) h(reason);
  }

  emit(event: AmiEvent): void {
    for (const h of [...(this.handlers.get(event.Event) ?? [])]) h(event);
    for (const h of [...(this.handlers.get('*') ?? [])]) h(event);
  }

  /** Simulates an (re)connect: handlers run, as the real client does after login. */
  connect(): void {
    this.state = 'connected';
    for (const h of [...this.connectedHandlers]) h();
  }

  /** Asterisk restart: dynamic members are gone. */
  restart(): void {
    this.members = this.members.filter((m) => m.membership === 'static');
  }

  count(action: string): number {
    return this.actions.filter((a) => a.action === action).length;
  }

  member(queue: string, ext: string): FakeMember | undefined {
    return this.members.find((m) => m.queue === queue && m.iface === `Local/${ext}@cc-agent/n`);
  }
}

export class FakeCalls implements CallDirectory {
  active = new Map<string, string[]>();
  ended: { ext: string; reason: string }[] = [];
  /** The calls domain re-synced with Asterisk (reconciliation acts only then). */
  known = false;
  callsKnown(): boolean {
    return this.known;
  }
  activeCallIds(ext: string): string[] {
    return this.active.get(ext) ?? [];
  }
  /** Hooks the test sets to play the calls domain's side (e.g. svc.callEnded) when calls are ended. */
  onEnd?: (ext: string, reason: string) => void;
  async endCallsOf(ext: string, reason: string): Promise<void> {
    this.ended.push({ ext, reason });
    this.active.delete(ext);
    this.onEnd?.(ext, reason);
  }
  /** Call parts as dispositions see them, and the dispositions written (src/wrapup/late.ts). */
  parts = new Map<string, DispositionTarget>();
  dispositions: { callId: string; disposition: string; by?: string; extra?: Record<string, unknown> }[] = [];
  dispositionTarget(callId: string): DispositionTarget | undefined {
    return this.parts.get(callId);
  }
  setDisposition(callId: string, disposition: string, by?: string, extra?: Record<string, unknown>): void {
    this.dispositions.push({ callId, disposition, by, extra });
  }
}

export class FakeProbe implements DeviceProbe {
  offline = new Set<string>();
  async registered(device: string): Promise<boolean> {
    return !this.offline.has(device);
  }
}

export function seedCatalogue(db: Db, at = 0): void {
  db.exec(`
    INSERT INTO queues (name, wrapup_seconds, max_no_answer, created_at) VALUES
      ('support', NULL, NULL, ${at}), ('vendas', 10, 2, ${at}), ('quiet', NULL, 0, ${at});
    INSERT INTO agents (extension, name, device, created_at) VALUES
      ('1000', 'Agent 1000', 'PJSIP/1000', ${at}), ('1001', 'Agent 1001', 'PJSIP/1001', ${at}),
      ('1002', 'Agent 1002', 'PJSIP/1002', ${at});
    INSERT INTO agent_queues (extension, queue, penalty) VALUES
      ('1000', 'support', 0), ('1000', 'vendas', 1), ('1000', 'quiet', 0),
      ('1001', 'support', 2), ('1002', 'support', 0), ('1002', 'vendas', 0);
    INSERT INTO pause_reasons (name, status_id, created_at) VALUES
      ('Almoço', 5, ${at}), ('Banheiro', 6, ${at}), ('Sem resposta', 9, ${at});
    INSERT INTO dispositions (tag, description, created_at) VALUES
      ('Venda', '', ${at}), ('Sem interesse', '', ${at});
  `);
}

export function testConfig(policy: Record<string, unknown> = {}): Config {
  return configSchema.parse({
    asterisk: {
      ari: { url: 'http://127.0.0.1:8088', username: 'u', password: 'p' },
      ami: { username: 'u', secret: 's' },
    },
    policy,
  });
}

export interface Kit {
  db: Db;
  ami: FakeAmi;
  clock: FakeClock;
  bus: EventBus;
  events: DomainEvent[];
  calls: FakeCalls;
  probe: FakeProbe;
  config: Config;
  svc: AgentService;
  /** A new service on the same DB (daemon restart). */
  restart(): AgentService;
}

export function makeKit(
  opts: { policy?: Record<string, unknown>; db?: Db; clock?: FakeClock; noAnswerGraceMs?: number; native?: boolean } = {},
): Kit {
  const db = opts.db ?? openDatabase(':memory:');
  if (!opts.db) seedCatalogue(db);
  const ami = new FakeAmi();
  const clock = opts.clock ?? new FakeClock();
  const bus = new EventBus();
  const events: DomainEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const calls = new FakeCalls();
  const probe = new FakeProbe();
  const config = testConfig(opts.policy);
  const build = () => {
    const catalogue = new SqlAgentCatalogue(db);
    // As src/agents/module.ts wires it: native = members are the devices.
    const devices = { deviceOf: (ext: string) => catalogue.agent(ext)?.device, extensionsWithDevice: (d: string) => catalogue.extensionsWithDevice(d) };
    const s = new AgentService({
      repo: new AgentRepository(db),
      catalogue,
      members: new QueueMembers(ami, config.asterisk.contexts, devices, !!opts.native),
      bus,
      clock,
      log: silentLogger(),
      config,
      probe,
      wrapupRepo: new WrapupRepository(db),
      noAnswer: opts.noAnswerGraceMs === undefined ? undefined : { graceMs: opts.noAnswerGraceMs },
    });
    s.setCalls(calls);
    return s;
  };
  const kit: Kit = {
    db,
    ami,
    clock,
    bus,
    events,
    calls,
    probe,
    config,
    svc: build(),
    restart() {
      kit.svc.stop();
      kit.svc = build();
      return kit.svc;
    },
  };
  return kit;
}

/** Lets fire-and-forget AMI calls (best-effort helpers) settle. */
export const flush = () => new Promise((r) => setImmediate(r));
