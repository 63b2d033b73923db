/**
 * `callcenterd history [--agent EXT] [--since T] [--json]`: call history read from the database
 * (works without the daemon). --recent shows the softphone view (missed/incoming/outgoing/transferred).
 */
import { tableTime } from '../output';
import { HistoryRepo, parseSince } from '../../history/repo';
import { callStatus } from '../../history/status';
import type { CliContext } from '../context';
import { intOption } from '../context';
import { CliError } from '../errors';

const time = (ms: number | null) => tableTime(ms);

export function registerHistoryCommands(ctx: CliContext): void {
  ctx.program
    .command('history')
    .description(
      'call history (every call part, newest first). status: answered, transferred, missed, abandoned, rejected ' +
        '(blocked), busy, no-answer, cancelled, failed, in-progress; the raw reason is endReason in --json',
    )
    .option('--agent <ext>', 'only calls of this agent')
    .option('--since <time>', 'from: 2026-11-21, 2026-11-21T08:00, 30m, 2h, 7d')
    .option('--limit <n>', 'at most n rows (default 200)', intOption('--limit', 1, 5000))
    .option('--recent', 'recent calls of --agent: missed, incoming, outgoing, transferred')
    .option('--json', 'JSON output')
    .action((o: { agent?: string; since?: string; limit?: number; recent?: boolean; json?: boolean }) => {
      if (o.agent !== undefined && !/^\d{4,5}$/.test(o.agent)) {
        throw new CliError(2, `--agent: must be an agent extension of 4 or 5 digits, got "${o.agent}"`);
      }
      const repo = new HistoryRepo({ db: ctx.db(), now: () => ctx.clock.now() });
      if (o.recent) {
        if (!o.agent) throw new CliError(2, '--recent needs --agent EXT');
        ctx.print(repo.recent(o.agent, o.limit ?? 20), {
          json: o.json,
          columns: ['date', 'time', 'category', 'number', 'queue', { key: 'durationSeconds', header: 'secs' }, 'status', 'id'],
          empty: 'no calls',
        });
        return;
      }
      const calls = repo.list({
        agent: o.agent,
        since: o.since ? parseSince(o.since, ctx.clock.now()) : undefined,
        limit: o.limit,
      });
      // --json: the user-facing status plus the raw endReason of the row.
      if (o.json) return ctx.print(calls.map((c) => ({ ...c, status: callStatus(c) })), { json: true });
      ctx.print(
        calls.map((c) => ({
          id: c.id,
          kind: c.kind,
          agent: c.agentExt ?? '',
          number: c.customerNumber ?? '',
          queue: c.queue ?? '',
          started: time(c.startedAt),
          answered: time(c.answeredAt),
          ended: time(c.endedAt),
          talk: c.answeredAt ? Math.round(((c.endedAt ?? ctx.clock.now()) - c.answeredAt) / 1000) : 0,
          status: callStatus(c),
          disposition: c.disposition ?? '',
        })),
        { empty: 'no calls' },
      );
    });
}
