/**
 * Ordered schema migrations. Each domain owns its file; versions never change once released.
 */
import { m001Core } from './001_core';
import { m002Agents } from './002_agents';
import { m003Calls } from './003_calls';
import { m004Callbacks } from './004_callbacks';
import { m006Monitoring } from './006_monitoring';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

// 005 (recordings) is developed on another branch; versions only need to increase (user_version).
export const MIGRATIONS: Migration[] = [m001Core, m002Agents, m003Calls, m004Callbacks, m006Monitoring];
