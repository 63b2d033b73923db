import { CALL_EVENTS, CALL_STATES, TRANSITIONS, canTransition, isTalking, nextState } from '../../src/calls/state-machine';
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
