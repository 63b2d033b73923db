import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { ConfigError, loadConfig, maskSecrets, parseConfigObject, parseConfigText, resolveConfigPath } from '../../src/config/load';
import { baseRawConfig, cleanupTmpDirs, makeTmpDir, withOverrides, writeConfig } from '../helpers/tmp';

afterAll(cleanupTmpDirs);

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('loads a valid file, applies defaults and resolves database.path against the file directory', () => {
    const file = writeConfig();
    const cfg = loadConfig(file, {});
    expect(cfg.asterisk.ari.app).toBe('callcenter');
    expect(cfg.asterisk.ami.port).toBe(5038);
    expect(cfg.policy.wrapup_seconds).toBe(30);
    expect(cfg.database.path).toBe(path.join(path.dirname(file), 'callcenterd.db'));
  });

  it('applies every documented environment override', () => {
    const file = writeConfig();
    const cfg = loadConfig(file, {
      CALLCENTERD_ARI_URL: 'http://10.0.0.1:8088',
      CALLCENTERD_ARI_USERNAME: 'u1',
      CALLCENTERD_ARI_PASSWORD: 'p1',
      CALLCENTERD_AMI_HOST: '10.0.0.2',
      CALLCENTERD_AMI_PORT: '15038',
      CALLCENTERD_AMI_USERNAME: 'u2',
      CALLCENTERD_AMI_SECRET: 's2',
      CALLCENTERD_DB_PATH: '/var/lib/x.db',
      CALLCENTERD_API_LISTEN: '0.0.0.0:9000',
      CALLCENTERD_LOG_LEVEL: 'debug',
    });
    expect(cfg.asterisk.ari).toMatchObject({ url: 'http://10.0.0.1:8088', username: 'u1', password: 'p1' });
    expect(cfg.asterisk.ami).toMatchObject({ host: '10.0.0.2', port: 15038, username: 'u2', secret: 's2' });
    expect(cfg.database.path).toBe('/var/lib/x.db');
    expect(cfg.api.listen).toBe('0.0.0.0:9000');
    expect(cfg.log.level).toBe('debug');
  });

  it('lets secrets come only from the environment', () => {
    const raw = withOverrides();
    delete raw.asterisk.ami.secret;
    delete raw.asterisk.ari.password;
    expect(problemsOf(() => parseConfigObject(raw, {}))).toEqual([
      'asterisk.ari.password: is required',
      'asterisk.ami.secret: is required',
    ]);
    const cfg = parseConfigObject(raw, { CALLCENTERD_AMI_SECRET: 'x', CALLCENTERD_ARI_PASSWORD: 'y' });
    expect(cfg.asterisk.ami.secret).toBe('x');
  });

  it('names the dotted key of every problem at once', () => {
    const raw = withOverrides({
      asterisk: { ami: { port: 70000 }, ari: { url: 'not a url' } },
      api: { listen: 'nope', tokens: [{ token: 'short', role: 'agent' }] },
      log: { level: 'loud' },
      policy: { wrapup_seconds: -1, bogus: true },
    });
    const problems = problemsOf(() => parseConfigObject(raw, {}));
    expect(problems).toEqual(
      expect.arrayContaining([
        'asterisk.ami.port: must be a number between 1 and 65535',
        'asterisk.ari.url: must be a URL such as http://127.0.0.1:8088',
        'api.listen: must be host:port, e.g. 127.0.0.1:8600',
        'api.tokens[0].token: must be at least 16 characters',
        'api.tokens[0].agent: a token with role agent must name its agent extension',
        'log.level: must be one of: error, warn, info, debug',
        'policy.wrapup_seconds: must be at least 0',
        'policy.bogus: unknown key',
      ]),
    );
  });

  it('refuses an ARI url the ARI client would refuse (embedded credentials, non-http scheme), without echoing it', () => {
    const url = (u: string, env: NodeJS.ProcessEnv = {}) => problemsOf(() => parseConfigObject(withOverrides({ asterisk: { ari: { url: u } } }), env));
    const creds = url('http://ariuser:Hunter2pw@127.0.0.1:8088');
    expect(creds).toEqual(['asterisk.ari.url: must not embed credentials (user:password@): set asterisk.ari.username and asterisk.ari.password']);
    expect(url('http://ariuser@127.0.0.1:8088')).toEqual(creds);
    expect(url('ws://127.0.0.1:8088')).toEqual(['asterisk.ari.url: must be http:// or https:// (got ws:)']);
    expect(problemsOf(() => parseConfigObject(withOverrides(), { CALLCENTERD_ARI_URL: 'https://u:Hunter2pw@pbx/ari' }))).toEqual([
      'asterisk.ari.url (from CALLCENTERD_ARI_URL): must not embed credentials (user:password@): set asterisk.ari.username and asterisk.ari.password',
    ]);
    expect(parseConfigObject(withOverrides({ asterisk: { ari: { url: 'https://pbx.example:8089/ari' } } }), {}).asterisk.ari.url).toBe('https://pbx.example:8089/ari');
  });

  it("refuses the example config's placeholder secrets, naming the dotted key", () => {
    const raw = withOverrides({ asterisk: { ari: { password: 'change-me-ari' }, ami: { secret: 'Change-Me-ami' } } });
    raw.api.tokens[1].token = 'replace-with-a-long-random-supervisor-token';
    expect(problemsOf(() => parseConfigObject(raw, {}))).toEqual([
      'asterisk.ari.password: still the example placeholder "change-me-..."; set a real secret',
      'asterisk.ami.secret: still the example placeholder "change-me-..."; set a real secret',
      'api.tokens[1].token: still the example placeholder "replace-with-..."; set a real secret',
    ]);
    // From the environment too, saying so; a real value there fixes the file's placeholder.
    expect(problemsOf(() => parseConfigObject(withOverrides(), { CALLCENTERD_AMI_SECRET: 'change-me-ami' }))).toEqual([
      'asterisk.ami.secret (from CALLCENTERD_AMI_SECRET): still the example placeholder "change-me-..."; set a real secret',
    ]);
    const fixed = withOverrides({ asterisk: { ari: { password: 'change-me-ari' } } });
    expect(parseConfigObject(fixed, { CALLCENTERD_ARI_PASSWORD: 'a-real-one' }).asterisk.ari.password).toBe('a-real-one');
    // Only a prefix counts: a secret merely containing the words is fine.
    expect(() => parseConfigObject(withOverrides({ asterisk: { ari: { password: 'x-change-me' } } }), {})).not.toThrow();
  });

  it('refuses the same token twice without echoing it', () => {
    const raw = withOverrides();
    raw.api.tokens.push({ ...raw.api.tokens[0], role: 'agent', agent: '1001' });
    const problems = problemsOf(() => parseConfigObject(raw, {}));
    expect(problems).toEqual(['api.tokens[3].token: same token as an earlier entry']);
  });

  it('says which environment variable produced a bad value', () => {
    const problems = problemsOf(() => parseConfigObject(withOverrides(), { CALLCENTERD_AMI_PORT: 'abc' }));
    expect(problems).toEqual(['asterisk.ami.port (from CALLCENTERD_AMI_PORT): must be a number between 1 and 65535']);
  });

  it('never echoes secret values in messages', () => {
    // A secret given where a number is expected, and an enum error: neither message may contain it.
    const raw = withOverrides({ asterisk: { ami: { secret: 12345678 } }, api: { tokens: [{ token: 'tok-SECRET-value-xyz', role: 'boss' }] } });
    const err = (() => {
      try {
        parseConfigObject(raw, {});
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('expected error');
    })();
    const all = [err.message, ...err.problems].join('\n');
    expect(all).toContain('asterisk.ami.secret: must be a string');
    expect(all).toContain('api.tokens[0].role: must be one of: admin, supervisor, agent');
    expect(all).not.toContain('12345678');
    expect(all).not.toContain('tok-SECRET-value-xyz');
    expect(all).not.toContain('ari-pass-SECRET');
  });

  it('reports a missing file and YAML syntax errors clearly, without quoting the source line', () => {
    const dir = makeTmpDir();
    expect(problemsOf(() => loadConfig(path.join(dir, 'nope.yaml'), {}))[0]).toMatch(/file not found/);
    const file = path.join(dir, 'bad.yaml');
    fs.writeFileSync(file, 'asterisk:\n  ami:\n    secret: "hunter2-SECRET\n  port: [\n');
    const problems = problemsOf(() => loadConfig(file, {}));
    expect(problems[0]).toMatch(/^YAML syntax error: .*line \d+/);
    expect(problems.join('\n')).not.toContain('hunter2');
    expect(problemsOf(() => parseConfigText('- a\n- b\n'))[0]).toMatch(/top level must be a mapping/);
  });

  it('masks secrets for display', () => {
    const cfg = parseConfigObject(baseRawConfig(), {});
    const shown = YAML.stringify(maskSecrets(cfg));
    expect(shown).not.toMatch(/SECRET|admin-token/);
    expect(maskSecrets(cfg).asterisk.ami.username).toBe('callcenter');
    expect(maskSecrets(cfg).api.tokens[0]).toMatchObject({ token: '***', role: 'admin' });
  });

  it('resolves the config path from --config, the environment, ./callcenterd.yaml, then /etc', () => {
    const dir = makeTmpDir();
    expect(resolveConfigPath('x.yaml', {}, dir)).toBe(path.join(dir, 'x.yaml'));
    expect(resolveConfigPath(undefined, { CALLCENTERD_CONFIG: '/a/b.yaml' }, dir)).toBe('/a/b.yaml');
    expect(resolveConfigPath(undefined, {}, dir)).toBe('/etc/callcenterd/callcenterd.yaml');
    fs.writeFileSync(path.join(dir, 'callcenterd.yaml'), '');
    expect(resolveConfigPath(undefined, {}, dir)).toBe(path.join(dir, 'callcenterd.yaml'));
  });
});

