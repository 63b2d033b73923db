/**
 * HTTP routes of the call core (softphones, supervisors, and the live CLI commands).
 * Agent tokens may act only on their own calls: the call's agent must equal principal.agent (403).
 */
import { z } from 'zod';
import { route, type Principal, type RouteDef } from '../api/types';
import { HistoryRepo, parseSince } from '../history/repo';
import { blockEntrySchema, blockListSchema, blockRemovedSchema } from '../prank/schema';
import { callStatus } from '../history/status';
import { forbidden, notFound } from '../util/errors';
import type { CallService } from './service';
import { callDetailSchema, callListSchema, callSchema, historyListSchema, prankResultSchema, recentCallsSchema } from './schema';
import { publicCall, type CallRecord } from './types';

const ext = z.string().regex(/^\d{4,5}$/, 'must be an agent extension of 4 or 5 digits');

/**
 * The one 403 for an agent token reaching outside its scope: the same words the API server uses for
 * `agentParam` routes, whatever was asked (another agent's call, history, dial).
 */
export function outOfScope(p: Principal, details?: Record<string, unknown>) {
  return forbidden(`this token acts only for agent ${p.agent}`, details);
}

/** 403 unless the principal may act on this call. */
export function assertOwnCall(p: Principal, call: CallRecord): void {
  if (p.role === 'agent' && call.agentExt !== p.agent) throw outOfScope(p, { call: call.id });
}

/**
 * Scope first, existence second: for an agent token a call id that is unknown, or another agent's
 * (live or in history), is the same 403, so the answer never tells whether someone else's call
 * exists (or has a transfer, a conference...). Other roles are not restricted.
 */
export function assertCallInScope(p: Principal, svc: Pick<CallService, 'get' | 'repo'>, id: string): void {
  if (p.role !== 'agent') return;
  const call = svc.get(id) ?? svc.repo.get(id);
  if (!call || call.agentExt !== p.agent) throw outOfScope(p, { call: id });
}

function assertOwnAgent(p: Principal, agent: string | undefined): void {
  if (p.role === 'agent' && agent !== p.agent) throw outOfScope(p, { field: 'agent' });
}

