/** /catalogue/groups: monitoring groups (admin writes; supervisors read). */
import { z } from 'zod';
import { route, type RouteDef } from '../api/types';
import type { Db } from '../store/db';
import type { Clock } from '../util/clock';
import { GroupCatalogue } from './groups';

const groupSchema = z.object({ name: z.string(), queues: z.array(z.string()), createdAt: z.number().int() }).strict();
const queues = z.array(z.string()).min(1, 'list at least one queue');

export function groupRoutes(deps: { db: Db; clock?: Clock }): RouteDef[] {
  const groups = new GroupCatalogue(deps);
  return [
    route({ method: 'GET', path: '/catalogue/groups', summary: 'List monitoring groups', tag: 'catalogue', roles: ['admin', 'supervisor'], response: z.array(groupSchema), handler: () => groups.list() }),
    route({
      method: 'POST',
      path: '/catalogue/groups',
      summary: 'Add a monitoring group (supervisor tokens may be limited to groups: api.tokens[].groups)',
      tag: 'catalogue',
      roles: ['admin'],
      body: z.object({ name: z.string(), queues }),
      response: groupSchema,
      responseStatus: 201,
      handler: ({ body }) => ({ status: 201, body: groups.add(body.name, body.queues) }),
    }),
    route({
      method: 'PUT',
      path: '/catalogue/groups/:name',
      summary: "Replace a monitoring group's queues",
      tag: 'catalogue',
      roles: ['admin'],
      body: z.object({ queues }),
      response: groupSchema,
      handler: ({ params, body }) => groups.update(params.name, body.queues),
    }),
    route({
      method: 'DELETE',
      path: '/catalogue/groups/:name',
      summary: 'Remove a monitoring group',
      tag: 'catalogue',
      roles: ['admin'],
      response: z.object({ removed: z.string() }).strict(),
      handler: ({ params }) => {
        groups.remove(params.name);
        return { removed: params.name };
      },
    }),
  ];
}
