/**
 * HTTP routes of transfers. Agent tokens act only on their own calls.
 *   POST /calls/:id/transfer {target, kind?, ddi?}   start (service and queue targets finish at once)
 *   POST /calls/:id/transfer/complete | cancel
 *   GET  /calls/:id/transfer                          state / outcome of the last transfer
 */
import { z } from 'zod';
import { route, type Principal, type RouteDef } from '../api/types';
import { notFound } from '../util/errors';
import { transferView } from './model';
import { transferSchema } from './schema';
import type { TransferService } from './service';

const by = (p: Principal) => p.agent ?? p.name ?? p.role;

export function transferRoutes(transfers: TransferService, own: (p: Principal, id: string) => void): RouteDef[] {
  return [
    route({
      method: 'POST',
      path: '/calls/:id/transfer',
      summary:
        'Transfer: agent (4-5 digits, attended unless kind=blind), group:<name> (agent group rung by its strategy, ' +
        'attended unless kind=blind), queue:<name> (blind: the customer re-enters that queue), service (3 digits, blind) ' +
        'or external number. An agent target must be available: offline, busy, paused or in wrap-up → 409 naming why; ' +
        'a group with no member available → 409 naming each one; unknown queue or group → 404',
      tag: 'transfers',
      roles: ['admin', 'supervisor', 'agent'],
      body: z
        .object({
          target: z.string().min(1, 'is required').max(80),
          kind: z.enum(['attended', 'blind']).optional(),
          ddi: z.string().max(5).optional(),
        })
        .strict(),
      // A service target finishes at once and answers 200 {callId, childCallId, service, state}; a
      // queue target too, with the transfer (state completed) as below.
      response: transferSchema,
      responseStatus: 202,
      handler: async ({ params, principal, body }) => {
        own(principal, params.id);
        const r = await transfers.start(params.id, { ...body, by: by(principal) });
        if ('service' in r) return { status: 200, body: { callId: params.id, childCallId: r.childId, service: r.service, state: 'completed' } };
        return { status: r.state === 'completed' ? 200 : 202, body: transferView(r) };
      },
    }),
    route({
      method: 'POST',
      path: '/calls/:id/transfer/complete',
      summary: 'Complete an attended transfer: customer with the target, first agent leaves',
      tag: 'transfers',
      roles: ['admin', 'supervisor', 'agent'],
      response: transferSchema,
      handler: async ({ params, principal }) => {
        own(principal, params.id);
        return transferView(await transfers.complete(params.id, by(principal)));
      },
    }),
    route({
      method: 'POST',
      path: '/calls/:id/transfer/cancel',
      summary: 'Cancel a transfer: target hung up, customer back with the agent',
      tag: 'transfers',
      roles: ['admin', 'supervisor', 'agent'],
      response: transferSchema,
      handler: async ({ params, principal }) => {
        own(principal, params.id);
        return transferView(await transfers.cancel(params.id, by(principal)));
      },
    }),
    route({
      method: 'GET',
      path: '/calls/:id/transfer',
      summary: 'State of the last transfer of a call (ringing, consulting, completed, failed, cancelled); group transfers say who rings, was tried, answered',
      tag: 'transfers',
      roles: ['admin', 'supervisor', 'agent'],
      response: transferSchema,
      handler: ({ params, principal }) => {
        // Scope before the lookup: a 404 "no transfer" must not tell an agent about another's call.
        if (principal.role === 'agent') own(principal, params.id);
        const t = transfers.get(params.id);
        if (!t) throw notFound(`call ${params.id} has no transfer`, { call: params.id });
        return transferView(t);
      },
    }),
  ];
}
