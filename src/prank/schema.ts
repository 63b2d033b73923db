/**
 * The JSON shapes of the blocklist routes (BlockEntry in ./blocklist.ts) for /openapi.json
 * (RouteDef.response). Strict, so a field added to BlockEntry without documenting it fails
 * test/api/openapi-responses.test.ts.
 */
import { z } from 'zod';

const ms = z.number().int().describe('epoch milliseconds');

export const blockEntrySchema = z
  .object({
    number: z.string().describe('canonical form: country code + national digits'),
    reason: z.string(),
    callId: z.string().nullable().describe('the prank call that caused it'),
    blockedBy: z.string().nullable(),
    createdAt: ms,
    expiresAt: ms.nullable().describe('null = until removed'),
  })
  .strict();

export const blockListSchema = z.object({ entries: z.array(blockEntrySchema) }).strict();

/** DELETE /blocklist/:number: the stored canonical form that was removed. */
export const blockRemovedSchema = z.object({ removed: z.string() }).strict();
