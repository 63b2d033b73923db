/**
 * The JSON shapes of the /dnc routes for /openapi.json (RouteDef.response). Strict, so a field added
 * to DncEntry, ImportReport or DncRefusal without documenting it fails
 * test/api/openapi-responses.test.ts.
 */
import { z } from 'zod';
import { DNC_ACTIONS } from './guard';

const ms = z.number().int().describe('epoch milliseconds');
const e164 = z.string().describe('E.164 digits without "+" (country code + national number)');

export const dncEntrySchema = z
  .object({
    number: e164,
    queue: z.string().nullable().describe('null = every queue (global)'),
    reason: z.string(),
    addedBy: z.string().nullable(),
    createdAt: ms.describe('when it was listed (the customer asked)'),
  })
  .strict();

export const dncListSchema = z.object({ entries: z.array(dncEntrySchema) }).strict();

/** POST /dnc: the entry, and whether it is new (false: already listed, its date kept). */
export const dncAddedSchema = dncEntrySchema.extend({ created: z.boolean() }).strict();

export const dncRemovedSchema = z.object({ removed: e164, queue: z.string().nullable() }).strict();

export const dncImportSchema = z
  .object({
    rows: z.number().int().describe('data rows read'),
    added: z.number().int().describe('new entries'),
    alreadyListed: z.number().int().describe('rows for entries already listed (left as they were)'),
    duplicates: z.number().int().describe('rows repeating an earlier row of the same import (merged)'),
  })
  .strict();

export const dncRefusalSchema = z
  .object({
    id: z.number().int(),
    at: ms,
    number: e164,
    action: z.enum(DNC_ACTIONS),
    queue: z.string().nullable().describe('the queue the call was for'),
    entryQueue: z.string().nullable().describe('the list entry that refused it: null = global'),
    reason: z.string(),
    agent: z.string().nullable(),
    by: z.string().nullable().describe('who tried: agent, token name, or "callback <id>"'),
    callId: z.string().nullable().describe('transfer: the call being transferred'),
    callbackId: z.number().int().nullable(),
  })
  .strict();

export const dncRefusalListSchema = z.object({ refusals: z.array(dncRefusalSchema) }).strict();
