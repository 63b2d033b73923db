/**
 * End-to-end kit: the whole daemon (startDaemon with every module of src/daemon/modules.ts) against
 * the protocol-level simulator, on a temp SQLite file, with the API on port 0. Scenarios drive it
 * the way users do (API, CLI) and assert what users see (API/CLI output, SQLite rows, sim state).
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { AgentCatalogueRepo } from '../../src/agents/catalogue';
import { parseConfigObject } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import { startDaemon, type DaemonHandle, type DaemonOverrides } from '../../src/daemon/app';
import { silentLogger } from '../../src/log/logger';
import { PauseReasonCatalogue } from '../../src/pause/reasons';
import { QueueCatalogue } from '../../src/queues/catalogue';
import { Simulator, type QueueOptions, type SimOptions } from '../../src/sim';
import { openDatabase, type Db } from '../../src/store/db';
import { DispositionCatalogue } from '../../src/wrapup/dispositions';
import { apiRequest, type ApiReply } from '../helpers/api';
import { makeTmpDir, removeTmpDir, runCli, type CliResult } from '../helpers/tmp';
import { waitUntil } from '../helpers/wait';

export type { CliResult };

export const ADMIN = 'e2e-admin-token-0123456789';
export const SUPERVISOR = 'e2e-super-token-0123456789';
export const AGENT_1000 = 'e2e-agent-1000-token-012345';
export const AGENT_1001 = 'e2e-agent-1001-token-012345';
export const SCOPED_SUPERVISOR = 'e2e-scoped-super-token-0123';

export const AGENTS = ['1000', '1001', '1002'] as const;
export const PAUSE_REASONS: Record<string, number> = { Almoço: 2, 'Sem resposta': 9, Banheiro: 3, 'Wrap-up': 8 };
export const DISPOSITIONS = ['Venda', 'Resolvido', 'Tabulação automática'];

export interface E2EOptions {
  policy?: Record<string, unknown>;
  sim?: SimOptions;
  /** Per-queue catalogue settings (QueueCatalogue.add), e.g. { support: { maxNoAnswer: 2 } }. */
  queueSettings?: Record<string, Record<string, unknown>>;
  asterisk?: Record<string, unknown>;
  /** app_queue options per sim queue (timeoutMs, retryMs...). */
  simQueues?: Record<string, QueueOptions>;
  /** The config's `recording` section (e.g. { dir } for a temp recording directory). */
  recording?: Record<string, unknown>;
  /** Passed to every startDaemon (e.g. a fake clock for the domain, consoleStaticDir for the browser suite). */
  daemon?: DaemonOverrides;
}

/** Polls `check` until truthy (daemon state changes are async to sim events); bounded, no fixed sleeps. */
export function until<T>(check: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 5000, what?: string | (() => string)): Promise<T> {
  return waitUntil(check, { timeoutMs, what });
}

export const memberIface = (ext: string) => `Local/${ext}@cc-agent/n`;

export class E2E {
  daemon!: DaemonHandle;
  readonly sim: Simulator;
  readonly dir: string;
  readonly dbPath: string;
  readonly cfgFile: string;
  readonly config: Config;
  /** Read-only connection for assertions on SQLite rows. */
  private reader?: Db;

  constructor(private readonly opts: E2EOptions = {}) {
    this.dir = makeTmpDir('ccd-e2e-');
    this.dbPath = path.join(this.dir, 'cc.db');
    // The sim writes ARI recordings where the daemon reads them (recording.dir).
    this.sim = new Simulator({ queueTimeoutMs: 400, retryMs: 40, timeScale: 0.05, recordingDir: path.join(this.dir, 'rec'), ...opts.sim });
    const raw = {
      asterisk: {
        ari: { url: 'http://127.0.0.1:1', username: this.sim.credentials.ari.username, password: this.sim.credentials.ari.password, app: this.sim.app },
        ami: { host: '127.0.0.1', port: 1, username: this.sim.credentials.ami.username, secret: this.sim.credentials.ami.secret },
        ...opts.asterisk,
      },
      database: { path: this.dbPath },
      recording: { dir: path.join(this.dir, 'rec') },
      api: {
        listen: '127.0.0.1:0',
        tokens: [
          { token: ADMIN, role: 'admin', name: 'ops' },
          { token: SUPERVISOR, role: 'supervisor', name: 'sup' },
          { token: AGENT_1000, role: 'agent', agent: '1000' },
          { token: AGENT_1001, role: 'agent', agent: '1001' },
          // A supervisor limited to monitoring group "support-floor" (created by the tests that use it).
          { token: SCOPED_SUPERVISOR, role: 'supervisor', name: 'support floor', groups: ['support-floor'] },
        ],
      },
      log: { level: 'error' },
      policy: { wrapup_seconds: 30, ...opts.policy },
      ...(opts.recording ? { recording: opts.recording } : {}),
    };
    this.cfgFile = path.join(this.dir, 'callcenterd.yaml');
    this.config = parseConfigObject(raw, {}, { baseDir: this.dir });
    this.writeConfigFile(raw);
  }

  private writeConfigFile(raw: Record<string, any>): void {
    fs.writeFileSync(this.cfgFile, YAML.stringify(raw));
  }

  /** Starts the sim, seeds the catalogue and starts the daemon; waits until AMI and ARI are up. */
  async start(): Promise<this> {
    for (const q of ['support', 'vendas']) this.sim.addQueue(q, this.opts.simQueues?.[q] ?? {});
    await this.sim.start();
    for (const ext of AGENTS) this.sim.setDevice(`PJSIP/${ext}`, { answer: 'auto', answerDelayMs: 10 });
    // The real ports are known only now: rewrite the config file the CLI reads.
    this.config.asterisk.ari.url = this.sim.ariUrl;
    this.config.asterisk.ami.port = this.sim.amiPort;
    const raw = YAML.parse(fs.readFileSync(this.cfgFile, 'utf8'));
    raw.asterisk.ari.url = this.sim.ariUrl;
    raw.asterisk.ami.port = this.sim.amiPort;
    this.writeConfigFile(raw);
    this.seed();
    await this.startDaemon();
    return this;
  }

