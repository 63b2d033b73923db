/**
 * Every CLI command file registers itself here: one import line and one array entry per file.
 * Order does not matter (help lists commands sorted).
 */
import type { Registrar } from '../context';
import { registerConfigCommands } from './config';
import { registerDbCommands } from './db';
import { registerCatalogueCommands } from './catalogue';
import { registerRunCommand } from './run';
import { registerAgentLiveCommands } from './agent-live';
import { registerWrapupCommands } from './wrapup';
import { registerCallCommands } from './call';
import { registerHistoryCommands } from './history';
import { registerBlocklistCommands } from './blocklist';
import { registerMonitorCommand } from './monitor';
import { registerTransferCommands } from './transfer';
import { registerRoomCommands } from './room';
import { registerCallbackCommands } from './callback';
import { registerRecordingCommands } from './recording';
import { registerReportCommands } from './report';

export const registrars: Registrar[] = [
  registerConfigCommands,
  registerDbCommands,
  registerCatalogueCommands,
  registerRunCommand,
  registerAgentLiveCommands,
  registerWrapupCommands,
  registerCallCommands,
  registerHistoryCommands,
  registerBlocklistCommands,
  registerMonitorCommand,
  registerTransferCommands,
  registerRoomCommands,
  registerCallbackCommands,
  registerRecordingCommands,
  registerReportCommands,
];
