/**
 * The JSON shapes of the live-monitoring routes (monitorView in ./model.ts) for /openapi.json
 * (RouteDef.response). Strict, so a field added without documenting it fails
 * test/api/openapi-responses.test.ts.
 */
import { z } from 'zod';
import { MONITOR_END_REASONS, MONITOR_MODES, MONITOR_STATES } from './model';

const ms = z.number().int().describe('epoch milliseconds');

export const modeChangeSchema = z
  .object({
    at: ms,
    mode: z.enum(MONITOR_MODES),
    callId: z.string().describe('the call part monitored from then on'),
    by: z.string().describe('who switched (principal name), or "daemon" when the session followed the customer to a new call part'),
  })
  .strict();

/** One monitoring session (live or past). */
export const monitorSessionSchema = z
  .object({
    id: z.number().int().describe('monitorId'),
    callId: z.string().describe('the call part the supervisor asked to monitor'),
    currentCallId: z.string().describe('the call part monitored now (differs after a completed transfer / conference hand-over)'),
    supervisor: z.string().describe("the token's principal name"),
    device: z.string().describe("the supervisor's device (dial string)"),
    mode: z.enum(MONITOR_MODES).describe('listen: hears both, nobody hears the supervisor; whisper: also speaks to the agent only; barge: 3-way'),
    state: z.enum(MONITOR_STATES).describe('ringing (the device rings), active, ended, failed (the device never answered / could not be connected)'),
    changes: z.array(modeChangeSchema).describe('timeline: the first entry is the mode asked for'),
    startedAt: ms,
    answeredAt: ms.nullable(),
    endedAt: ms.nullable(),
    endReason: z.enum(MONITOR_END_REASONS).nullable(),
    endDetail: z.string().nullable(),
  })
  .strict();

export const monitorListSchema = z.object({ callId: z.string(), sessions: z.array(monitorSessionSchema) }).strict();
