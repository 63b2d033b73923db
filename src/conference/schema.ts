/**
 * The JSON shapes of the conference routes (memberView in ./routes.ts, RoomService.moveCall, the
 * rooms catalogue) for /openapi.json (RouteDef.response). Strict, so a field added without
 * documenting it fails test/api/openapi-responses.test.ts.
 */
import { z } from 'zod';
import { CONFERENCE_STATES } from './service';

const ms = z.number().int().describe('epoch milliseconds');

/** The agent added to a call. */
export const conferenceMemberSchema = z
  .object({
    callId: z.string().describe('the call the agent was added to'),
    childCallId: z.string().describe("the added agent's own call part"),
    agent: z.string(),
    state: z.enum(CONFERENCE_STATES),
    startedAt: ms,
    reason: z.string().nullable().describe('why it failed / ended'),
  })
  .strict();

/** GET /calls/:id/conference: the member, or state "none" when nobody was added. */
export const conferenceStateSchema = z.union([
  conferenceMemberSchema,
  z.object({ callId: z.string(), state: z.literal('none') }).strict(),
]);

/** POST /calls/:id/room. */
export const roomMoveSchema = z.object({ callId: z.string(), room: z.string().describe('*EXT'), bridgeId: z.string() }).strict();

export const roomSchema = z
  .object({
    extension: z.string(),
    name: z.string().describe('what callers dial / the bridge name: *EXT'),
    agentName: z.string(),
    createdAt: ms,
  })
  .strict();

export const roomListSchema = z.object({ rooms: z.array(roomSchema) }).strict();

/** DELETE /rooms/:ext. */
export const roomRemovedSchema = z.object({ removed: z.string().describe('*EXT') }).strict();
