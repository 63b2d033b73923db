/**
 * HTTP routes of the directory and its catalogues.
 *   GET /directory?q=                         any token (softphones): see ./directory.ts
 *   /catalogue/agent-groups[/:name]           list (admin, supervisor), add/change/remove (admin)
 *   /catalogue/services[/:ext]                same
 *   /catalogue/contacts[/:name]               same (no change: remove and add again)
 * The catalogue routes use the repositories the admin CLI uses: same validation, same messages.
 */
import { z } from 'zod';
import { AgentGroupCatalogue, GROUP_STRATEGIES } from '../agents/groups';
import { catalogueRemovedSchema } from '../api/catalogue-schema';
import { route, type RouteDef } from '../api/types';
import type { Db } from '../store/db';
import type { Clock } from '../util/clock';
import { ContactCatalogue } from './contacts';
import { buildDirectory, type DirectorySources } from './directory';
import { agentGroupSchema, contactSchema, directorySchema, serviceSchema } from './schema';
import { ServiceCatalogue } from './services';

const TAG = 'catalogue';

export function directoryRoutes(sources: DirectorySources): RouteDef[] {
  return [
    route({
      method: 'GET',
      path: '/directory',
      summary:
        'Directory for softphones: agents (live state), agent groups, queues (waiting callers), services and contacts, ' +
        'each with its transfer target; q = case/accent-insensitive substring of a name, or digits of a number (formatting ignored)',
      tag: 'directory',
      roles: ['admin', 'supervisor', 'agent'],
      query: z.object({ q: z.string().max(100).optional() }).strict(),
      response: directorySchema,
      handler: ({ query }) => buildDirectory(sources, query.q),
    }),
  ];
}

export function directoryCatalogueRoutes(deps: { db: Db; clock?: Clock; defaultDdi: string }): RouteDef[] {
  const groups = new AgentGroupCatalogue(deps);
  const services = new ServiceCatalogue(deps);
  const contacts = new ContactCatalogue(deps);
  const groupBody = {
    agents: z.array(z.string()),
    strategy: z.enum(GROUP_STRATEGIES),
    ringSeconds: z.number().int().nullable(),
  };
  return [
    route({
      method: 'GET',
      path: '/catalogue/agent-groups',
      summary: 'List agent groups (transfer targets group:<name>)',
      tag: TAG,
      roles: ['admin', 'supervisor'],
      response: z.array(agentGroupSchema),
      handler: () => groups.list(),
    }),
    route({
      method: 'POST',
      path: '/catalogue/agent-groups',
      summary: 'Add an agent group: agents in ring order, strategy simultaneous (default) | random | sequential',
      tag: TAG,
      roles: ['admin'],
      body: z
        .object({ name: z.string(), agents: groupBody.agents, strategy: groupBody.strategy.optional(), ringSeconds: groupBody.ringSeconds.optional() })
        .strict(),
      response: agentGroupSchema,
      responseStatus: 201,
      handler: ({ body }) => ({ status: 201, body: groups.add(body) }),
    }),
    route({
      method: 'PATCH',
      path: '/catalogue/agent-groups/:name',
      summary: 'Change an agent group (agents, when given, replaces the list; ringSeconds null = default)',
      tag: TAG,
      roles: ['admin'],
      body: z
        .object({ agents: groupBody.agents.optional(), strategy: groupBody.strategy.optional(), ringSeconds: groupBody.ringSeconds.optional() })
        .strict(),
      response: agentGroupSchema,
      handler: ({ params, body }) => groups.update(params.name, body),
    }),
    route({
      method: 'DELETE',
      path: '/catalogue/agent-groups/:name',
      summary: 'Remove an agent group',
      tag: TAG,
      roles: ['admin'],
      response: catalogueRemovedSchema,
      handler: ({ params }) => {
        groups.remove(params.name);
        return { removed: params.name };
      },
    }),
    route({
      method: 'GET',
      path: '/catalogue/services',
      summary: 'List named services (3 digits, run by the dialplan)',
      tag: TAG,
      roles: ['admin', 'supervisor'],
      response: z.array(serviceSchema),
      handler: () => services.list(),
    }),
    route({
      method: 'POST',
      path: '/catalogue/services',
      summary: 'Name a service (3 digits)',
      tag: TAG,
      roles: ['admin'],
      body: z.object({ extension: z.string(), name: z.string() }).strict(),
      response: serviceSchema,
      responseStatus: 201,
      handler: ({ body }) => ({ status: 201, body: services.add(body.extension, body.name) }),
    }),
    route({
      method: 'PATCH',
      path: '/catalogue/services/:ext',
      summary: 'Rename a service',
      tag: TAG,
      roles: ['admin'],
      body: z.object({ name: z.string() }).strict(),
      response: serviceSchema,
      handler: ({ params, body }) => services.update(params.ext, body.name),
    }),
    route({
      method: 'DELETE',
      path: '/catalogue/services/:ext',
      summary: 'Remove a service name (the dialplan is not changed)',
      tag: TAG,
      roles: ['admin'],
      response: catalogueRemovedSchema,
      handler: ({ params }) => {
        services.remove(params.ext);
        return { removed: params.ext };
      },
    }),
    route({
      method: 'GET',
      path: '/catalogue/contacts',
      summary: 'List external contacts',
      tag: TAG,
      roles: ['admin', 'supervisor'],
      response: z.array(contactSchema),
      handler: () => contacts.list(),
    }),
    route({
      method: 'POST',
      path: '/catalogue/contacts',
      summary: 'Add an external contact; the number is read like `call dial` reads one (ddi: for a national number of another country)',
      tag: TAG,
      roles: ['admin'],
      body: z.object({ name: z.string(), number: z.string().max(40), ddi: z.string().max(5).optional() }).strict(),
      response: contactSchema,
      responseStatus: 201,
      handler: ({ body }) => ({ status: 201, body: contacts.add(body) }),
    }),
    route({
      method: 'DELETE',
      path: '/catalogue/contacts/:name',
      summary: 'Remove an external contact',
      tag: TAG,
      roles: ['admin'],
      response: catalogueRemovedSchema,
      handler: ({ params }) => {
        contacts.remove(params.name);
        return { removed: params.name };
      },
    }),
  ];
}
