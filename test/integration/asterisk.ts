/**
 * A throwaway real Asterisk for the integration suite: find the binary, build a config dir from
 * asterisk-conf/ (ports and secrets rewritten, test-only contexts appended), start it in the
 * foreground as a child process, talk to its CLI, stop it (and kill it if it does not stop).
 * Everything lives in one temp dir, with its own run dir (control socket) and free ports, so
 * several instances (other test files, another developer's Asterisk) run side by side.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const SHIPPED_CONF_DIR = path.join(REPO_ROOT, 'asterisk-conf');
const TEST_CONF_DIR = path.join(__dirname, 'asterisk-test-conf');

/** Files of asterisk-conf/ that an admin copies (the suite checks they are all there). */
export const SHIPPED_FILES = [
  'http.conf',
  'ari.conf',
  'manager.conf',
  'extensions.conf',
  'queues.conf',
  'musiconhold.conf',
  'pjsip.conf',
];

/** Empty files that only silence "Unable to load config" lines of modules we do not use. */
const QUIET_EMPTY_FILES = [
  'res_config_sqlite3.conf', 'statsd.conf', 'cdr.conf', 'cel.conf', 'features.conf', 'acl.conf',
  'udptl.conf', 'geolocation.conf', 'pjproject.conf', 'pjsip_wizard.conf', 'pjsip_notify.conf',
  'aeap.conf', 'websocket_client.conf', 'chan_websocket.conf', 'res_http_media_cache.conf',
  'cli_aliases.conf', 'ccss.conf', 'rtp.conf',
];

export interface AsteriskInstall {
  bin: string;
  moddir: string;
  datadir: string;
}

function executable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function firstDir(candidates: string[]): string | undefined {
  return candidates.find((d) => fs.existsSync(d) && fs.statSync(d).isDirectory());
}

/** ASTERISK_BIN was set but cannot be used: the suite fails (never skips) so CI cannot go green silently. */
export class AsteriskBinError extends Error {}

/**
 * ASTERISK_BIN wins, then `asterisk` on PATH, then /opt/asterisk/sbin/asterisk. Modules and data
 * dirs come from the binary's install prefix unless ASTERISK_MODDIR / ASTERISK_DATADIR say otherwise.
 * Undefined when no usable Asterisk is found (the suite then skips, saying so); throws
 * AsteriskBinError when ASTERISK_BIN is set explicitly but is not a usable Asterisk: whoever set it
 * wants the suite to run, and a skip would hide the mistake.
 */
export function findAsterisk(env: NodeJS.ProcessEnv = process.env): AsteriskInstall | undefined {
  const explicit = env.ASTERISK_BIN || undefined; // empty = unset, like .ci/run
  if (explicit !== undefined && !executable(explicit)) {
    const why = fs.existsSync(explicit) ? 'is not an executable file' : 'does not exist';
    throw new AsteriskBinError(`ASTERISK_BIN=${explicit} ${why} (unset it to skip the real-Asterisk suite)`);
  }
  const onPath = (env.PATH ?? '')
    .split(path.delimiter)
    .filter(Boolean)
    .map((d) => path.join(d, 'asterisk'));
  const candidates = explicit !== undefined ? [explicit] : [...onPath, '/opt/asterisk/sbin/asterisk'];
  const bin = candidates.find(executable);
  if (!bin) return undefined;
  const real = fs.realpathSync(bin);
  const prefix = path.dirname(path.dirname(real));
  const moddir =
    env.ASTERISK_MODDIR ??
    firstDir([
      path.join(prefix, 'lib', 'asterisk', 'modules'),
      path.join(prefix, 'lib64', 'asterisk', 'modules'),
      '/usr/lib/x86_64-linux-gnu/asterisk/modules',
      '/usr/lib/asterisk/modules',
    ]);
  const datadir =
    env.ASTERISK_DATADIR ??
    firstDir([
      path.join(prefix, 'var', 'lib', 'asterisk'),
      prefix === '/usr' ? '/usr/share/asterisk' : '',
      '/var/lib/asterisk',
    ].filter(Boolean));
  if (!moddir || !datadir) {
    if (explicit === undefined) return undefined;
    const missing = !moddir ? 'modules directory (set ASTERISK_MODDIR)' : 'data directory (set ASTERISK_DATADIR)';
    throw new AsteriskBinError(`ASTERISK_BIN=${explicit}: no ${missing} found next to it`);
  }
  return { bin: real, moddir, datadir };
}

