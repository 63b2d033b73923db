/**
 * `callcenterd monitor [--watch]`: the supervisor view (GET /monitor) as two tables, queues then
 * agents; `--json` prints the API's document untouched. `--watch` redraws every --interval seconds
 * until Ctrl-C (or --count refreshes, for scripts and tests).
 */
import type { MonitorAgent, MonitorQueue, MonitorView } from '../../api/monitor';
import type { CliContext } from '../context';
import { intOption } from '../context';
import { formatRows } from '../output';
import { jsonSafe } from '../../util/printable';

/** 75 → "1:15"; 3700 → "1:01:40". */
export function duration(seconds: number | null): string {
  if (seconds === null || seconds === undefined) return '';
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

function queueRow(q: MonitorQueue) {
  return {
    queue: q.queue,
    waiting: q.waiting,
    longest: duration(q.longestWaitSeconds),
    abandoned: q.abandoned,
    // Callback requests left in the queue and not yet served (they keep their callers' places).
    callbacks: q.callbackRequests?.length ?? 0,
    agents: q.loggedIn,
    available: q.agents.available ?? 0,
    ringing: q.agents.ringing ?? 0,
    on_call: q.agents['on-call'] ?? 0,
    wrap_up: q.agents['wrap-up'] ?? 0,
    paused: q.agents.paused ?? 0,
  };
}

function agentRow(a: MonitorAgent) {
  return {
    agent: a.extension,
    name: a.name,
    state: a.state,
    for: a.state === 'offline' ? '' : duration(a.forSeconds),
    reason: a.pauseReason ?? (a.pendingPause ? `after call: ${a.pendingPause}` : a.wrapupLimit === false ? 'wrap-up without time limit' : ''),
    call: a.call ? a.call.id : '',
    number: a.call?.number ?? '',
    talk: a.call ? duration(a.call.talkSeconds) : '',
    queues: a.queues,
    calls: a.callsTaken,
    misses: a.missesInRow,
  };
}

/** The text screen for one MonitorView. */
export function renderMonitor(v: MonitorView): string {
  const at = new Date(v.at).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  return [
    `callcenterd monitor — ${at}`,
    '',
    formatRows(v.queues.map(queueRow), { empty: 'no queues in the catalogue' }).trimEnd(),
    '',
    formatRows(v.agents.map(agentRow), { empty: 'no agents in the catalogue' }).trimEnd(),
    '',
  ].join('\n');
}

export function registerMonitorCommand(ctx: CliContext): void {
  ctx.program
    .command('monitor')
    .description('supervisor view (live): per queue waiting callers, longest wait, agents by state; per agent state, since, call, pause')
    .option('--json', 'JSON output (the API document)')
    .option('-w, --watch', 'redraw until Ctrl-C')
    .option('--interval <seconds>', 'refresh period with --watch (default 2)', intOption('--interval', 1, 3600), 2)
    .option('--count <n>', 'with --watch: stop after n refreshes', intOption('--count', 1, 1_000_000))
    .action(async (o: { json?: boolean; watch?: boolean; interval: number; count?: number }) => {
      const api = ctx.api();
      const once = async () => {
        const v = await api.request<MonitorView>('GET', '/monitor');
        ctx.io.stdout(o.json ? `${jsonSafe(JSON.stringify(v, null, o.watch ? 0 : 2))}\n` : renderMonitor(v));
      };
      if (!o.watch) return once();
      let stop = false;
      let wake: (() => void) | undefined;
      // Ctrl-C ends the loop cleanly (exit 0) instead of killing the process mid-frame.
      const onSigint = () => {
        stop = true;
        wake?.();
      };
      process.once('SIGINT', onSigint);
      try {
        for (let i = 0; !stop && (o.count === undefined || i < o.count); i++) {
          // Clear the screen between frames for people; JSON consumers get one document per line.
          if (i > 0 && !o.json) ctx.io.stdout('\x1b[2J\x1b[H');
          await once();
          if (o.count !== undefined && i + 1 >= o.count) break;
          await new Promise<void>((r) => {
            const t = setTimeout(r, o.interval * 1000);
            wake = () => {
              clearTimeout(t);
              r();
            };
          });
        }
      } finally {
        process.off('SIGINT', onSigint);
      }
    });
}
