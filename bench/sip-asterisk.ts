/**
 * The SIP bench's throwaway Asterisk: the shipped asterisk-conf/ (ports and secrets rewritten) plus
 * bench-only files (bench/sip-conf.ts), in its own temp dir with free ports, started in the
 * foreground as a child process. Same rules as test/integration/asterisk.ts (which depends on jest
 * globals and on its own location, so the compiled bench cannot import it): ASTERISK_BIN wins, then
 * `asterisk` on PATH, then /opt/asterisk/sbin/asterisk; ASTERISK_MODDIR / ASTERISK_DATADIR override.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** The repository root: the first directory above this file holding asterisk-conf/ (works compiled too). */
export function repoRoot(): string {
  for (let d = __dirname; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'asterisk-conf', 'manager.conf')) && fs.existsSync(path.join(d, 'package.json'))) return d;
    if (path.dirname(d) === d) throw new Error(`asterisk-conf/ not found above ${__dirname}`);
  }
}

export interface AsteriskInstall {
  bin: string;
  moddir: string;
  datadir: string;
}

const executable = (p: string): boolean => {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
};
const firstDir = (c: string[]) => c.find((d) => d && fs.existsSync(d) && fs.statSync(d).isDirectory());

/** The Asterisk to bench, or a sentence saying why there is none. */
export function findAsterisk(env: NodeJS.ProcessEnv = process.env): AsteriskInstall | string {
  const explicit = env.ASTERISK_BIN || undefined;
  if (explicit !== undefined && !executable(explicit)) return `ASTERISK_BIN=${explicit} is not an executable file`;
  const onPath = (env.PATH ?? '').split(path.delimiter).filter(Boolean).map((d) => path.join(d, 'asterisk'));
  const bin = (explicit !== undefined ? [explicit] : [...onPath, '/opt/asterisk/sbin/asterisk']).find(executable);
  if (!bin) return 'no Asterisk binary (set ASTERISK_BIN; DEVELOPERS.md says how to get one)';
  const real = fs.realpathSync(bin);
  const prefix = path.dirname(path.dirname(real));
  const moddir =
    env.ASTERISK_MODDIR ??
    firstDir([path.join(prefix, 'lib', 'asterisk', 'modules'), path.join(prefix, 'lib64', 'asterisk', 'modules'), '/usr/lib/x86_64-linux-gnu/asterisk/modules', '/usr/lib/asterisk/modules']);
  const datadir = env.ASTERISK_DATADIR ?? firstDir([path.join(prefix, 'var', 'lib', 'asterisk'), prefix === '/usr' ? '/usr/share/asterisk' : '', '/var/lib/asterisk']);
  if (!moddir) return `${real}: no modules directory found (set ASTERISK_MODDIR)`;
  if (!datadir) return `${real}: no data directory found (set ASTERISK_DATADIR)`;
  return { bin: real, moddir, datadir };
}

