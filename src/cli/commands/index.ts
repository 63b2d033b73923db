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
import { registerCallMonitorCommands } from './call-monitor';
import { registerHistoryCommands } from './history';
import { registerBlocklistCommands } from './blocklist';
import { registerMonitorCommand } from './monitor';
import { registerTransferCommands } from './transfer';
import { registerRoomCommands } from './room';
import { registerCallbackCommands } from './callback';
import { registerRecordingCommands } from './recording';
import { registerGroupCommands } from './group';
import { registerDncCommands } from './dnc';
import { registerDirectoryCatalogueCommands } from './directory-catalogue';
import { registerDirectoryCommand } from './directory';
import { registerChatCommands } from './chat';
import { registerReportCommands } from './report';

export const registrars: Registrar[] = [
  registerConfigCommands,
  registerDbCommands,
  registerCatalogueCommands,
  registerRunCommand,
  registerAgentLiveCommands,
  registerWrapupCommands,
  registerCallCommands,
  registerCallMonitorCommands,
  registerHistoryCommands,
  registerBlocklistCommands,
  registerMonitorCommand,
  registerTransferCommands,
  registerRoomCommands,
  registerCallbackCommands,
  registerRecordingCommands,
  registerGroupCommands,
  registerDncCommands,
  registerDirectoryCatalogueCommands,
  registerDirectoryCommand,
  registerChatCommands,
  registerReportCommands,
];
