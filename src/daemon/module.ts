/**
 * What the composition root (src/daemon/app.ts) hands to each domain, and what a domain gives back.
 */
import type { AmiClient } from '../ami/types';
import type { AriClient } from '../ari/types';
import type { RouteDef } from '../api/types';
import type { Config } from '../config/schema';
import type { EventBus } from '../events/bus';
import type { Logger } from '../log/logger';
import type { Db } from '../store/db';
import type { Clock } from '../util/clock';

export interface DaemonDeps {
  config: Config;
  db: Db;
  ami: AmiClient;
  ari: AriClient;
  bus: EventBus;
  clock: Clock;
  log: Logger;
}

export interface DaemonModule {
  name: string;
  /** Subscribe to AMI/ARI, reload timers from the store. Called once, before AMI/ARI start. */
  start?(): Promise<void> | void;
  stop?(): Promise<void> | void;
  routes?(): RouteDef[];
  /** Extra fields for /healthz. */
  health?(): Record<string, unknown>;
}
