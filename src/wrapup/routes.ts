/** Wrap-up routes: the agent's own disposition, and a supervisor ending the window. */
import { z } from 'zod';
import { route, type RouteDef } from '../api/types';
import type { WrapupService } from './service';
import { wrapupSchema } from './schema';

const disposition = z.string().trim().min(1, 'is required').max(100);

export function wrapupRoutes(svc: WrapupService): RouteDef[] {
  return [
    route({
      method: 'POST',
      path: '/agents/:ext/wrapup',
      summary: 'Record the disposition of the last call and free the agent (within the wrap-up window)',
      tag: 'wrapup',
      roles: ['admin', 'supervisor', 'agent'],
      agentParam: 'ext',
      body: z.object({ disposition, notes: z.string().max(2000).optional() }),
      response: wrapupSchema,
      handler: ({ params, body }) => svc.set(params.ext, body.disposition, body.notes),
    }),
    route({
      method: 'POST',
      path: '/agents/:ext/wrapup/finish',
      summary: 'Supervisor: end the wrap-up now with a disposition',
      tag: 'wrapup',
      roles: ['admin', 'supervisor'],
      body: z.object({ disposition, notes: z.string().max(2000).optional() }),
      response: wrapupSchema,
      handler: ({ params, body, principal }) =>
        svc.finish(params.ext, body.disposition, principal.name ?? principal.role, body.notes),
    }),
  ];
}
