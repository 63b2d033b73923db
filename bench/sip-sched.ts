/**
 * SIP bench `--sched-counts`: threads started, context switches and system calls of a process during
 * a window, from Linux perf's scheduler and syscall tracepoints (`perf stat -p`). Unlike CPU time they
 * do not drift with the machine's load: a shared two-core machine moves CPU figures by ±10 % between
 * windows, while these counts repeat within a few percent. Needs `perf` (Debian: linux-perf) and
 * the right to trace the process (root, or kernel.perf_event_paranoid <= -1); without them the bench
 * says why and goes on without the counts.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

export interface SchedCounts {
  /** Threads (and processes) the process started: sched_process_fork. */
  threads: number;
  /** Times one of its threads was switched out: sched_switch (voluntary and not). */
  switches: number;
  /** System calls entered by its threads: raw_syscalls:sys_enter. */
  syscalls: number;
}

const EVENTS: Record<string, keyof SchedCounts> = {
  'sched:sched_process_fork': 'threads',
  'sched:sched_switch': 'switches',
  'raw_syscalls:sys_enter': 'syscalls',
};

/** Parses `perf stat -x,` output (value,unit,event,...): undefined unless all three events counted. */
export function parsePerfStatCsv(text: string): SchedCounts | undefined {
  const out: Partial<SchedCounts> = {};
  for (const line of text.split('\n')) {
    const f = line.split(',');
    const key = EVENTS[f[2]?.trim() ?? ''];
    if (key && /^\d+$/.test(f[0].trim())) out[key] = Number(f[0]);
  }
  return out.threads !== undefined && out.switches !== undefined && out.syscalls !== undefined ? (out as SchedCounts) : undefined;
}

/** Why the counts cannot be taken here ('' = they can): perf missing, or tracepoints not allowed. */
export function schedCountsUnavailable(): string {
  const r = spawnSync('perf', ['stat', '-x,', '-e', Object.keys(EVENTS).join(','), '--', 'true'], { encoding: 'utf8', timeout: 10000 });
  if (r.error) return `perf not runnable (${(r.error as NodeJS.ErrnoException).code ?? r.error.message}; Debian: apt-get install linux-perf)`;
  if (!parsePerfStatCsv(r.stderr)) return `perf cannot count scheduler tracepoints here: ${r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`}`;
  return '';
}

/** Counts for `pid` from now until stop(); stop() resolves undefined if perf failed meanwhile. */
export function countSched(pid: number): { stop(): Promise<SchedCounts | undefined> } {
  let text = '';
  const child: ChildProcess = spawn('perf', ['stat', '-x,', '-e', Object.keys(EVENTS).join(','), '-p', String(pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  const exited = new Promise<void>((resolve) => {
    child.on('exit', () => resolve());
    child.on('error', () => resolve());
  });
  return {
    async stop() {
      child.kill('SIGINT'); // perf stat prints its counts on SIGINT
      await exited;
      return parsePerfStatCsv(text);
    },
  };
}
