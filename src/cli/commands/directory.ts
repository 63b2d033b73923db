/**
 * `callcenterd directory [QUERY] [--json]` (live, GET /directory): agents with their live state,
 * agent groups, queues with waiting callers, services and external contacts, each with the target
 * `call transfer` takes. QUERY matches names (case and accents ignored) and numbers (formatting
 * ignored). Empty sections are left out of the text view; --json prints the API's document.
 */
import type { Directory } from '../../directory/directory';
import { jsonSafe } from '../../util/printable';
import type { CliContext } from '../context';
import { formatRows } from '../output';

export function renderDirectory(d: Directory): string {
  const sections: [string, Record<string, unknown>[]][] = [
    [
      'agents',
      d.agents.map((a) => ({ target: a.target, name: a.name, state: a.state, reason: a.pauseReason ?? '', queues: a.queues })),
    ],
    ['agent groups', d.groups.map((g) => ({ target: g.target, strategy: g.strategy, agents: g.agents, available: g.available }))],
    ['queues', d.queues.map((q) => ({ target: q.target, waiting: q.waiting, longest_wait_s: q.longestWaitSeconds }))],
    ['services', d.services.map((s) => ({ target: s.target, name: s.name }))],
    ['contacts', d.contacts.map((c) => ({ target: c.target, name: c.name }))],
  ];
  const shown = sections.filter(([, rows]) => rows.length > 0);
  if (shown.length === 0) return d.query ? `nothing matches "${d.query}"\n` : 'the directory is empty\n';
  return shown.map(([title, rows]) => `${title}:\n${formatRows(rows)}`).join('\n');
}

export function registerDirectoryCommand(ctx: CliContext): void {
  ctx.program
    .command('directory')
    .description('directory (live): agents with state, agent groups, queues with waiting callers, services, contacts; QUERY filters by name or number')
    .argument('[query]', 'part of a name (case and accents ignored) or of a number (formatting ignored)')
    .option('--json', 'JSON output (the API document)')
    .action(async (query: string | undefined, o: { json?: boolean }) => {
      const path = query ? `/directory?q=${encodeURIComponent(query)}` : '/directory';
      const d = await ctx.api().request<Directory>('GET', path);
      ctx.io.stdout(o.json ? `${jsonSafe(JSON.stringify(d, null, 2))}\n` : renderDirectory(d));
    });
}
