/** Wrap-up routes: the agent's own disposition, a supervisor ending the window, and a disposition after the call. */
import { z } from 'zod';
import { route, type RouteDef } from '../api/types';
import { MAX_NOTES, type LateDisposition } from './late';
import type { WrapupService } from './service';
import { lateDispositionSchema, wrapupSchema } from './schema';

const disposition = z.string().trim().min(1, 'is required').max(100);
/** What every disposition route takes: the tag and the optional notes. */
const dispositionBody = z.object({ disposition, notes: z.string().max(MAX_NOTES).optional() });

export function wrapupRoutes(svc: WrapupService, late: LateDisposition): RouteDef[] {
  return [
    route({
      method: 'POST',
      path: '/agents/:ext/wrapup',
      summary: 'Record the disposition of the last call and free the agent (within the wrap-up window)',
      tag: 'wrapup',
      roles: ['admin', 'supervisor', 'agent'],
      agentParam: 'ext',
      body: dispositionBody,
      response: wrapupSchema,
      handler: ({ params, body }) => svc.set(params.ext, body.disposition, body.notes),
    }),
    route({
      method: 'POST',
      path: '/agents/:ext/wrapup/finish',
      summary: 'Supervisor: end the wrap-up now with a disposition',
      tag: 'wrapup',
      roles: ['admin', 'supervisor'],
      body: dispositionBody,
      response: wrapupSchema,
      handler: ({ params, body, principal }) =>
        svc.finish(params.ext, body.disposition, principal.name ?? principal.role, body.notes),
    }),
    route({
      method: 'PUT',
      path: '/calls/:id/disposition',
      summary:
        "Supervisor: set or correct the disposition of an answered call part that has ended and whose wrap-up is over (or that had none: recovered from queue_log)",
      tag: 'wrapup',
      roles: ['admin', 'supervisor'],
      body: dispositionBody,
      response: lateDispositionSchema,
      handler: ({ params, body, principal }) => late.set(params.id, body.disposition, principal.name ?? principal.role, body.notes),
    }),
  ];
}
