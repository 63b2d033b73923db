/**
 * Ordered schema migrations. Each domain owns its file; versions never change once released.
 * Versions may have gaps (007 and 008 are other branches'): `migrate` applies every version above
 * the database's, in order.
 */
import { m001Core } from './001_core';
import { m002Agents } from './002_agents';
import { m003Calls } from './003_calls';
import { m004Callbacks } from './004_callbacks';
import { m005BlocklistCanonical } from './005_blocklist_canonical';
import { m006Recordings } from './006_recordings';
import { m009Reports } from './009_reports';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [m001Core, m002Agents, m003Calls, m004Callbacks, m005BlocklistCanonical, m006Recordings, m009Reports];
