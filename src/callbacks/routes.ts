/**
 * HTTP routes of scheduled callbacks: GET/POST /callbacks, DELETE /callbacks/:id.
 * Agent tokens see, add and cancel only their own (agent) callbacks.
 */
import { z } from 'zod';
import { route, type RouteDef } from '../api/types';
import { CALLBACK_ORIGINS, type Callback } from './model';
import { callbackListSchema, callbackSchema } from './schema';
import { parseCallbackStatus, type CallbackService } from './service';

const addBody = z
  .object({
    agent: z.string().optional(),
    queue: z.string().optional(),
    number: z.string().min(1),
    ddi: z.string().optional(),
    at: z.string().min(1),
  })
  .strict();

const listQuery = z
  .object({ status: z.string().optional(), agent: z.string().optional(), origin: z.enum(CALLBACK_ORIGINS).optional(), queue: z.string().optional() })
  .strict();

/** JSON view: ISO times next to the raw ms so people and scripts both read it. */
export function callbackView(c: Callback): Record<string, unknown> {
  return {
    ...c,
    atIso: new Date(c.at).toISOString(),
    nextAtIso: new Date(c.nextAt).toISOString(),
  };
}

export function callbackRoutes(service: CallbackService): RouteDef[] {
  return [
    route({
      method: 'GET',
      path: '/callbacks',
      summary: 'List callbacks: scheduled ones and requests callers left in a queue (origin=queue); agent tokens: their own',
      tag: 'callbacks',
      roles: ['admin', 'supervisor', 'agent'],
      query: listQuery,
      response: callbackListSchema,
      handler: ({ query, principal }) =>
        service
          .list({ status: parseCallbackStatus(query.status), agent: query.agent, origin: query.origin, queue: query.queue }, principal)
          .map(callbackView),
    }),
    route({
      method: 'POST',
      path: '/callbacks',
      summary: 'Schedule a callback for an agent or a queue',
      tag: 'callbacks',
      roles: ['admin', 'supervisor', 'agent'],
      body: addBody,
      response: callbackSchema,
      responseStatus: 201,
      handler: ({ body, principal }) => ({ status: 201, body: callbackView(service.add(body, principal)) }),
    }),
    route({
      method: 'DELETE',
      path: '/callbacks/:id',
      summary: 'Cancel a pending callback',
      tag: 'callbacks',
      roles: ['admin', 'supervisor', 'agent'],
      response: callbackSchema,
      handler: ({ params, principal }) => callbackView(service.cancel(params.id, principal)),
    }),
  ];
}