/** Free TCP ports picked by binding port 0 (all held open together so they differ). */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () =>
      new Promise<net.Server>((resolve, reject) => {
        const s = net.createServer();
        s.once('error', reject);
        s.listen(0, '127.0.0.1', () => resolve(s));
      }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

export interface AsteriskPorts {
  http: number;
  ami: number;
  sip: number;
}

export interface AsteriskSecrets {
  ari: string;
  ami: string;
  amiTest: string;
}

/** Replaces exactly one line matching `re` (throws when asterisk-conf/ no longer has it: loud, not silent). */
export function replaceLine(text: string, re: RegExp, line: string, file: string): string {
  const hits = text.split('\n').filter((l) => re.test(l)).length;
  if (hits !== 1) throw new Error(`${file}: expected one line matching ${re}, found ${hits}`);
  return text
    .split('\n')
    .map((l) => (re.test(l) ? line : l))
    .join('\n');
}

export interface ConfOptions {
  ports: AsteriskPorts;
  secrets: AsteriskSecrets;
  /** Append the test-only contexts and AMI user (false = asterisk-conf/ exactly, ports/secrets only). */
  testContexts: boolean;
}

/** The shipped files with only ports and secrets changed, plus test additions when asked. */
export function buildShippedConf(opts: ConfOptions): Record<string, string> {
  const read = (f: string) => fs.readFileSync(path.join(SHIPPED_CONF_DIR, f), 'utf8');
  const files: Record<string, string> = {};
  for (const f of SHIPPED_FILES) files[f] = read(f);
  const { ports, secrets } = opts;
  files['http.conf'] = replaceLine(files['http.conf'], /^bindport\s*=/, `bindport = ${ports.http}`, 'http.conf');
  files['manager.conf'] = replaceLine(files['manager.conf'], /^port\s*=/, `port = ${ports.ami}`, 'manager.conf');
  files['manager.conf'] = replaceLine(files['manager.conf'], /^secret\s*=/, `secret = ${secrets.ami}`, 'manager.conf');
  files['ari.conf'] = replaceLine(files['ari.conf'], /^password\s*=/, `password = ${secrets.ari}`, 'ari.conf');
  files['pjsip.conf'] = replaceLine(
    files['pjsip.conf'],
    /^bind\s*=\s*127\.0\.0\.1:5060\s*$/,
    `bind = 127.0.0.1:${ports.sip}`,
    'pjsip.conf',
  );
  if (opts.testContexts) {
    const test = (f: string) => fs.readFileSync(path.join(TEST_CONF_DIR, f), 'utf8');
    files['extensions.conf'] += test('extensions-test.conf');
    files['manager.conf'] += test('manager-test.conf').replace('@TEST_SECRET@', secrets.amiTest);
    files['queues.conf'] += test('queues-test.conf');
  }
  return files;
}

function asteriskConf(dir: string, install: AsteriskInstall): string {
  const d = (name: string) => path.join(dir, name);
  return [
    '; generated by test/integration/asterisk.ts',
    '[directories]',
    `astetcdir => ${d('etc')}`,
    `astmoddir => ${install.moddir}`,
    `astvarlibdir => ${d('varlib')}`,
    `astdbdir => ${d('db')}`,
    `astkeydir => ${install.datadir}`,
    `astdatadir => ${install.datadir}`,
    `astagidir => ${path.join(install.datadir, 'agi-bin')}`,
    `astspooldir => ${d('spool')}`,
    `astrundir => ${d('run')}`,
    `astlogdir => ${d('log')}`,
    `astsbindir => ${path.dirname(install.bin)}`,
    `astcachedir => ${d('cache')}`,
    '[options]',
    'verbose = 3',
    'nocolor = yes',
    'cache_media_frames = yes',
    '',
  ].join('\n');
}

export interface StartOptions {
  testContexts?: boolean;
  /** Extra or replaced config files (name → content). */
  extraFiles?: Record<string, string>;
}

/** Children still running if the test process dies without afterAll (a crash): kill them on exit. */
const liveChildren = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of liveChildren) c.kill('SIGKILL');
});

/** One running (or stopped) throwaway Asterisk. */
export class AsteriskProcess {
  private child?: ChildProcess;
  private exited?: Promise<void>;
  readonly dir: string;
  readonly confFile: string;
  readonly consoleLog: string;

