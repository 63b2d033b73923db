/**
 * HTTP routes of live monitoring: supervisor and admin tokens only (an agent token is 403 before
 * anything is looked up, so it cannot even learn whether a call is monitored).
 *   POST   /calls/:id/monitor                 {mode, device?}  ring the supervisor (202)
 *   GET    /calls/:id/monitor                 the call's sessions (live and past)
 *   PATCH  /calls/:id/monitor/:monitorId      {mode}           switch mode live
 *   DELETE /calls/:id/monitor/:monitorId                       stop
 */
import { z } from 'zod';
import { route, type Principal, type RouteDef } from '../api/types';
import type { CallService } from '../calls/service';
import { invalid } from '../util/errors';
import { MONITOR_MODES, monitorView } from './model';
import { monitorListSchema, monitorSessionSchema } from './schema';
import type { MonitorService, Supervisor } from './service';

const mode = z.enum(MONITOR_MODES, { errorMap: () => ({ message: `must be one of ${MONITOR_MODES.join(', ')}` }) });

/** Principal name for the history row; a token without a name is recorded by its role. */
export function supervisorOf(p: Principal): Supervisor {
  return { name: p.name ?? p.agent ?? p.role, agent: p.agent };
}

function monitorId(raw: string): number {
  if (!/^\d{1,12}$/.test(raw)) throw invalid(`monitorId must be a number (got "${raw}")`, { field: 'monitorId' });
  return Number(raw);
}

export function monitorRoutes(svc: MonitorService, control: CallService): RouteDef[] {
  const roles: Principal['role'][] = ['admin', 'supervisor'];
  return [
    route({
      method: 'POST',
      path: '/calls/:id/monitor',
      summary:
        "Monitor a call: ring the supervisor's device (device, else the catalogue device of the token's agent extension; " +
        'none → 400), then on answer listen (hear both), whisper (also speak to the agent only) or barge (3-way). ' +
        'The call is never disturbed; a device that does not answer ends the session as failed',
      tag: 'monitoring',
      roles,
      body: z.object({ mode, device: z.string().min(1, 'must not be empty').max(128).optional() }).strict(),
      response: monitorSessionSchema,
      responseStatus: 202,
      handler: async ({ params, principal, body }) => ({
        status: 202,
        body: monitorView(await svc.start(params.id, body, supervisorOf(principal))),
      }),
    }),
    route({
      method: 'GET',
      path: '/calls/:id/monitor',
      summary: 'Monitoring sessions of a call (live or past): who, device, modes over time, end reason',
      tag: 'monitoring',
      roles,
      response: monitorListSchema,
      handler: ({ params }) => {
        if (!control.get(params.id) && !control.repo.get(params.id)) control.require(params.id); // 404
        return { callId: params.id, sessions: svc.list(params.id).map(monitorView) };
      },
    }),
    route({
      method: 'PATCH',
      path: '/calls/:id/monitor/:monitorId',
      summary: 'Switch a monitoring session to another mode live (listen, whisper, barge); the device stays up',
      tag: 'monitoring',
      roles,
      body: z.object({ mode }).strict(),
      response: monitorSessionSchema,
      handler: async ({ params, principal, body }) =>
        monitorView(await svc.changeMode(params.id, monitorId(params.monitorId), body.mode, supervisorOf(principal).name)),
    }),
    route({
      method: 'DELETE',
      path: '/calls/:id/monitor/:monitorId',
      summary: "Stop a monitoring session: the supervisor's device is hung up, the call goes on untouched",
      tag: 'monitoring',
      roles,
      response: monitorSessionSchema,
      handler: async ({ params, principal }) => monitorView(await svc.stop(params.id, monitorId(params.monitorId), supervisorOf(principal).name)),
    }),
  ];
}
