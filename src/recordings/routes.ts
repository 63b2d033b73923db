/**
 * Recording routes. Agents act on and see only their own calls' recordings; supervisors and admins
 * all of them. `POST /calls/{id}/record/{start|pause|resume}`, `GET /recordings`,
 * `GET /recordings/{id}`, `GET /recordings/{id}/audio` (HTTP Range).
 */
import { z } from 'zod';
import { route, type Principal, type RouteDef, type RouteScope } from '../api/types';
import { parseSince } from '../history/repo';
import { forbidden, invalid, notFound } from '../util/errors';
import { audioReply } from './audio';
import type { DirRecordingFiles } from './files';
import type { Recording, RecordingRepository } from './repository';
import { recordingListSchema, recordingSchema } from './schema';
import type { RecordingService } from './service';

export interface RecordingRouteDeps {
  svc: RecordingService;
  repo: RecordingRepository;
  files: DirRecordingFiles;
  /** The live call's agent (scope check for agent tokens); undefined when not live. */
  callAgent(callId: string): string | null | undefined;
  now(): number;
}

const outOfScope = (p: Principal) => forbidden(`this token acts only for agent ${p.agent}`);
const by = (p: Principal) => p.agent ?? p.name ?? p.role;

export function publicRecording(r: Recording): z.infer<typeof recordingSchema> {
  const { name: _n, channelId: _c, snoopId: _s, ...rest } = r;
  return { ...rest, audioUrl: r.state === 'deleted' ? null : `/recordings/${r.id}/audio` };
}

export function recordingRoutes(d: RecordingRouteDeps): RouteDef[] {
  const load = (p: Principal, id: string, scope: RouteScope | null): Recording => {
    if (!/^\d{1,12}$/.test(id)) throw invalid(`recording id must be a number (got ${JSON.stringify(id)})`, { field: 'id' });
    const r = d.repo.get(Number(id));
    // Scope first: an agent token learns nothing about other agents' recordings.
    if (p.role === 'agent' && r?.agentExt !== p.agent) throw outOfScope(p);
    if (scope && !(r && scope.allowsCall({ queue: r.queue, agentExt: r.agentExt }))) throw scope.deny(`recording ${id}`);
    if (!r) throw notFound(`no recording ${id}`, { recording: id });
    return r;
  };
  return [
    route({
      method: 'POST',
      path: '/calls/:id/record/:action',
      summary: 'Start (on-demand), pause or resume the recording of a call part (agents: their own calls)',
      tag: 'recordings',
      roles: ['admin', 'supervisor', 'agent'],
      response: recordingSchema,
      handler: async ({ principal, params }) => {
        const action = params.action;
        if (action !== 'start' && action !== 'pause' && action !== 'resume') {
          throw invalid(`action must be start, pause or resume (got ${JSON.stringify(action)})`, { field: 'action' });
        }
        const agent = d.callAgent(params.id);
        if (principal.role === 'agent' && agent !== principal.agent) throw outOfScope(principal);
        return publicRecording(await d.svc.act(params.id, action, by(principal)));
      },
    }),
    route({
      method: 'GET',
      path: '/recordings',
      summary: 'Recordings, newest first (filters: call, agent, since, until, limit); agents: their own',
      tag: 'recordings',
      roles: ['admin', 'supervisor', 'agent'],
      query: z
        .object({
          call: z.string().max(40).optional(),
          agent: z.string().regex(/^\d{4,5}$/, 'must be an agent extension of 4 or 5 digits').optional(),
          since: z.string().max(40).optional(),
          until: z.string().max(40).optional(),
          limit: z.coerce.number().int().min(1).max(1000).optional(),
        })
        .strict(),
      response: recordingListSchema,
      handler: ({ principal, query, scope }) => {
        if (principal.role === 'agent' && query.agent && query.agent !== principal.agent) throw outOfScope(principal);
        const agent = principal.role === 'agent' ? principal.agent : query.agent;
        const rows = d.repo.list({
          callId: query.call,
          agent,
          since: query.since ? parseSince(query.since, d.now()) : undefined,
          until: query.until ? parseSince(query.until, d.now()) : undefined,
          limit: query.limit,
          ...(scope ? { queues: [...scope.queues], agents: [...scope.agents] } : {}),
        });
        return { recordings: rows.map(publicRecording) };
      },
    }),
    route({
      method: 'GET',
      path: '/recordings/:id',
      summary: 'One recording with its pauses',
      tag: 'recordings',
      roles: ['admin', 'supervisor', 'agent'],
      response: recordingSchema,
      handler: ({ principal, params, scope }) => publicRecording(load(principal, params.id, scope)),
    }),
    route({
      method: 'GET',
      path: '/recordings/:id/audio',
      summary: 'The audio file (HTTP Range: a player can seek); 404 when the file is gone',
      tag: 'recordings',
      roles: ['admin', 'supervisor', 'agent'],
      rawResponse: { contentTypes: ['audio/wav', 'audio/x-gsm', 'audio/basic', 'audio/x-alaw-basic'], description: 'the whole file', partial: true },
      handler: ({ principal, params, headers, scope }) => {
        const r = load(principal, params.id, scope);
        if (r.state === 'deleted') throw notFound(`recording ${r.id} was deleted (retention or purge) on ${new Date(r.deletedAt ?? 0).toISOString()}`);
        const range = typeof headers.range === 'string' ? headers.range : undefined;
        return audioReply(d.files.resolve(r.file), r.format, range, `${r.callId}.${r.format === 'wav16' ? 'wav' : r.format}`);
      },
    }),
  ];
}