  private constructor(
    readonly install: AsteriskInstall,
    readonly ports: AsteriskPorts,
    readonly secrets: AsteriskSecrets,
  ) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccd-ast-'));
    this.confFile = path.join(this.dir, 'etc', 'asterisk.conf');
    this.consoleLog = path.join(this.dir, 'console.log');
  }

  static async create(install: AsteriskInstall, opts: StartOptions = {}): Promise<AsteriskProcess> {
    const [http, ami, sip] = await freePorts(3);
    const secret = () => crypto.randomBytes(12).toString('hex');
    const ast = new AsteriskProcess(install, { http, ami, sip }, { ari: secret(), ami: secret(), amiTest: secret() });
    ast.writeConfig(opts);
    return ast;
  }

  private writeConfig(opts: StartOptions): void {
    // spool/recording: Asterisk's recording directory (a packaged Asterisk ships it; ARI does not create it).
    for (const sub of ['etc', 'varlib', 'db', 'spool', 'spool/recording', 'run', 'log', 'cache']) {
      fs.mkdirSync(path.join(this.dir, sub), { recursive: true });
    }
    const etc = path.join(this.dir, 'etc');
    const files: Record<string, string> = {
      ...buildShippedConf({ ports: this.ports, secrets: this.secrets, testContexts: opts.testContexts ?? true }),
      'asterisk.conf': asteriskConf(this.dir, this.install),
    };
    for (const f of ['modules.conf', 'logger.conf', 'confbridge.conf', 'res_parking.conf']) {
      files[f] = fs.readFileSync(path.join(TEST_CONF_DIR, f), 'utf8');
    }
    for (const f of QUIET_EMPTY_FILES) files[f] ??= '';
    Object.assign(files, opts.extraFiles ?? {});
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(etc, name), text);
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * Starts `asterisk -f -n` and waits until it is fully booted.
   * `amiAfterBoot`: AMI is switched off during boot and on once fully booted (manager reload).
   * A real Asterisk accepts AMI logins BEFORE app_queue is loaded (QueueStatus is then an
   * "Invalid/unknown command"); this option takes that window away for scenarios that test
   * something else. See the report of that race in test/integration/agents.test.ts.
   */
  async start(timeoutMs = 30_000, opts: { amiAfterBoot?: boolean } = {}): Promise<void> {
    if (this.running) throw new Error('Asterisk already running');
    const managerConf = path.join(this.dir, 'etc', 'manager.conf');
    const manager = fs.readFileSync(managerConf, 'utf8');
    if (opts.amiAfterBoot) {
      fs.writeFileSync(managerConf, replaceLine(manager, /^enabled\s*=\s*yes/, 'enabled = no', 'manager.conf'));
    }
    try {
      await this.boot(timeoutMs);
    } finally {
      if (opts.amiAfterBoot) fs.writeFileSync(managerConf, manager);
    }
    if (opts.amiAfterBoot) await this.cli('manager reload');
  }

  private async boot(timeoutMs: number): Promise<void> {
    const out = fs.openSync(this.consoleLog, 'a');
    const child = spawn(this.install.bin, ['-C', this.confFile, '-f', '-n'], {
      stdio: ['ignore', out, out],
      detached: false,
    });
    fs.closeSync(out);
    this.child = child;
    liveChildren.add(child);
    this.exited = new Promise((resolve) =>
      child.once('exit', () => {
        liveChildren.delete(child);
        resolve();
      }),
    );
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running) throw new Error(`Asterisk exited during boot; console:\n${this.consoleTail()}`);
      const r = await this.cliRaw('core waitfullybooted', 5000).catch(() => undefined);
      if (r !== undefined && /fully booted/i.test(r)) return;
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(`Asterisk not fully booted after ${timeoutMs} ms; console:\n${this.consoleTail()}`);
      }
      await new Promise((r2) => setTimeout(r2, 200));
    }
  }

  /** `core stop now`, then SIGKILL after `graceMs` if it is still there. Safe to call twice. */
  async stop(graceMs = 5000): Promise<void> {
    if (!this.child || !this.running) return;
    await this.cliRaw('core stop now', 3000).catch(() => undefined);
    const killed = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(killed);
  }

  /** Kills the process outright (a crash, for recovery scenarios). */
  async kill(): Promise<void> {
    if (!this.child || !this.running) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** Runs an Asterisk CLI command (`asterisk -rx`) and returns its output. */
  cli(command: string, timeoutMs = 10_000): Promise<string> {
    return this.cliRaw(command, timeoutMs);
  }

  private cliRaw(command: string, timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        this.install.bin,
        ['-C', this.confFile, '-rx', command],
        { timeout: timeoutMs, encoding: 'utf8' },
        (err, stdout, stderr) => (err ? reject(new Error(`${command}: ${err.message} ${stderr}`)) : resolve(stdout)),
      );
    });
  }

  consoleText(): string {
    return fs.existsSync(this.consoleLog) ? fs.readFileSync(this.consoleLog, 'utf8') : '';
  }

  consoleTail(lines = 40): string {
    return this.consoleText().split('\n').slice(-lines).join('\n');
  }

  /** Stops (if needed) and deletes the temp dir unless KEEP_ASTERISK_DIR is set (for debugging). */
  async dispose(): Promise<void> {
    await this.stop();
    if (!process.env.KEEP_ASTERISK_DIR) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * `describe` when an Asterisk is installed, else `describe.skip` plus a line in the jest output
 * saying so (the suite must never pass silently by not running). An ASTERISK_BIN that is set but
 * unusable is a failing test naming the problem, not a skip.
 */
export function describeWithAsterisk(name: string, fn: (install: AsteriskInstall) => void): void {
  let install: AsteriskInstall | undefined;
  try {
    install = findAsterisk();
  } catch (err) {
    if (!(err instanceof AsteriskBinError)) throw err;
    process.stderr.write(`real-Asterisk integration suite FAILED: ${err.message} [${name}]\n`);
    describe(name, () => {
      test('ASTERISK_BIN points to a usable Asterisk', () => {
        throw err;
      });
    });
    return;
  }
  if (!install) {
    // Straight to stderr: jest does not print the console buffer of a suite whose tests all skipped.
    process.stderr.write(`real-Asterisk integration suite SKIPPED: no Asterisk binary (set ASTERISK_BIN) [${name}]\n`);
    describe.skip(`${name} (SKIPPED: no Asterisk binary, set ASTERISK_BIN)`, () => {
      test('needs a real Asterisk', () => undefined);
    });
    return;
  }
  describe(name, () => fn(install));
}
