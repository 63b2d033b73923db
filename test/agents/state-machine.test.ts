import {
  AGENT_STATES,
  AGENT_TRANSITIONS,
  IllegalAgentTransition,
  canTransition,
  isAgentState,
  nextState,
} from '../../src/agents/state-machine';

describe('agent state machine', () => {
  it('has a transitions row for every state, naming only known states', () => {
    for (const s of AGENT_STATES) {
      expect(AGENT_TRANSITIONS[s]).toBeDefined();
      for (const t of AGENT_TRANSITIONS[s]) expect(isAgentState(t)).toBe(true);
    }
  });

  it('allows the normal life of a queue call', () => {
    const path = ['offline', 'available', 'ringing', 'on-call', 'wrap-up', 'available', 'offline'] as const;
    for (let i = 1; i < path.length; i++) expect(nextState(path[i - 1], path[i])).toBe(path[i]);
  });

  it('refuses moves that make no sense', () => {
    expect(canTransition('offline', 'on-call')).toBe(false);
    expect(canTransition('on-call', 'offline')).toBe(false);
    expect(canTransition('on-call', 'ringing')).toBe(false);
    expect(canTransition('ringing', 'wrap-up')).toBe(false);
    expect(() => nextState('offline', 'wrap-up')).toThrow(IllegalAgentTransition);
    expect(() => nextState('on-call', 'offline')).toThrow('illegal agent transition on-call → offline');
  });

  it('lets a transfer target leave a cancelled consult leg straight to available or its pending pause', () => {
    expect(nextState('on-call', 'available')).toBe('available');
    expect(nextState('on-call', 'paused')).toBe('paused');
  });

  it('lets max-no-answer pause a ringing agent and a paused agent take an outbound call', () => {
    expect(canTransition('ringing', 'paused')).toBe(true);
    expect(canTransition('paused', 'on-call')).toBe(true);
  });
});
