/**
 * Loads the YAML config: file → environment overrides → zod schema (schema.ts).
 * Every problem names its dotted key; values of secret keys never appear in any message, because
 * config errors end up in terminals, CI logs and tickets.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { ZodIssue } from 'zod';
import { CcError } from '../util/errors';
import { configSchema, type Config } from './schema';
import { dottedPath, friendlyErrorMap as errorMap } from './zod-messages';

/** Environment variables that override file values (documented in the example config and README). */
export const ENV_OVERRIDES: ReadonlyArray<{ env: string; key: string[]; type: 'string' | 'number' }> = [
  { env: 'CALLCENTERD_ARI_URL', key: ['asterisk', 'ari', 'url'], type: 'string' },
  { env: 'CALLCENTERD_ARI_USERNAME', key: ['asterisk', 'ari', 'username'], type: 'string' },
  { env: 'CALLCENTERD_ARI_PASSWORD', key: ['asterisk', 'ari', 'password'], type: 'string' },
  { env: 'CALLCENTERD_AMI_HOST', key: ['asterisk', 'ami', 'host'], type: 'string' },
  { env: 'CALLCENTERD_AMI_PORT', key: ['asterisk', 'ami', 'port'], type: 'number' },
  { env: 'CALLCENTERD_AMI_USERNAME', key: ['asterisk', 'ami', 'username'], type: 'string' },
  { env: 'CALLCENTERD_AMI_SECRET', key: ['asterisk', 'ami', 'secret'], type: 'string' },
  { env: 'CALLCENTERD_DB_PATH', key: ['database', 'path'], type: 'string' },
  { env: 'CALLCENTERD_API_LISTEN', key: ['api', 'listen'], type: 'string' },
  { env: 'CALLCENTERD_LOG_LEVEL', key: ['log', 'level'], type: 'string' },
];

/** Keys whose values are secrets: masked in `config show`, never echoed in errors. */
export const SECRET_KEY = /^(password|secret|token)$/i;

export class ConfigError extends CcError {
  constructor(
    /** The config file concerned. */
    public readonly file: string,
    /** One line per problem, each starting with the dotted key (or the file for read/syntax errors). */
    public readonly problems: string[],
  ) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more; run \`callcenterd config check\`)` : '';
    super('invalid', `invalid config ${file}: ${problems[0]}${more}`, { problems });
    this.name = 'ConfigError';
  }
}

export interface LoadOptions {
  /** Directory relative database.path values are resolved against (default: the config file's). */
  baseDir?: string;
  /** Name used in messages (default: the file path). */
  file?: string;
}

/** Reads and validates the config file. Throws ConfigError listing every problem. */
export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Config {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(abs, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'file not found (use --config or CALLCENTERD_CONFIG)'
        : code === 'EISDIR'
          ? 'is a directory, expected a YAML file'
          : `cannot read file (${code ?? 'error'})`;
    throw new ConfigError(abs, [why]);
  }
  return parseConfigText(text, env, { file: abs, baseDir: path.dirname(abs) });
}

/** Parses YAML text (see loadConfig). Exposed for tests and `config check` on stdin-like input. */
export function parseConfigText(text: string, env: NodeJS.ProcessEnv = {}, opts: LoadOptions = {}): Config {
  const file = opts.file ?? '<config>';
  const doc = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    // Only the first line of yaml's message: the following lines quote the source, which may hold a secret.
    throw new ConfigError(
      file,
      doc.errors.map((e) => `YAML syntax error: ${e.message.split('\n')[0].replace(/:\s*$/, '')}`),
    );
  }
  const raw = doc.toJS() ?? {};
  return parseConfigObject(raw, env, { ...opts, file });
}

/** Validates an already-parsed object (env overrides applied first). */
export function parseConfigObject(raw: unknown, env: NodeJS.ProcessEnv = {}, opts: LoadOptions = {}): Config {
  const file = opts.file ?? '<config>';
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(file, ['the top level must be a mapping of keys (asterisk:, api:, ...)']);
  }
  const data = structuredClone(raw) as Record<string, unknown>;
  const fromEnv = applyEnv(data, env);
  const result = configSchema.safeParse(data, { errorMap });
  if (!result.success) {
    const secrets = collectSecrets(data);
    const problems = result.error.issues.flatMap((issue) => describeIssue(issue, fromEnv, secrets));
    throw new ConfigError(file, problems);
  }
  const config = result.data;
  const dbPath = config.database.path;
  if (dbPath !== ':memory:' && !path.isAbsolute(dbPath)) {
    // A path from the environment is relative to where the command runs; one from the file, to the file.
    const base = fromEnv.has('database.path') ? process.cwd() : (opts.baseDir ?? process.cwd());
    config.database.path = path.resolve(base, dbPath);
  }
  return config;
}

/** Returns a deep copy with every secret value replaced by "***" (for `config show`, logs). */
export function maskSecrets<T>(value: T): T {
  const walk = (v: unknown, key: string): unknown => {
    if (SECRET_KEY.test(key) && v !== undefined && v !== null) return '***';
    if (Array.isArray(v)) return v.map((x) => walk(x, ''));
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, walk(x, k)]));
    }
    return v;
  };
  return walk(value, '') as T;
}

/** Where the config comes from: --config, CALLCENTERD_CONFIG, ./callcenterd.yaml, /etc/callcenterd. */
export function resolveConfigPath(explicit: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string {
  if (explicit) return path.resolve(cwd, explicit);
  if (env.CALLCENTERD_CONFIG) return path.resolve(cwd, env.CALLCENTERD_CONFIG);
  const local = path.resolve(cwd, 'callcenterd.yaml');
  if (fs.existsSync(local)) return local;
  return '/etc/callcenterd/callcenterd.yaml';
}

function applyEnv(data: Record<string, unknown>, env: NodeJS.ProcessEnv): Map<string, string> {
  const fromEnv = new Map<string, string>();
  for (const o of ENV_OVERRIDES) {
    const v = env[o.env];
    if (v === undefined || v === '') continue; // empty = unset, so `VAR= cmd` does not blank a key
    let node = data;
    let ok = true;
    for (const k of o.key.slice(0, -1)) {
      const next = node[k];
      if (next === undefined || next === null) node[k] = {};
      else if (typeof next !== 'object' || Array.isArray(next)) {
        ok = false; // the file has a wrong shape here; the schema reports it
        break;
      }
      node = node[k] as Record<string, unknown>;
    }
    if (!ok) continue;
    // Numbers: only plain digits convert, anything else stays a string so the schema names the key.
    node[o.key[o.key.length - 1]] = o.type === 'number' && /^\d+$/.test(v.trim()) ? Number(v) : v;
    fromEnv.set(o.key.join('.'), o.env);
  }
  return fromEnv;
}

function collectSecrets(data: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown, key: string) => {
    if (SECRET_KEY.test(key) && (typeof v === 'string' || typeof v === 'number')) {
      if (String(v).length >= 3) out.push(String(v));
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) walk(x, Array.isArray(v) ? key : k);
    }
  };
  walk(data, '');
  return out.sort((a, b) => b.length - a.length);
}

function describeIssue(issue: ZodIssue, fromEnv: Map<string, string>, secrets: string[]): string[] {
  const scrub = (msg: string) => secrets.reduce((m, s) => m.split(s).join('***'), msg);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => `${dottedPath([...issue.path, k])}: unknown key`);
  }
  const key = dottedPath(issue.path) || '(top level)';
  const env = fromEnv.get(issue.path.join('.'));
  return [`${key}${env ? ` (from ${env})` : ''}: ${scrub(issue.message)}`];
}
