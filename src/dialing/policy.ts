/**
 * Who may dial and with which caller id. Pure functions over the agent's presence (from the agents
 * domain port) and the queues' settings, so the rules are unit-testable without Asterisk.
 */
import type { AgentPresence } from '../daemon/ports';
import type { Policy } from '../config/schema';
import { notFound, refused } from '../util/errors';
import { assertNoDialInjection } from './number';

/** Queue settings dialing cares about (read from the `queues` catalogue table). */
export interface QueueDialSettings {
  name: string;
  caller_id: string | null;
}

export function assertMayDial(ext: string, presence: AgentPresence | undefined): AgentPresence {
  if (!presence) throw notFound(`unknown agent ${ext}`, { agent: ext });
  if (!presence.loggedIn) throw refused(`agent ${ext} is not logged in`, { agent: ext });
  // The setting captured at login applies for the whole session (AgentPresence.blockDialingInPause).
  if (presence.state === 'paused' && presence.blockDialingInPause) {
    const pause = presence.pauseReason ?? 'pause';
    throw refused(`agent ${ext} is paused (${pause}) and dialing while paused is blocked`, {
      agent: ext,
      pause,
    });
  }
  return presence;
}

/**
 * Caller id for an outbound call: the call's own queue (`preferQueue`, e.g. a queue callback's)
 * if it has one, else the first of the agent's queues (in login order) that has one, else the
 * general policy.caller_id; '' means "let the trunk decide".
 */
export function resolveCallerId(presence: AgentPresence, queues: QueueDialSettings[], policy: Policy, preferQueue?: string): string {
  const byName = new Map(queues.map((q) => [q.name, q]));
  const order = preferQueue ? [preferQueue, ...presence.queues] : presence.queues;
  for (const name of order) {
    const cid = byName.get(name)?.caller_id;
    if (cid) return sanitizeCallerId(cid);
  }
  return sanitizeCallerId(policy.caller_id);
}

/** Caller ids come from config/catalogue, still: they reach Asterisk, so keep them inert. */
export function sanitizeCallerId(cid: string): string {
  const v = cid.trim();
  if (v === '') return '';
  assertNoDialInjection(v, 'caller_id');
  return v;
}
