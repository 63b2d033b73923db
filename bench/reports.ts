/**
 * Reports on a month of a 200-agent contact center (`npm run bench -- --only reports`): the month
 * is generated into a temp SQLite database (bench/reports-data.ts), then every report the API and
 * the CLI answer is timed as they run it (query + JSON or CSV text), each kind and grouping, cold
 * (first run) and warm (second run). Budget: any report under 2 s.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { GroupBy, ReportKind } from '../src/reports/model';
import { renderReport, runReport } from '../src/reports/service';
import { openDatabase } from '../src/store/db';
import type { BenchOptions } from './args';
import { fmt, verdict } from './measure';
import { generateMonth, type MonthCounts } from './reports-data';

export const REPORT_BUDGET_MS = 2000;

export interface ReportTiming {
  report: string;
  coldMs: number;
  warmMs: number;
  bytes: number;
}

export interface ReportsResult {
  counts: MonthCounts;
  generateMs: number;
  dbBytes: number;
  timings: ReportTiming[];
  worstMs: number;
  verdict: 'PASS' | 'OVER';
}

export async function runReportsBench(o: BenchOptions, say: (l: string) => void): Promise<ReportsResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccd-bench-reports-'));
  const file = path.join(dir, 'month.db');
  try {
    const db = openDatabase(file);
    const start = new Date(2026, 10, 1).getTime();
    const days = 30;
    say(`generating ${o.reportCalls} contacts, ${o.reportAgents} agents, ${days} days into ${file} ...`);
    const t0 = performance.now();
    const counts = generateMonth(db, { calls: o.reportCalls, agents: o.reportAgents, days, queues: 10, start });
    db.pragma('wal_checkpoint(TRUNCATE)');
    const generateMs = performance.now() - t0;
    const events = counts.callEvents + counts.stateLog;
    say(
      `  ${counts.stays} queue stays, ${counts.calls} call parts, ${counts.callEvents} call events + ${counts.stateLog} agent state rows = ${events} events, ` +
        `${counts.wrapups} wrap-ups, ${counts.surveys} surveys, ${counts.recordings} recordings in ${fmt(generateMs / 1000, 1)} s; ${fmt(fs.statSync(file).size / 1e6, 0)} MB`,
    );
    const settings = { shortAbandonSeconds: 5, serviceLevelSeconds: 20 };
    const from = start;
    const to = start + days * 86_400_000;
    const now = to;
    const runs: { report: string; kind: ReportKind; by?: GroupBy; format: 'json' | 'csv'; range?: [number, number]; page?: { limit: number; after?: string }; queue?: string; agent?: string }[] = [];
    for (const kind of ['quantitative', 'summary'] as const) {
      for (const by of [undefined, 'queue', 'agent', 'day', 'hour', 'disposition'] as const) runs.push({ report: `${kind}${by ? ` --by ${by}` : ''}`, kind, by, format: 'json' });
      runs.push({ report: `${kind} --by agent (csv)`, kind, by: 'agent', format: 'csv' });
      runs.push({ report: `${kind} --queue q03 --by hour`, kind, by: 'hour', queue: 'q03', format: 'json' });
      runs.push({ report: `${kind} --agent 10042 --by day`, kind, by: 'day', agent: '10042', format: 'json' });
      runs.push({ report: `${kind}, one day 10:30-15:45`, kind, format: 'json', range: [from + 9 * 86_400_000 + 10.5 * 3_600_000, from + 9 * 86_400_000 + 15.75 * 3_600_000] });
    }
    runs.push({ report: 'detailed, first page (500)', kind: 'detailed', format: 'json', page: { limit: 500 } });
    runs.push({ report: 'detailed, page of 10000 (csv)', kind: 'detailed', format: 'csv', page: { limit: 10_000 } });
    runs.push({ report: 'detailed --agent 10042, page (500)', kind: 'detailed', format: 'json', agent: '10042', page: { limit: 500 } });
    const timings: ReportTiming[] = [];
    const once = (r: (typeof runs)[number]) => {
      const t = performance.now();
      const [a, b] = r.range ?? [from, to];
      const result = runReport(db, r.kind, { from: a, to: b, by: r.by, queue: r.queue, agent: r.agent }, { settings, now, page: r.page });
      const text = r.format === 'csv' ? renderReport(result, 'csv') : JSON.stringify(result);
      return { ms: performance.now() - t, bytes: Buffer.byteLength(text) };
    };
    for (const r of runs) {
      const cold = once(r);
      const warm = once(r);
      timings.push({ report: r.report, coldMs: cold.ms, warmMs: warm.ms, bytes: warm.bytes });
      say(`  ${r.report.padEnd(40)} ${fmt(cold.ms, 0).padStart(6)} ms cold ${fmt(warm.ms, 0).padStart(6)} ms warm  ${fmt(warm.bytes / 1024, 0).padStart(6)} KiB`);
    }
    // The whole month as CSV, page after page (what an export does): the sum, not one answer.
    let after: string | undefined;
    let pages = 0;
    let contacts = 0;
    const t = performance.now();
    do {
      const page = runReport(db, 'detailed', { from, to }, { settings, now, page: { limit: 10_000, after } });
      if (page.kind !== 'detailed') break;
      renderReport(page, 'csv');
      contacts += page.contacts.length;
      after = page.next ?? undefined;
      pages++;
    } while (after);
    say(`  whole month as detailed CSV: ${contacts} contacts in ${pages} pages of 10000, ${fmt((performance.now() - t) / 1000, 1)} s in all`);
    db.close();
    const worstMs = Math.max(...timings.map((x) => Math.max(x.coldMs, x.warmMs)));
    return { counts, generateMs, dbBytes: fs.statSync(file).size, timings, worstMs, verdict: verdict(worstMs, REPORT_BUDGET_MS) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function printReports(r: ReportsResult, say: (l: string) => void): void {
  const slowest = [...r.timings].sort((a, b) => Math.max(b.coldMs, b.warmMs) - Math.max(a.coldMs, a.warmMs))[0];
  say(`  slowest: ${slowest.report} ${fmt(r.worstMs, 0)} ms (budget ${REPORT_BUDGET_MS} ms: ${r.verdict})`);
}