  private seed(): void {
    const db = openDatabase(this.dbPath, { migrate: true });
    try {
      const queues = new QueueCatalogue({ db });
      for (const q of ['support', 'vendas']) queues.add(q, (this.opts.queueSettings?.[q] ?? {}) as never);
      const agents = new AgentCatalogueRepo({ db });
      agents.add({ extension: '1000', name: 'Ana', device: 'PJSIP/1000', queues: [{ queue: 'support', penalty: 0 }, { queue: 'vendas', penalty: 1 }] });
      agents.add({ extension: '1001', name: 'Bruno', device: 'PJSIP/1001', queues: [{ queue: 'support', penalty: 0 }] });
      agents.add({ extension: '1002', name: 'Carla', device: 'PJSIP/1002', queues: [{ queue: 'vendas', penalty: 0 }] });
      const reasons = new PauseReasonCatalogue({ db });
      for (const [name, id] of Object.entries(PAUSE_REASONS)) reasons.add(name, id);
      const disp = new DispositionCatalogue({ db });
      for (const d of DISPOSITIONS) disp.add(d, '');
    } finally {
      db.close();
    }
  }

  /** `overrides` lets a scenario watch the daemon from its very start (its bus, its log). */
  async startDaemon(overrides: DaemonOverrides = {}): Promise<DaemonHandle> {
    this.daemon = await startDaemon(this.config, { log: silentLogger(), ...this.opts.daemon, ...overrides });
    await until(
      () => this.daemon.deps.ami.state === 'connected' && this.daemon.deps.ari.connected && this.sim.isAppRegistered(),
      5000,
      'daemon links up',
    );
    return this.daemon;
  }

  /** Stops the daemon (the sim keeps its channels, as when the process dies) and starts a new one on the same DB. */
  async restartDaemon(): Promise<DaemonHandle> {
    await this.daemon.stop();
    return this.startDaemon();
  }

  async stop(): Promise<void> {
    this.reader?.close();
    this.reader = undefined;
    await this.daemon?.stop();
    await this.sim.stop();
    removeTmpDir(this.dir);
  }

  get apiUrl(): string {
    return this.daemon.apiUrl;
  }

  /** JSON API call with a bearer token (admin by default). */
  api(method: string, p: string, body?: unknown, token = ADMIN): Promise<ApiReply> {
    return apiRequest(this.apiUrl, method, p, token, body);
  }

  /** Runs `callcenterd ...args --config <cfg> --api <url> --token <token>` in-process. */
  cli(args: string[], token = ADMIN): Promise<CliResult> {
    return runCli([...args, '--config', this.cfgFile, '--api', this.apiUrl, '--token', token], { cwd: this.dir });
  }

  /** Rows straight from SQLite (through a separate connection, as an operator would look). */
  rows<T = any>(sql: string, ...params: unknown[]): T[] {
    this.reader ??= openDatabase(this.dbPath);
    return this.reader.prepare(sql).all(...params) as T[];
  }

  /** Agent status as the API reports it. */
  async agent(ext: string): Promise<any> {
    const r = await this.api('GET', `/agents/${ext}`);
    if (r.status !== 200) throw new Error(`GET /agents/${ext}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  async waitAgentState(ext: string, state: string, timeoutMs = 5000): Promise<any> {
    let last: any;
    return until(
      async () => {
        last = await this.agent(ext);
        return last.state === state ? last : undefined;
      },
      timeoutMs,
      () => `agent ${ext} state ${state} (last: ${JSON.stringify(last?.state)})`,
    );
  }

  /** Logs agents in through the CLI and waits for their members in the sim. */
  async login(ext: string, queues: string[]): Promise<void> {
    const r = await this.cli(['agent', 'login', ext, '--queues', queues.join(',')]);
    if (r.code !== 0) throw new Error(`login ${ext} failed: ${r.code} ${r.stderr}`);
    // Native topology: the member is the agent's device (seeded as PJSIP/<ext>).
    const iface = this.config.asterisk.queue_topology === 'native' ? `PJSIP/${ext}` : memberIface(ext);
    await until(() => queues.every((q) => this.sim.member(q, iface)), 3000, `members of ${ext}`);
  }

  /** Live calls from the API. */
  async calls(): Promise<any[]> {
    const r = await this.api('GET', '/calls');
    if (r.status !== 200) throw new Error(`GET /calls: ${r.status}`);
    return Array.isArray(r.body) ? r.body : r.body.calls;
  }
}

export async function startE2E(opts: E2EOptions = {}): Promise<E2E> {
  return new E2E(opts).start();
}

/**
 * One daemon per test, stopped after each (registers the afterEach): in a describe,
 * `const boot = bootEach()`, then `const x = await boot(options)` in a test. The agents in `login`
 * (default: 1000 in support) are logged in before the test gets the daemon.
 */
export function bootEach(login: Record<string, string[]> = { '1000': ['support'] }): (o?: E2EOptions) => Promise<E2E> {
  let current: E2E | undefined;
  afterEach(async () => {
    await current?.stop();
    current = undefined;
  });
  return async (o = {}) => {
    current = await startE2E(o);
    for (const [ext, queues] of Object.entries(login)) await current.login(ext, queues);
    return current;
  };
}
