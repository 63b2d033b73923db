/**
 * What every CLI command gets: the commander program, lazily loaded config and DB, an API client
 * for live commands, and output helpers. Commands never touch process.* directly, so tests run the
 * whole CLI in-process (see test/cli) and the one-line-error / exit-code rules live in one place.
 */
import { Command } from 'commander';
import { loadConfig, resolveConfigPath } from '../config/load';
import type { Config } from '../config/schema';
import { openDatabase, type Db } from '../store/db';
import { systemClock, type Clock } from '../util/clock';
import { ApiClient } from './api-client';
import { CliError } from './errors';
import { formatRows, type PrintOptions } from './output';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /**
   * The CLI's time source (ms since epoch). The binary reads the wall clock; tests that drive the
   * daemon's domain with a FakeClock pass the same clock here, so a block/expiry written under the
   * fake time is read back under it (a CLI reading the wall clock against fake-time rows is a time bomb).
   */
  now: () => number;
}

/** Options every subcommand accepts (they are program-level options, recognised anywhere). */
export interface GlobalOptions {
  config?: string;
  api?: string;
  token?: string;
}

export type Registrar = (ctx: CliContext) => void;

export class CliContext {
  private cachedConfig?: Config;
  private cachedDb?: Db;
  private closers: Array<() => unknown> = [];

  constructor(
    readonly program: Command,
    readonly io: CliIo,
  ) {}

  get env(): NodeJS.ProcessEnv {
    return this.io.env;
  }

  /** Clock for commands that read the DB directly (expiries, "since", ages). */
  get clock(): Clock {
    return { ...systemClock, now: this.io.now };
  }

  globals(): GlobalOptions {
    return this.program.opts<GlobalOptions>();
  }

  /** Absolute path of the config file this invocation uses. */
  configPath(): string {
    return resolveConfigPath(this.globals().config, this.io.env, this.io.cwd);
  }

  /** Loads and validates the config once; a bad config is a ConfigError (exit 2, names the key). */
  config(): Config {
    this.cachedConfig ??= loadConfig(this.configPath(), this.io.env);
    return this.cachedConfig;
  }

  /** Opens the store (applying migrations) once; closed when the command ends. */
  db(): Db {
    if (!this.cachedDb) {
      const db = openDatabase(this.config().database.path, { migrate: true });
      this.cachedDb = db;
      this.onClose(() => db.close());
    }
    return this.cachedDb;
  }

  /** Client for live commands: --api / CALLCENTERD_API / api.listen; token from --token / env / config. */
  api(): ApiClient {
    const g = this.globals();
    let baseUrl = g.api ?? this.io.env.CALLCENTERD_API;
    let token = g.token ?? this.io.env.CALLCENTERD_TOKEN;
    if (!baseUrl || !token) {
      const cfg = this.config();
      if (!baseUrl) {
        // A wildcard listen address is not something to connect to: use loopback on that port.
        const [host, port] = splitHostPort(cfg.api.listen);
        baseUrl = `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${port}`;
      }
      token ??= cfg.api.tokens.find((t) => t.role === 'admin')?.token;
    }
    if (!/^https?:\/\//.test(baseUrl)) throw new CliError(2, `--api must be an http(s) URL, got ${baseUrl}`);
    if (!token) throw new CliError(2, 'no API token: pass --token, set CALLCENTERD_TOKEN or add an admin token to api.tokens');
    return new ApiClient({ baseUrl, token });
  }

  /**
   * The shared top-level group ("agent", "queue", "call"...): created once, so several command files
   * can each add their subcommands to it.
   */
  group(name: string, description: string): Command {
    const existing = this.program.commands.find((c) => c.name() === name);
    if (existing) return existing;
    return this.program.command(name).description(description);
  }

  out(line: string): void {
    this.io.stdout(line.endsWith('\n') ? line : `${line}\n`);
  }

  print(rows: readonly object[], opts: PrintOptions = {}): void {
    this.io.stdout(formatRows(rows as Record<string, unknown>[], opts));
  }

  /** Registers cleanup run by main() after the command, whatever its outcome. */
  onClose(fn: () => unknown): void {
    this.closers.push(fn);
  }

  async close(): Promise<void> {
    const fns = this.closers.reverse();
    this.closers = [];
    for (const fn of fns) {
      try {
        await fn();
      } catch {
        // Cleanup failures must not mask the command's own result.
      }
    }
    this.cachedDb = undefined;
  }
}

function splitHostPort(listen: string): [string, string] {
  const i = listen.lastIndexOf(':');
  return [listen.slice(0, i), listen.slice(i + 1)];
}

/** Parses a CLI integer option with a clear error naming the option. */
export function intOption(name: string, min: number, max: number) {
  return (value: string): number => {
    if (!/^-?\d+$/.test(value.trim())) throw new CliError(2, `${name}: must be a whole number, got "${value}"`);
    const n = Number(value);
    if (n < min || n > max) throw new CliError(2, `${name}: must be between ${min} and ${max}, got ${n}`);
    return n;
  };
}
