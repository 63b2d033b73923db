import type { Migration } from './index';

/** Calls, legs, call events, callbacks. Owned by src/calls. */
export const m003Calls: Migration = {
  version: 3,
  name: 'calls',
  sql: `
SELECT 1;
`,
};
