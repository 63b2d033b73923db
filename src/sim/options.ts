/** Options of the Simulator (src/sim/index.ts) and the handle of a placed call. */
import type { Clock } from '../util/clock';
import type { AmiEventFilter } from './ami-filter';
import type { DeviceBehaviour } from './devices';
import type { QueueOptions } from './queue-types';

export interface SimOptions {
  clock?: Clock;
  app?: string;
  systemName?: string;
  asteriskId?: string;
  ami?: { username: string; secret: string };
  ari?: { username: string; password: string };
  /** ARI answers RESTRequest frames on the event socket, as Asterisk 22.4+ (default true); false = an older Asterisk. */
  ariRestOverWebSocket?: boolean;
  /** Default ring time per member attempt (app_queue timeout). */
  queueTimeoutMs?: number;
  /** Default pause between attempts (app_queue retry). */
  retryMs?: number;
  /** Default app_queue wrapuptime. */
  wrapupMs?: number;
  /**
   * Default app_queue autofill for queues that do not set it. true, as the shipped
   * asterisk-conf/queues.conf sets it; Asterisk's own default is false (see loadQueuesConf).
   */
  autofill?: boolean;
  /** With autofill=no, how often a caller not at the head re-checks its turn (app_queue: 1000). */
  recheckMs?: number;
  /** Multiplies second-based values sent by the daemon (originate timeout). Default 0.1. */
  timeScale?: number;
  agentLegContext?: string;
  /** Contexts whose <queue> extension queues the caller (default cc-queues and the lab's queues). */
  queueContexts?: string[];
  /** app_queue's queue_log file (src/sim/queue-log.ts); none = not written. */
  queueLogFile?: string;
  /** Where ARI recordings are written (Asterisk's astspooldir/recording); none = no files. */
  recordingDir?: string;
  hintDevices?: (ext: string, context: string) => string[];
  defaultDevice?: DeviceBehaviour;
  defaultRemote?: DeviceBehaviour;
  /** Queues configured at boot (like queues.conf). */
  queues?: Record<string, QueueOptions>;
  /** Max entries kept in each log. */
  logLimit?: number;
  /**
   * Which AMI events the daemon's sessions get: 'shipped' (default) = the eventfilter lines of the
   * AMI user's section in asterisk-conf/manager.conf, as a real Asterisk with the shipped config;
   * 'none' = every event; or a filter of its own (src/sim/ami-filter.ts).
   */
  amiEventFilter?: 'shipped' | 'none' | AmiEventFilter;
}

export interface QueueCallHandle {
  id: string;
  channelId: string;
  queue: string;
}
