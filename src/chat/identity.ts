/**
 * Who someone is in the internal chat. Agents are their extension ("agent:1001"); supervisors and
 * admins are their token's `name` ("user:floor supervisor"), since a supervisor has no extension of
 * its own to be addressed by. A token without that identity cannot chat. Kept apart from the
 * service so the /events hub (src/api/events.ts) can filter chat.message without importing it.
 */
import type { Principal } from '../api/types';
import type { DomainEvent } from '../events/bus';

export function chatIdentity(p: Principal): string | null {
  if (p.role === 'agent') return p.agent ? `agent:${p.agent}` : null;
  const name = p.name?.trim();
  return name ? `user:${name}` : null;
}

/** A chat.message goes to its sender and recipients only, whatever the role or scope of the token. */
export function chatEventVisible(p: Principal, e: DomainEvent): boolean {
  const me = chatIdentity(p);
  const to = e.data.recipients;
  return me !== null && Array.isArray(to) && to.includes(me);
}
