/** JSON shapes of the recordings routes (documented in /openapi.json, validated by tests). */
import { z } from 'zod';
import { RECORDING_STATES } from './model';

const ms = z.number().int().describe('epoch milliseconds');

export const recordingSchema = z
  .object({
    id: z.number().int(),
    callId: z.string().describe('protocol number of the recorded call part'),
    rootId: z.string().describe("protocol number of the customer's call (first part)"),
    agentExt: z.string().nullable(),
    queue: z.string().nullable(),
    file: z.string().describe('path below recording.dir'),
    format: z.string(),
    state: z.enum(RECORDING_STATES),
    startedAt: ms,
    endedAt: ms.nullable(),
    durationMs: z.number().int().nullable(),
    sizeBytes: z.number().int().nullable(),
    startedBy: z.string().describe("'policy' (queue/policy records always) or who asked"),
    endReason: z.string().nullable(),
    deletedAt: ms.nullable().describe('when retention or purge removed the file'),
    pauses: z.array(z.object({ pausedAt: ms, resumedAt: ms.nullable(), pausedBy: z.string(), resumedBy: z.string().nullable() }).strict()),
    audioUrl: z.string().nullable().describe('GET it for the audio (HTTP Range supported); null once deleted'),
  })
  .strict();

export const recordingListSchema = z.object({ recordings: z.array(recordingSchema) }).strict();
