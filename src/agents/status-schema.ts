/**
 * The JSON shape of AgentStatus (src/agents/service.ts) as the API answers it, for /openapi.json
 * (RouteDef.response). Strict, so a field added to AgentStatus without documenting it fails
 * test/api/openapi-responses.test.ts instead of silently drifting from the document.
 */
import { z } from 'zod';
import { AGENT_STATES } from './state-machine';

const ms = z.number().int().describe('epoch milliseconds');

export const agentStatusSchema = z
  .object({
    extension: z.string(),
    name: z.string(),
    device: z.string(),
    state: z.enum(AGENT_STATES as [string, ...string[]]),
    since: ms.nullable(),
    pauseReason: z.string().nullable(),
    pauseStatusId: z.number().int().nullable(),
    pendingPause: z.string().nullable().describe('pause reason that applies once the current call and wrap-up end'),
    queues: z.array(z.string()),
    loginAt: ms.nullable(),
    callsTaken: z.number().int(),
    missesInRow: z.number().int(),
    talkSeconds: z.number().int(),
    currentCallId: z.string().nullable(),
    wrapup: z.object({ callId: z.string(), queue: z.string().nullable(), deadline: ms }).strict().nullable(),
  })
  .strict();

export const agentListSchema = z.object({ agents: z.array(agentStatusSchema) }).strict();
