/**
 * GET /reports/quantitative | /reports/summary | /reports/detailed (admins and supervisors), with the
 * query of `callcenterd report`: from, to, queue, agent, by (detailed: limit, after). JSON by
 * default; CSV with `Accept: text/csv` or `format=csv`.
 */
import { z } from 'zod';
import { RawReply, route, type RouteContext, type RouteDef, type RouteScope } from '../api/types';
import type { Db } from '../store/db';
import { GROUP_BYS, REPORT_KINDS, type ReportKind, type ReportScope, type ReportSettings } from './model';
import { DETAILED_MAX_LIMIT, parsePage, parseReportQuery } from './params';
import { detailedSchema, quantitativeSchema, summarySchema } from './schema';
import { renderReport, runReport } from './service';

/**
 * What a token may see: a supervisor limited to monitoring groups (src/supervision/scope.ts) gets
 * only its queues and their agents, and every report query filters on them; others see everything.
 */
export function scopeOf(scope: RouteScope | null): ReportScope {
  return scope ? { queues: [...scope.queues], agents: [...scope.agents] } : {};
}

const text = (max: number) => z.string().max(max).optional();
const baseQuery = {
  from: text(40).describe('2026-11-21[T08:00], 30m/2h/7d back from now, ms since epoch; default today 00:00'),
  to: text(40).describe('same forms or "now" (default)'),
  queue: text(64),
  agent: text(5),
  format: z.enum(['json', 'csv']).optional().describe('csv = the same as Accept: text/csv'),
};
const aggregateQuery = z.object({ ...baseQuery, by: z.enum(GROUP_BYS).optional() }).strict();
const detailedQuery = z
  .object({ ...baseQuery, limit: text(6).describe(`contacts per page, 1-${DETAILED_MAX_LIMIT} (default 500)`), after: text(40).describe('next cursor of the previous page') })
  .strict();

const wantsCsv = (ctx: RouteContext<unknown, Record<string, string | undefined>>) => {
  const accept = ctx.headers.accept;
  return ctx.query.format === 'csv' || (typeof accept === 'string' && /(^|,)\s*text\/csv/i.test(accept));
};

export function reportRoutes(d: { db: Db; settings: () => ReportSettings; now: () => number }): RouteDef[] {
  const SCHEMAS: Record<ReportKind, z.ZodTypeAny> = { quantitative: quantitativeSchema, summary: summarySchema, detailed: detailedSchema };
  return REPORT_KINDS.map((kind) =>
    route({
      method: 'GET',
      path: `/reports/${kind}`,
      summary: `The ${kind} report (definitions: README "Reports"); CSV with Accept: text/csv`,
      tag: 'reports',
      roles: ['admin', 'supervisor'],
      query: kind === 'detailed' ? detailedQuery : aggregateQuery,
      response: SCHEMAS[kind],
      rawResponse: { contentTypes: ['text/csv'], description: 'the same report as CSV (Accept: text/csv or format=csv)' },
      handler: (ctx) => {
        const c = ctx as RouteContext<unknown, Record<string, string | undefined>>;
        const now = d.now();
        const q = { ...parseReportQuery(c.query, now), scope: scopeOf(c.scope) };
        const page = kind === 'detailed' ? parsePage(c.query) : undefined;
        const result = runReport(d.db, kind, q, { settings: d.settings(), now, page });
        if (!wantsCsv(c)) return result;
        const headers: Record<string, string> = {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="${kind}-report.csv"`,
        };
        if (result.kind === 'detailed' && result.next) headers['x-next-cursor'] = result.next;
        return new RawReply(200, headers, renderReport(result, 'csv'));
      },
    }),
  );
}