/** Free TCP ports (bound together on port 0 so they differ). */
export async function freeTcpPorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<net.Server>((res, rej) => {
      const s = net.createServer();
      s.once('error', rej);
      s.listen(0, '127.0.0.1', () => res(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** Replaces exactly one line matching `re` (loud when asterisk-conf/ changed shape). */
export function replaceLine(text: string, re: RegExp, line: string, file: string): string {
  const lines = text.split('\n');
  const hits = lines.filter((l) => re.test(l)).length;
  if (hits !== 1) throw new Error(`${file}: expected one line matching ${re}, found ${hits}`);
  return lines.map((l) => (re.test(l) ? line : l)).join('\n');
}

const SHIPPED = ['http.conf', 'ari.conf', 'manager.conf', 'extensions.conf', 'queues.conf', 'musiconhold.conf', 'pjsip.conf'];
/** Test-support files reused as they are (module list, logger, configs some modules need to load). */
const FROM_TEST_CONF = ['modules.conf', 'logger.conf', 'confbridge.conf', 'res_parking.conf'];
const QUIET_EMPTY = [
  'res_config_sqlite3.conf', 'statsd.conf', 'cdr.conf', 'cel.conf', 'features.conf', 'acl.conf', 'udptl.conf',
  'geolocation.conf', 'pjproject.conf', 'pjsip_wizard.conf', 'pjsip_notify.conf', 'aeap.conf',
  'websocket_client.conf', 'chan_websocket.conf', 'res_http_media_cache.conf', 'cli_aliases.conf', 'ccss.conf',
];

export interface BenchPorts {
  http: number;
  ami: number;
  sip: number;
}

/**
 * One throwaway Asterisk; `append` adds bench-only text to the named files (created when absent);
 * `@AMI_SECRET@` in it becomes the run's AMI secret (a second daemon user, mode baseline).
 */
export class BenchAsterisk {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccd-sipbench-'));
  private child?: ChildProcess;
  private exited?: Promise<void>;

  constructor(
    readonly install: AsteriskInstall,
    readonly ports: BenchPorts,
    readonly secrets: { ari: string; ami: string },
    append: Record<string, string>,
  ) {
    const root = repoRoot();
    const etc = path.join(this.dir, 'etc');
    for (const sub of ['etc', 'varlib', 'db', 'spool/recording', 'run', 'log', 'cache']) fs.mkdirSync(path.join(this.dir, sub), { recursive: true });
    const files: Record<string, string> = {};
    for (const f of SHIPPED) files[f] = fs.readFileSync(path.join(root, 'asterisk-conf', f), 'utf8');
    for (const f of FROM_TEST_CONF) files[f] = fs.readFileSync(path.join(root, 'test', 'integration', 'asterisk-test-conf', f), 'utf8');
    for (const f of QUIET_EMPTY) files[f] = '';
    files['http.conf'] = replaceLine(files['http.conf'], /^bindport\s*=/, `bindport = ${ports.http}`, 'http.conf');
    files['manager.conf'] = replaceLine(files['manager.conf'], /^port\s*=/, `port = ${ports.ami}`, 'manager.conf');
    files['manager.conf'] = replaceLine(files['manager.conf'], /^secret\s*=/, `secret = ${secrets.ami}`, 'manager.conf');
    files['ari.conf'] = replaceLine(files['ari.conf'], /^password\s*=/, `password = ${secrets.ari}`, 'ari.conf');
    files['pjsip.conf'] = replaceLine(files['pjsip.conf'], /^bind\s*=\s*127\.0\.0\.1:5060\s*$/, `bind = 127.0.0.1:${ports.sip}`, 'pjsip.conf');
    for (const [f, text] of Object.entries(append)) files[f] = (files[f] ?? '') + text.replaceAll('@AMI_SECRET@', secrets.ami);
    const d = (n: string) => path.join(this.dir, n);
    files['asterisk.conf'] = [
      '[directories]',
      `astetcdir => ${etc}`, `astmoddir => ${install.moddir}`, `astvarlibdir => ${d('varlib')}`, `astdbdir => ${d('db')}`,
      `astkeydir => ${install.datadir}`, `astdatadir => ${install.datadir}`, `astagidir => ${path.join(install.datadir, 'agi-bin')}`,
      `astspooldir => ${d('spool')}`, `astrundir => ${d('run')}`, `astlogdir => ${d('log')}`,
      `astsbindir => ${path.dirname(install.bin)}`, `astcachedir => ${d('cache')}`,
      '[options]', 'verbose = 0', 'nocolor = yes', 'cache_media_frames = yes', '',
    ].join('\n');
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(etc, name), text);
  }

  get confFile(): string {
    return path.join(this.dir, 'etc', 'asterisk.conf');
  }
  get pid(): number | undefined {
    return this.child?.pid;
  }
  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(timeoutMs = 60_000): Promise<void> {
    const out = fs.openSync(path.join(this.dir, 'console.log'), 'a');
    const child = spawn(this.install.bin, ['-C', this.confFile, '-f', '-n'], { stdio: ['ignore', out, out] });
    fs.closeSync(out);
    this.child = child;
    this.exited = new Promise((r) => child.once('exit', () => r()));
    process.once('exit', () => child.kill('SIGKILL'));
    const end = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running) throw new Error(`Asterisk exited during boot; see ${this.dir}/console.log`);
      const r = await this.cli('core waitfullybooted', 5000).catch(() => '');
      if (/fully booted/i.test(r)) return;
      if (Date.now() > end) throw new Error(`Asterisk not booted after ${timeoutMs} ms; see ${this.dir}/console.log`);
      await new Promise((r2) => setTimeout(r2, 200));
    }
  }

  cli(command: string, timeoutMs = 10_000): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(this.install.bin, ['-C', this.confFile, '-rx', command], { timeout: timeoutMs, encoding: 'utf8', maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${command}: ${err.message} ${stderr}`)) : resolve(stdout),
      );
    });
  }

  async stop(): Promise<void> {
    if (this.running) {
      await this.cli('core stop now', 3000).catch(() => undefined);
      const t = setTimeout(() => this.child?.kill('SIGKILL'), 5000);
      await this.exited;
      clearTimeout(t);
    }
    if (!process.env.KEEP_ASTERISK_DIR) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** CPU (user+system, all threads) of a process in ms, from /proc/<pid>/stat; undefined when gone. */
export function procCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): utime is field 14, stime field 15.
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}
/** sysconf(_SC_CLK_TCK): 100 on every Linux that Node supports in practice. */
const CLOCK_TICKS = 100;
