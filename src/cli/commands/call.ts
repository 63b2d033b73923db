/**
 * `callcenterd call ...`: live call control through the daemon API (the daemon is the only one
 * talking to Asterisk). dial | list | show | hold | unhold | mute | unmute | dtmf | hangup | prank.
 * `show` also lists the call's live-monitoring sessions for supervisor/admin tokens (call-monitor.ts).
 */
import { tableTime } from '../output';
import type { CliContext } from '../context';
import { CliError } from '../errors';
import { jsonSafe } from '../../util/printable';
import { monitorRow, monitorsOf } from './call-monitor';

const enc = encodeURIComponent;
const time = (ms: unknown) => tableTime(ms);

interface CallView {
  id: string;
  kind: string;
  direction: string;
  agent: string | null;
  number: string | null;
  queue: string | null;
  state: string;
  startedAt: number;
  durationSeconds: number;
  endReason: string | null;
  muted: boolean;
}

const row = (c: CallView) => ({
  id: c.id,
  kind: c.kind,
  agent: c.agent ?? '',
  number: c.number ?? '',
  queue: c.queue ?? '',
  state: c.state,
  started: time(c.startedAt),
  duration: c.durationSeconds,
  muted: c.muted ? 'yes' : '',
});

function callId(v: string): string {
  if (!/^\d{8}-\d{6}$/.test(v)) throw new CliError(2, `CALL: must be a protocol number like 20261121-000042, got "${v}"`);
  return v;
}

export function registerCallCommands(ctx: CliContext): void {
  const call = ctx.group('call', 'live calls: dial, hold, mute, DTMF, hangup, prank, transfer, conference, room, monitor');

  call
    .command('dial')
    .description('outbound call: rings the agent device, then the customer')
    .argument('<ext>', 'agent extension')
    .argument('<number>', 'national (11987654321, 0 11 98765-4321) or international (+1 415 555 0100, 0014155550100)')
    // No default: a national number gets policy.default_country_code on the daemon, and a number
    // written with +DDI must not be contradicted by a DDI the user never typed.
    .option('--ddi <ddi>', 'country code of a national number (default: policy.default_country_code)')
    .action(async (ext: string, number: string, o: { ddi?: string }) => {
      if (!/^\d{4,5}$/.test(ext)) throw new CliError(2, `EXT: must be an agent extension of 4 or 5 digits, got "${ext}"`);
      const c = await ctx.api().request<CallView>('POST', '/calls/dial', { agent: ext, number, ddi: o.ddi });
      ctx.out(`call ${c.id}: ${c.state} (agent ${ext} → ${c.number})`);
    });

  call
    .command('list')
    .description('live calls')
    .option('--agent <ext>', 'only this agent')
    .option('--json', 'JSON output')
    .action(async (o: { agent?: string; json?: boolean }) => {
      const q = o.agent ? `?agent=${enc(o.agent)}` : '';
      const r = await ctx.api().request<{ calls: CallView[] }>('GET', `/calls${q}`);
      ctx.print(o.json ? r.calls : r.calls.map(row), { json: o.json, empty: 'no live calls' });
    });

  call
    .command('show')
    .description('one call (live or past) with its events, and its monitoring sessions (supervisor/admin tokens)')
    .argument('<call>', 'protocol number')
    .option('--json', 'JSON output')
    .action(async (id: string, o: { json?: boolean }) => {
      const api = ctx.api();
      const c = await api.request<CallView & { events: { type: string; at: number; data: unknown }[] }>('GET', `/calls/${enc(callId(id))}`);
      // Live monitoring is for supervisors and admins: an agent token gets the call without it.
      const monitors = await monitorsOf(api, id);
      if (o.json) return ctx.out(jsonSafe(JSON.stringify(monitors ? { ...c, monitors } : c, null, 2)));
      ctx.print([row(c)]);
      if (c.endReason) ctx.out(`ended: ${c.endReason}`);
      ctx.print(
        c.events.map((e) => ({ at: time(e.at), event: e.type, data: e.data })),
        { empty: 'no events' },
      );
      if (monitors?.length) {
        ctx.out('monitoring:');
        ctx.print(monitors.map(monitorRow));
      }
    });

  const simple: [string, string, string][] = [
    ['hold', 'put the customer on hold (music on hold, private)', 'on hold'],
    ['unhold', 'take the customer off hold', 'back from hold'],
    ['mute', "mute the agent's microphone", 'agent muted'],
    ['unmute', "unmute the agent's microphone", 'agent unmuted'],
    ['hangup', 'hang up the call', 'hung up'],
  ];
  for (const [name, description, done] of simple) {
    call
      .command(name)
      .description(description)
      .argument('<call>', 'protocol number')
      .action(async (id: string) => {
        await ctx.api().request('POST', `/calls/${enc(callId(id))}/${name}`);
        ctx.out(`call ${id}: ${done}`);
      });
  }

  call
    .command('dtmf')
    .description('send DTMF digits to the customer side')
    .argument('<call>', 'protocol number')
    .argument('<digits>', '0-9 * # A-D')
    .action(async (id: string, digits: string) => {
      if (!/^[0-9*#A-Da-d]{1,32}$/.test(digits)) throw new CliError(2, `DIGITS: only 0-9 * # A-D (1-32), got "${digits}"`);
      await ctx.api().request('POST', `/calls/${enc(callId(id))}/dtmf`, { digits });
      ctx.out(`call ${id}: sent ${digits.toUpperCase()}`);
    });

  call
    .command('prank')
    .description('hang up the customer now and block the number (policy.prank_block_minutes); a withheld or non-number caller ID is hung up, not blocked')
    .argument('<call>', 'protocol number')
    .action(async (id: string) => {
      const r = await ctx
        .api()
        .request<{ call: CallView; blocked: boolean; expiresAt: number | null; notBlocked: string | null }>('POST', `/calls/${enc(callId(id))}/prank`);
      const why: Record<string, string> = {
        withheld: 'the caller ID is withheld: nothing to block',
        internal: 'internal number, never blocked',
        'not-a-number': 'the caller ID is not a phone number: nothing to block',
      };
      const shown = r.call.number ? JSON.stringify(r.call.number) : 'no caller ID';
      ctx.out(
        r.blocked
          ? `call ${id}: hung up; ${r.call.number} blocked ${r.expiresAt === null ? 'with no expiry' : `until ${time(r.expiresAt)}`}`
          : `call ${id}: hung up; ${shown} not blocked (${why[r.notBlocked ?? ''] ?? 'not blocked'})`,
      );
    });
}
