/**
 * JSON shapes of the directory and of its catalogues (agent groups, services, contacts) for
 * /openapi.json (RouteDef.response). Strict, so a field added without documenting it fails
 * test/api/openapi-responses.test.ts.
 */
import { z } from 'zod';
import { AGENT_STATES } from '../agents/state-machine';
import { GROUP_STRATEGIES } from '../agents/groups';

const ms = z.number().int().describe('epoch milliseconds');
const target = z.string().describe('what to give `call transfer` / POST /calls/{id}/transfer as target');

export const agentGroupSchema = z
  .object({
    name: z.string(),
    strategy: z.enum(GROUP_STRATEGIES),
    agents: z.array(z.string()).describe('members in ring order'),
    ringSeconds: z.number().int().nullable().describe('seconds each member rings; null = the transfer ring timeout'),
    createdAt: ms,
  })
  .strict();

export const serviceSchema = z.object({ extension: z.string(), name: z.string(), createdAt: ms }).strict();

export const contactSchema = z
  .object({
    name: z.string(),
    number: z.string().describe('E.164 digits without +'),
    ddi: z.string(),
    national: z.string(),
    createdAt: ms,
  })
  .strict();

export const directorySchema = z
  .object({
    query: z.string(),
    agents: z.array(
      z
        .object({
          extension: z.string(),
          name: z.string(),
          state: z.enum(AGENT_STATES as [string, ...string[]]),
          since: ms.nullable(),
          pauseReason: z.string().nullable(),
          queues: z.array(z.string()),
          available: z.boolean().describe('may be rung now (transfer, conference)'),
          target,
        })
        .strict(),
    ),
    groups: z.array(
      z
        .object({
          name: z.string(),
          strategy: z.enum(GROUP_STRATEGIES),
          agents: z.array(z.string()),
          available: z.number().int().describe('members available now'),
          target,
        })
        .strict(),
    ),
    queues: z.array(z.object({ name: z.string(), waiting: z.number().int(), longestWaitSeconds: z.number().int(), target }).strict()),
    services: z.array(z.object({ extension: z.string(), name: z.string(), target }).strict()),
    contacts: z.array(z.object({ name: z.string(), number: z.string().describe('E.164 digits without +'), target }).strict()),
  })
  .strict();
