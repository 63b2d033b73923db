/**
 * JSON logs via winston. Secrets are masked by key name wherever they appear in log metadata.
 */
import winston from 'winston';

export type Logger = winston.Logger;

const SECRET_KEYS = /^(password|secret|token|authorization|apiKey|api_key)$/i;

const redact = winston.format((info) => {
  const scrub = (v: unknown, depth: number): unknown => {
    if (depth > 4 || v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map((x) => scrub(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
      out[k] = SECRET_KEYS.test(k) ? '***' : scrub(val, depth + 1);
    }
    return out;
  };
  for (const k of Object.keys(info)) {
    if (SECRET_KEYS.test(k)) (info as Record<string, unknown>)[k] = '***';
    else (info as Record<string, unknown>)[k] = scrub((info as Record<string, unknown>)[k], 0);
  }
  return info;
});

export function createLogger(level = 'info', opts: { silent?: boolean; stream?: NodeJS.WritableStream } = {}): Logger {
  const transport = opts.stream
    ? new winston.transports.Stream({ stream: opts.stream })
    : new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] });
  const logger = winston.createLogger({
    level,
    silent: opts.silent,
    format: winston.format.combine(redact(), winston.format.timestamp(), winston.format.json()),
    transports: [transport],
  });
  skipDisabledLevels(logger);
  return logger;
}

/**
 * winston formats every entry (redact, timestamp, JSON) before its transports drop the ones below
 * their level: a `log.debug(...)` at level info cost ~10 µs, on hot paths (every AMI action).
 * Each level method now returns at once when its level is off; the check reads the logger's
 * current level, so changing `logger.level` later still works (children inherit the methods).
 */
function skipDisabledLevels(logger: Logger): void {
  const methods = logger as unknown as Record<string, (...args: unknown[]) => Logger>;
  for (const level of Object.keys(logger.levels)) {
    const original = methods[level];
    if (typeof original !== 'function') continue;
    methods[level] = function (this: Logger, ...args: unknown[]): Logger {
      if (!logger.isLevelEnabled(level)) return this ?? logger;
      return original.apply(this ?? logger, args);
    };
  }
}

/** A logger that drops everything: for tests and CLI commands that print their own output. */
export function silentLogger(): Logger {
  return createLogger('error', { silent: true });
}
