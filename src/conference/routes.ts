/**
 * HTTP routes: add an agent to a call (3-way), cancel it, move a call into a `*<ext>` room, and the
 * rooms catalogue (GET/POST /rooms, DELETE /rooms/:ext). Agent tokens act only on their own calls
 * and may read the rooms list; managing rooms is for admins and supervisors.
 */
import { z } from 'zod';
import { route, type Principal, type RouteDef } from '../api/types';
import type { ConferenceMember, ConferenceService } from './service';
import type { RoomService } from './room-service';
import type { RoomsRepo } from './rooms';
import { conferenceMemberSchema, conferenceStateSchema, roomListSchema, roomMoveSchema, roomRemovedSchema, roomSchema } from './schema';

const by = (p: Principal) => p.agent ?? p.name ?? p.role;

export function memberView(m: ConferenceMember): Record<string, unknown> {
  return { callId: m.parentId, childCallId: m.childId, agent: m.agent, state: m.state, startedAt: m.startedAt, reason: m.reason };
}

export function conferenceRoutes(
  conference: ConferenceService,
  roomService: RoomService,
  rooms: RoomsRepo,
  own: (p: Principal, id: string) => void,
): RouteDef[] {
  return [
    route({
      method: 'POST',
      path: '/calls/:id/conference',
      summary:
        'Add an agent (4-5 digits): the device rings, then joins as a 3-way call. ' +
        'The agent must be available: offline, busy, paused or in wrap-up → 409 naming why',
      tag: 'conference',
      roles: ['admin', 'supervisor', 'agent'],
      body: z.object({ agent: z.string().min(1, 'is required').max(10) }).strict(),
      response: conferenceMemberSchema,
      responseStatus: 202,
      handler: async ({ params, principal, body }) => {
        own(principal, params.id);
        return { status: 202, body: memberView(await conference.add(params.id, body.agent, by(principal))) };
      },
    }),
    route({
      method: 'POST',
      path: '/calls/:id/conference/cancel',
      summary: 'Stop ringing the added agent, or remove it from the 3-way call',
      tag: 'conference',
      roles: ['admin', 'supervisor', 'agent'],
      response: conferenceMemberSchema,
      handler: async ({ params, principal }) => {
        own(principal, params.id);
        return memberView(await conference.cancel(params.id, by(principal)));
      },
    }),
    route({
      method: 'GET',
      path: '/calls/:id/conference',
      summary: 'State of the agent added to a call',
      tag: 'conference',
      roles: ['admin', 'supervisor', 'agent'],
      response: conferenceStateSchema,
      handler: ({ params, principal }) => {
        own(principal, params.id);
        const m = conference.get(params.id);
        return m ? memberView(m) : { callId: params.id, state: 'none' };
      },
    }),
    route({
      method: 'POST',
      path: '/calls/:id/room',
      summary: "Move the call into agent EXT's conference room *EXT (the room must be configured)",
      tag: 'conference',
      roles: ['admin', 'supervisor', 'agent'],
      body: z.object({ extension: z.string().min(1, 'is required').max(10) }).strict(),
      response: roomMoveSchema,
      handler: async ({ params, principal, body }) => {
        own(principal, params.id);
        return roomService.moveCall(params.id, body.extension, by(principal));
      },
    }),
    route({
      method: 'GET',
      path: '/rooms',
      summary: 'Configured conference rooms',
      tag: 'conference',
      roles: ['admin', 'supervisor', 'agent'],
      response: roomListSchema,
      handler: () => ({ rooms: rooms.list() }),
    }),
    route({
      method: 'POST',
      path: '/rooms',
      summary: 'Configure room *EXT for an agent extension',
      tag: 'conference',
      roles: ['admin', 'supervisor'],
      body: z.object({ extension: z.string().min(1, 'is required').max(10) }).strict(),
      response: roomSchema,
      responseStatus: 201,
      handler: ({ body }) => ({ status: 201, body: rooms.add(body.extension) }),
    }),
    route({
      method: 'DELETE',
      path: '/rooms/:ext',
      summary: 'Remove room *EXT',
      tag: 'conference',
      roles: ['admin', 'supervisor'],
      response: roomRemovedSchema,
      handler: ({ params }) => {
        rooms.remove(params.ext);
        return { removed: `*${params.ext.replace(/^\*/, '')}` };
      },
    }),
  ];
}
