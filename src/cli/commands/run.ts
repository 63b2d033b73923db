/**
 * `callcenterd run`: the daemon in the foreground (systemd runs it like this). Invalid config → exit 2
 * before anything starts; SIGTERM/SIGINT → orderly stop, exit 0.
 */
import { startDaemon } from '../../daemon/app';
import type { CliContext } from '../context';

export function registerRunCommand(ctx: CliContext): void {
  ctx.program
    .command('run')
    .description('run the daemon in the foreground (stops cleanly on SIGTERM/SIGINT)')
    .action(async () => {
      const config = ctx.config();
      const daemon = await startDaemon(config);
      ctx.io.stderr(`callcenterd: running, API on ${daemon.apiUrl} (config ${ctx.configPath()})\n`);
      await new Promise<void>((resolve) => {
        const onSignal = (signal: NodeJS.Signals) => {
          process.off('SIGTERM', onSignal);
          process.off('SIGINT', onSignal);
          ctx.io.stderr(`callcenterd: ${signal} received, stopping\n`);
          resolve();
        };
        process.on('SIGTERM', onSignal);
        process.on('SIGINT', onSignal);
      });
      await daemon.stop();
    });
}