export function callRoutes(svc: CallService, history: HistoryRepo): RouteDef[] {
  const now = () => svc.core.deps.clock.now();
  const show = (c: CallRecord) => publicCall(c, now());
  const by = (p: Principal) => p.agent ?? p.name ?? p.role;
  /** Loads a live call the principal may act on. */
  const own = (p: Principal, id: string) => {
    assertCallInScope(p, svc, id);
    return svc.require(id);
  };
  const action = (
    path: string,
    summary: string,
    fn: (id: string, p: Principal, body: never) => Promise<unknown>,
    body?: z.ZodTypeAny,
    response: z.ZodTypeAny = callSchema,
  ) =>
    route({
      method: 'POST',
      path: `/calls/:id/${path}`,
      summary,
      tag: 'calls',
      roles: ['admin', 'supervisor', 'agent'],
      body,
      response,
      handler: async ({ params, principal, body: b }) => {
        own(principal, params.id);
        const r = await fn(params.id, principal, b as never);
        return r && typeof r === 'object' && 'id' in r ? show(r as CallRecord) : r;
      },
    });

  return [
    route({
      method: 'POST',
      path: '/calls/dial',
      summary:
        'Outbound call: ring the agent device, then the customer. number: national (DDD + number, trunk 0 ' +
        'and carrier code allowed) or international (+DDI or 00DDI); a DDI other than ' +
        'policy.default_country_code needs international calls on and the DDI allowed (else 409); a number on the ' +
        'do-not-call list (global, or of the queue the call is for: the agent\'s first queue) → 409 naming the entry',
      tag: 'calls',
      roles: ['admin', 'supervisor', 'agent'],
      body: z.object({
        agent: ext,
        number: z.string().min(1, 'is required').max(40),
        ddi: z.string().max(5).optional().describe('country code of a national number; must agree with a +DDI in number'),
      }),
      response: callSchema,
      responseStatus: 201,
      handler: async ({ body, principal }) => {
        assertOwnAgent(principal, body.agent);
        return { status: 201, body: show(await svc.dial({ ...body, by: by(principal) })) };
      },
    }),
    route({
      method: 'GET',
      path: '/calls',
      summary: 'Live calls (agent tokens: only their own)',
      tag: 'calls',
      roles: ['admin', 'supervisor', 'agent'],
      query: z.object({ agent: ext.optional() }),
      response: callListSchema,
      handler: ({ principal, query, scope }) => {
        const agent = principal.role === 'agent' ? principal.agent : query.agent;
        const calls = agent ? svc.callsOfAgent(agent) : svc.list();
        return { calls: calls.filter((c) => !scope || scope.allowsCall(c)).map(show) };
      },
    }),
    route({
      method: 'GET',
      path: '/calls/:id',
      summary: 'One call (live, or from history) with its events',
      tag: 'calls',
      roles: ['admin', 'supervisor', 'agent'],
      response: callDetailSchema,
      handler: ({ params, principal }) => {
        assertCallInScope(principal, svc, params.id);
        const call = svc.get(params.id) ?? svc.repo.get(params.id);
        // Not svc.require(): its "no live call" is right for actions, but this covers past calls too.
        if (!call) throw notFound(`no call ${params.id}`, { call: params.id });
        return { ...show(call), events: svc.repo.events(call.id) };
      },
    }),
    action('hold', 'Hold: customer to a private holding bridge with music on hold', (id, p) => svc.actions.hold(id, by(p))),
    action('unhold', 'Unhold: customer back into the call bridge', (id, p) => svc.actions.unhold(id, by(p))),
    action('mute', "Mute the agent's microphone", (id, p) => svc.actions.mute(id, true, by(p))),
    action('unmute', "Unmute the agent's microphone", (id, p) => svc.actions.mute(id, false, by(p))),
    action(
      'dtmf',
      'Send DTMF digits (0-9 * # A-D) to the customer side',
      (id, p, b: { digits: string }) => svc.actions.dtmf(id, b.digits, by(p)),
      z.object({ digits: z.string().min(1, 'is required').max(32) }),
    ),
    action('hangup', 'Hang up the call (both sides)', (id, p) => svc.actions.hangup(id, by(p))),
    action('prank', 'Prank: hang up the customer now and block the number for policy.prank_block_minutes (a withheld or non-number caller ID is hung up, not blocked: see notBlocked)', async (id, p) => {
      const r = await svc.actions.prank(id, by(p));
      return { call: show(r.call), blocked: r.blocked, expiresAt: r.expiresAt, notBlocked: r.notBlocked };
    }, undefined, prankResultSchema),
    route({
      method: 'GET',
      path: '/history',
      summary: 'Call history (agent tokens: only their own calls)',
      tag: 'history',
      roles: ['admin', 'supervisor', 'agent'],
      query: z.object({
        agent: ext.optional(),
        since: z.string().optional(),
        until: z.string().optional(),
        limit: z.coerce.number().int().min(1).max(5000).optional(),
      }),
      response: historyListSchema,
      handler: ({ principal, query, scope }) => {
        if (principal.role === 'agent' && query.agent && query.agent !== principal.agent) {
          throw outOfScope(principal, { field: 'agent' });
        }
        const agent = principal.role === 'agent' ? principal.agent : query.agent;
        const calls = history.list({
          agent,
          within: scope ?? undefined,
          since: query.since ? parseSince(query.since, now()) : undefined,
          until: query.until ? parseSince(query.until, now()) : undefined,
          limit: query.limit,
        });
        // status: user-facing (src/history/status.ts); endReason stays the raw reason.
        return { calls: calls.map((c) => ({ ...show(c), status: callStatus(c) })) };
      },
    }),
    route({
      method: 'GET',
      path: '/agents/:ext/recent-calls',
      summary: "The agent's recent calls: missed, incoming, outgoing, transferred",
      tag: 'history',
      roles: ['admin', 'supervisor', 'agent'],
      agentParam: 'ext',
      query: z.object({ limit: z.coerce.number().int().min(1).max(200).optional() }),
      response: recentCallsSchema,
      handler: ({ params, query }) => ({ calls: history.recent(params.ext, query.limit ?? 20) }),
    }),
    route({
      method: 'GET',
      path: '/blocklist',
      summary: 'Blocked numbers in force',
      tag: 'blocklist',
      roles: ['admin', 'supervisor'],
      response: blockListSchema,
      handler: () => ({ entries: svc.blocklist.list() }),
    }),
    route({
      method: 'POST',
      path: '/blocklist',
      summary: 'Block a number (minutes omitted = until removed); internal numbers are refused',
      tag: 'blocklist',
      roles: ['admin', 'supervisor'],
      body: z.object({
        number: z.string().min(1, 'is required').max(30),
        reason: z.string().trim().min(1, 'is required').max(200).default('manual'),
        minutes: z.number().int().min(1).max(10_000_000).optional(),
      }),
      response: blockEntrySchema,
      responseStatus: 201,
      handler: ({ body, principal }) => ({
        status: 201,
        body: svc.blocklist.add({ ...body, blockedBy: principal.name ?? principal.role }),
      }),
    }),
    route({
      method: 'DELETE',
      path: '/blocklist/:number',
      summary: 'Unblock a number (any form of it); answers the stored canonical form: {removed}',
      tag: 'blocklist',
      roles: ['admin', 'supervisor'],
      response: blockRemovedSchema,
      handler: ({ params }) => ({ removed: svc.blocklist.remove(params.number) }),
    }),
  ];
}
