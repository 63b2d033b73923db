/**
 * HTTP routes of the agents domain (softphones, supervisors, and the live CLI commands).
 * Agent tokens may only act on their own extension (agentParam); supervisors/admins on all.
 */
import { agentListSchema, agentStatusSchema, loginResultSchema, logoutResultSchema, pauseResultSchema, unpauseResultSchema } from './status-schema';
import { z } from 'zod';
import { route, type RouteDef } from '../api/types';
import { forbidden } from '../util/errors';
import type { AgentService } from './service';

const reason = z.string().trim().min(1, 'is required').max(100);

/** Forcing (logout during calls, pause now during a call) is for supervisors and admins only. */
function assertMayForce(role: string, what: string): void {
  if (role === 'agent') throw forbidden(`only a supervisor or admin may ${what}`, { field: what.includes('logout') ? 'force' : 'now' });
}

export function agentRoutes(svc: AgentService): RouteDef[] {
  return [
    // Before '/agents/:ext' so "extensions" is never read as an extension.
    route({
      method: 'GET',
      path: '/agents/extensions',
      summary: 'Extensions an agent may log in with for these queues (bound, registered, free)',
      tag: 'agents',
      roles: ['admin', 'supervisor', 'agent'],
      query: z.object({ queues: z.string().min(1, 'is required (comma-separated queue names)') }),
      handler: async ({ query }) => ({ extensions: await svc.login.extensions(query.queues.split(',')) }),
    }),
    route({
      method: 'GET',
      path: '/agents',
      summary: 'State of every agent',
      tag: 'agents',
      roles: ['admin', 'supervisor'],
      response: agentListSchema,
      handler: ({ scope }) => ({ agents: svc.list().filter((a) => !scope || scope.allowsAgent(a.extension)) }),
    }),
    route({
      method: 'GET',
      path: '/agents/:ext',
      summary: 'State of one agent',
      tag: 'agents',
      roles: ['admin', 'supervisor', 'agent'],
      agentParam: 'ext',
      response: agentStatusSchema,
      handler: ({ params }) => svc.status(params.ext),
    }),
    route({
      method: 'GET',
      path: '/agents/:ext/history',
      summary: 'State changes of one agent, newest first',
      tag: 'agents',
      roles: ['admin', 'supervisor', 'agent'],
      agentParam: 'ext',
      query: z.object({ limit: z.coerce.number().int().min(1).max(1000).optional() }),
      handler: ({ params, query }) => ({ entries: svc.history(params.ext, query.limit ?? 50) }),
    }),
    route({
      method: 'POST',
      path: '/agents/:ext/login',
      summary: 'Log the agent into queues (QueueAdd per queue)',
      tag: 'agents',
      roles: ['admin', 'supervisor', 'agent'],
      agentParam: 'ext',
      body: z.object({
        queues: z.array(z.string().trim().min(1)).min(1, 'needs at least one queue'),
        penalty: z.number().int().min(0).max(1000).optional(),
      }),
      response: loginResultSchema,
      handler: async ({ params, body }) => svc.login.login(params.ext, body),
    }),
    route({
      method: 'POST',
      path: '/agents/:ext/logout',
      summary:
        'Log the agent out of every queue (refused while calls are in progress). force: true (supervisor/admin; ' +
        'an agent token gets 403) ends the agent\'s calls first (end reason forced-logout, in the history), then logs out',
      tag: 'agents',
      roles: ['admin', 'supervisor', 'agent'],
      agentParam: 'ext',
      body: z.object({ force: z.boolean().optional() }),
      response: logoutResultSchema,
      handler: async ({ params, body, principal }) => {
        if (body.force) assertMayForce(principal.role, 'force a logout');
        return svc.login.logout(params.ext, body.force ? 'forced-logout' : 'logout', { force: body.force });
      },
    }),
    route({
      method: 'POST',
      path: '/agents/:ext/pause',
      summary:
        'Pause in all queues with a catalogue reason (during a call: pause after the call). now: true ' +
        '(supervisor/admin; an agent token gets 403) pauses the queues at once even during a call, which goes on',
      tag: 'agents',
      roles: ['admin', 'supervisor', 'agent'],
      agentParam: 'ext',
      body: z.object({ reason, afterCall: z.boolean().optional(), now: z.boolean().optional() }),
      response: pauseResultSchema,
      handler: async ({ params, body, principal }) => {
        if (body.now) assertMayForce(principal.role, 'pause an agent now during a call');
        return svc.pause.pause(params.ext, body.reason, { afterCall: body.afterCall, now: body.now });
      },
    }),
    route({
      method: 'POST',
      path: '/agents/:ext/pause-after-call',
      summary: 'Pause once the current call and its wrap-up are over',
      tag: 'agents',
      roles: ['admin', 'supervisor', 'agent'],
      agentParam: 'ext',
      body: z.object({ reason }),
      response: pauseResultSchema,
      handler: async ({ params, body }) => svc.pause.pause(params.ext, body.reason, { afterCall: true }),
    }),
    route({
      method: 'POST',
      path: '/agents/:ext/unpause',
      summary: 'Unpause in all queues (or cancel a pending pause after the call)',
      tag: 'agents',
      roles: ['admin', 'supervisor', 'agent'],
      agentParam: 'ext',
      response: unpauseResultSchema,
      handler: async ({ params }) => svc.pause.unpause(params.ext),
    }),
  ];
}
