import type { Migration } from './index';

/**
 * Blocklist rows say whether their number is already canonical (owned by src/prank). Canonical
 * numbers are E.164 digits without '+', and those cannot always be told from a national number
 * ("4930123456" is Berlin +49 30 123456 and a Brazilian landline in DDD 49), so re-reading stored
 * rows on every start turned foreign blocks into Brazilian ones. Rows stored before (0) are
 * normalized once by Blocklist, then marked 1; rows the blocklist writes are 1 from the start.
 */
export const m005BlocklistCanonical: Migration = {
  version: 5,
  name: 'blocklist canonical marker',
  sql: `
ALTER TABLE blocklist ADD COLUMN canonical INTEGER NOT NULL DEFAULT 0;  -- 1 = number is canonical
`,
};
