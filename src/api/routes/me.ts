/**
 * GET /me: who the bearer token is (role, agent extension for agent tokens, token name). Lets the
 * CLI and softphones act for "my" agent without being told the extension again.
 */
import { z } from 'zod';
import type { Principal, RouteDef } from '../types';
import { route } from '../types';

export interface MeView {
  role: Principal['role'];
  /** The only extension an agent token acts for; null for admin/supervisor tokens. */
  agent: string | null;
  name: string | null;
}

/** MeView for /openapi.json; strict so a new field must be documented (test/api/openapi-responses.test.ts). */
export const meSchema = z
  .object({
    role: z.enum(['admin', 'supervisor', 'agent']),
    agent: z.string().nullable().describe('the only extension an agent token acts for; null for other roles'),
    name: z.string().nullable(),
  })
  .strict();

export function meRoutes(): RouteDef[] {
  return [
    route({
      method: 'GET',
      path: '/me',
      summary: "The token's principal: role, agent (agent tokens) and name",
      tag: 'session',
      roles: ['admin', 'supervisor', 'agent'],
      response: meSchema,
      handler: ({ principal }): MeView => ({ role: principal.role, agent: principal.agent ?? null, name: principal.name ?? null }),
    }),
  ];
}
