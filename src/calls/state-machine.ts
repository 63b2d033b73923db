/**
 * Call state machine (pure). Every call part (queue call, outbound call, transfer/conference part)
 * moves through these states; the service applies side effects only after `nextState` accepted
 * the move, so an illegal request (hold a ringing call, unhold a connected one) changes nothing.
 *
 *   inbound (queue / direct):  ringing-agent ──agent-answered──► connected
 *   outbound:  dialing-agent ──agent-answered──► dialing-customer ──customer-ringing──► ringing-customer
 *              dialing-customer | ringing-customer ──customer-answered──► connected
 *   connected ◄──hold / unhold──► on-hold;   any state ──end──► ended (terminal)
 */
import { CcError } from '../util/errors';

export const CALL_STATES = [
  'ringing-agent',
  'dialing-agent',
  'dialing-customer',
  'ringing-customer',
  'connected',
  'on-hold',
  'ended',
] as const;
export type CallState = (typeof CALL_STATES)[number];

export const CALL_EVENTS = [
  'agent-answered',
  'customer-ringing',
  'customer-answered',
  'hold',
  'unhold',
  'end',
] as const;
export type CallEvent = (typeof CALL_EVENTS)[number];

/** The transitions table: state → event → next state. Anything missing is illegal. */
export const TRANSITIONS: Readonly<Record<CallState, Partial<Record<CallEvent, CallState>>>> = {
  'ringing-agent': { 'agent-answered': 'connected', end: 'ended' },
  'dialing-agent': { 'agent-answered': 'dialing-customer', end: 'ended' },
  'dialing-customer': { 'customer-ringing': 'ringing-customer', 'customer-answered': 'connected', end: 'ended' },
  'ringing-customer': { 'customer-answered': 'connected', end: 'ended' },
  connected: { hold: 'on-hold', end: 'ended' },
  'on-hold': { unhold: 'connected', end: 'ended' },
  ended: {},
};

export function canTransition(from: CallState, event: CallEvent): boolean {
  return TRANSITIONS[from][event] !== undefined;
}

/** Next state, or a `refused` CcError naming the state (the API answers 409, the CLI exits 3). */
export function nextState(from: CallState, event: CallEvent): CallState {
  const to = TRANSITIONS[from][event];
  if (!to) throw new CcError('refused', `cannot ${event} a call that is ${from}`, { state: from, event });
  return to;
}

/** States in which the customer and the agent are (or were) talking: the call counts as answered. */
export function isTalking(state: CallState): boolean {
  return state === 'connected' || state === 'on-hold';
}

export function isCallState(v: string): v is CallState {
  return (CALL_STATES as readonly string[]).includes(v);
}
