/**
 * What the composition root (src/daemon/app.ts) hands to each domain, and what a domain gives back.
 */
import type { AmiClient } from '../ami/types';
import type { AriClient } from '../ari/types';
import type { StaticMount, UpgradeHandler } from '../api/server';
import type { RouteDef } from '../api/types';
import type { Config } from '../config/schema';
import type { EventBus } from '../events/bus';
import type { Logger } from '../log/logger';
import type { Db } from '../store/db';
import type { Clock } from '../util/clock';
import type { AgentStatus } from '../agents/service';
import type { CallRecord } from '../calls/types';
import type { QueueWaiting } from '../monitor/waiting';
import type { AgentDirectory, CallDirectory } from './ports';

export interface DaemonDeps {
  config: Config;
  db: Db;
  ami: AmiClient;
  ari: AriClient;
  bus: EventBus;
  clock: Clock;
  log: Logger;
}

export interface DaemonModule {
  name: string;
  /** Subscribe to AMI/ARI, reload timers from the store. Called once, before AMI/ARI start. */
  start?(): Promise<void> | void;
  /**
   * Called once after EVERY module's start() (so every bus subscriber exists) and after the API
   * listens: act on state recovered from the store, e.g. wrap-up deadlines that passed while the
   * daemon was down. The same code path then runs as for a live event (history, /events, metrics).
   */
  ready?(): Promise<void> | void;
  stop?(): Promise<void> | void;
  routes?(): RouteDef[];
  /** Extra fields for /healthz. */
  health?(): Record<string, unknown>;
  /**
   * Called once after every module factory ran and before any start(): read the ports other
   * modules published (e.g. the agents module receives `ports.calls`).
   */
  wire?(ports: DaemonPorts): void;
  /**
   * WebSocket endpoints (e.g. /events); the API authenticates the token before calling handler.
   * `close`, if given, is awaited by the API's stop() BEFORE it drops the remaining sockets, so the
   * endpoint can end its sessions properly (e.g. /events sends 1001 "daemon stopping"; a socket
   * destroyed first shows up as 1006 at the client).
   */
  upgrades?(): { path: string; handler: UpgradeHandler; close?: () => Promise<void> | void }[];
  /** Static files served without a token (the supervisor console, src/console). */
  statics?(): StaticMount[];
}

/** Read-only list of the agents' live status (what /monitor, /events and /metrics show). */
export interface AgentsView {
  list(): AgentStatus[];
}

/** Read-only list of the live call parts (what /monitor, /events and /metrics show). */
export interface CallsView {
  list(): CallRecord[];
}

/** Callers waiting per queue (src/monitor/waiting.ts), published by the live module. */
export interface QueueWaitingView {
  summary(queues?: string[]): QueueWaiting[];
  /** The callers waiting in `queue` now and when they entered it (ms): a queue callback request's turn. */
  waitingCallers(queue: string): { uniqueid: string; joinedAt: number }[];
}

/** Where a caller's channel waited (its queue stay): published by src/reports, read by src/callbacks. */
export interface QueueEntryView {
  entryOf(uniqueid: string): { queue: string; joinedAt: number; linkedid: string | null } | undefined;
}

/** Callback requests made from each queue and not yet served: published by src/callbacks for /monitor. */
export interface QueueCallbacksView {
  /** queue → pending requests, oldest place first. */
  pendingByQueue(): Map<string, { id: number; number: string; queueJoinedAt: number; status: string }[]>;
}

/**
 * Cross-domain ports, filled by the module factories in src/daemon/modules.ts order: the agents
 * factory sets `agents` and `agentsView`, the calls factory sets `calls` and `callsView`; modules
 * read them in wire(). The live module (created last by app.ts) reads only the two views.
 */
export interface DaemonPorts {
  agents?: AgentDirectory;
  calls?: CallDirectory;
  agentsView?: AgentsView;
  callsView?: CallsView;
  /** Set by the composition root from the live module (created after the domains), before wire(). */
  queueWaiting?: QueueWaitingView;
  /** Set by the reports factory: queue stays by channel (entry time of a queue callback request). */
  queueEntries?: QueueEntryView;
  /** Set by the callbacks factory: open callback requests per queue (monitor). */
  queueCallbacks?: QueueCallbacksView;
  /** Other shared services a module publishes (e.g. a dialer for callbacks). */
  [name: string]: unknown;
}

/** What src/daemon/modules.ts lists. Factories must not start anything: start() does. */
export type ModuleFactory = (deps: DaemonDeps, ports: DaemonPorts) => DaemonModule;
