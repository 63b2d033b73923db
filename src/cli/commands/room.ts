/**
 * `callcenterd room add|list|remove EXT`: conference rooms *EXT (admin, works on the DB directly).
 * A room exists only for a configured agent extension of 4-5 digits.
 */
import { RoomsRepo } from '../../conference/rooms';
import type { CliContext } from '../context';

export function registerRoomCommands(ctx: CliContext): void {
  const repo = () => new RoomsRepo(ctx.db(), ctx.clock);
  const room = ctx.group('room', 'conference rooms *EXT (one per agent extension)');

  room
    .command('add')
    .description('configure room *EXT for agent extension EXT')
    .argument('<ext>', 'agent extension (4-5 digits), with or without the leading *')
    .action((ext: string) => {
      const r = repo().add(ext);
      ctx.out(`room ${r.name} added (agent ${r.extension}${r.agentName ? ` ${r.agentName}` : ''})`);
    });

  room
    .command('list')
    .description('configured rooms')
    .option('--json', 'JSON output')
    .action((o: { json?: boolean }) => {
      const rooms = repo().list();
      ctx.print(
        o.json ? rooms : rooms.map((r) => ({ room: r.name, extension: r.extension, agent: r.agentName })),
        { json: o.json, empty: 'no rooms' },
      );
    });

  room
    .command('remove')
    .description('remove room *EXT')
    .argument('<ext>', 'agent extension')
    .action((ext: string) => {
      repo().remove(ext);
      ctx.out(`room *${ext.replace(/^\*/, '')} removed`);
    });
}
