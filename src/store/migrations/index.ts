/**
 * Ordered schema migrations. Each domain owns its file; versions never change once released.
 */
import { m001Core } from './001_core';
import { m002Agents } from './002_agents';
import { m003Calls } from './003_calls';
import { m004Callbacks } from './004_callbacks';
import { m005BlocklistCanonical } from './005_blocklist_canonical';
import { m006Recordings } from './006_recordings';
import { m010Directory } from './010_directory';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * 007-009 are reserved for branches not merged yet: they go in before 010 when they land. A
 * database already at 10 would skip them (user_version only grows), so merge them before a release.
 */
export const MIGRATIONS: Migration[] = [
  m001Core,
  m002Agents,
  m003Calls,
  m004Callbacks,
  m005BlocklistCanonical,
  m006Recordings,
  m010Directory,
];
