/**
 * Agent state machine: pure, no I/O. The runtime (src/agents/core.ts) asks it before every change
 * and stores the result; an illegal move is a bug in the caller or an event arriving out of order,
 * so it throws and the caller decides whether to ignore it.
 */
import type { AgentStateName } from '../daemon/ports';

export const AGENT_STATES: readonly AgentStateName[] = [
  'offline',
  'available',
  'ringing',
  'on-call',
  'wrap-up',
  'paused',
  'inactive',
] as const;

/**
 * Allowed moves. Notes on the less obvious ones:
 * - paused → ringing/on-call: outbound calls, callbacks and direct calls still reach a paused agent
 *   (the calls domain applies "block dialing in pause"); a pause never stops the phone itself.
 * - ringing → paused: max-no-answer may pause the agent before the calls domain reports the end of
 *   the unanswered leg (AMI and ARI events are not ordered between each other).
 * - wrap-up → ringing/on-call: the agent may dial out during after-call work; the wrap-up row stays
 *   open and its deadline still records the disposition.
 * - on-call → on-call / ringing → ringing: a second leg (conference, consult) is not a new state.
 * - on-call/ringing → inactive: the device became unreachable; the calls domain ends the calls.
 * - on-call → available/paused: a transfer target's consult leg ended before the transfer completed
 *   (cancelled): the agent never had the customer, so no wrap-up (src/agents/call-hooks.ts).
 */
export const AGENT_TRANSITIONS: Readonly<Record<AgentStateName, readonly AgentStateName[]>> = {
  offline: ['available'],
  available: ['ringing', 'on-call', 'paused', 'inactive', 'offline'],
  ringing: ['ringing', 'on-call', 'available', 'paused', 'inactive'],
  'on-call': ['on-call', 'wrap-up', 'available', 'paused', 'inactive'],
  'wrap-up': ['available', 'paused', 'ringing', 'on-call', 'inactive', 'offline'],
  paused: ['paused', 'available', 'ringing', 'on-call', 'inactive', 'offline'],
  inactive: ['inactive', 'available', 'paused', 'wrap-up', 'offline'],
};

export function canTransition(from: AgentStateName, to: AgentStateName): boolean {
  return AGENT_TRANSITIONS[from].includes(to);
}

export class IllegalAgentTransition extends Error {
  constructor(
    public readonly from: AgentStateName,
    public readonly to: AgentStateName,
  ) {
    super(`illegal agent transition ${from} → ${to}`);
    this.name = 'IllegalAgentTransition';
  }
}

/** Returns `to` when allowed, throws otherwise (keeps call sites one-liners). */
export function nextState(from: AgentStateName, to: AgentStateName): AgentStateName {
  if (!canTransition(from, to)) throw new IllegalAgentTransition(from, to);
  return to;
}

export function isAgentState(value: string): value is AgentStateName {
  return (AGENT_STATES as readonly string[]).includes(value);
}

/** States in which the agent takes part in a call (logout refused, pause becomes "after call"). */
export function isBusy(state: AgentStateName): boolean {
  return state === 'ringing' || state === 'on-call';
}
