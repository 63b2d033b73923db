/**
 * The SIP bench's daemon: the whole daemon (startDaemon, every shipped module, temp SQLite, API)
 * in a CHILD process, so its CPU is read from /proc like Asterisk's. Started by the parent half at
 * the bottom (DaemonProcess) with child_process.fork, commands over the Node IPC channel.
 *
 * Counters (read by the parent before and after a measured window): AMI events received (the
 * client's own count), ARI events, ARI requests and AMI actions sent, SQLite write statements and
 * commits (a COMMIT, or a write outside a transaction: bench/measure.ts commitsWhenRun).
 * With `breakdown`, AMI events are also counted by name: that subscribes to every event, which makes
 * the client parse events it otherwise skips, so it is a diagnostic, never the CPU figure.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface DaemonCounters {
  amiEvents: number;
  ariEvents: number;
  ariRequests: number;
  /** Of those, sent as RESTRequest frames on the event socket (the client's own count). */
  ariOverSocket: number;
  amiActions: number;
  sqlWrites: number;
  sqlCommits: number;
  amiByName: Record<string, number>;
  /** With breakdown: SQLite write statements by SQL text (first 60 characters), and ARI requests ("ari METHOD /path"). */
  sqlBySource: Record<string, number>;
}

export interface DaemonStart {
  config: Record<string, unknown>;
  baseDir: string;
  logLevel: string;
  breakdown: boolean;
}

type Request = { id: number; cmd: 'start'; start: DaemonStart } | { id: number; cmd: 'counters' } | { id: number; cmd: 'stop' };
type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

// ---------------------------------------------------------------- child side
async function childMain(): Promise<void> {
  const { parseConfigObject } = await import('../src/config/load');
  const { startDaemon } = await import('../src/daemon/app');
  const { createLogger } = await import('../src/log/logger');
  // Every REST request goes through AriWsRest (over the event socket or handed on to HTTP). A
  // baseline checkout from before it (mode baseline compiles this file there) has AriRest only.
  type Requester = { prototype: { request: (...a: [string, string, ...unknown[]]) => Promise<unknown> } };
  let AriWsRest: Requester;
  try {
    AriWsRest = (require(path.join(__dirname, '..', 'src', 'ari', 'ws-rest')) as { AriWsRest: Requester }).AriWsRest;
  } catch {
    AriWsRest = (await import('../src/ari/rest')).AriRest as unknown as Requester;
  }
  const { TcpAmiClient } = await import('../src/ami/client');
  const { commitsWhenRun, discardStream } = await import('./measure');
  type Handle = Awaited<ReturnType<typeof startDaemon>>;
  let daemon: Handle | undefined;
  const c: DaemonCounters = { amiEvents: 0, ariEvents: 0, ariRequests: 0, ariOverSocket: 0, amiActions: 0, sqlWrites: 0, sqlCommits: 0, amiByName: {}, sqlBySource: {} };

  const request = AriWsRest.prototype.request;
  AriWsRest.prototype.request = function (this: unknown, ...args: Parameters<typeof request>) {
    c.ariRequests++;
    if (breakdown) {
      const key = `ari ${args[0]} ${args[1].replace(/\/[^/]*\d[^/]*/g, '/:id')}`;
      c.sqlBySource[key] = (c.sqlBySource[key] ?? 0) + 1;
    }
    return request.apply(this, args) as ReturnType<typeof request>;
  } as typeof request;
  const action = TcpAmiClient.prototype.action;
  TcpAmiClient.prototype.action = function (this: InstanceType<typeof TcpAmiClient>, ...args: Parameters<typeof action>) {
    c.amiActions++;
    return action.apply(this, args);
  };

  let breakdown = false;
  const handle = async (m: Request): Promise<unknown> => {
    if (m.cmd === 'start') {
      const s = m.start;
      breakdown = s.breakdown;
      const config = parseConfigObject(s.config, {}, { baseDir: s.baseDir });
      const level = s.logLevel as 'info';
      daemon = await startDaemon(config, { log: createLogger(level, { stream: discardStream() }) });
      const d = daemon;
      const db = d.deps.db;
      const proto = Object.getPrototypeOf(db.prepare('SELECT 1')) as { run: (...a: unknown[]) => unknown };
      const run = proto.run;
      proto.run = function (this: { source: string }, ...a: unknown[]) {
        c.sqlWrites++;
        // BEGIN/COMMIT/SAVEPOINT run through run() too (better-sqlite3's transactions, the daemon's unit of work).
        if (commitsWhenRun(this.source, db.inTransaction)) c.sqlCommits++;
        if (s.breakdown) {
          const key = (this.source ?? '?').replace(/\s+/g, ' ').slice(0, 60);
          c.sqlBySource[key] = (c.sqlBySource[key] ?? 0) + 1;
        }
        return run.apply(this, a);
      };
      if (s.breakdown) {
        d.deps.ami.onEvent('*', (e) => (c.amiByName[e.Event] = (c.amiByName[e.Event] ?? 0) + 1));
        // ARI events by type share the map, prefixed (an ARI '*' subscriber costs nothing extra: every ARI event is parsed anyway).
        d.deps.ari.onEvent('*', (e) => (c.amiByName[`ari:${e.type}`] = (c.amiByName[`ari:${e.type}`] ?? 0) + 1));
      }
      for (let end = Date.now() + 20000; !(d.deps.ami.state === 'connected' && d.deps.ari.connected); ) {
        if (Date.now() > end) throw new Error('daemon: AMI/ARI links not up after 20 s');
        await new Promise((r) => setTimeout(r, 20));
      }
      return { apiUrl: d.apiUrl };
    }
    if (m.cmd === 'counters') {
      c.amiEvents = daemon?.deps.ami.info?.eventsReceived ?? 0;
      c.ariEvents = daemon?.deps.ari.info?.eventsReceived ?? 0;
      c.ariOverSocket = (daemon?.deps.ari.info as { restRequests?: { websocket: number } } | undefined)?.restRequests?.websocket ?? 0;
      return { ...c, amiByName: { ...c.amiByName }, sqlBySource: { ...c.sqlBySource } };
    }
    await daemon?.stop();
    daemon = undefined;
    return null;
  };
  process.on('message', (m: Request) => {
    handle(m).then(
      (result) => process.send?.({ id: m.id, ok: true, result } satisfies Reply),
      (err: Error) => process.send?.({ id: m.id, ok: false, error: err.stack ?? err.message } satisfies Reply),
    );
  });
  process.on('disconnect', () => void daemon?.stop().finally(() => process.exit(0)));
}

