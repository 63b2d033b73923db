/**
 * Asterisk CLI outputs the daemon or an operator may read through AMI `Command`
 * (formats copied from the captures: `queue show <q>`, `core show channels`).
 */
import type { SimModel } from './model';
import type { QueueEngine } from './queues';
import type { SimMember } from './queue-types';

const STATUS_TEXT = ['Unknown', 'Not in use', 'In use', 'Busy', 'Invalid', 'Unavailable', 'Ringing', 'Ring+Inuse', 'On Hold'];

export function queueShow(engine: QueueEngine, model: SimModel, name: string): string[] {
  const q = engine.queues.get(name);
  if (!q) return [`No such queue: ${name}.`];
  const nowSec = Math.floor(model.now() / 1000);
  const waiting = engine.waitingCalls(name);
  const avg = (total: number) => (q.completed ? Math.round(total / q.completed) : 0);
  const out = [
    `${q.name} has ${waiting.length} calls (max unlimited) in '${q.strategy}' strategy (${avg(q.holdSecTotal)}s holdtime, ${avg(q.talkSecTotal)}s talktime), W:0, C:${q.completed}, A:${q.abandoned}, SL:100.0%, SL2:100.0% within 0s`,
  ];
  if (q.members.length === 0) out.push('   No Members');
  else {
    out.push('   Members: ');
    for (const m of q.members) out.push(`      ${memberLine(m, nowSec)}`);
  }
  if (waiting.length === 0) out.push('   No Callers');
  else {
    out.push('   Callers: ');
    for (const c of [...waiting].sort((a, b) => a.position - b.position)) {
      const ch = model.channels.get(c.customerId);
      const wait = Math.floor((model.now() - c.joinedAt) / 1000);
      const mmss = `${Math.floor(wait / 60)}:${String(wait % 60).padStart(2, '0')}`;
      out.push(`      ${c.position}. ${ch?.name ?? c.customerId} (wait: ${mmss}, prio: 0)`);
    }
  }
  out.push('');
  return out;
}

function memberLine(m: SimMember, nowSec: number): string {
  const from = m.stateInterface !== m.interface ? ` from ${m.stateInterface}` : '';
  const paused = m.paused ? ` (paused${m.pausedReason ? `:${m.pausedReason}` : ''} was ${nowSec - m.lastPause} secs ago)` : '';
  const incall = m.incall ? ' (in call)' : '';
  const taken =
    m.callsTaken === 0 ? 'has taken no calls yet' : `has taken ${m.callsTaken} calls (last was ${nowSec - m.lastCall} secs ago)`;
  return `${m.memberName} (${m.interface}${from}) (ringinuse disabled) (${m.membership})${paused}${incall} (${STATUS_TEXT[m.status] ?? 'Unknown'}) ${taken} (login was ${nowSec - m.loginTime} secs ago)`;
}

export function coreShowChannels(model: SimModel): string[] {
  const pad = (s: string, n: number) => (s.length > n ? s.slice(0, n) : s.padEnd(n));
  const out = [`${pad('Channel', 64)} ${pad('Location', 32)} ${pad('State', 7)} Application(Data)             `];
  const chans = [...model.channels.values()];
  for (const c of chans) {
    const loc = `${c.dialplan.exten}@${c.dialplan.context}:${c.dialplan.priority}`;
    const app = c.dialplan.app_name ? `${c.dialplan.app_name}(${c.dialplan.app_data})` : '(None)';
    out.push(`${pad(c.name, 64)} ${pad(loc, 32)} ${pad(c.state, 7)} ${pad(app, 30)}`);
  }
  out.push(`${chans.length} active channel${chans.length === 1 ? '' : 's'}`);
  const calls = new Set(chans.map((c) => c.linkedid)).size;
  out.push(`${calls} of 500 max active calls ( ${((calls / 500) * 100).toFixed(2)}% of capacity)`);
  return out;
}

export function durationHms(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}
