/**
 * `callcenterd config check|show`: validate the config (every problem at once) and print the
 * effective config (file + env + defaults) with secrets masked.
 */
import YAML from 'yaml';
import { ConfigError, maskSecrets } from '../../config/load';
import type { CliContext } from '../context';
import { CliError } from '../errors';

export function registerConfigCommands(ctx: CliContext): void {
  const group = ctx.group('config', 'check and show the configuration');

  group
    .command('check')
    .description('validate the config file and environment overrides; prints every problem')
    .action(() => {
      const file = ctx.configPath();
      try {
        ctx.config();
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        for (const p of err.problems) ctx.io.stderr(`  ${p}\n`);
        throw new CliError(2, `config ${file}: ${err.problems.length} problem${err.problems.length > 1 ? 's' : ''}`);
      }
      ctx.out(`config OK: ${file}`);
    });

  group
    .command('show')
    .description('print the effective config (file + environment + defaults), secrets masked')
    .option('--json', 'print JSON instead of YAML')
    .action((opts: { json?: boolean }) => {
      const masked = maskSecrets(ctx.config());
      ctx.io.stdout(opts.json ? `${JSON.stringify(masked, null, 2)}\n` : YAML.stringify(masked));
    });
}
