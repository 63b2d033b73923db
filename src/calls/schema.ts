/**
 * The JSON shapes of calls as the API answers them (publicCall in ./types.ts and the history views),
 * for /openapi.json (RouteDef.response). Strict, so a field added to publicCall without documenting
 * it fails test/api/openapi-responses.test.ts instead of silently drifting from the document.
 */
import { z } from 'zod';
import { CALL_STATUSES } from '../history/status';
import { CALL_STATES } from './state-machine';
import { CALL_KINDS } from './types';

const ms = z.number().int().describe('epoch milliseconds');
const enumOf = (values: readonly string[]) => z.enum(values as [string, ...string[]]);

export const callSchema = z
  .object({
    id: z.string().describe('protocol number, e.g. 20261121-000042'),
    parentId: z.string().nullable().describe('the call part this one came from (transfer, conference)'),
    rootId: z.string(),
    kind: enumOf(CALL_KINDS),
    direction: z.enum(['inbound', 'outbound', 'internal']),
    queue: z.string().nullable(),
    agent: z.string().nullable(),
    number: z.string().nullable().describe('customer number'),
    state: enumOf(CALL_STATES),
    startedAt: ms,
    answeredAt: ms.nullable(),
    endedAt: ms.nullable(),
    endReason: z.string().nullable().describe('raw internal end reason; null while in progress'),
    disposition: z.string().nullable(),
    muted: z.boolean(),
    durationSeconds: z.number().int(),
    talkSeconds: z.number().int(),
    channels: z.object({ customer: z.string().nullable(), agent: z.string().nullable() }).strict(),
    bridgeId: z.string().nullable(),
    holdBridgeId: z.string().nullable().describe('set while on hold'),
  })
  .strict();

export const callListSchema = z.object({ calls: z.array(callSchema) }).strict();

/** One row of call_events (src/calls/repo.ts CallEventRow). */
export const callEventSchema = z
  .object({ id: z.number().int(), callId: z.string(), type: z.string(), at: ms, data: z.record(z.unknown()) })
  .strict();

/** GET /calls/:id: the call plus everything that happened during it. */
export const callDetailSchema = callSchema.extend({ events: z.array(callEventSchema) }).strict();

/** POST /calls/:id/prank. */
export const prankResultSchema = z
  .object({
    call: callSchema,
    blocked: z.boolean().describe('false when the number could not be blocked; `notBlocked` says why'),
    expiresAt: ms.nullable(),
    notBlocked: z
      .enum(['withheld', 'internal', 'not-a-number'])
      .nullable()
      .describe('withheld: no caller ID (anonymous, empty); internal: an extension or service; not-a-number: a caller ID that is no phone number'),
  })
  .strict();

/** GET /history: calls with their user-facing status (src/history/status.ts). */
export const historyListSchema = z
  .object({ calls: z.array(callSchema.extend({ status: enumOf(CALL_STATUSES) }).strict()) })
  .strict();

/** GET /agents/:ext/recent-calls (src/history/repo.ts RecentCall). */
export const recentCallsSchema = z
  .object({
    calls: z.array(
      z
        .object({
          id: z.string(),
          category: z.enum(['missed', 'incoming', 'outgoing', 'transferred']),
          number: z.string().nullable(),
          queue: z.string().nullable(),
          date: z.string().describe('local date YYYY-MM-DD of the start'),
          time: z.string().describe('local time HH:MM:SS of the start'),
          startedAt: ms,
          durationSeconds: z.number().int(),
          status: enumOf(CALL_STATUSES),
          endReason: z.string().nullable(),
        })
        .strict(),
    ),
  })
  .strict();
