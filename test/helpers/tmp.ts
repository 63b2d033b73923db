/**
 * Shared test helpers: temp dirs, config files and an in-process CLI runner.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { main } from '../../src/cli/main';

const created: string[] = [];

/** A fresh temp directory, removed by cleanupTmpDirs() (call it in afterAll). */
export function makeTmpDir(prefix = 'ccd-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Removes one directory made by makeTmpDir() now (e.g. in a harness's stop()). */
export function removeTmpDir(dir: string): void {
  const i = created.indexOf(dir);
  if (i >= 0) created.splice(i, 1);
  fs.rmSync(dir, { recursive: true, force: true });
}

export function cleanupTmpDirs(): void {
  for (const d of created.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

export const TEST_ADMIN_TOKEN = 'admin-token-0123456789abcdef';
export const TEST_SUPERVISOR_TOKEN = 'super-token-0123456789abcdef';
export const TEST_AGENT_TOKEN = 'agent-token-1000-0123456789ab';

/** A minimal valid raw config object (before defaults); deep-merge overrides with `withOverrides`. */
export function baseRawConfig(): Record<string, any> {
  return {
    asterisk: {
      ari: { url: 'http://127.0.0.1:8088', username: 'callcenter', password: 'ari-pass-SECRET' },
      ami: { host: '127.0.0.1', port: 5038, username: 'callcenter', secret: 'ami-secret-SECRET' },
    },
    database: { path: './callcenterd.db' },
    api: {
      listen: '127.0.0.1:0',
      tokens: [
        { token: TEST_ADMIN_TOKEN, role: 'admin', name: 'ops' },
        { token: TEST_SUPERVISOR_TOKEN, role: 'supervisor', name: 'sup' },
        { token: TEST_AGENT_TOKEN, role: 'agent', agent: '1000' },
      ],
    },
    log: { level: 'error' },
  };
}

function merge(base: any, over: any): any {
  if (over === undefined) return base;
  if (over === null || typeof over !== 'object' || Array.isArray(over)) return over;
  const out = { ...(base ?? {}) };
  for (const [k, v] of Object.entries(over)) out[k] = merge(out[k], v);
  return out;
}

export function withOverrides(overrides: Record<string, any> = {}): Record<string, any> {
  return merge(baseRawConfig(), overrides);
}

/** Writes callcenterd.yaml into `dir` (a new temp dir by default); returns its path. */
export function writeConfig(overrides: Record<string, any> = {}, dir = makeTmpDir()): string {
  const file = path.join(dir, 'callcenterd.yaml');
  fs.writeFileSync(file, YAML.stringify(withOverrides(overrides)));
  return file;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI in-process, like `callcenterd ...args`, with an isolated env (no CALLCENTERD_* leaks).
 * A test whose daemon side runs on a FakeClock must pass `now` from that clock: the CLI reads the DB
 * directly (blocklist expiries, history --since), and the wall clock against fake-time rows makes the
 * test pass or fail depending on the day it runs.
 */
export async function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; now?: () => number } = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'callcenterd', ...args], {
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
    env: opts.env ?? {},
    cwd: opts.cwd ?? os.tmpdir(),
    now: opts.now ?? (() => Date.now()),
  });
  return { code, stdout, stderr };
}
