import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { WebSocket } from 'ws';
import { ARI_ON_DEMAND_EVENTS, ARI_READ_EVENTS } from '../../src/ari/client';
import { startDaemon, type DaemonHandle } from '../../src/daemon/app';
import type { DaemonModule, ModuleFactory } from '../../src/daemon/module';
import { route } from '../../src/api/types';
import { loadConfig, parseConfigObject } from '../../src/config/load';
import { createLogger, silentLogger } from '../../src/log/logger';
import { openDatabase } from '../../src/store/db';
import { main } from '../../src/cli/main';
import { createFakeAri, FakeAmi } from '../helpers/fake-links';
import { cleanupTmpDirs, makeTmpDir, TEST_ADMIN_TOKEN, withOverrides, writeConfig } from '../helpers/tmp';

afterAll(cleanupTmpDirs);

function config(overrides: Record<string, unknown> = {}) {
  const dir = makeTmpDir();
  return parseConfigObject(withOverrides(overrides), {}, { baseDir: dir });
}

const get = async (url: string, token?: string) => {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.status, body: (await res.json()) as any };
};

describe('startDaemon', () => {
  let daemon: DaemonHandle | undefined;
  afterEach(async () => {
    await daemon?.stop();
    daemon = undefined;
  });

  it('wires modules in order (factories, wire, start), mounts their routes and stops in reverse', async () => {
    const calls: string[] = [];
    const ami = new FakeAmi();
    const ari = createFakeAri();
    const mod = (name: string, publish?: (p: Record<string, unknown>) => void): ModuleFactory => (deps, ports) => {
      calls.push(`factory ${name}`);
      publish?.(ports);
      const m: DaemonModule = {
        name,
        wire: (p) => calls.push(`wire ${name} sees ${Object.keys(p).sort().join(',')}`),
        start: () => {
          calls.push(`start ${name} ami.started=${(deps.ami as FakeAmi).started}`);
        },
        stop: () => {
          calls.push(`stop ${name}`);
        },
        routes: () => [route({ method: 'GET', path: `/${name}/ping`, summary: 'ping', tag: name, roles: ['admin'], handler: () => ({ pong: name }) })],
        health: () => ({ fine: true }),
      };
      return m;
    };
    daemon = await startDaemon(config(), {
      log: silentLogger(),
      amiFactory: () => ami,
      ariFactory: () => ari,
      modules: [mod('agents', (p) => (p.agents = {} as never)), mod('calls', (p) => (p.calls = {} as never))],
    });
    expect(calls).toEqual([
      'factory agents',
      'factory calls',
      // queueWaiting: the live module's tracker, published by the composition root before wire().
      'wire agents sees agents,calls,queueWaiting',
      'wire calls sees agents,calls,queueWaiting',
      'start agents ami.started=false',
      'start calls ami.started=false',
    ]);
    expect(ami.started && ari.started).toBe(true);
    expect(await get(`${daemon.apiUrl}/calls/ping`, TEST_ADMIN_TOKEN)).toEqual({ status: 200, body: { pong: 'calls' } });
    expect((await get(`${daemon.apiUrl}/catalogue/queues`, TEST_ADMIN_TOKEN)).status).toBe(200);

    // Degraded until both links are up; healthz says which one is missing.
    let h = await get(`${daemon.apiUrl}/healthz`);
    expect(h.status).toBe(503);
    expect(h.body).toMatchObject({ status: 'degraded', ami: { state: 'connecting' }, ari: { connected: false }, db: { ok: true } });
    ami.connect();
    ari.connect();
    h = await get(`${daemon.apiUrl}/healthz`);
    expect(h).toMatchObject({ status: 200, body: { status: 'ok', modules: { agents: { fine: true } } } });
    expect(JSON.stringify(h.body)).not.toMatch(/SECRET|token/);

    const stopped = daemon.stop();
    await stopped;
    await daemon.stop(); // idempotent
    expect(calls.slice(-2)).toEqual(['stop calls', 'stop agents']);
    expect(ami.stopped && ari.stopped).toBe(true);
    await expect(fetch(`${daemon.apiUrl}/healthz`)).rejects.toThrow();
    daemon = undefined;
  });

  it('a startup failure (API port taken) stops what was started and closes the DB', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    const ami = new FakeAmi();
    const ari = createFakeAri();
    const stops: string[] = [];
    const cfg = config({ api: { listen: `127.0.0.1:${port}` } });
    await expect(
      startDaemon(cfg, {
        log: silentLogger(),
        amiFactory: () => ami,
        ariFactory: () => ari,
        modules: [() => ({ name: 'x', stop: () => void stops.push('x') })],
      }),
    ).rejects.toMatchObject({ kind: 'unavailable', details: { code: 'EADDRINUSE' } });
    expect(stops).toEqual(['x']);
    expect(ami.stopped && ari.stopped).toBe(true);
    // DB closed: another connection can take an exclusive lock right away.
    const db = openDatabase(cfg.database.path);
    db.exec('BEGIN EXCLUSIVE; COMMIT;');
    db.close();
    await new Promise<void>((r) => blocker.close(() => r()));
  });

  it('a link lost while running warns "retrying"; links closed by stop() do not (SIGTERM is not an outage)', async () => {
    const lines: Array<{ level: string; message: string; reason?: string }> = [];
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => {
      for (const l of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(l));
    });
    // Like the real clients: stop() ends the live session and tells the subscribers, reason 'stopped'.
    class StoppingAmi extends FakeAmi {
      override async stop(): Promise<void> {
        if (this.state === 'connected') this.disconnect('stopped');
        await super.stop();
      }
    }
    const ami = new StoppingAmi();
    const ari = createFakeAri();
    const stopAri = ari.stop;
    ari.stop = async () => {
      if (ari.connected) ari.disconnect('stopped');
      await stopAri();
    };
    daemon = await startDaemon(config(), { log: createLogger('info', { stream }), amiFactory: () => ami, ariFactory: () => ari, modules: [] });
    ami.connect();
    ari.connect();
    ami.disconnect('connection reset');
    ami.connect();
    await daemon.stop();
    daemon = undefined;
    await new Promise((r) => setImmediate(r));
    const retrying = lines.filter((l) => /retrying/.test(l.message));
    expect(retrying).toEqual([expect.objectContaining({ level: 'warn', message: 'AMI not connected, retrying', reason: 'connection reset' })]);
    expect(lines.filter((l) => /link closed/.test(l.message))).toEqual([
      expect.objectContaining({ level: 'info', message: 'ARI link closed (daemon stopping)', reason: 'stopped' }),
      expect.objectContaining({ level: 'info', message: 'AMI link closed (daemon stopping)', reason: 'stopped' }),
    ]);
    expect(lines.filter((l) => l.level === 'warn' && /AMI|ARI/.test(l.message))).toHaveLength(1);
  });

  it('unreachable Asterisk is not fatal: real clients keep retrying and /healthz reports it', async () => {
    // Two closed ports: nothing listens there.
    const closed = await Promise.all(
      [0, 1].map(
        () =>
          new Promise<number>((resolve) => {
            const s = net.createServer().listen(0, '127.0.0.1', () => {
              const p = (s.address() as net.AddressInfo).port;
              s.close(() => resolve(p));
            });
          }),
      ),
    );
    daemon = await startDaemon(
      config({ asterisk: { ami: { port: closed[0] }, ari: { url: `http://127.0.0.1:${closed[1]}` } } }),
      { log: silentLogger(), modules: [] },
    );
    const h = await get(`${daemon.apiUrl}/healthz`);
    expect(h.status).toBe(503);
    expect(h.body.status).toBe('degraded');
    expect(h.body.ami.state).not.toBe('connected');
    expect(h.body.ari.connected).toBe(false);
    expect(JSON.stringify(h.body)).not.toMatch(/SECRET/);
  });
});

