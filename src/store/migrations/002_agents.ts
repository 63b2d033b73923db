import type { Migration } from './index';

/** Agent runtime: sessions, current state, state log, wrap-ups. Owned by src/agents. */
export const m002Agents: Migration = {
  version: 2,
  name: 'agent runtime',
  sql: `
SELECT 1;
`,
};
