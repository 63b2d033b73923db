/**
 * Catalogue over HTTP (/catalogue/...): the same repositories the admin CLI uses, so validation and
 * messages are identical. Kept under /catalogue so live routes (/agents/:ext/pause, /queues/...)
 * stay free for the domains. Writes are admin-only; supervisors read; everyone reads the pause
 * reasons and dispositions their softphone offers.
 */
import { z } from 'zod';
import { AgentCatalogueRepo } from '../../agents/catalogue';
import { QueueCatalogue } from '../../queues/catalogue';
import { PauseReasonCatalogue } from '../../pause/reasons';
import type { Db } from '../../store/db';
import type { Clock } from '../../util/clock';
import { DispositionCatalogue } from '../../wrapup/dispositions';
import {
  catalogueAgentSchema,
  catalogueQueueSchema,
  catalogueRemovedSchema,
  dispositionSchema,
  pauseReasonSchema,
  queueRemovedSchema,
} from '../catalogue-schema';
import { route, type RouteContext, type RouteDef } from '../types';

const TAG = 'catalogue';
const nullableInt = z.number().int().nullable().optional();
const queueSettings = z
  .object({
    wrapupSeconds: nullableInt,
    maxNoAnswer: nullableInt,
    callerId: z.string().nullable().optional(),
    surveyExtension: z.string().nullable().optional(),
    callTimeoutSeconds: nullableInt,
    record: z.enum(['always', 'never', 'on-demand']).nullable().optional(),
    wrapupLimit: z
      .boolean()
      .nullable()
      .optional()
      .describe('false: the wrap-up stays open until the agent finishes it (closed at policy.wrapup_max_seconds); null = true'),
    serviceLevelSeconds: nullableInt,
  })
  .strict();
const agentQueues = z.array(z.object({ queue: z.string(), penalty: z.number().int().default(0) }).strict());
const force = z.object({ force: z.enum(['true', 'false']).optional() }).strict();

/** DELETE handler of the catalogues: removes the entry named by path param `param`, echoes its key. */
const removeBy =
  (param: string, remove: (key: string) => void) =>
  ({ params }: RouteContext) => {
    remove(params[param]);
    return { removed: params[param] };
  };

export function catalogueRoutes(deps: { db: Db; clock?: Clock }): RouteDef[] {
  const queues = new QueueCatalogue(deps);
  const agents = new AgentCatalogueRepo(deps);
  const reasons = new PauseReasonCatalogue(deps);
  const dispositions = new DispositionCatalogue(deps);
  return [
    route({ method: 'GET', path: '/catalogue/queues', summary: 'List queues', tag: TAG, roles: ['admin', 'supervisor'], response: z.array(catalogueQueueSchema), handler: () => queues.list() }),
    route({
      method: 'POST',
      path: '/catalogue/queues',
      summary: 'Add a queue',
      tag: TAG,
      roles: ['admin'],
      body: queueSettings.extend({ name: z.string() }),
      response: catalogueQueueSchema,
      responseStatus: 201,
      handler: ({ body }) => {
        const { name, ...settings } = body;
        return { status: 201, body: queues.add(name, settings) };
      },
    }),
    route({
      method: 'PATCH',
      path: '/catalogue/queues/:name',
      summary: 'Change queue settings (null resets to the policy default)',
      tag: TAG,
      roles: ['admin'],
      body: queueSettings,
      response: catalogueQueueSchema,
      handler: ({ params, body }) => queues.update(params.name, body),
    }),
    route({
      method: 'DELETE',
      path: '/catalogue/queues/:name',
      summary: 'Remove a queue (409 while agents are assigned, unless ?force=true)',
      tag: TAG,
      roles: ['admin'],
      query: force,
      response: queueRemovedSchema,
      handler: ({ params, query }) => queues.remove(params.name, { force: query.force === 'true' }),
    }),
    route({ method: 'GET', path: '/catalogue/agents', summary: 'List agents', tag: TAG, roles: ['admin', 'supervisor'], response: z.array(catalogueAgentSchema), handler: () => agents.list() }),
    route({
      method: 'POST',
      path: '/catalogue/agents',
      summary: 'Add an agent with the queues it may log into',
      tag: TAG,
      roles: ['admin'],
      body: z.object({ extension: z.string(), name: z.string(), device: z.string(), queues: agentQueues.optional() }).strict(),
      response: catalogueAgentSchema,
      responseStatus: 201,
      handler: ({ body }) => ({ status: 201, body: agents.add(body) }),
    }),
    route({
      method: 'PATCH',
      path: '/catalogue/agents/:ext',
      summary: 'Change an agent (queues, when given, replaces the list)',
      tag: TAG,
      roles: ['admin'],
      body: z.object({ name: z.string().optional(), device: z.string().optional(), queues: agentQueues.optional() }).strict(),
      response: catalogueAgentSchema,
      handler: ({ params, body }) => agents.update(params.ext, body),
    }),
    route({
      method: 'DELETE',
      path: '/catalogue/agents/:ext',
      summary: 'Remove an agent',
      tag: TAG,
      roles: ['admin'],
      response: catalogueRemovedSchema,
      handler: removeBy('ext', (k) => agents.remove(k)),
    }),
    route({
      method: 'GET',
      path: '/catalogue/pause-reasons',
      summary: 'List pause reasons',
      tag: TAG,
      roles: ['admin', 'supervisor', 'agent'],
      response: z.array(pauseReasonSchema),
      handler: () => reasons.list(),
    }),
    route({
      method: 'POST',
      path: '/catalogue/pause-reasons',
      summary: 'Add a pause reason',
      tag: TAG,
      roles: ['admin'],
      body: z.object({ name: z.string(), statusId: z.number().int() }).strict(),
      response: pauseReasonSchema,
      responseStatus: 201,
      handler: ({ body }) => ({ status: 201, body: reasons.add(body.name, body.statusId) }),
    }),
    route({
      method: 'DELETE',
      path: '/catalogue/pause-reasons/:name',
      summary: 'Remove a pause reason',
      tag: TAG,
      roles: ['admin'],
      response: catalogueRemovedSchema,
      handler: removeBy('name', (k) => reasons.remove(k)),
    }),
    route({
      method: 'GET',
      path: '/catalogue/dispositions',
      summary: 'List dispositions',
      tag: TAG,
      roles: ['admin', 'supervisor', 'agent'],
      response: z.array(dispositionSchema),
      handler: () => dispositions.list(),
    }),
    route({
      method: 'POST',
      path: '/catalogue/dispositions',
      summary: 'Add a disposition',
      tag: TAG,
      roles: ['admin'],
      body: z.object({ tag: z.string(), description: z.string().optional() }).strict(),
      response: dispositionSchema,
      responseStatus: 201,
      handler: ({ body }) => ({ status: 201, body: dispositions.add(body.tag, body.description ?? '') }),
    }),
    route({
      method: 'DELETE',
      path: '/catalogue/dispositions/:tag',
      summary: 'Remove a disposition',
      tag: TAG,
      roles: ['admin'],
      response: catalogueRemovedSchema,
      handler: removeBy('tag', (k) => dispositions.remove(k)),
    }),
  ];
}
