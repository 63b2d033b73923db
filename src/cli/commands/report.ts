/**
 * `callcenterd report quantitative|summary|detailed [--from T] [--to T] [--queue Q] [--agent EXT]
 * [--by queue|agent|day|hour|disposition] [--format table|csv|json]`: the reports of GET
 * /reports/{kind}, read from the database (works without the daemon). Definitions: README "Reports".
 */
import { GROUP_BYS, REPORT_KINDS, type ReportKind } from '../../reports/model';
import { parseFormat, parsePage, parseReportQuery, DETAILED_MAX_LIMIT } from '../../reports/params';
import { renderReport, reportSettings, runReport } from '../../reports/service';
import { jsonSafe } from '../../util/printable';
import type { CliContext } from '../context';

interface ReportOpts {
  from?: string;
  to?: string;
  queue?: string;
  agent?: string;
  by?: string;
  format?: string;
  limit?: string;
  after?: string;
}

const WHAT: Record<ReportKind, string> = {
  quantitative: 'offered, answered, abandoned (short apart), timed out, left, transferred, missed rings, callbacks, outbound, with %',
  summary: 'service level, ASA, waits, AHT (talk + hold + wrap-up), occupancy, login and pause time, surveys, dispositions',
  detailed: 'every call with its stays and parts: protocol numbers, transfers, dispositions, recordings, survey',
};

export function registerReportCommands(ctx: CliContext): void {
  const group = ctx.group('report', 'contact-center reports from the database (definitions: README "Reports")');
  for (const kind of REPORT_KINDS) {
    const cmd = group
      .command(kind)
      .description(WHAT[kind])
      .option('--from <time>', 'start: 2026-11-21[T08:00], 30m/2h/7d ago, ms (default: today 00:00)')
      .option('--to <time>', 'end (exclusive), same forms or "now" (default: now)')
      .option('--queue <name>', 'only this queue')
      .option('--agent <ext>', 'only this agent')
      .option('--format <format>', 'table | csv | json (default: table)');
    if (kind === 'detailed') {
      cmd.option('--limit <n>', `contacts per page, 1-${DETAILED_MAX_LIMIT} (default 500)`).option('--after <cursor>', 'the next page (cursor printed after a full page)');
    } else {
      cmd.option('--by <group>', GROUP_BYS.join(' | '));
    }
    cmd.action((o: ReportOpts) => {
      const format = parseFormat(o.format ?? 'table');
      const now = ctx.clock.now();
      const q = parseReportQuery(o, now);
      const page = kind === 'detailed' ? parsePage(o) : undefined;
      const result = runReport(ctx.db(), kind, q, { settings: reportSettings(ctx.config()), now, page });
      if (format === 'json') ctx.out(jsonSafe(JSON.stringify(result, null, 2)));
      else ctx.io.stdout(renderReport(result, format));
    });
  }
}
