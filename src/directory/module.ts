/**
 * The directory module: GET /directory from the agents' live state (ports.agentsView), the queue
 * waiting tracker of the live module (ports.queueWaiting) and the catalogues. Its catalogue routes
 * (/catalogue/agent-groups, /services, /contacts) are mounted with the other catalogue routes by
 * src/daemon/app.ts, since they need nothing but the database.
 */
import { AgentGroupCatalogue } from '../agents/groups';
import type { AgentsView, ModuleFactory, QueueWaitingView } from '../daemon/module';
import { QueueCatalogue } from '../queues/catalogue';
import { ContactCatalogue } from './contacts';
import type { DirectorySources } from './directory';
import { directoryRoutes } from './routes';
import { ServiceCatalogue } from './services';

export const directoryFactory: ModuleFactory = (deps) => {
  let agents: AgentsView | undefined;
  let waiting: QueueWaitingView | undefined;
  const groups = new AgentGroupCatalogue(deps);
  const queues = new QueueCatalogue(deps);
  const services = new ServiceCatalogue(deps);
  const contacts = new ContactCatalogue({ ...deps, defaultDdi: deps.config.policy.default_country_code });
  const sources: DirectorySources = {
    agents: () => agents?.list() ?? [],
    groups: () => groups.list(),
    queues: () => queues.list().map((q) => q.name),
    waiting: (names) => waiting?.summary(names) ?? [],
    services: () => services.list(),
    contacts: () => contacts.list(),
  };
  return {
    name: 'directory',
    wire(ports) {
      agents = ports.agentsView;
      waiting = ports.queueWaiting;
      if (!agents) deps.log.warn('directory: no ports.agentsView; /directory lists no agents');
    },
    routes: () => directoryRoutes(sources),
  };
};
