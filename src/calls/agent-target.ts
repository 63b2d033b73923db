/**
 * Who may be rung as the target of an attended/blind transfer or added to a 3-way conference: one
 * rule for both, so a refusal reads the same wherever an agent is brought into a call.
 *
 * Refused (409, nothing changes): an agent that is offline; busy (ringing, on a call, or part of a
 * live call); paused — the agent is away (lunch, training) even though its device would ring; in
 * wrap-up — the agent is still finishing the previous customer. Only an 'available' agent is rung.
 */
import type { AgentDirectory } from '../daemon/ports';
import { notFound, refused } from '../util/errors';
import type { CallRecord } from './types';

export interface AgentTargetDeps {
  agents: Pick<AgentDirectory, 'presence'>;
  /** Calls in progress in which the agent takes part. */
  callsOfAgent(ext: string): CallRecord[];
}

export function assertAgentCanBeRung(deps: AgentTargetDeps, ext: string): void {
  const p = deps.agents.presence(ext);
  if (!p) throw notFound(`agent ${ext} is not configured`, { agent: ext });
  if (!p.loggedIn || p.state === 'offline') throw refused(`agent ${ext} is offline`, { agent: ext, reason: 'offline' });
  const live = deps.callsOfAgent(ext);
  if (p.state === 'on-call' || p.state === 'ringing' || live.length > 0) {
    throw refused(`agent ${ext} is busy${live.length ? ` on call ${live[0].id}` : ''}`, { agent: ext, reason: 'busy' });
  }
  if (p.state === 'paused') {
    const why = p.pauseReason ? ` (${p.pauseReason})` : '';
    throw refused(`agent ${ext} is paused${why}`, { agent: ext, reason: 'paused', pauseReason: p.pauseReason });
  }
  if (p.state === 'wrap-up') throw refused(`agent ${ext} is in wrap-up`, { agent: ext, reason: 'wrap-up' });
}
