/** `callcenterd db migrate|status|page-size`: schema migrations and upkeep of the configured SQLite file. */
import { latestSchemaVersion, migrate, NEW_DATABASE_PAGE_SIZE, openDatabase, schemaVersion } from '../../store/db';
import { MIGRATIONS } from '../../store/migrations';
import { changePageSize, checkPageSize } from '../../store/page-size';
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
    .description('show the schema version and the page size of the database')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => {
      const file = ctx.config().database.path;
      const db = openDatabase(file, { migrate: false });
      ctx.onClose(() => db.close());
      const current = schemaVersion(db);
      // Counted, not subtracted: versions may have gaps (src/store/migrations/index.ts).
      const pending = MIGRATIONS.filter((m) => m.version > current).length;
      const pageSize = db.pragma('page_size', { simple: true }) as number;
      const row = { path: file, version: current, latest: latestSchemaVersion(), pending, pageSize };
      if (opts.json) ctx.io.stdout(`${JSON.stringify(row, null, 2)}\n`);
      else ctx.print([row]);
    });

  group
    .command('page-size')
    .description(
      `rebuild the database with pages of <bytes> (new databases use ${NEW_DATABASE_PAGE_SIZE}; stop the daemon first)`,
    )
    .argument('<bytes>', 'a power of two from 512 to 65536')
    .action((bytes: string) => {
      const size = checkPageSize(bytes);
      const file = ctx.config().database.path;
      const r = changePageSize(file, size);
      const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;
      if (!r.changed) ctx.out(`database ${file} already uses ${r.after}-byte pages`);
      else ctx.out(`database ${file}: pages ${r.before} → ${r.after} bytes, ${mb(r.bytesBefore)} → ${mb(r.bytesAfter)}`);
    });
}
