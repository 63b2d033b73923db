/**
 * The JSON shape of GET /monitor (MonitorView in ./monitor.ts) for /openapi.json (RouteDef.response).
 * Strict, so a field added to the monitor view without documenting it fails
 * test/api/openapi-responses.test.ts.
 */
import { z } from 'zod';
import { AGENT_STATES } from '../agents/state-machine';
import { CALL_STATES } from '../calls/state-machine';
import type { AgentStateName } from '../daemon/ports';

/** The states a queue counts its logged-in agents by (every agent state but offline). */
export const MONITOR_AGENT_STATES: readonly AgentStateName[] = ['available', 'ringing', 'on-call', 'wrap-up', 'paused', 'inactive'];

const ms = z.number().int().describe('epoch milliseconds');
const enumOf = (values: readonly string[]) => z.enum(values as [string, ...string[]]);

export const monitorAgentSchema = z
  .object({
    extension: z.string(),
    name: z.string(),
    state: enumOf(AGENT_STATES),
    since: ms.nullable(),
    forSeconds: z.number().int().nullable().describe('seconds in the current state'),
    pauseReason: z.string().nullable(),
    pendingPause: z.string().nullable(),
    queues: z.array(z.string()),
    call: z
      .object({
        id: z.string(),
        number: z.string().nullable(),
        queue: z.string().nullable(),
        direction: z.enum(['inbound', 'outbound', 'internal']),
        state: enumOf(CALL_STATES),
        talkSeconds: z.number().int(),
      })
      .strict()
      .nullable(),
    callsTaken: z.number().int(),
    missesInRow: z.number().int(),
    wrapupUntil: ms.nullable().describe('when the wrap-up closes by itself (the safety cap when wrapupLimit is false)'),
    wrapupSince: ms.nullable().describe('when the wrap-up started'),
    wrapupSeconds: z.number().int().nullable().describe('seconds in wrap-up so far'),
    wrapupLimit: z.boolean().nullable().describe('false: the queue has no wrap-up time limit; null when not in wrap-up'),
  })
  .strict();

export const monitorQueueSchema = z
  .object({
    queue: z.string(),
    waiting: z.number().int(),
    longestWaitSeconds: z.number().int(),
    abandoned: z.number().int().describe('callers that hung up while waiting, since the daemon started'),
    callers: z.array(z.object({ number: z.string(), name: z.string(), position: z.number().int(), waitSeconds: z.number().int() }).strict()),
    agents: z
      .object(Object.fromEntries(MONITOR_AGENT_STATES.map((s) => [s, z.number().int()])))
      .strict()
      .describe('logged-in agents of this queue by state (every state present)'),
    loggedIn: z.number().int(),
    callbackRequests: z
      .array(
        z
          .object({
            id: z.number().int().describe('callback id (GET /callbacks?origin=queue)'),
            number: z.string(),
            status: z.enum(['pending', 'ringing']),
            waitSeconds: z.number().int().describe('since the caller entered the queue: the place the request keeps'),
          })
          .strict(),
      )
      .describe('callback requests callers left in this queue (callback key), not yet served, oldest place first'),
  })
  .strict();

export const monitorSchema = z
  .object({ at: ms, queues: z.array(monitorQueueSchema), agents: z.array(monitorAgentSchema) })
  .strict();
