/**
 * Every CLI command file registers itself here: one import line and one array entry per file.
 * Order only affects nothing visible (help lists commands sorted).
 */
import type { Registrar } from '../context';
import { registerConfigCommands } from './config';
import { registerDbCommands } from './db';

export const registrars: Registrar[] = [
  registerConfigCommands,
  registerDbCommands,
];
