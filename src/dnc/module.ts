/**
 * The do-not-call list in the daemon: its routes. Enforcement needs no module of its own: the calls
 * core (outbound dial), transfers and callbacks ask a DncGuard (./guard.ts) on the same database,
 * so a number listed by the CLI (on the database) applies to the very next attempt.
 */
import type { ModuleFactory } from '../daemon/module';
import { DncGuard } from './guard';
import { dncRoutes } from './routes';

export const dncFactory: ModuleFactory = (deps) => {
  const guard = new DncGuard({ db: deps.db, clock: deps.clock, config: deps.config, log: deps.log });
  return { name: 'dnc', routes: () => dncRoutes(guard, deps.clock) };
};
