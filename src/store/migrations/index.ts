/**
 * Ordered schema migrations. Each domain owns its file; versions never change once released.
 */
import { m001Core } from './001_core';
import { m002Agents } from './002_agents';
import { m003Calls } from './003_calls';
import { m004Callbacks } from './004_callbacks';
import { m005BlocklistCanonical } from './005_blocklist_canonical';
import { m006Recordings } from './006_recordings';
import { m007MonitoringGroups } from './007_monitoring_groups';
import { m008DncWrapupLimit } from './008_dnc_wrapup_limit';
import { m009Directory } from './009_directory';
import { m010Monitoring } from './010_monitoring';
import { m011Chat } from './011_chat';
import { m012Reports } from './012_reports';
import { m013QueueCallbacks } from './013_queue_callbacks';
import { m014OpenRowIndexes } from './014_open_row_indexes';
import { m015QueueLog } from './015_queue_log';
import { m016LastMiss } from './016_last_miss';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Versions are applied in order above the database's user_version (which only grows): a new
 * migration takes the next number after the last one here.
 */
export const MIGRATIONS: Migration[] = [
  m001Core,
  m002Agents,
  m003Calls,
  m004Callbacks,
  m005BlocklistCanonical,
  m006Recordings,
  m007MonitoringGroups,
  m008DncWrapupLimit,
  m009Directory,
  m010Monitoring,
  m011Chat,
  m012Reports,
  m013QueueCallbacks,
  m014OpenRowIndexes,
  m015QueueLog,
  m016LastMiss,
];
