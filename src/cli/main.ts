/**
 * CLI entry point (bin/callcenterd.js calls main(process.argv)). Builds the commander program,
 * lets every registrar in commands/index.ts add its commands, runs, and turns any error into ONE
 * line `callcenterd: <message>` on stderr plus the documented exit code.
 */
import { Command, CommanderError } from 'commander';
import { CliContext, type CliIo } from './context';
import { describeError } from './errors';
import { registrars } from './commands';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const VERSION: string = (require('../../package.json') as { version: string }).version;

export function buildProgram(io: CliIo): { program: Command; ctx: CliContext } {
  const program = new Command('callcenterd');
  program
    .description('contact-center call control on Asterisk (ARI + AMI + SQLite)')
    .version(VERSION, '-V, --version')
    // Program-level options are recognised before and after the subcommand, so every subcommand
    // accepts them: `callcenterd queue list --config x` == `callcenterd --config x queue list`.
    .option('-c, --config <path>', 'config file (env CALLCENTERD_CONFIG; default ./callcenterd.yaml, else /etc/callcenterd/callcenterd.yaml)')
    .option('--api <url>', 'daemon API base URL for live commands (env CALLCENTERD_API; default http://<api.listen>)')
    .option('--token <token>', 'API bearer token for live commands (env CALLCENTERD_TOKEN; default the first admin token in the config)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout(s),
      writeErr: (s) => io.stderr(s),
      // main() prints the one-line error itself.
      outputError: () => undefined,
    })
    .configureHelp({ showGlobalOptions: true, sortSubcommands: true });
  const ctx = new CliContext(program, io);
  for (const register of registrars) register(ctx);
  return { program, ctx };
}

function defaultIo(): CliIo {
  return {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    env: process.env,
    cwd: process.cwd(),
    now: () => Date.now(),
  };
}

/**
 * Runs the CLI. `argv` is process.argv-shaped (node, script, ...args). Resolves with the exit code;
 * when called without `io` (the real binary) it also sets process.exitCode.
 */
export async function main(argv: string[], io?: Partial<CliIo>): Promise<number> {
  if (!io) {
    // `callcenterd monitor --watch | head`: once the reader is gone, stop quietly (like cat/grep).
    exitQuietlyOnEpipe(process.stdout, (c) => process.exit(c));
    exitQuietlyOnEpipe(process.stderr, (c) => process.exit(c));
  }
  const fullIo: CliIo = { ...defaultIo(), ...io };
  const { program, ctx } = buildProgram(fullIo);
  let code = 0;
  try {
    await program.parseAsync(argv, { from: 'node' });
  } catch (err) {
    code = handleError(err, fullIo);
  } finally {
    await ctx.close();
  }
  if (!io) process.exitCode = code;
  return code;
}

/**
 * A closed pipe on stdout/stderr (EPIPE: the reader, e.g. `head`, has exited) ends the command with
 * exit 0 and no output: nobody is left to read more, and Node would otherwise die on the unhandled
 * stream 'error' with a stack trace. Any other stream error is still a bug and is rethrown.
 */
export function exitQuietlyOnEpipe(stream: NodeJS.EventEmitter, exit: (code: number) => void): void {
  if (stream.listeners('error').some((l) => (l as { epipeGuard?: boolean }).epipeGuard)) return;
  const onError = Object.assign(
    (err: NodeJS.ErrnoException) => {
      if (err?.code === 'EPIPE') return exit(0);
      throw err;
    },
    { epipeGuard: true },
  );
  stream.on('error', onError);
}

function handleError(err: unknown, io: CliIo): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
    // A group called without a subcommand: commander already printed the group's help.
    if (err.code === 'commander.help' || err.code === 'commander.executeSubCommandAsync') return 2;
    io.stderr(`callcenterd: ${err.message.replace(/^error:\s*/, '').split('\n')[0]}\n`);
    return 2;
  }
  const { exitCode, message } = describeError(err);
  io.stderr(`callcenterd: ${message}\n`);
  if (io.env.CALLCENTERD_DEBUG && err instanceof Error && err.stack) io.stderr(`${err.stack}\n`);
  return exitCode;
}
