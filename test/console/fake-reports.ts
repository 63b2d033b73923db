/**
 * A stand-in for the reports API (issue: reports, built on another branch), following its contract:
 * `GET /reports/{quantitative|summary|detailed}?from=&to=&queue=&agent=&by=` answering JSON, or CSV
 * with `Accept: text/csv`. Lets the browser suite check the reports tab as it will be after the
 * merge; the JSON shape is one plausible reading of the contract (rows in `rows`).
 */
import { z } from 'zod';
import { RawReply, route } from '../../src/api/types';
import type { ModuleFactory } from '../../src/daemon/module';

export const FAKE_HOURLY = [
  { hour: 8, offered: 10, answered: 9, abandoned: 1, serviceLevel: 0.9 },
  { hour: 9, offered: 14, answered: 11, abandoned: 3, serviceLevel: 0.7 },
  { hour: 10, offered: 6, answered: 6, abandoned: 0, serviceLevel: 1 },
];
export const FAKE_SUMMARY = [
  { queue: 'support', offered: 20, answered: 17, abandoned: 3, serviceLevel: 0.85 },
  { queue: 'vendas', offered: 10, answered: 9, abandoned: 1, serviceLevel: 0.9 },
];

/** Requests the fake received (path + query, accept), for assertions. */
export const fakeReportsLog: { kind: string; query: Record<string, string>; accept: string }[] = [];

export const fakeReportsFactory: ModuleFactory = () => ({
  name: 'fake-reports',
  routes: () => [
    route({
      method: 'GET',
      path: '/reports/:kind',
      summary: 'reports (test stand-in)',
      tag: 'reports',
      roles: ['admin', 'supervisor'],
      query: z.object({ from: z.string().optional(), to: z.string().optional(), queue: z.string().optional(), agent: z.string().optional(), by: z.string().optional() }).strict(),
      handler: ({ params, query, headers }) => {
        const accept = String(headers.accept ?? '');
        fakeReportsLog.push({ kind: params.kind, query: query as Record<string, string>, accept });
        const rows = query.by === 'hour' ? FAKE_HOURLY : FAKE_SUMMARY;
        if (accept.includes('text/csv')) {
          const cols = Object.keys(rows[0]);
          const csv = [cols.join(','), ...rows.map((r) => cols.map((c) => String((r as Record<string, unknown>)[c])).join(','))].join('\r\n');
          return new RawReply(200, { 'content-type': 'text/csv; charset=utf-8' }, csv);
        }
        return { from: query.from ?? null, to: query.to ?? null, by: query.by ?? null, rows };
      },
    }),
  ],
});
