/**
 * Composition of the agents domain for the daemon: createAgentsModule(deps) returns the module
 * (start/stop/routes/health), the AgentDirectory the calls domain uses, and setCalls() to receive
 * the calls domain's CallDirectory.
 */
import type { AgentDirectory, CallDirectory } from '../daemon/ports';
import type { DaemonDeps, DaemonModule } from '../daemon/module';
import type { RouteDef } from '../api/types';
import { QueueMembers } from '../queues/members';
import { WrapupRepository } from '../wrapup/repository';
import { wrapupRoutes } from '../wrapup/routes';
import { SqlAgentCatalogue } from './catalogue-port';
import { AriDeviceProbe } from './devices';
import { AgentRepository } from './repository';
import { agentRoutes } from './routes';
import { AgentService } from './service';

export type AgentsModule = DaemonModule & {
  directory: AgentDirectory;
  service: AgentService;
  setCalls(c: CallDirectory): void;
};

export function createAgentsModule(deps: DaemonDeps): AgentsModule {
  const catalogue = new SqlAgentCatalogue(deps.db);
  // Native topology: app_queue rings the agents' devices, so a member is the device itself (and the
  // other topologies recognise the members it leaves behind).
  const devices = { deviceOf: (ext: string) => catalogue.agent(ext)?.device, extensionsWithDevice: (d: string) => catalogue.extensionsWithDevice(d) };
  const service = new AgentService({
    repo: new AgentRepository(deps.db),
    catalogue,
    members: new QueueMembers(deps.ami, deps.config.asterisk.contexts, devices, deps.config.asterisk.queue_topology === 'native'),
    bus: deps.bus,
    clock: deps.clock,
    log: deps.log,
    config: deps.config,
    probe: new AriDeviceProbe(deps.ari),
    wrapupRepo: new WrapupRepository(deps.db),
  });
  let lastReload: { scheduled: number; fired: number } | undefined;
  return {
    name: 'agents',
    directory: service,
    service,
    setCalls: (c) => service.setCalls(c),
    start() {
      service.start(deps.ami);
    },
    ready() {
      lastReload = service.ready();
      deps.log.info('agents ready', { wrapups: lastReload });
    },
    stop() {
      service.stop();
    },
    routes(): RouteDef[] {
      return [...agentRoutes(service), ...wrapupRoutes(service.wrapup, service.late)];
    },
    health() {
      const agents = service.list();
      const byState: Record<string, number> = {};
      for (const a of agents) byState[a.state] = (byState[a.state] ?? 0) + 1;
      return { agents: byState, wrapupsReloaded: lastReload ?? null };
    },
  };
}
