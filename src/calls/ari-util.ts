/** Thin helpers around ARI side effects used while tearing calls down. */
import { randomBytes } from 'node:crypto';
import { AriHttpError, AriNotConnectedError } from '../ari/types';
import type { Logger } from '../log/logger';
import { CcError, unavailable } from '../util/errors';

/** True when the REST error only says the thing is already gone / not in that state. */
export function isGone(err: unknown): boolean {
  return err instanceof AriHttpError && (err.status === 404 || err.status === 409 || err.status === 422);
}

/**
 * Awaits a cleanup request and never throws: a channel/bridge that is already gone is the expected
 * outcome of a race (both sides hung up at once); anything else is logged, cleanup goes on.
 */
export async function ignoreGone(p: Promise<unknown>, log: Logger, what: string): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!isGone(err)) log.warn(`${what} failed`, { err: (err as Error).message });
  }
}

/** Maps ARI failures of a user-requested action to CcErrors (503 when Asterisk is unreachable). */
export async function ariAction<T>(p: Promise<T>, what: string): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof CcError) throw err;
    if (err instanceof AriNotConnectedError) throw unavailable(`Asterisk not reachable: cannot ${what}`);
    if (err instanceof AriHttpError && err.status === 404) {
      throw new CcError('refused', `cannot ${what}: the channel or bridge is gone`);
    }
    if (err instanceof AriHttpError) throw unavailable(`Asterisk refused to ${what} (HTTP ${err.status})`);
    throw unavailable(`cannot ${what}: ${(err as Error).message}`);
  }
}

export function newBridgeId(callId: string, role: string): string {
  return `${callId}-${role}-${randomBytes(3).toString('hex')}`;
}