if (require.main === module) {
  childMain().catch((err: Error) => {
    process.stderr.write(`sip-daemon: ${err.stack ?? err.message}\n`);
    process.exit(1);
  });
}

// ---------------------------------------------------------------- parent side
export class DaemonProcess {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private exited = false;
  private readonly gone: Promise<void>;

  /** `entry`: another checkout's compiled copy of this file (mode baseline); default this one. */
  constructor(nodeArgs: string[] = [], entry = path.join(__dirname, `sip-daemon${path.extname(__filename)}`)) {
    this.child = fork(entry, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: nodeArgs });
    this.child.on('message', (m: Reply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(`daemon: ${m.error}`));
    });
    this.gone = new Promise((r) =>
      this.child.once('exit', (code, signal) => {
        this.exited = true;
        for (const p of this.pending.values()) p.reject(new Error(`daemon process exited (${signal ?? code})`));
        this.pending.clear();
        r();
      }),
    );
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  private send<T>(m: Request extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never): Promise<T> {
    if (this.exited) return Promise.reject(new Error('daemon process is not running'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ ...m, id });
    });
  }

  start(start: DaemonStart): Promise<{ apiUrl: string }> {
    return this.send({ cmd: 'start', start });
  }
  counters(): Promise<DaemonCounters> {
    return this.send({ cmd: 'counters' });
  }

  /** Stops the daemon (its own stop()) and waits for the child to exit; SIGKILL after 10 s. */
  async stop(): Promise<void> {
    if (this.exited) return;
    await Promise.race([this.send({ cmd: 'stop' }).catch(() => undefined), new Promise((r) => setTimeout(r, 8000))]);
    if (this.child.connected) this.child.disconnect();
    const t = setTimeout(() => this.child.kill('SIGKILL'), 10000);
    await this.gone;
    clearTimeout(t);
  }
}
