/**
 * Live wrap-up commands (through the daemon API): the disposition, a supervisor ending the window,
 * and a supervisor's disposition after the call (src/wrapup/late.ts).
 */
import type { CliContext } from '../context';
import { CliError } from '../errors';

const EXT = /^\d{4,5}$/;

function ext(value: string): string {
  if (!EXT.test(value)) throw new CliError(2, `EXT: must be an agent extension of 4 or 5 digits, got "${value}"`);
  return value;
}

interface WrapupResult {
  callId: string;
  disposition: string;
}

export function registerWrapupCommands(ctx: CliContext): void {
  const wrapup = ctx.group('wrapup', 'wrap-up (after-call work): dispositions');

  wrapup
    .command('set')
    .description("record the disposition of the agent's last call and free the agent (within the window)")
    .argument('<ext>', 'agent extension')
    .requiredOption('--disposition <tag>', 'disposition tag from the catalogue')
    .option('--notes <text>', 'free text notes')
    .action(async (e: string, o: { disposition: string; notes?: string }) => {
      const r = await ctx
        .api()
        .request<WrapupResult>('POST', `/agents/${encodeURIComponent(ext(e))}/wrapup`, {
          disposition: o.disposition,
          notes: o.notes,
        });
      ctx.out(`agent ${e}: call ${r.callId} tabulated "${r.disposition}"`);
    });

  wrapup
    .command('finish')
    .description('supervisor: end the wrap-up now with a disposition')
    .argument('<ext>', 'agent extension')
    .requiredOption('--disposition <tag>', 'disposition tag from the catalogue')
    .action(async (e: string, o: { disposition: string }) => {
      const r = await ctx
        .api()
        .request<WrapupResult>('POST', `/agents/${encodeURIComponent(ext(e))}/wrapup/finish`, {
          disposition: o.disposition,
        });
      ctx.out(`agent ${e}: wrap-up finished, call ${r.callId} tabulated "${r.disposition}"`);
    });

  wrapup
    .command('after')
    .description('supervisor: set or correct the disposition of an ended, answered call part (e.g. one recovered from queue_log)')
    .argument('<call-id>', 'call part id (as history shows it)')
    .requiredOption('--disposition <tag>', 'disposition tag from the catalogue')
    .option('--notes <text>', 'free text notes (kept in the call event)')
    .action(async (id: string, o: { disposition: string; notes?: string }) => {
      const r = await ctx
        .api()
        .request<WrapupResult & { previous: string | null }>('PUT', `/calls/${encodeURIComponent(id)}/disposition`, {
          disposition: o.disposition,
          notes: o.notes,
        });
      ctx.out(`call ${r.callId} tabulated "${r.disposition}"${r.previous ? ` (was "${r.previous}")` : ''}`);
    });
}
