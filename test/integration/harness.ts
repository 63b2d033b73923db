/**
 * Real-Asterisk integration harness: one throwaway Asterisk (asterisk.ts) + the daemon in-process
 * (startDaemon, temp DB, API on port 0) + a test driver (its own AMI user, ARI REST) that plays
 * customers and phones. `Stack.stop()` stops everything it started, even after a failed test.
 *
 * Simulated parties (asterisk-test-conf/extensions-test.conf):
 *   agent devices   Local/<ext>@test-phones: 1xxx answer at once, 2xxx never answer, 3xxx answer in 2 s
 *   customers       AMI Originate Local/<queue>@cc-queues/n ↔ test-customer (the ;2 half is the queue caller)
 *   dialled numbers dial_template Local/{number}@test-dial (answer at once)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import YAML from 'yaml';
import { startDaemon, type DaemonHandle } from '../../src/daemon/app';
import { parseConfigObject } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import { createLogger, silentLogger } from '../../src/log/logger';
import { apiRequest } from '../helpers/api';
import { waitUntil } from '../helpers/wait';
import { connectAmi, type AmiDriver } from './ami-driver';
import { AsteriskProcess, REPO_ROOT, type AsteriskInstall } from './asterisk';

export const ADMIN_TOKEN = 'it-admin-token-0123456789abcdef';
export const SUPERVISOR_TOKEN = 'it-super-token-0123456789abcdef';
export const SCOPED_SUPERVISOR_TOKEN = 'it-scoped-super-token-0123456789';

export interface AgentSpec {
  extension: string;
  name?: string;
  /** Defaults to Local/<ext>@test-phones. */
  device?: string;
  queues: string[];
}

export interface StackOptions {
  /** Policy overrides (wrapup_seconds, max_no_answer...). */
  policy?: Record<string, unknown>;
  /** Queues to add to the catalogue (they must exist in asterisk-conf/queues.conf). */
  queues?: { name: string; settings?: Record<string, unknown> }[];
  agents?: AgentSpec[];
  pauseReasons?: { name: string; statusId: number }[];
  dispositions?: string[];
  /** asterisk.queue_topology (docs/CALL-TOPOLOGY.md); the config default when absent. */
  queueTopology?: 'member-leg' | 'stand-in' | 'native';
}

export interface ApiResult {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** Polls `fn` until it returns a truthy value (returned) or throws after `timeoutMs`; a throwing `fn` counts as "not yet". */
export function eventually<T>(fn: () => Promise<T> | T, timeoutMs = 15_000, what = 'condition', everyMs = 100): Promise<NonNullable<T>> {
  return waitUntil(async () => (await fn()) as NonNullable<T> | undefined, { timeoutMs, what, everyMs, retryErrors: true });
}

export class Stack {
  ami!: AmiDriver;
  daemon?: DaemonHandle;
  /** The daemon as a child process (`callcenterd run`), for crash scenarios. */
  child?: { process: ChildProcess; apiUrl: string; stderr: () => string };
  readonly config: Config;
  private readonly rawConfig: Record<string, unknown>;
  readonly dir: string;
  private seq = 0;
  /** Agents created with a device other than Local/<ext>@test-phones. */
  private readonly devices = new Map<string, string>();

  private constructor(readonly ast: AsteriskProcess, policy: Record<string, unknown>, queueTopology?: StackOptions['queueTopology']) {
    this.dir = path.join(ast.dir, 'daemon');
    fs.mkdirSync(this.dir, { recursive: true });
    this.rawConfig = {
        asterisk: {
          ari: { url: `http://127.0.0.1:${ast.ports.http}`, username: 'callcenterd', password: ast.secrets.ari, app: 'callcenter' },
          ami: { host: '127.0.0.1', port: ast.ports.ami, username: 'callcenterd', secret: ast.secrets.ami },
          contexts: { agent_hints: 'test-agent-hints' },
          dial_template: 'Local/{number}@test-dial',
          // The shipped example config's choice (config/callcenterd.example.yaml) unless a suite pins one.
          queue_topology: queueTopology ?? 'native',
          // Read under native (src/queue-log): this Asterisk's app_queue writes it in its astlogdir.
          queue_log: path.join(ast.dir, 'log', 'queue_log'),
        },
        database: { path: path.join(this.dir, 'callcenterd.db') },
        recording: { dir: path.join(ast.dir, 'spool', 'recording') },
        api: {
          listen: '127.0.0.1:0',
          tokens: [
            { token: ADMIN_TOKEN, role: 'admin', name: 'it-admin' },
            { token: SUPERVISOR_TOKEN, role: 'supervisor', name: 'it-supervisor' },
            // Limited to monitoring group "support-floor" (tests that use it create the group).
            { token: SCOPED_SUPERVISOR_TOKEN, role: 'supervisor', name: 'it-support-floor', groups: ['support-floor'] },
          ],
        },
        log: { level: 'debug' },
        policy,
      };
    this.config = parseConfigObject(this.rawConfig, {}, { baseDir: this.dir });
  }