describe('callcenterd run', () => {
  it('invalid config → one line, exit 2, nothing started', async () => {
    const bad = writeConfig({ api: { listen: 'nowhere' } });
    let stderr = '';
    const code = await main(['node', 'callcenterd', 'run', '--config', bad], { stdout: () => undefined, stderr: (s) => (stderr += s), env: {}, cwd: '/' });
    expect(code).toBe(2);
    expect(stderr).toBe(`callcenterd: invalid config ${bad}: api.listen: must be host:port, e.g. 127.0.0.1:8600\n`);
  });

  it('runs until SIGTERM, then stops cleanly with exit 0', async () => {
    const dir = makeTmpDir();
    // Asterisk unreachable on purpose (port 1 refuses): the daemon must still run.
    const file = writeConfig({ asterisk: { ami: { port: 1 }, ari: { url: 'http://127.0.0.1:1' } } }, dir);
    let stderr = '';
    const done = main(['node', 'callcenterd', 'run', '--config', file], {
      stdout: () => undefined,
      stderr: (s) => (stderr += s),
      env: { CALLCENTERD_LOG_LEVEL: 'error' },
      cwd: dir,
    });
    const deadline = Date.now() + 5000;
    while (!/API on (\S+)/.test(stderr) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const url = /API on (\S+)/.exec(stderr)![1];
    expect((await get(`${url}/healthz`)).status).toBe(503);
    process.emit('SIGTERM', 'SIGTERM');
    expect(await done).toBe(0);
    expect(stderr).toContain('SIGTERM received, stopping');
    expect(loadConfig(file, {}).database.path).toBe(path.join(dir, 'callcenterd.db'));
  });
});

describe('the shipped module list (src/daemon/modules.ts)', () => {
  it('starts against fake links, mounts every domain route once and stops cleanly', async () => {
    const ami = new FakeAmi();
    const ari = createFakeAri();
    const daemon = await startDaemon(config(), { log: silentLogger(), amiFactory: () => ami, ariFactory: () => ari });
    try {
      const doc = (await get(`${daemon.apiUrl}/openapi.json`)).body;
      const paths = Object.keys(doc.paths);
      expect(paths).toContain('/catalogue/queues');
      // Every module that offers routes is mounted (duplicates would have failed startup).
      const tags = new Set(Object.values(doc.paths).flatMap((ops) => Object.values(ops as Record<string, { tags: string[] }>).flatMap((o) => o.tags)));
      expect(tags.size).toBeGreaterThan(2);
      expect(daemon.modules.map((m) => m.name)[0]).toBe('catalogue');
    } finally {
      await daemon.stop();
    }
  });

  it('asterisk-conf/manager.conf lets through every AMI event the daemon subscribes to, and only those', async () => {
    // The [callcenterd] user's include filters are a whitelist (README "Performance"): an event a
    // module starts reading must be added there, or the daemon would silently never see it.
    // Every topology's modules (native reads AgentComplete, the others do not): one whitelist.
    const names = new Set<string>();
    for (const topology of ['stand-in', 'member-leg', 'native']) {
      const ami = new FakeAmi();
      const onEvent = ami.onEvent.bind(ami);
      ami.onEvent = (name, handler) => {
        names.add(name);
        return onEvent(name, handler);
      };
      const cfg = config({ asterisk: { queue_topology: topology } });
      const daemon = await startDaemon(cfg, { log: silentLogger(), amiFactory: () => ami, ariFactory: () => createFakeAri() });
      await daemon.stop();
    }
    const conf = fs.readFileSync(path.join(__dirname, '..', '..', 'asterisk-conf', 'manager.conf'), 'utf8');
    const section = conf.slice(conf.indexOf('[callcenterd]'));
    const included = [...section.matchAll(/^eventfilter\(action\(include\),name\((\w+)\)\)\s*=\s*$/gm)].map((m) => m[1]);
    expect(names.has('*')).toBe(false);
    // FullyBooted is read by the AMI client itself (it decides when the link is "connected").
    expect([...names, 'FullyBooted'].sort()).toEqual([...new Set(included)].sort());
  });

  it('the ARI event whitelist (ARI_READ_EVENTS, plus the on-demand types) is exactly the types the modules subscribe to', async () => {
    const ari = createFakeAri();
    const names = new Set<string>();
    const onEvent = ari.onEvent.bind(ari);
    ari.onEvent = (name, handler) => {
      names.add(name);
      return onEvent(name, handler);
    };
    const daemon = await startDaemon(config(), { log: silentLogger(), amiFactory: () => new FakeAmi(), ariFactory: () => ari });
    await daemon.stop();
    expect(names.has('StasisStart')).toBe(true);
    expect(names.has('*')).toBe(false);
    // A type read but not whitelisted would silently never arrive; one whitelisted but unread costs Asterisk for nothing.
    expect([...names].sort()).toEqual([...ARI_READ_EVENTS, ...ARI_ON_DEMAND_EVENTS].sort());
    expect(ARI_READ_EVENTS.filter((t) => (ARI_ON_DEMAND_EVENTS as readonly string[]).includes(t))).toEqual([]);
  });

  it('stop() closes /events clients with 1001 "daemon stopping", not 1006 (the API must not cut them off first)', async () => {
    const daemon = await startDaemon(config(), { log: silentLogger(), amiFactory: () => new FakeAmi(), ariFactory: () => createFakeAri() });
    const ws = new WebSocket(`${daemon.apiUrl.replace('http', 'ws')}/events?token=${TEST_ADMIN_TOKEN}`);
    const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    const snapshot = await new Promise<{ type: string }>((resolve, reject) => {
      ws.once('message', (m) => resolve(JSON.parse(m.toString())));
      ws.once('error', reject);
    });
    expect(snapshot.type).toBe('snapshot');
    await daemon.stop();
    expect(await closed).toEqual({ code: 1001, reason: 'daemon stopping' });
  });
});
