/**
 * `callcenterd callback add|list|cancel`: scheduled callbacks, and the callback requests callers
 * leave while waiting in a queue (origin queue), through the daemon API (the daemon's scheduler
 * owns them: it validates the number with the dialing rules and arms the timer).
 */
import type { CliContext } from '../context';
import { CliError } from '../errors';

interface CallbackView {
  id: number;
  origin: string;
  queueJoinedAt?: number;
  agent?: string;
  queue?: string;
  number: string;
  ddi: string;
  atIso: string;
  nextAtIso: string;
  status: string;
  attempts: number;
  callId?: string;
  lastError?: string;
}

const row = (c: CallbackView) => ({
  id: c.id,
  for: c.agent ? `agent ${c.agent}` : `queue ${c.queue}`,
  origin: c.origin,
  number: `+${c.ddi} ${c.number}`,
  // A queue request: when it was made; its place in the queue is `queued` (the caller's entry).
  at: c.atIso,
  queued: c.queueJoinedAt !== undefined ? new Date(c.queueJoinedAt).toISOString() : '',
  status: c.status,
  // When it is tried next (later than AT after a retry or while nobody is free); final ones: none.
  next: c.status === 'pending' ? c.nextAtIso : '',
  attempts: c.attempts,
  call: c.callId ?? '',
  error: c.lastError ?? '',
});

export function registerCallbackCommands(ctx: CliContext): void {
  const cb = ctx.group('callback', 'scheduled callbacks: the agent is rung, then the customer dialled');

  cb.command('add')
    .description('schedule a callback for an agent or a queue (its longest-idle available agent)')
    .option('--agent <ext>', 'agent extension')
    .option('--queue <queue>', 'queue name')
    .requiredOption('--number <number>', 'customer number: national (11987654321) or international (+1 415 555 0100)')
    .option('--ddi <ddi>', 'country code of a national number (default: policy.default_country_code)')
    .requiredOption('--at <iso-time>', 'when, ISO 8601, e.g. 2026-11-21T15:30:00-03:00')
    .action(async (o: { agent?: string; queue?: string; number: string; ddi?: string; at: string }) => {
      if ((o.agent === undefined) === (o.queue === undefined)) throw new CliError(2, 'give exactly one of --agent or --queue');
      const c = await ctx.api().request<CallbackView>('POST', '/callbacks', {
        agent: o.agent,
        queue: o.queue,
        number: o.number,
        ddi: o.ddi,
        at: o.at,
      });
      ctx.out(`callback ${c.id} scheduled for ${c.atIso} (${c.agent ? `agent ${c.agent}` : `queue ${c.queue}`} → ${c.number})`);
    });

  cb.command('list')
    .description('callbacks: scheduled ones and requests callers left while waiting in a queue')
    .option('--status <status>', 'pending | ringing | done | failed | cancelled')
    .option('--agent <ext>', 'only this agent')
    .option('--origin <origin>', 'scheduled | queue (a caller pressed the callback key in a queue)')
    .option('--queue <queue>', 'only this queue')
    .option('--json', 'JSON output')
    .action(async (o: { status?: string; agent?: string; origin?: string; queue?: string; json?: boolean }) => {
      if (o.origin !== undefined && o.origin !== 'scheduled' && o.origin !== 'queue') {
        throw new CliError(2, `--origin: must be scheduled or queue, got "${o.origin}"`);
      }
      const q = new URLSearchParams();
      if (o.status) q.set('status', o.status);
      if (o.agent) q.set('agent', o.agent);
      if (o.origin) q.set('origin', o.origin);
      if (o.queue) q.set('queue', o.queue);
      const qs = q.toString();
      const list = await ctx.api().request<CallbackView[]>('GET', `/callbacks${qs ? `?${qs}` : ''}`);
      ctx.print(o.json ? list : list.map(row), { json: o.json, empty: 'no callbacks' });
    });

  cb.command('cancel')
    .description('cancel a pending callback')
    .argument('<id>', 'callback id')
    .action(async (id: string) => {
      if (!/^\d+$/.test(id)) throw new CliError(2, `ID: must be a callback number, got "${id}"`);
      const c = await ctx.api().request<CallbackView>('DELETE', `/callbacks/${id}`);
      ctx.out(`callback ${c.id} ${c.status}`);
    });
}