describe('config/callcenterd.example.yaml', () => {
  const example = path.resolve(__dirname, '../../config/callcenterd.example.yaml');

  /** The example with its placeholders replaced, the way an operator fills it in. */
  const filledIn = (): Record<string, any> => {
    const raw = YAML.parse(fs.readFileSync(example, 'utf8'));
    raw.asterisk.ari.password = 'ari-real-password';
    raw.asterisk.ami.secret = 'ami-real-secret';
    raw.api.tokens.forEach((t: { token: string }, i: number) => (t.token = `real-token-${i}-0123456789abcdef`));
    return raw;
  };

  it('as shipped, refuses exactly its placeholder secrets (it must not run unedited)', () => {
    const placeholder = (key: string, prefix: string) => `${key}: still the example placeholder "${prefix}-..."; set a real secret`;
    expect(problemsOf(() => loadConfig(example, {}))).toEqual([
      placeholder('asterisk.ari.password', 'change-me'),
      placeholder('asterisk.ami.secret', 'change-me'),
      placeholder('api.tokens[0].token', 'replace-with'),
      placeholder('api.tokens[1].token', 'replace-with'),
      placeholder('api.tokens[2].token', 'replace-with'),
      placeholder('api.tokens[3].token', 'replace-with'),
    ]);
  });

  it('is valid once its secrets are filled in (secrets from the environment included)', () => {
    expect(() => parseConfigObject(filledIn(), {})).not.toThrow();
    const raw = filledIn();
    delete raw.asterisk.ari.password;
    delete raw.asterisk.ami.secret;
    expect(() => parseConfigObject(raw, { CALLCENTERD_ARI_PASSWORD: 'p', CALLCENTERD_AMI_SECRET: 's' })).not.toThrow();
  });

  it('documents every key of the schema (defaults included)', () => {
    const keysOf = (v: unknown, prefix = ''): string[] =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.entries(v as Record<string, unknown>).flatMap(([k, x]) => [`${prefix}${k}`, ...keysOf(x, `${prefix}${k}.`)])
        : [];
    const written = new Set(keysOf(YAML.parse(fs.readFileSync(example, 'utf8'))));
    // Everything the schema produces from the example (defaults filled in) must be written in it.
    const effective = keysOf(parseConfigObject(filledIn(), {}));
    expect(effective.filter((k) => !written.has(k))).toEqual([]);
  });
});
