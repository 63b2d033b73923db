/**
 * `callcenterd group add|update|list|remove`: monitoring groups (sets of queues). A supervisor token
 * with `groups: [NAME]` in the config sees and acts only on those queues and their agents.
 * Works on the database directly, like the other catalogue commands.
 */
import { GroupCatalogue } from '../../supervision/groups';
import type { CliContext } from '../context';
import { tableTime } from '../output';

const list = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);

export function registerGroupCommands(ctx: CliContext): void {
  const groups = () => new GroupCatalogue({ db: ctx.db(), clock: ctx.clock });
  const group = ctx.group('group', 'monitoring groups: queues a scoped supervisor token sees (api.tokens[].groups)');
  group
    .command('add')
    .argument('<name>')
    .requiredOption('--queues <a,b>', 'queues of the group')
    .description('add a monitoring group')
    .action((name: string, o: { queues: string }) => {
      const g = groups().add(name, list(o.queues));
      ctx.out(`group ${g.name} added: ${g.queues.join(', ')}`);
    });
  group
    .command('update')
    .argument('<name>')
    .requiredOption('--queues <a,b>', 'the new list of queues')
    .description("replace a monitoring group's queues")
    .action((name: string, o: { queues: string }) => {
      const g = groups().update(name, list(o.queues));
      ctx.out(`group ${g.name} updated: ${g.queues.join(', ')}`);
    });
  group
    .command('list')
    .option('--json', 'JSON output')
    .description('list monitoring groups')
    .action((o: { json?: boolean }) => {
      const rows = groups().list();
      ctx.print(o.json ? rows : rows.map((g) => ({ name: g.name, queues: g.queues.join(','), created: tableTime(g.createdAt) })), { json: o.json, empty: 'no groups' });
    });
  group
    .command('remove')
    .argument('<name>')
    .description('remove a monitoring group (tokens naming it then see nothing of it)')
    .action((name: string) => {
      groups().remove(name);
      ctx.out(`group ${name} removed`);
    });
}
