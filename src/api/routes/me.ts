/**
 * GET /me: who the bearer token is (role, agent extension for agent tokens, token name). Lets the
 * CLI and softphones act for "my" agent without being told the extension again.
 */
import type { Principal, RouteDef } from '../types';
import { route } from '../types';

export interface MeView {
  role: Principal['role'];
  /** The only extension an agent token acts for; null for admin/supervisor tokens. */
  agent: string | null;
  name: string | null;
}

export function meRoutes(): RouteDef[] {
  return [
    route({
      method: 'GET',
      path: '/me',
      summary: "The token's principal: role, agent (agent tokens) and name",
      tag: 'session',
      roles: ['admin', 'supervisor', 'agent'],
      handler: ({ principal }): MeView => ({ role: principal.role, agent: principal.agent ?? null, name: principal.name ?? null }),
    }),
  ];
}
