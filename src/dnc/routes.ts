/**
 * HTTP routes of the do-not-call list (admin and supervisor): list, add, remove, import (CSV text
 * or a JSON array, all or nothing), and the refused attempts.
 */
import { z } from 'zod';
import { route, type Principal, type RouteDef } from '../api/types';
import { parseSince } from '../history/repo';
import type { Clock } from '../util/clock';
import type { DncGuard } from './guard';
import { dncAddedSchema, dncImportSchema, dncListSchema, dncRefusalListSchema, dncRemovedSchema } from './schema';

const TAG = 'dnc';
const roles: RouteDef['roles'] = ['admin', 'supervisor'];
const by = (p: Principal) => p.name ?? p.role;

const item = z
  .object({
    number: z.string().min(1, 'is required').max(40),
    queue: z.string().max(64).nullable().optional(),
    reason: z.string().max(200).optional(),
  })
  .strict();

export function dncRoutes(guard: DncGuard, clock: Clock): RouteDef[] {
  const { list } = guard;
  return [
    route({
      method: 'GET',
      path: '/dnc',
      summary: 'Do-not-call entries, newest first; ?queue=Q: the ones that apply to calls for Q (global and Q\'s own)',
      tag: TAG,
      roles,
      query: z.object({ queue: z.string().max(64).optional() }).strict(),
      response: dncListSchema,
      handler: ({ query }) => ({ entries: list.list({ queue: query.queue }) }),
    }),
    route({
      method: 'POST',
      path: '/dnc',
      summary:
        'Put a number on the do-not-call list, for every queue or for one (queue must exist). Any format of the number ' +
        '(national, +DDI, 00DDI); stored as E.164 digits. Already listed: its date is kept, a given reason replaces the old one (created: false)',
      tag: TAG,
      roles,
      body: item,
      response: dncAddedSchema,
      responseStatus: 201,
      handler: ({ body, principal }) => {
        const r = list.add({ ...body, addedBy: by(principal) });
        return { status: 201, body: { ...r.entry, created: r.created } };
      },
    }),
    route({
      method: 'DELETE',
      path: '/dnc/:number',
      summary: 'Take a number off the do-not-call list (?queue=Q: that queue\'s entry; default the global one)',
      tag: TAG,
      roles,
      query: z.object({ queue: z.string().max(64).optional() }).strict(),
      response: dncRemovedSchema,
      handler: ({ params, query }) => {
        const e = list.remove(params.number, query.queue);
        return { removed: e.number, queue: e.queue };
      },
    }),
    route({
      method: 'POST',
      path: '/dnc/import',
      summary:
        'Import many numbers at once, all or nothing: Content-Type text/csv (header with a number column, optional queue ' +
        'and reason; ";" separators accepted) or a JSON array of {number, queue?, reason?}. Every row is validated first; any ' +
        'bad row → 400 naming each (CSV: its line; JSON: its item, from 1) in details.errors, and nothing is written. Duplicates ' +
        'are merged. ?queue=Q applies to rows without a queue',
      tag: TAG,
      roles,
      query: z.object({ queue: z.string().max(64).optional() }).strict(),
      body: z.union([z.string().describe('CSV text (Content-Type text/csv)'), z.array(item).max(100_000)]),
      textBody: { contentTypes: ['text/csv'], description: 'CSV with a header line: number[,queue][,reason]' },
      response: dncImportSchema,
      handler: ({ body, query, principal }) => {
        const opts = { defaultQueue: query.queue, addedBy: by(principal) };
        if (typeof body === 'string') return list.importCsv(body, opts);
        return list.importRows(
          body.map((r, i) => ({ where: `item ${i + 1}`, number: r.number, queue: r.queue, reason: r.reason })),
          opts,
        );
      },
    }),
    route({
      method: 'GET',
      path: '/dnc/refusals',
      summary: 'Calls refused because of the do-not-call list (dial, callback, transfer), newest first, with who tried',
      tag: TAG,
      roles,
      query: z
        .object({
          since: z.string().optional(),
          agent: z.string().regex(/^\d{4,5}$/, 'must be an agent extension of 4 or 5 digits').optional(),
          limit: z.coerce.number().int().min(1).max(5000).optional(),
        })
        .strict(),
      response: dncRefusalListSchema,
      handler: ({ query }) => ({
        refusals: guard.refusals({
          since: query.since ? parseSince(query.since, clock.now()) : undefined,
          agent: query.agent,
          limit: query.limit,
        }),
      }),
    }),
  ];
}
