/**
 * IPC protocol between the benchmark (daemon, measured process) and bench/sim-server.ts (the
 * simulator, child process). The simulator runs in its own process so that process.cpuUsage() of the
 * parent is the daemon's CPU alone; the child also drives the calls, so scripting costs the parent
 * nothing while it is measured.
 */

export interface SimInit {
  /** Agent extensions whose devices (PJSIP/<ext>) answer automatically. */
  agents: string[];
  queue: string;
  /** Device answer delay after the daemon originates it. */
  answerDelayMs: number;
  /** app_queue ring time per member attempt: long, so load never turns into ring timeouts. */
  queueTimeoutMs: number;
  retryMs: number;
}

export interface SimRun {
  calls: number;
  /** Calls in progress at once (placed → answered → talk → customer hangup). */
  concurrency: number;
  talkMs: number;
  /** Per-call limit to reach "connected"; a call that does not is counted as failed. */
  connectTimeoutMs: number;
  /**
   * Customers come from the trunk through the shipped [cc-inbound] (Stasis first), so the daemon's
   * asterisk.queue_topology decides the path; default: they dial straight into Queue() (the member-leg
   * path whatever the topology, like a queue transfer).
   */
  trunk?: boolean;
}

export type SimRequest =
  | { id: number; cmd: 'init'; init: SimInit }
  | { id: number; cmd: 'waitMembers'; queue: string; agents: string[]; timeoutMs: number }
  | { id: number; cmd: 'run'; run: SimRun }
  | { id: number; cmd: 'waitIdle'; timeoutMs: number }
  | { id: number; cmd: 'stop' };

export interface SimReady {
  amiPort: number;
  ariUrl: string;
  app: string;
  credentials: { ami: { username: string; secret: string }; ari: { username: string; password: string } };
}

/** What the simulator saw during a run (its own counters, independent of the daemon's). */
export interface SimRunResult {
  placed: number;
  connected: number;
  failed: number;
  failures: string[];
  wallMs: number;
  /** Events the simulator emitted and requests the daemon made to it, during the run. */
  amiEventsSent: number;
  ariEventsSent: number;
  amiActions: number;
  ariRequests: number;
  /** The simulator's own CPU during the run (for context: it stands in for Asterisk). */
  simCpuMs: number;
}

export type SimReply =
  | { id: number; ok: true; result?: unknown }
  | { id: number; ok: false; error: string };
