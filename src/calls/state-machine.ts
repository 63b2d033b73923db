/**
 * Call state machine (pure). Every call part (queue call, outbound call, transfer/conference part)
 * moves through these states; the service applies side effects only after `nextState` accepted
 * the move, so an illegal request (hold a ringing call, unhold a connected one) changes nothing.
 *
 *   inbound (queue / direct):  ringing-agent ──agent-answered──► connected  (transfer/conference parts)
 *       agent legs bridged by the daemon: ringing-agent ──leg-answered──► bridging ──bridged──► connected
 *       (`bridging`: the device answered and the daemon answered the customer side, the bridge is not
 *       up yet; the call already counts as answered, so a customer leaving now is an answered call)
 *   outbound:  dialing-agent ──agent-answered──► dialing-customer ──customer-ringing──► ringing-customer
 *              dialing-customer | ringing-customer ──customer-answered──► connected
 *   connected ◄──hold / unhold──► on-hold;   any state ──end──► ended (terminal)
 *
 * Below the transitions: call activities (transfer, conference, room) and the one guard that says
 * which actions each of them allows.
 */
import { CcError } from '../util/errors';

export const CALL_STATES = [
  'ringing-agent',
  'bridging',
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
  'leg-answered',
  'bridged',
  'customer-ringing',
  'customer-answered',
  'hold',
  'unhold',
  'end',
] as const;
export type CallEvent = (typeof CALL_EVENTS)[number];

/** The transitions table: state → event → next state. Anything missing is illegal. */
export const TRANSITIONS: Readonly<Record<CallState, Partial<Record<CallEvent, CallState>>>> = {
  'ringing-agent': { 'agent-answered': 'connected', 'leg-answered': 'bridging', end: 'ended' },
  bridging: { bridged: 'connected', end: 'ended' },
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

/**
 * States in which the call counts as answered (answered_at set, the agent is on it): talking, or
 * `bridging` (both sides answered, the bridge is being set up). Before `bridging` existed, a customer
 * hanging up while the daemon was still bridging was recorded as not answered (seen under load).
 */
export function isAnswered(state: CallState): boolean {
  return state === 'bridging' || isTalking(state);
}

export function isCallState(v: string): v is CallState {
  return (CALL_STATES as readonly string[]).includes(v);
}

/*
 * Second dimension: what a feature is doing with the call's bridges right now. The call state says
 * whether customer and agent talk (connected / on-hold); an activity says who else owns the
 * topology meanwhile. Activities are not stored twice: each feature reports them from its own state
 * machine (transfers: ringing/consulting; conference: ringing/joined; rooms: the call's room) through
 * CallCore.activityProviders, and every action (hold, unhold, mute, DTMF, transfer, conference, room
 * move) passes the one guard below before any side effect.
 *
 * Why these rules (what a contact center expects, and what would break the bridges otherwise):
 *  - transfer ringing / consulting: the transfer owns the customer's hold and the agent bridge; a
 *    manual hold/unhold would move the customer in or out of the consultation, a second transfer or
 *    a conference would fight over the same bridge. Complete or cancel first.
 *  - 3-way conference (added agent ringing or joined): holding the customer would leave the two
 *    agents alone and the hand-over (first agent leaves) would strand the customer in a holding
 *    bridge; a transfer or a room move would take the added agent's bridge away.
 *  - conference room: the room bridge belongs to the room, not the call: hold would pull the
 *    customer out of the room, transfers/conference need the call's own bridge (it has none).
 *    Moving to another room is allowed (both channels move together).
 *  - mute/unmute only touch the agent's microphone: allowed everywhere. DTMF is refused in a
 *    consult (the customer is on hold); elsewhere the call state decides.
 */
export const CALL_ACTIVITIES = ['transfer-ringing', 'consulting', 'conference', 'in-room'] as const;
export type CallActivity = (typeof CALL_ACTIVITIES)[number];

export const CALL_ACTIONS = ['hold', 'unhold', 'mute', 'dtmf', 'transfer', 'conference', 'room'] as const;
export type CallAction = (typeof CALL_ACTIONS)[number];

/** How a refusal names the action ("cannot <text>: call X ..."). */
const ACTION_TEXT: Readonly<Record<CallAction, string>> = {
  hold: 'hold',
  unhold: 'unhold',
  mute: 'mute',
  dtmf: 'send DTMF',
  transfer: 'transfer',
  conference: 'add an agent',
  room: 'move into a room',
};

/** How the refusal describes the activity ("call X <text>; <hint>"). */
export const ACTIVITY_TEXT: Readonly<Record<CallActivity, string>> = {
  'transfer-ringing': 'is being transferred (the target is ringing)',
  consulting: 'is in a transfer consult',
  conference: 'is in a 3-way conference',
  'in-room': 'is in a conference room',
};

const CANCEL_TRANSFER = 'cancel the transfer first or wait for the target to answer';
const END_CONSULT = 'complete or cancel it first';
const END_CONFERENCE = 'cancel the conference first';
const NOT_IN_ROOM = 'not available in a room';

/** The rules table: activity → action → hint of the refusal. Anything missing is allowed. */
export const ACTIVITY_RULES: Readonly<Record<CallActivity, Partial<Record<CallAction, string>>>> = {
  'transfer-ringing': {
    hold: CANCEL_TRANSFER,
    unhold: CANCEL_TRANSFER,
    transfer: CANCEL_TRANSFER,
    conference: CANCEL_TRANSFER,
    room: CANCEL_TRANSFER,
  },
  consulting: { hold: END_CONSULT, unhold: END_CONSULT, dtmf: END_CONSULT, transfer: END_CONSULT, conference: END_CONSULT, room: END_CONSULT },
  conference: { hold: END_CONFERENCE, unhold: END_CONFERENCE, transfer: END_CONFERENCE, conference: END_CONFERENCE, room: END_CONFERENCE },
  'in-room': { hold: NOT_IN_ROOM, unhold: NOT_IN_ROOM, transfer: NOT_IN_ROOM, conference: NOT_IN_ROOM },
};

/** Throws `refused` (409) when one of the call's activities forbids `action`; changes nothing. */
export function assertActionAllowed(callId: string, action: CallAction, activities: readonly CallActivity[]): void {
  for (const a of activities) {
    const hint = ACTIVITY_RULES[a][action];
    if (hint) {
      throw new CcError('refused', `cannot ${ACTION_TEXT[action]}: call ${callId} ${ACTIVITY_TEXT[a]}; ${hint}`, { call: callId, activity: a, action });
    }
  }
}
