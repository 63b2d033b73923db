/**
 * The JSON shapes of the /catalogue/* routes (the catalogue repositories' rows) for /openapi.json
 * (RouteDef.response). Strict, so a column added to a catalogue without documenting it fails
 * test/api/openapi-responses.test.ts. The lists answer bare arrays (the CLI reads them so).
 */
import { z } from 'zod';

const ms = z.number().int().describe('epoch milliseconds');
const orDefault = (what: string) => z.number().int().nullable().describe(`${what}; null = the policy default`);

export const catalogueQueueSchema = z
  .object({
    name: z.string(),
    wrapupSeconds: orDefault('wrap-up window in seconds'),
    maxNoAnswer: orDefault('missed offers in a row before the agent is paused'),
    callerId: z.string().nullable(),
    surveyExtension: z.string().nullable(),
    callTimeoutSeconds: orDefault('seconds a queue call rings an agent'),
    record: z.enum(['always', 'never', 'on-demand']).nullable().describe('call recording; null = policy.recording'),
    wrapupLimit: z
      .boolean()
      .describe('true: the wrap-up closes by itself after wrapupSeconds; false: open until the agent finishes it (policy.wrapup_max_seconds caps it)'),
    serviceLevelSeconds: z.number().int().nullable().describe('service level threshold (reports); null = reports.service_level_seconds'),
    createdAt: ms,
  })
  .strict();

export const catalogueAgentSchema = z
  .object({
    extension: z.string(),
    name: z.string(),
    device: z.string(),
    queues: z.array(z.object({ queue: z.string(), penalty: z.number().int() }).strict()),
    createdAt: ms,
  })
  .strict();

export const pauseReasonSchema = z.object({ name: z.string(), statusId: z.number().int(), createdAt: ms }).strict();

export const dispositionSchema = z.object({ tag: z.string(), description: z.string(), createdAt: ms }).strict();

/** DELETE /catalogue/queues/:name: how many agent assignments went with it (?force=true). */
export const queueRemovedSchema = z.object({ removedAssignments: z.number().int() }).strict();

/** DELETE of the other catalogues: the key removed. */
export const catalogueRemovedSchema = z.object({ removed: z.string() }).strict();
