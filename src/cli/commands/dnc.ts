/**
 * `callcenterd dnc add|list|remove|import|refusals`: the do-not-call list, on the database directly
 * like `blocklist` (the daemon asks the table before every dial, callback and external transfer,
 * so a change applies to the next attempt, with or without the daemon running).
 */
import fs from 'node:fs';
import path from 'node:path';
import { DncGuard } from '../../dnc/guard';
import { scopeOf, shown, type DncEntry } from '../../dnc/list';
import { parseSince } from '../../history/repo';
import type { CliContext } from '../context';
import { intOption } from '../context';
import { CliError } from '../errors';

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const time = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

const row = (e: DncEntry) => ({
  number: shown(e.number),
  scope: scopeOf(e.queue),
  since: day(e.createdAt),
  reason: e.reason,
  by: e.addedBy ?? '',
});

export function registerDncCommands(ctx: CliContext): void {
  const dnc = ctx.group('dnc', 'do-not-call list: numbers never to be called again (global or per queue)');
  const open = () => new DncGuard({ db: ctx.db(), clock: ctx.clock, config: ctx.config() });

  dnc
    .command('add')
    .description('put a number on the do-not-call list (every queue, or --queue)')
    .argument('<number>', 'any format: 11987654321, (11) 98765-4321, +55 11 98765-4321, 0055 11 98765-4321')
    .option('--queue <queue>', 'only calls for this queue (campaign); default: every queue')
    .option('--reason <text>', 'why (shown when a call is refused)')
    .action((number: string, o: { queue?: string; reason?: string }) => {
      const { entry, created } = open().list.add({ number, queue: o.queue, reason: o.reason, addedBy: 'cli' });
      ctx.out(
        created
          ? `${shown(entry.number)} added to the do-not-call list (${scopeOf(entry.queue)})`
          : `${shown(entry.number)} was already on the do-not-call list (${scopeOf(entry.queue)}) since ${day(entry.createdAt)}` +
              (o.reason ? '; reason updated' : ''),
      );
    });

  dnc
    .command('list')
    .description('numbers on the do-not-call list, newest first (--queue: those that apply to that queue)')
    .option('--queue <queue>', "the global entries and this queue's own")
    .option('--json', 'JSON output')
    .action((o: { queue?: string; json?: boolean }) => {
      const entries = open().list.list({ queue: o.queue });
      if (o.json) return ctx.print(entries, { json: true });
      ctx.print(entries.map(row), { empty: 'the do-not-call list is empty' });
    });

  dnc
    .command('remove')
    .description('take a number off the do-not-call list (the global entry, or --queue)')
    .argument('<number>', 'any format of the number')
    .option('--queue <queue>', "this queue's entry")
    .action((number: string, o: { queue?: string }) => {
      const e = open().list.remove(number, o.queue);
      ctx.out(`${shown(e.number)} removed from the do-not-call list (${scopeOf(e.queue)})`);
    });

  dnc
    .command('import')
    .description('import a CSV file (header: number[,queue][,reason]), all or nothing: any bad row → nothing imported')
    .argument('<file>', 'CSV file; "," or ";" separated, UTF-8')
    .option('--queue <queue>', 'queue for rows without one (default: every queue)')
    .action((file: string, o: { queue?: string }) => {
      const p = path.resolve(ctx.io.cwd, file);
      let text: string;
      try {
        text = fs.readFileSync(p, 'utf8');
      } catch (err) {
        throw new CliError(2, `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      const r = open().list.importCsv(text, { defaultQueue: o.queue, addedBy: 'cli import', source: file });
      ctx.out(
        `${file}: ${r.rows} row(s): ${r.added} added, ${r.alreadyListed} already listed, ${r.duplicates} duplicate(s) merged`,
      );
    });

  dnc
    .command('refusals')
    .description('calls refused because of the list (dial, callback, transfer), newest first, with who tried')
    .option('--since <when>', 'date (2026-11-21[T08:00]), duration (30m, 2h, 7d) or ms since epoch')
    .option('--agent <ext>', 'only this agent')
    .option('--limit <n>', 'at most n (default 200)', intOption('--limit', 1, 5000))
    .option('--json', 'JSON output')
    .action((o: { since?: string; agent?: string; limit?: number; json?: boolean }) => {
      const list = open().refusals({ since: o.since ? parseSince(o.since, ctx.clock.now()) : undefined, agent: o.agent, limit: o.limit });
      if (o.json) return ctx.print(list, { json: true });
      ctx.print(
        list.map((r) => ({
          at: time(r.at),
          number: shown(r.number),
          action: r.action,
          queue: r.queue ?? '',
          listed: scopeOf(r.entryQueue),
          agent: r.agent ?? '',
          by: r.by ?? '',
          call: r.callId ?? (r.callbackId !== null ? `callback ${r.callbackId}` : ''),
        })),
        { empty: 'no refused calls' },
      );
    });
}
