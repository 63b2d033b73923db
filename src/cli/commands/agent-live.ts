/**
 * Live agent commands: they act through the running daemon's API (the same routes softphones use),
 * so the daemon stays the only one talking to Asterisk and keeping the agent state.
 */
import type { AgentStatus } from '../../agents/service';
import type { MeView } from '../../api/routes/me';
import type { ApiClient } from '../api-client';
import type { CliContext } from '../context';
import { intOption } from '../context';
import { CliError } from '../errors';

const EXT = /^\d{4,5}$/;

function ext(value: string): string {
  if (!EXT.test(value)) throw new CliError(2, `EXT: must be an agent extension of 4 or 5 digits, got "${value}"`);
  return value;
}

function queueList(value: string | undefined): string[] {
  const list = (value ?? '')
    .split(',')
    .map((q) => q.trim())
    .filter(Boolean);
  if (!list.length) throw new CliError(2, '--queues: give at least one queue, e.g. --queues support,vendas');
  return list;
}

const enc = encodeURIComponent;
const iso = (ms: number | null) => (ms ? new Date(ms).toISOString() : '');

function statusRow(a: AgentStatus) {
  return {
    extension: a.extension,
    name: a.name,
    state: a.state,
    reason:
      a.state === 'paused'
        ? a.pauseReason
        : a.pendingPause
          ? `after call: ${a.pendingPause}`
          : a.pauseReason
            ? `paused during call: ${a.pauseReason}`
            : '',
    since: iso(a.since),
    queues: a.queues,
    calls: a.callsTaken,
    misses: a.missesInRow,
    // Without time limit the deadline is only the safety cap: say so rather than show it as the window.
    wrapup_until: a.wrapup ? (a.wrapup.limit ? iso(a.wrapup.deadline) : `no limit (${a.wrapup.elapsedSeconds}s so far)`) : '',
  };
}

/**
 * Every agent; for an agent token (refused on GET /agents) its own agent, learnt from GET /me.
 * Asking /agents first keeps admins at one request and works with daemons older than /me.
 */
async function allOrMine(api: ApiClient): Promise<AgentStatus[]> {
  try {
    return (await api.request<{ agents: AgentStatus[] }>('GET', '/agents')).agents;
  } catch (err) {
    if (!(err instanceof CliError) || err.httpStatus !== 403) throw err;
    const me = await api.request<MeView>('GET', '/me');
    if (!me.agent) throw err;
    return [await api.request<AgentStatus>('GET', `/agents/${enc(me.agent)}`)];
  }
}

export function registerAgentLiveCommands(ctx: CliContext): void {
  const agent = ctx.group('agent', 'agents: catalogue (add/update/list/remove) and live control (login, pause, status)');

  agent
    .command('login')
    .description('log an agent into queues (live)')
    .argument('<ext>', 'agent extension')
    .requiredOption('--queues <list>', 'comma-separated queues, e.g. support,vendas')
    .option('--penalty <n>', 'penalty in every queue (default: per queue from the catalogue)', intOption('--penalty', 0, 1000))
    .action(async (e: string, o: { queues: string; penalty?: number }) => {
      const body = { queues: queueList(o.queues), penalty: o.penalty };
      const r = await ctx.api().request<{ queues: { queue: string; penalty: number }[] }>(
        'POST',
        `/agents/${enc(ext(e))}/login`,
        body,
      );
      ctx.out(`agent ${e} logged in: ${r.queues.map((q) => `${q.queue} (penalty ${q.penalty})`).join(', ')}`);
    });

  agent
    .command('logout')
    .description('log an agent out of every queue (refused while calls are in progress, unless --force)')
    .argument('<ext>', 'agent extension')
    .option('--force', 'supervisor/admin: end the agent\'s calls (recorded as forced-logout), then log out')
    .action(async (e: string, o: { force?: boolean }) => {
      const r = await ctx.api().request<{ endedCalls?: string[] }>(
        'POST',
        `/agents/${enc(ext(e))}/logout`,
        o.force ? { force: true } : undefined,
      );
      const ended = r?.endedCalls?.length ? ` (calls ended: ${r.endedCalls.join(', ')})` : '';
      ctx.out(`agent ${e} logged out${ended}`);
    });

  agent
    .command('pause')
    .description('pause an agent in all its queues (during a call: after the call)')
    .argument('<ext>', 'agent extension')
    .requiredOption('--reason <name>', 'pause reason from the pause-reason catalogue')
    .option('--after-call', 'pause only once the current call and its wrap-up end')
    .option('--now', 'supervisor/admin: pause the queues at once even during a call (the call goes on, no new calls)')
    .action(async (e: string, o: { reason: string; afterCall?: boolean; now?: boolean }) => {
      const r = await ctx.api().request<{ pending: boolean; statusId: number; duringCall?: boolean }>(
        'POST',
        `/agents/${enc(ext(e))}/pause`,
        { reason: o.reason, afterCall: o.afterCall, now: o.now },
      );
      ctx.out(
        r.pending
          ? `agent ${e} will pause after the current call: ${o.reason} (status ${r.statusId})`
          : r.duringCall
            ? `agent ${e} paused now, its call goes on: ${o.reason} (status ${r.statusId})`
            : `agent ${e} paused: ${o.reason} (status ${r.statusId})`,
      );
    });

  agent
    .command('unpause')
    .description('unpause an agent (or cancel its pause after the call)')
    .argument('<ext>', 'agent extension')
    .action(async (e: string) => {
      const r = await ctx.api().request<{ cancelledPending: boolean }>('POST', `/agents/${enc(ext(e))}/unpause`);
      ctx.out(r.cancelledPending ? `agent ${e}: pause after call cancelled` : `agent ${e} unpaused`);
    });

  agent
    .command('extensions')
    .description('extensions an agent may log in with: bound to the queues, registered, not in use')
    .requiredOption('--queues <list>', 'comma-separated queues')
    .option('--json', 'JSON output')
    .action(async (o: { queues: string; json?: boolean }) => {
      const q = queueList(o.queues).map(enc).join(',');
      const r = await ctx.api().request<{ extensions: { extension: string; name: string; device: string }[] }>(
        'GET',
        `/agents/extensions?queues=${q}`,
      );
      ctx.print(r.extensions, { json: o.json, empty: 'no free registered extension for these queues' });
    });

  agent
    .command('status')
    .description('live state of one agent or all (state, reason, since, queues, calls, misses)')
    .argument('[ext]', 'agent extension (default: all agents; with an agent token: its own agent)')
    .option('--json', 'JSON output (full detail)')
    .action(async (e: string | undefined, o: { json?: boolean }) => {
      const api = ctx.api();
      const rows = e ? [await api.request<AgentStatus>('GET', `/agents/${enc(ext(e))}`)] : await allOrMine(api);
      if (o.json) ctx.print(rows, { json: true });
      else ctx.print(rows.map(statusRow), { empty: 'no agents in the catalogue' });
    });
}
