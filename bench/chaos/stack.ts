/**
 * The fault bench's world: one throwaway Asterisk (test/integration/asterisk.ts, test contexts:
 * agents are auto-answering Local/<ext>@test-phones devices), a driver AMI connection that plays the
 * customers, two fault proxies (AMI, HTTP/ARI) and the daemon as a CHILD PROCESS (`callcenterd run`
 * through test/integration/daemon-main.ts) so that kill -9 is real. Daemon stderr goes to a file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { AsteriskProcess, REPO_ROOT, type AsteriskInstall } from '../../test/integration/asterisk';
import { createAmiClient } from '../../src/ami/client';
import type { AmiClient, AmiFields } from '../../src/ami/types';
import { silentLogger } from '../../src/log/logger';
import { apiRequest, type ApiReply } from '../../test/helpers/api';
import { FaultProxy } from './proxy';

export const ADMIN_TOKEN = 'chaos-admin-token-0123456789abcdef';

export interface ChaosStackOptions {
  agents: number;
  wrapupSeconds: number;
  /** Directory of the daemon's SQLite file (a small tmpfs for the disk-full fault). */
  dbDir?: string;
  /** Preload that samples RSS/heap/event-loop lag of the daemon into this file (soak). */
  probeFile?: string;
  /** asterisk.queue_topology ('' or absent = the config default). */
  topology?: string;
  log: (line: string) => void;
}

/** The bench's own AMI user (customers, checks). Unlike test/integration's driver it keeps no event log (a soak runs for hours). */
export interface BenchAmi {
  client: AmiClient;
  action(action: string, fields?: AmiFields): ReturnType<AmiClient['action']>;
  close(): Promise<void>;
}

async function connectBenchAmi(port: number, username: string, secret: string): Promise<BenchAmi> {
  const client = createAmiClient({ host: '127.0.0.1', port, username, secret, log: silentLogger(), actionTimeoutMs: 10_000, reconnect: { initialMs: 100, maxMs: 500 } });
  const up = new Promise<void>((resolve) => {
    const off = client.onConnected(() => {
      off();
      resolve();
    });
  });
  client.start();
  await Promise.race([up, new Promise((_, rej) => setTimeout(() => rej(new Error(`bench AMI login on ${port} failed`)), 15_000).unref())]);
  return { client, action: (a, f) => client.action(a, f), close: () => client.stop() };
}

export const agentExt = (i: number) => String(1000 + i);

export class ChaosStack {
  ami!: BenchAmi;
  readonly amiProxy: FaultProxy;
  readonly httpProxy: FaultProxy;
  child?: ChildProcess;
  apiUrl = '';
  readonly dir: string;
  readonly dbPath: string;
  readonly daemonLog: string;
  private configFile = '';
  daemonStarts = 0;

  private constructor(readonly ast: AsteriskProcess, readonly opts: ChaosStackOptions) {
    this.dir = path.join(ast.dir, 'daemon');
    fs.mkdirSync(this.dir, { recursive: true });
    this.dbPath = path.join(opts.dbDir ?? this.dir, 'callcenterd.db');
    this.daemonLog = path.join(this.dir, 'daemon.log');
    this.amiProxy = new FaultProxy('AMI', () => ast.ports.ami);
    this.httpProxy = new FaultProxy('ARI/HTTP', () => ast.ports.http);
  }

  static async start(install: AsteriskInstall, opts: ChaosStackOptions): Promise<ChaosStack> {
    const ast = await AsteriskProcess.create(install, { testContexts: true });
    const s = new ChaosStack(ast, opts);
    try {
      await ast.start(30_000, { amiAfterBoot: true });
      s.ami = await connectBenchAmi(ast.ports.ami, 'cc-test', ast.secrets.amiTest);
      await s.amiProxy.start();
      await s.httpProxy.start();
      s.writeConfig();
      await s.startDaemon();
      await s.ok('POST', '/catalogue/queues', { name: 'support' });
      await s.ok('POST', '/catalogue/dispositions', { tag: 'done' });
      for (let i = 0; i < opts.agents; i++) {
        const ext = agentExt(i);
        await s.ok('POST', '/catalogue/agents', {
          extension: ext,
          name: `Agent ${ext}`,
          device: `Local/${ext}@test-phones`,
          queues: [{ queue: 'support' }],
        });
        await s.ok('POST', `/agents/${ext}/login`, { queues: ['support'] });
      }
      return s;
    } catch (e) {
      await s.stop();
      throw e;
    }
  }

  private writeConfig(): void {
    const { ast } = this;
    const raw = {
      asterisk: {
        ari: { url: `http://127.0.0.1:${this.httpProxy.port}`, username: 'callcenterd', password: ast.secrets.ari, app: 'callcenter' },
        ami: { host: '127.0.0.1', port: this.amiProxy.port, username: 'callcenterd', secret: ast.secrets.ami },
        contexts: { agent_hints: 'test-agent-hints' },
        dial_template: 'Local/{number}@test-dial',
        ...(this.opts.topology ? { queue_topology: this.opts.topology } : {}),
        // Native: calls during an AMI cut or a daemon kill recorded from app_queue's queue_log.
        ...(this.opts.topology === 'native' ? { queue_log: path.join(ast.dir, 'log', 'queue_log') } : {}),
      },
      database: { path: this.dbPath },
      recording: { dir: path.join(ast.dir, 'spool', 'recording') },
      api: { listen: '127.0.0.1:0', tokens: [{ token: ADMIN_TOKEN, role: 'admin', name: 'chaos' }] },
      log: { level: 'info' },
      policy: { wrapup_seconds: this.opts.wrapupSeconds, max_no_answer: 0 },
    };
    this.configFile = path.join(this.dir, 'callcenterd.yaml');
    fs.writeFileSync(this.configFile, YAML.stringify(raw));
  }

