/**
 * Live monitoring commands in the `call` group (supervisor/admin tokens; through the daemon API):
 *   call monitor CALL --mode listen|whisper|barge [--device PJSIP/2000]   ring your device, then hear the call
 *   call monitor-mode CALL MONITOR_ID MODE                                switch mode live
 *   call monitor-stop CALL MONITOR_ID                                     stop (your device is hung up)
 *   call monitors CALL                                                    sessions of a call (also in `call show`)
 */
import type { CliContext } from '../context';
import type { ApiClient } from '../api-client';
import { CliError } from '../errors';

const enc = encodeURIComponent;
const MODES = ['listen', 'whisper', 'barge'];
const time = (ms: unknown) => (typeof ms === 'number' ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) : '');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface MonitorView {
  id: number;
  callId: string;
  currentCallId: string;
  supervisor: string;
  device: string;
  mode: string;
  state: string;
  changes: { at: number; mode: string; callId: string; by: string }[];
  startedAt: number;
  answeredAt: number | null;
  endedAt: number | null;
  endReason: string | null;
  endDetail: string | null;
}

function callId(v: string): string {
  if (!/^\d{8}-\d{6}$/.test(v)) throw new CliError(2, `CALL: must be a protocol number like 20261121-000042, got "${v}"`);
  return v;
}

function mode(v: string | undefined): string {
  if (!v || !MODES.includes(v)) throw new CliError(2, `--mode: must be one of ${MODES.join(', ')}, got "${v ?? ''}"`);
  return v;
}

function monitorId(v: string): string {
  if (!/^\d{1,12}$/.test(v)) throw new CliError(2, `MONITOR_ID: must be a number (see call monitors CALL), got "${v}"`);
  return v;
}

/** One table row per session: modes over time as "listen>whisper", the part followed when it changed. */
export function monitorRow(s: MonitorView): Record<string, unknown> {
  const moved = s.currentCallId !== s.callId ? ` (now ${s.currentCallId})` : '';
  return {
    id: s.id,
    supervisor: s.supervisor,
    device: s.device,
    modes: s.changes.map((c) => c.mode).join('>'),
    state: `${s.state}${moved}`,
    started: time(s.startedAt),
    ended: time(s.endedAt),
    reason: s.endReason ? `${s.endReason}${s.endDetail ? `: ${s.endDetail}` : ''}` : '',
  };
}

/**
 * The sessions of a call the caller just read, or undefined when this token may not read them
 * (agent tokens: 403) or the daemon has no monitoring routes (404: the call itself exists).
 */
export async function monitorsOf(api: ApiClient, id: string): Promise<MonitorView[] | undefined> {
  try {
    return (await api.request<{ sessions: MonitorView[] }>('GET', `/calls/${enc(id)}/monitor`)).sessions;
  } catch (err) {
    if (err instanceof CliError && (err.httpStatus === 403 || err.httpStatus === 404)) return undefined;
    throw err;
  }
}

export function registerCallMonitorCommands(ctx: CliContext): void {
  const call = ctx.group('call', 'live calls: dial, hold, mute, DTMF, hangup, prank, transfer, conference, room, monitor');

  call
    .command('monitor')
    .description("monitor a call: ring your device, then listen, whisper (to the agent only) or barge (3-way)")
    .argument('<call>', 'protocol number')
    .requiredOption('--mode <mode>', 'listen | whisper | barge')
    .option('--device <dial>', "device to ring, e.g. PJSIP/2000 (default: the device of your token's agent extension)")
    .option('--no-wait', 'return while your device is still ringing')
    .option('--wait-seconds <n>', 'how long to wait for your device to answer', '40')
    .action(async (id: string, o: { mode: string; device?: string; wait: boolean; waitSeconds: string }) => {
      const api = ctx.api();
      const path = `/calls/${enc(callId(id))}/monitor`;
      let s = await api.request<MonitorView>('POST', path, { mode: mode(o.mode), device: o.device });
      const deadline = Date.now() + Math.max(1, Number(o.waitSeconds) || 40) * 1000;
      // The device rings asynchronously: poll until it answers or fails, so the exit code says.
      while (o.wait && s.state === 'ringing' && Date.now() < deadline) {
        await sleep(250);
        s = (await api.request<{ sessions: MonitorView[] }>('GET', path)).sessions.find((x) => x.id === s.id) ?? s;
      }
      if (s.state === 'failed' || s.state === 'ended') throw new CliError(3, `monitoring session ${s.id} ${s.state}: ${s.endDetail ?? s.endReason ?? ''}`.trim());
      const next = s.state === 'active' ? 'switch with call monitor-mode, stop with call monitor-stop or hang up' : 'your device is ringing';
      ctx.out(`call ${id}: monitoring session ${s.id} ${s.state} (${s.mode}) on ${s.device}; ${next}`);
    });

  call
    .command('monitor-mode')
    .description('switch a monitoring session to another mode (your device stays up)')
    .argument('<call>', 'protocol number')
    .argument('<monitorId>', 'session number (call monitors CALL)')
    .argument('<mode>', 'listen | whisper | barge')
    .action(async (id: string, mid: string, m: string) => {
      const s = await ctx.api().request<MonitorView>('PATCH', `/calls/${enc(callId(id))}/monitor/${monitorId(mid)}`, { mode: mode(m) });
      ctx.out(`call ${id}: monitoring session ${s.id} now ${s.mode}`);
    });

  call
    .command('monitor-stop')
    .description('stop a monitoring session (your device is hung up; the call goes on)')
    .argument('<call>', 'protocol number')
    .argument('<monitorId>', 'session number (call monitors CALL)')
    .action(async (id: string, mid: string) => {
      const s = await ctx.api().request<MonitorView>('DELETE', `/calls/${enc(callId(id))}/monitor/${monitorId(mid)}`);
      ctx.out(`call ${id}: monitoring session ${s.id} stopped`);
    });

  call
    .command('monitors')
    .description('monitoring sessions of a call (live and past)')
    .argument('<call>', 'protocol number')
    .option('--json', 'JSON output')
    .action(async (id: string, o: { json?: boolean }) => {
      const r = await ctx.api().request<{ sessions: MonitorView[] }>('GET', `/calls/${enc(callId(id))}/monitor`);
      ctx.print(o.json ? r.sessions : r.sessions.map(monitorRow), { json: o.json, empty: 'no monitoring sessions' });
    });
}
