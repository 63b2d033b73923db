/**
 * The JSON shape of a finished wrap-up (WrapupRow in ./repository.ts) as POST /agents/:ext/wrapup
 * and /wrapup/finish answer it, for /openapi.json (RouteDef.response). Strict, so a column added to
 * the row without documenting it fails test/api/openapi-responses.test.ts.
 */
import { z } from 'zod';

const ms = z.number().int().describe('epoch milliseconds');

export const wrapupSchema = z
  .object({
    id: z.number().int(),
    extension: z.string(),
    callId: z.string(),
    queue: z.string().nullable(),
    startedAt: ms,
    deadline: ms.describe('when it closes by itself: the queue\'s window, or the safety cap when limited is false'),
    endedAt: ms.nullable(),
    disposition: z.string().nullable(),
    notes: z.string().nullable(),
    auto: z.boolean().describe('true = closed by the timer with the automatic disposition'),
    finishedBy: z
      .string()
      .nullable()
      .describe('"agent", "supervisor:<name>", "timer" (the window ran out), "cap" (a window without limit reached policy.wrapup_max_seconds), "logout", "superseded"'),
    limited: z.boolean().describe('false: the queue has no wrap-up time limit; deadline is then the safety cap'),
  })
  .strict();

/** PUT /calls/:id/disposition (src/wrapup/late.ts). */
export const lateDispositionSchema = z
  .object({
    callId: z.string(),
    disposition: z.string(),
    previous: z.string().nullable().describe('the disposition the part had before (null: none, e.g. recovered from queue_log)'),
    notes: z.string().nullable(),
    by: z.string().describe('"supervisor:<name>"'),
    at: ms,
  })
  .strict();