  async startDaemon(timeoutMs = 120_000): Promise<void> {
    if (this.child) throw new Error('daemon already running');
    // The built daemon (dist/, `npm run chaos` builds it first) starts like a production one; the
    // TypeScript sources through ts-register only when there is no build (a start then costs the
    // transpiling of every module: seconds, tens of seconds on a busy machine).
    const built = fs.existsSync(path.join(REPO_ROOT, 'dist', 'cli', 'main.js')) && process.env.CHAOS_FROM_SOURCES !== '1';
    const pre = built ? [] : ['-r', path.join(REPO_ROOT, 'test', 'integration', 'ts-register.js')];
    if (this.opts.probeFile) pre.push('-r', path.join(__dirname, 'probe.js'));
    const entry = built ? [path.join(REPO_ROOT, 'bin', 'callcenterd.js')] : [path.join(REPO_ROOT, 'test', 'integration', 'daemon-main.ts')];
    if (this.daemonStarts === 0) this.opts.log(`daemon: ${built ? 'dist/ (built)' : 'TypeScript sources (ts-register)'}`);
    const out = fs.openSync(this.daemonLog, 'a');
    fs.writeSync(out, `---- daemon start #${++this.daemonStarts} at ${new Date().toISOString()}\n`);
    const child = spawn(
      process.execPath,
      [...pre, ...entry, 'run', '--config', this.configFile],
      {
        cwd: REPO_ROOT,
        stdio: ['ignore', out, out],
        env: { ...process.env, CALLCENTERD_CONFIG: '', CHAOS_PROBE_FILE: this.opts.probeFile ?? '' },
      },
    );
    fs.closeSync(out);
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => process.off('exit', killOnExit));
    this.child = child;
    const t0 = Date.now();
    // The API line is in the log: read only what this start wrote.
    const startSize = fs.statSync(this.daemonLog).size;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`daemon exited ${child.exitCode}: ${this.logTail()}`);
      const text = this.readLogFrom(startSize);
      const m = /API on (http:\/\/\S+)/.exec(text);
      if (m) {
        this.apiUrl = m[1];
        break;
      }
      if (Date.now() - t0 > timeoutMs) throw new Error(`daemon API not up after ${timeoutMs} ms: ${this.logTail()}`);
      await sleep(100);
    }
    await this.waitHealthy(timeoutMs);
  }

  private readLogFrom(offset: number): string {
    const fd = fs.openSync(this.daemonLog, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const buf = Buffer.alloc(Math.max(0, size - offset));
      fs.readSync(fd, buf, 0, buf.length, offset);
      return buf.toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  }

  logTail(bytes = 3000): string {
    const size = fs.existsSync(this.daemonLog) ? fs.statSync(this.daemonLog).size : 0;
    return size ? this.readLogFrom(Math.max(0, size - bytes)) : '';
  }

  async waitHealthy(timeoutMs = 30_000): Promise<number> {
    const t0 = Date.now();
    for (;;) {
      const r = await this.api('GET', '/healthz').catch(() => undefined);
      if (r?.status === 200) return Date.now() - t0;
      if (Date.now() - t0 > timeoutMs) throw new Error(`daemon not healthy after ${timeoutMs} ms: ${JSON.stringify(r?.body)}`);
      await sleep(100);
    }
  }

  async killDaemon(): Promise<void> {
    await this.endDaemon('SIGKILL');
  }

  /** SIGTERM, and SIGKILL if it has not exited 10 s later. */
  async stopDaemon(): Promise<void> {
    await this.endDaemon('SIGTERM', 10_000);
  }

  private async endDaemon(signal: NodeJS.Signals, killAfterMs?: number): Promise<void> {
    const c = this.child;
    this.child = undefined;
    this.apiUrl = '';
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill(signal);
    const t = killAfterMs === undefined ? undefined : setTimeout(() => c.kill('SIGKILL'), killAfterMs);
    await gone;
    clearTimeout(t);
  }

  /** `core restart now`: Asterisk re-execs itself (same pid); resolves once fully booted again. */
  async restartAsterisk(timeoutMs = 60_000): Promise<void> {
    await this.ast.cli('core restart now').catch(() => undefined);
    await sleep(500);
    const t0 = Date.now();
    for (;;) {
      const r = await this.ast.cli('core waitfullybooted', 5000).catch(() => '');
      if (/fully booted/i.test(r)) return;
      if (Date.now() - t0 > timeoutMs) throw new Error('Asterisk not back after core restart now');
      await sleep(200);
    }
  }

  async api(method: string, p: string, body?: unknown): Promise<ApiReply> {
    if (!this.apiUrl) throw new Error('daemon not running');
    return apiRequest(this.apiUrl, method, p, ADMIN_TOKEN, body);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async ok(method: string, p: string, body?: unknown): Promise<any> {
    const r = await this.api(method, p, body);
    if (r.status < 200 || r.status > 299) throw new Error(`${method} ${p} -> ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  async stop(): Promise<void> {
    await this.stopDaemon().catch(() => undefined);
    await this.amiProxy.stop().catch(() => undefined);
    await this.httpProxy.stop().catch(() => undefined);
    await this.ami?.close().catch(() => undefined);
    await this.ast.dispose().catch(() => undefined);
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