  /** Asterisk + test driver + daemon, catalogue filled from `opts`. */
  static async start(install: AsteriskInstall, opts: StackOptions = {}): Promise<Stack> {
    const ast = await AsteriskProcess.create(install, { testContexts: true });
    const stack = new Stack(ast, opts.policy ?? {}, opts.queueTopology);
    try {
      await ast.start();
      stack.ami = await connectAmi(ast.ports.ami, 'cc-test', ast.secrets.amiTest);
      await stack.startDaemon();
      await stack.fillCatalogue(opts);
      return stack;
    } catch (e) {
      await stack.stop();
      throw e;
    }
  }

  /** Daemon log lines go to <tmp>/daemon/daemon.log (kept with KEEP_ASTERISK_DIR for debugging). */
  async startDaemon(): Promise<DaemonHandle> {
    if (this.daemon) throw new Error('daemon already running');
    const log = process.env.KEEP_ASTERISK_DIR
      ? createLogger('debug', { stream: fs.createWriteStream(path.join(this.dir, 'daemon.log'), { flags: 'a' }) })
      : silentLogger();
    this.daemon = await startDaemon(this.config, { log });
    await this.waitDaemonReady();
    return this.daemon;
  }

  /**
   * Runs the daemon as a child process through the real CLI (`run --config`), on the same config
   * and DB; resolves once its API answers healthz ok.
   */
  async startDaemonProcess(timeoutMs = 30_000): Promise<void> {
    if (this.daemon || this.child) throw new Error('daemon already running');
    const file = path.join(this.dir, 'callcenterd.yaml');
    fs.writeFileSync(file, YAML.stringify({ ...this.rawConfig, log: { level: 'info' } }));
    const child = spawn(
      process.execPath,
      ['-r', path.join(__dirname, 'ts-register.js'), path.join(__dirname, 'daemon-main.ts'), 'run', '--config', file],
      { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, CALLCENTERD_CONFIG: '' } },
    );
    // A crashed test process must not leave a daemon behind.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => process.off('exit', killOnExit));
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const apiUrl = await eventually(() => {
      if (child.exitCode !== null) throw new Error(`daemon process exited ${child.exitCode}: ${err.slice(-2000)}`);
      return /API on (http:\/\/\S+)/.exec(err)?.[1];
    }, timeoutMs, 'daemon process API');
    this.child = { process: child, apiUrl, stderr: () => err };
    await this.waitDaemonReady();
  }

  /** kill -9 of the daemon process: no cleanup at all (sockets just drop). */
  async killDaemonProcess(): Promise<void> {
    const c = this.child;
    this.child = undefined;
    if (!c || c.process.exitCode !== null || c.process.signalCode !== null) return;
    const gone = new Promise((r) => c.process.once('exit', r));
    c.process.kill('SIGKILL');
    await gone;
  }

  async stopDaemon(): Promise<void> {
    const d = this.daemon;
    this.daemon = undefined;
    await d?.stop();
  }

  /** Both links up (healthz ok). */
  async waitDaemonReady(timeoutMs = 20_000): Promise<void> {
    await eventually(async () => (await this.api('GET', '/healthz')).status === 200, timeoutMs, 'daemon healthz ok');
  }

  async fillCatalogue(opts: StackOptions): Promise<void> {
    for (const q of opts.queues ?? [{ name: 'support' }]) {
      await this.ok('POST', '/catalogue/queues', { name: q.name, ...(q.settings ?? {}) });
    }
    for (const r of opts.pauseReasons ?? []) await this.ok('POST', '/catalogue/pause-reasons', r);
    for (const d of opts.dispositions ?? []) await this.ok('POST', '/catalogue/dispositions', { tag: d });
    for (const a of opts.agents ?? []) {
      if (a.device) this.devices.set(a.extension, a.device);
      await this.ok('POST', '/catalogue/agents', {
        extension: a.extension,
        name: a.name ?? `Agent ${a.extension}`,
        device: a.device ?? `Local/${a.extension}@test-phones`,
        queues: a.queues.map((queue) => ({ queue })),
      });
    }
  }

  async api(method: string, p: string, body?: unknown, token = ADMIN_TOKEN): Promise<ApiResult> {
    const base = this.daemon?.apiUrl ?? this.child?.apiUrl;
    if (!base) throw new Error('daemon not running');
    return apiRequest(base, method, p, token, body);
  }

