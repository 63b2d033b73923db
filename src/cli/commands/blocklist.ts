/**
 * `callcenterd blocklist list|add|remove`: works on the database directly (the daemon checks the
 * table on every inbound call, so changes apply at once, with or without the daemon running).
 * Numbers are canonical (E.164 digits with the DDI; national ones get policy.default_country_code),
 * so any format of the same number (11999990000, +5511999990000, 011999990000) is one block.
 */
import { tableTime } from '../output';
import { Blocklist } from '../../prank/blocklist';
import type { CliContext } from '../context';
import { intOption } from '../context';

const time = (ms: number | null) => tableTime(ms, 'never');

export function registerBlocklistCommands(ctx: CliContext): void {
  const bl = ctx.group('blocklist', 'blocked caller numbers (pranks and manual blocks)');
  const open = () => new Blocklist({ db: ctx.db(), clock: ctx.clock, config: ctx.config() });

  bl.command('list')
    .description('blocks in force')
    .option('--json', 'JSON output')
    .action((o: { json?: boolean }) => {
      const rows = open().list();
      if (o.json) return ctx.print(rows, { json: true });
      ctx.print(
        rows.map((r) => ({
          number: r.number,
          reason: r.reason,
          by: r.blockedBy ?? '',
          call: r.callId ?? '',
          since: time(r.createdAt),
          expires: time(r.expiresAt),
        })),
        { empty: 'no blocked numbers' },
      );
    });

  bl.command('add')
    .description('block a number (internal extensions/services are refused)')
    .argument('<number>', 'caller number, any format: 11999990000, +55 11 99999-0000, 0055 11 99999-0000, 011999990000')
    .option('--minutes <n>', 'block for n minutes (default: until removed)', intOption('--minutes', 1, 10_000_000))
    .option('--reason <text>', 'why', 'manual')
    .action((number: string, o: { minutes?: number; reason: string }) => {
      const e = open().add({ number, reason: o.reason, minutes: o.minutes, blockedBy: 'cli' });
      ctx.out(e.expiresAt ? `blocked ${e.number} until ${time(e.expiresAt)}` : `blocked ${e.number} with no expiry`);
    });

  bl.command('remove')
    .description('unblock a number')
    .argument('<number>', 'caller number')
    .action((number: string) => {
      ctx.out(`unblocked ${open().remove(number)}`);
    });
}
