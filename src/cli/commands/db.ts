/** `callcenterd db migrate|status`: apply schema migrations to the configured SQLite file. */
import { latestSchemaVersion, migrate, openDatabase, schemaVersion } from '../../store/db';
import { MIGRATIONS } from '../../store/migrations';
import type { CliContext } from '../context';

export function registerDbCommands(ctx: CliContext): void {
  const group = ctx.group('db', 'database maintenance');

  group
    .command('migrate')
    .description('apply pending schema migrations (safe while the daemon runs)')
    .action(() => {
      const file = ctx.config().database.path;
      const db = openDatabase(file, { migrate: false });
      ctx.onClose(() => db.close());
      const applied = migrate(db);
      if (applied.length === 0) {
        ctx.out(`database ${file} is up to date (schema version ${schemaVersion(db)})`);
        return;
      }
      for (const v of applied) {
        const m = MIGRATIONS.find((x) => x.version === v);
        ctx.out(`applied ${String(v).padStart(3, '0')} ${m?.name ?? ''}`.trimEnd());
      }
      ctx.out(`database ${file} at schema version ${schemaVersion(db)}`);
    });

  group
    .command('status')
    .description('show the schema version of the database')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => {
      const file = ctx.config().database.path;
      const db = openDatabase(file, { migrate: false });
      ctx.onClose(() => db.close());
      const current = schemaVersion(db);
      // Counted, not subtracted: versions may have gaps (numbers reserved by other branches).
      const pending = MIGRATIONS.filter((m) => m.version > current).length;
      const row = { path: file, version: current, latest: latestSchemaVersion(), pending };
      if (opts.json) ctx.io.stdout(`${JSON.stringify(row, null, 2)}\n`);
      else ctx.print([row]);
    });
}
