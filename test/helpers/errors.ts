import { CcError } from '../../src/util/errors';

/** The CcError `fn` throws (fails the test when it throws nothing or something else). */
export function thrown(fn: () => unknown): CcError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CcError) return err;
    throw err;
  }
  throw new Error('did not throw');
}
