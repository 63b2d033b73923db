/**
 * The JSON shape of a scheduled callback as the API answers it (callbackView in ./routes.ts), for
 * /openapi.json (RouteDef.response). Strict, so a field added to Callback without documenting it
 * fails test/api/openapi-responses.test.ts.
 */
import { z } from 'zod';
import { CALLBACK_ORIGINS, CALLBACK_STATES } from './model';

const ms = z.number().int().describe('epoch milliseconds');

export const callbackSchema = z
  .object({
    id: z.number().int(),
    origin: z.enum(CALLBACK_ORIGINS).describe('scheduled (API/CLI) or queue (a waiting caller pressed the callback key)'),
    agent: z.string().optional().describe('set for a callback to a named agent'),
    queue: z.string().optional().describe('set for a callback to whichever agent of this queue is free'),
    number: z.string().describe('national digits'),
    ddi: z.string().describe('country code'),
    at: ms.describe('due time asked for (epoch milliseconds)'),
    nextAt: ms.describe('next try (epoch milliseconds): at, then later after a retry'),
    status: z.enum(CALLBACK_STATES),
    attempts: z.number().int(),
    callId: z.string().optional().describe('the call placed, once done'),
    lastError: z.string().optional(),
    createdBy: z.string().optional(),
    createdAt: ms,
    updatedAt: ms,
    queueJoinedAt: ms.optional().describe('origin queue: when the caller entered the queue (the place the request keeps)'),
    queuePosition: z.number().int().optional().describe('origin queue: position when the key was pressed'),
    uniqueid: z.string().optional().describe("origin queue: the caller's channel in the queue"),
    linkedid: z.string().optional().describe("origin queue: the caller's contact (linkedid of the queue stay)"),
    atIso: z.string().describe('`at` as ISO 8601 UTC'),
    nextAtIso: z.string().describe('`nextAt` as ISO 8601 UTC'),
  })
  .strict();

/** GET /callbacks answers a bare array (the CLI reads it so). */
export const callbackListSchema = z.array(callbackSchema);
