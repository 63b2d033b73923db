import {
  ACTIVITY_RULES,
  CALL_ACTIONS,
  CALL_ACTIVITIES,
  CALL_EVENTS,
  CALL_STATES,
  TRANSITIONS,
  assertActionAllowed,
  canTransition,
  isAnswered,
  isTalking,
  nextState,
} from '../../src/calls/state-machine';
import { CcError } from '../../src/util/errors';

describe('call state machine', () => {
  it('inbound: ringing-agent → connected ⇄ on-hold → ended', () => {
    let s = nextState('ringing-agent', 'agent-answered');
    expect(s).toBe('connected');
    s = nextState(s, 'hold');
    expect(s).toBe('on-hold');
    s = nextState(s, 'unhold');
    expect(s).toBe('connected');
    expect(nextState(s, 'end')).toBe('ended');
  });

  it('agent leg bridged by the daemon: ringing-agent → bridging (answered, not talking) → connected', () => {
    expect(nextState('ringing-agent', 'leg-answered')).toBe('bridging');
    expect(nextState('bridging', 'bridged')).toBe('connected');
    expect(isAnswered('bridging')).toBe(true);
    expect(isTalking('bridging')).toBe(false);
    expect(isAnswered('ringing-agent')).toBe(false);
    expect(() => nextState('bridging', 'hold')).toThrow(/cannot hold a call that is bridging/);
  });

  it('outbound: dialing-agent → dialing-customer → ringing-customer → connected', () => {
    expect(nextState('dialing-agent', 'agent-answered')).toBe('dialing-customer');
    expect(nextState('dialing-customer', 'customer-ringing')).toBe('ringing-customer');
    expect(nextState('ringing-customer', 'customer-answered')).toBe('connected');
    expect(nextState('dialing-customer', 'customer-answered')).toBe('connected');
  });

  it('refuses illegal moves with a refused CcError naming the state', () => {
    expect(() => nextState('ringing-agent', 'hold')).toThrow(CcError);
    try {
      nextState('connected', 'unhold');
    } catch (e) {
      expect((e as CcError).kind).toBe('refused');
      expect((e as CcError).message).toBe('cannot unhold a call that is connected');
    }
    expect(() => nextState('on-hold', 'hold')).toThrow(/on-hold/);
  });

  it('every non-terminal state can end; ended is terminal', () => {
    for (const s of CALL_STATES) {
      if (s === 'ended') for (const e of CALL_EVENTS) expect(canTransition(s, e)).toBe(false);
      else expect(TRANSITIONS[s].end).toBe('ended');
    }
  });

  it('every transition target is a known state', () => {
    for (const s of CALL_STATES) for (const to of Object.values(TRANSITIONS[s])) expect(CALL_STATES).toContain(to);
    expect(isTalking('on-hold')).toBe(true);
    expect(isTalking('ringing-customer')).toBe(false);
  });
});

describe('call activities (transfer, conference, room) and the action guard', () => {
  it('every activity has a row; mute is allowed everywhere; a room allows moving to another room', () => {
    for (const a of CALL_ACTIVITIES) {
      expect(ACTIVITY_RULES[a]).toBeDefined();
      expect(() => assertActionAllowed('c1', 'mute', [a])).not.toThrow();
    }
    expect(() => assertActionAllowed('c1', 'room', ['in-room'])).not.toThrow();
    expect(() => assertActionAllowed('c1', 'dtmf', ['conference'])).not.toThrow();
    for (const action of CALL_ACTIONS) expect(() => assertActionAllowed('c1', action, [])).not.toThrow();
  });

  it.each([
    ['consulting', 'hold', 'cannot hold: call c1 is in a transfer consult; complete or cancel it first'],
    ['consulting', 'unhold', 'cannot unhold: call c1 is in a transfer consult; complete or cancel it first'],
    ['consulting', 'transfer', 'cannot transfer: call c1 is in a transfer consult; complete or cancel it first'],
    ['transfer-ringing', 'conference', 'cannot add an agent: call c1 is being transferred (the target is ringing); cancel the transfer first or wait for the target to answer'],
    ['conference', 'room', 'cannot move into a room: call c1 is in a 3-way conference; cancel the conference first'],
    ['in-room', 'hold', 'cannot hold: call c1 is in a conference room; not available in a room'],
  ] as const)('%s refuses %s with a clear 409', (activity, action, message) => {
    let err: unknown;
    try {
      assertActionAllowed('c1', action, [activity]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CcError);
    expect(err).toMatchObject({ kind: 'refused', message, details: { call: 'c1', activity, action } });
  });
});
