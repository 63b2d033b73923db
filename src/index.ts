/**
 * Package entry (package.json "main"): what embedding code (the demo, tests, tooling) may use.
 */
export { startDaemon, type DaemonHandle, type DaemonOverrides } from './daemon/app';
export { loadConfig, parseConfigObject, parseConfigText, ConfigError, maskSecrets } from './config/load';
export type { Config, Policy, ApiToken } from './config/schema';
export { openDatabase, migrate, type Db } from './store/db';
export { main as cliMain } from './cli/main';
export { ApiServer } from './api/server';
export { CcError } from './util/errors';