  /** Like api() but throws unless the status is 2xx. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async ok(method: string, p: string, body?: unknown, token = ADMIN_TOKEN): Promise<any> {
    const r = await this.api(method, p, body, token);
    if (r.status < 200 || r.status > 299) throw new Error(`${method} ${p} -> ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  /** ARI REST as the daemon's user, for test-side checks and actions on any channel. */
  async ari(method: string, p: string): Promise<ApiResult> {
    const auth = 'Basic ' + Buffer.from(`callcenterd:${this.ast.secrets.ari}`).toString('base64');
    const res = await fetch(`http://127.0.0.1:${this.ast.ports.http}/ari${p}`, { method, headers: { Authorization: auth } });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  /**
   * A customer calls `queue`: AMI Originate Local/<queue>@cc-queues/n whose ;1 half is the
   * customer's handset (context test-customer, or `handset`: e.g. test-customer-tone/400 for a
   * handset sending 400 Hz). Returns the ids (;1 id = linkedid of the call).
   */
  async customerCalls(
    queue: string,
    number = '5511987650001',
    handset: { context: string; exten: string } = { context: 'test-customer', exten: 's' },
  ): Promise<{ id: string; queueSideId: string }> {
    const id = `cust-${process.pid}-${++this.seq}-${crypto.randomBytes(3).toString('hex')}`;
    await this.ami.action('Originate', {
      Channel: `Local/${queue}@cc-queues/n`,
      Context: handset.context,
      Exten: handset.exten,
      Priority: 1,
      CallerID: `"Customer ${this.seq}" <${number}>`,
      Async: true,
      Timeout: 30000,
      ChannelId: id,
      OtherChannelId: `${id}-q`,
    });
    return { id, queueSideId: `${id}-q` };
  }

  /**
   * A call from the trunk: Local/<did>@cc-inbound/n (shipped dialplan: Stasis inbound → daemon →
   * cc-queues), the ;1 half being the caller's handset in test-customer.
   */
  async trunkCalls(did: string, number: string): Promise<{ id: string; queueSideId: string }> {
    const id = `trunk-${process.pid}-${++this.seq}-${crypto.randomBytes(3).toString('hex')}`;
    await this.ami.action('Originate', {
      Channel: `Local/${did}@cc-inbound/n`,
      Context: 'test-customer',
      Exten: 's',
      Priority: 1,
      CallerID: `"Trunk ${this.seq}" <${number}>`,
      Async: true,
      Timeout: 30000,
      ChannelId: id,
      OtherChannelId: `${id}-q`,
    });
    return { id, queueSideId: `${id}-q` };
  }

  /** Hangs up any channel by id (ARI works on channels outside Stasis too). */
  async hangupChannel(id: string): Promise<void> {
    const r = await this.ari('DELETE', `/channels/${encodeURIComponent(id)}`);
    if (r.status !== 204 && r.status !== 404) throw new Error(`hangup ${id}: ${r.status}`);
  }

  async channelExists(id: string): Promise<boolean> {
    return (await this.ari('GET', `/channels/${encodeURIComponent(id)}`)).status === 200;
  }

  /** Waits until agent `ext` is available (out of any call and wrap-up). */
  async waitAvailable(ext: string): Promise<void> {
    await eventually(async () => (await this.agent(ext)).state === 'available', 15_000, `agent ${ext} available`);
  }

  /** The connected call (API shape) of caller `number` at agent `ext`. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async connectedCallOf(ext: string, number: string): Promise<any> {
    return eventually(async () => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const calls = (await this.ok('GET', `/calls?agent=${ext}`)).calls as any[];
      return calls.find((c) => c.state === 'connected' && c.number === number);
    }, 20_000, `call of ${number} connected to ${ext}`);
  }

  async waitGone(channelId: string, what: string): Promise<void> {
    await eventually(async () => !(await this.channelExists(channelId)), 10_000, what);
  }

  /** The channels in an ARI bridge, sorted ([] when there is no such bridge). */
  async bridgeChannels(id: string): Promise<string[]> {
    const r = await this.ari('GET', `/bridges/${encodeURIComponent(id)}`);
    return r.status === 200 ? [...(r.body.channels as string[])].sort() : [];
  }

  /** The app_queue member Interface of agent `ext` under this daemon's topology (member-interfaces.ts). */
  memberInterface(ext: string): string {
    const device = this.devices.get(ext) ?? `Local/${ext}@test-phones`;
    return this.config.asterisk.queue_topology === 'native' ? device : `Local/${ext}@cc-agent/n`;
  }

  /** QueueStatus member entry of `ext` in `queue` (undefined when not a member). */
  async member(queue: string, ext: string): Promise<Record<string, string> | undefined> {
    const { events } = await this.ami.client.actionList('QueueStatus', { Queue: queue });
    return events.find((e) => e.Event === 'QueueMember' && e.Location === this.memberInterface(ext));
  }

  /** Waits until the daemon's monitor shows `n` callers waiting in `queue`. */
  async waiting(queue: string, n: number): Promise<void> {
    await eventually(async () => (await this.ok('GET', `/monitor/queues/${queue}`)).waiting === n, 10_000, `${n} waiting in ${queue}`);
  }

  async agent(ext: string): Promise<ApiResult['body']> {
    return this.ok('GET', `/agents/${ext}`);
  }

  /** Stops daemon, driver and Asterisk; removes the temp dir. Never throws. */
  async stop(): Promise<void> {
    await this.stopDaemon().catch(() => undefined);
    await this.killDaemonProcess().catch(() => undefined);
    await this.ami?.close().catch(() => undefined);
    await this.ast.dispose().catch(() => undefined);
  }
}
