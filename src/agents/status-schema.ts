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
    wrapup: z
      .object({
        callId: z.string(),
        queue: z.string().nullable(),
        deadline: ms.describe('when it closes by itself: the queue\'s window, or the safety cap when limit is false'),
        since: ms.describe('when the wrap-up started'),
        elapsedSeconds: z.number().int().describe('seconds in wrap-up so far'),
        limit: z.boolean().describe('false: the queue has no time limit: open until the agent finishes it'),
      })
      .strict()
      .nullable(),
  })
  .strict();

export const agentListSchema = z.object({ agents: z.array(agentStatusSchema) }).strict();

/** POST /agents/:ext/login (src/agents/login.ts LoginResult). */
export const loginResultSchema = z
  .object({
    extension: z.string(),
    sessionId: z.number().int(),
    queues: z.array(z.object({ queue: z.string(), penalty: z.number().int() }).strict()),
  })
  .strict();

/** POST /agents/:ext/logout; endedCalls only for a forced logout. */
export const logoutResultSchema = z
  .object({
    extension: z.string(),
    queues: z.array(z.string()),
    endedCalls: z.array(z.string()).optional().describe('forced logout: the calls it ended'),
  })
  .strict();

/** POST /agents/:ext/pause (src/pause/pause.ts PauseResult). */
export const pauseResultSchema = z
  .object({
    extension: z.string(),
    reason: z.string(),
    statusId: z.number().int(),
    pending: z.boolean().describe('true = stored as pause after this call, not applied yet'),
    duringCall: z.boolean().optional().describe('now: paused in the queues during a call that goes on'),
  })
  .strict();

/** POST /agents/:ext/unpause. */
export const unpauseResultSchema = z.object({ extension: z.string(), cancelledPending: z.boolean() }).strict();
