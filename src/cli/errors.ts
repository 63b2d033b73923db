/**
 * CLI error → exit code. Exit codes are a contract with scripts (docs/ARCHITECTURE.md):
 * 0 ok, 2 bad input, 3 refused by policy / not found, 4 daemon or Asterisk unreachable, 1 bug.
 */
import { CcError, type ErrorKind, storageError } from '../util/errors';

export class CliError extends Error {
  constructor(
    public readonly exitCode: number,
    message: string,
    /** The daemon's HTTP status when the error is its answer (live commands). */
    public readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const EXIT_CODE: Record<ErrorKind, number> = {
  invalid: 2,
  not_found: 3,
  refused: 3,
  forbidden: 3,
  unavailable: 4,
};

/** Exit code and the one line to print for any error reaching main(). */
export function describeError(err: unknown): { exitCode: number; message: string } {
  if (err instanceof CliError) return { exitCode: err.exitCode, message: err.message };
  if (err instanceof CcError) return { exitCode: EXIT_CODE[err.kind], message: err.message };
  // Offline commands write the database themselves: a full disk or a lock is temporary (exit 4).
  const storage = storageError(err);
  if (storage) return { exitCode: EXIT_CODE.unavailable, message: `${storage.message} (${String(storage.details?.code)})` };
  const message = err instanceof Error ? err.message : String(err);
  // Anything else is a bug: still one line, exit 1 (the stack is for CALLCENTERD_DEBUG=1).
  return { exitCode: 1, message: `internal error: ${message}` };
}
