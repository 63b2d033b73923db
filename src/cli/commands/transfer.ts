/**
 * Transfer and conference commands in the `call` group (live, through the daemon API):
 *   call transfer ID TARGET [--blind] [--ddi]   agent or group:NAME (attended: waits until someone
 *                                               answers), queue:NAME or service (3 digits, blind),
 *                                               or external number
 *   call transfer-complete ID · call transfer-cancel ID
 *   call conference ID AGENT [--cancel] · call room ID EXT
 */
import type { CliContext } from '../context';
import { CliError } from '../errors';

const enc = encodeURIComponent;

interface TransferView {
  callId: string;
  childCallId: string;
  target?: string;
  targetType?: string;
  service?: string;
  state: string;
  reason?: string | null;
  group?: { answeredBy: string | null; tried: string[] };
}

function callId(v: string): string {
  if (!/^\d{8}-\d{6}$/.test(v)) throw new CliError(2, `CALL: must be a protocol number like 20261121-000042, got "${v}"`);
  return v;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function registerTransferCommands(ctx: CliContext): void {
  const call = ctx.group('call', 'live calls: dial, hold, mute, DTMF, hangup, prank, transfer, conference, room, monitor');

  call
    .command('transfer')
    .description('transfer: agent (4-5 digits) or group:NAME (attended), queue:NAME or service (3 digits, blind), or external number')
    .argument('<call>', 'protocol number')
    .argument('<target>', 'agent extension, group:NAME, queue:NAME, service, or number (national, or international as +DDI / 00DDI)')
    .option('--blind', 'do not consult: complete as soon as the target answers')
    .option('--ddi <ddi>', 'country code of an external number')
    .option('--no-wait', 'return while the target is still ringing')
    .option('--wait-seconds <n>', 'how long to wait for the target to answer (default 40, a group 300)')
    .action(async (id: string, target: string, o: { blind?: boolean; ddi?: string; wait: boolean; waitSeconds?: string }) => {
      const api = ctx.api();
      let t = await api.request<TransferView>('POST', `/calls/${enc(callId(id))}/transfer`, {
        target,
        kind: o.blind ? 'blind' : undefined,
        ddi: o.ddi,
      });
      if (t.service) return ctx.out(`call ${id}: customer sent to service ${t.service} (new part ${t.childCallId})`);
      if (t.targetType === 'queue') return ctx.out(`call ${id}: customer sent to ${t.target} (new part ${t.childCallId})`);
      // A group may ring its members one after the other: give it longer.
      const fallback = t.targetType === 'group' ? 300 : 40;
      const deadline = Date.now() + Math.max(1, Number(o.waitSeconds) || fallback) * 1000;
      // The target rings asynchronously: poll until it answers or fails, so the exit code says.
      while (o.wait && t.state === 'ringing' && Date.now() < deadline) {
        await sleep(250);
        t = await api.request<TransferView>('GET', `/calls/${enc(id)}/transfer`);
      }
      if (t.state === 'failed' || t.state === 'cancelled') throw new CliError(3, `transfer ${t.state}: ${t.reason ?? ''}`.trim());
      const next = t.state === 'consulting' ? ' (talk to the target, then transfer-complete or transfer-cancel)' : '';
      const who = t.group?.answeredBy ? ` (agent ${t.group.answeredBy} answered)` : '';
      ctx.out(`call ${id}: transfer to ${t.target}${who} ${t.state}${next}; new part ${t.childCallId}`);
    });

  call
    .command('transfer-complete')
    .description('complete an attended transfer: the customer stays with the target, you leave')
    .argument('<call>', 'protocol number')
    .action(async (id: string) => {
      const t = await ctx.api().request<TransferView>('POST', `/calls/${enc(callId(id))}/transfer/complete`);
      ctx.out(`call ${id}: transferred to ${t.target} (new part ${t.childCallId})`);
    });

  call
    .command('transfer-cancel')
    .description('cancel a transfer: the target is hung up, the customer is back with you')
    .argument('<call>', 'protocol number')
    .action(async (id: string) => {
      const t = await ctx.api().request<TransferView>('POST', `/calls/${enc(callId(id))}/transfer/cancel`);
      ctx.out(`call ${id}: transfer to ${t.target} cancelled`);
    });

  call
    .command('conference')
    .description('add an agent to the call (3-way); --cancel stops ringing it or removes it')
    .argument('<call>', 'protocol number')
    .argument('[agent]', 'agent extension (4-5 digits)')
    .option('--cancel', 'cancel / remove the added agent')
    .action(async (id: string, agent: string | undefined, o: { cancel?: boolean }) => {
      const api = ctx.api();
      if (o.cancel) {
        const m = await api.request<{ agent: string; state: string }>('POST', `/calls/${enc(callId(id))}/conference/cancel`);
        return ctx.out(`call ${id}: agent ${m.agent} ${m.state}`);
      }
      if (!agent || !/^\d{4,5}$/.test(agent)) throw new CliError(2, `AGENT: must be an agent extension of 4 or 5 digits, got "${agent ?? ''}"`);
      const m = await api.request<{ agent: string; state: string; childCallId: string }>(
        'POST',
        `/calls/${enc(callId(id))}/conference`,
        { agent },
      );
      ctx.out(`call ${id}: agent ${m.agent} ${m.state} (new part ${m.childCallId})`);
    });

  call
    .command('room')
    .description("move the call into agent EXT's conference room *EXT")
    .argument('<call>', 'protocol number')
    .argument('<ext>', 'room extension (4-5 digits, with or without *)')
    .action(async (id: string, ext: string) => {
      const r = await ctx.api().request<{ room: string }>('POST', `/calls/${enc(callId(id))}/room`, { extension: ext });
      ctx.out(`call ${id}: moved to room ${r.room}`);
    });
}
