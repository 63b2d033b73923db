import type { Migration } from './index';

/**
 * Monitoring groups (src/supervision): named sets of queues. A supervisor token that names groups
 * sees and acts only on those queues and the agents in them; without groups it sees everything.
 */
export const m007MonitoringGroups: Migration = {
  version: 7,
  name: 'monitoring groups',
  sql: `
CREATE TABLE monitoring_groups (
  name        TEXT PRIMARY KEY,
  created_at  INTEGER NOT NULL
);
CREATE TABLE monitoring_group_queues (
  group_name  TEXT NOT NULL REFERENCES monitoring_groups(name) ON DELETE CASCADE,
  queue       TEXT NOT NULL,
  PRIMARY KEY (group_name, queue)
);
`,
};
