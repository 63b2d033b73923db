import { describeTarget, isFinal, newTransfer, nextTransferState, parseTarget, transferEvent, transferView } from '../../src/transfers/model';
import { testConfig } from '../calls/harness';

describe('transfer targets', () => {
  it('an external number is read by the shared parser, its +DDI checked by the policy like --ddi', () => {
    expect(parseTarget('0 15 11 98765-4321', undefined, testConfig())).toMatchObject({
      type: 'external',
      number: { full: '5511987654321' },
      dialString: 'PJSIP/11987654321@trunk',
    });
    expect(() => parseTarget('+1 415 555 0100', undefined, testConfig())).toThrow(
      expect.objectContaining({ kind: 'refused', message: expect.stringMatching(/only DDI 55/) }),
    );
    const intl = testConfig({ international_calls: true, allowed_country_codes: ['1'] });
    expect(parseTarget('+1 (415) 555-0100', undefined, intl)).toMatchObject({ type: 'external', dialString: 'PJSIP/14155550100@trunk' });
    expect(() => parseTarget('+1 415 555 0100', '55', intl)).toThrow(expect.objectContaining({ kind: 'invalid' }));
    // Internal targets are not numbers to parse.
    expect(parseTarget('1001', undefined, intl)).toEqual({ type: 'agent', ext: '1001' });
    expect(parseTarget('301', undefined, intl)).toEqual({ type: 'service', ext: '301' });
  });
});

describe('queue and group targets', () => {
  it('queue:<name> and group:<name> are read before numbers; names follow the catalogue rules', () => {
    const cfg = testConfig();
    expect(parseTarget('queue:vendas', undefined, cfg)).toEqual({ type: 'queue', queue: 'vendas' });
    expect(parseTarget(' Queue: vendas ', undefined, cfg)).toEqual({ type: 'queue', queue: 'vendas' });
    expect(parseTarget('group:equipe-1', undefined, cfg)).toEqual({ type: 'group', group: 'equipe-1' });
    expect(() => parseTarget('queue:', undefined, cfg)).toThrow(expect.objectContaining({ kind: 'invalid', details: { field: 'target' } }));
    expect(() => parseTarget('group:Vendas Team', undefined, cfg)).toThrow(expect.objectContaining({ kind: 'invalid' }));
    expect(() => parseTarget('queue:a&b', undefined, cfg)).toThrow(expect.objectContaining({ kind: 'invalid' }));
    expect(describeTarget({ type: 'queue', queue: 'vendas' })).toBe('queue vendas');
    expect(describeTarget({ type: 'group', group: 'equipe' })).toBe('group equipe');
  });
});

describe('transfer state machine', () => {
  it('ringing → consulting → completed; failed and cancelled are final; complete before answer is refused', () => {
    expect(nextTransferState('ringing', 'answered')).toBe('consulting');
    expect(nextTransferState('ringing', 'answered-blind')).toBe('completed');
    expect(nextTransferState('ringing', 'fail')).toBe('failed');
    expect(nextTransferState('consulting', 'complete')).toBe('completed');
    expect(nextTransferState('consulting', 'cancel')).toBe('cancelled');
    expect(() => nextTransferState('ringing', 'complete')).toThrow('cannot complete a transfer that is ringing: the target has not answered yet');
    for (const s of ['completed', 'failed', 'cancelled'] as const) {
      expect(isFinal(s)).toBe(true);
      expect(() => nextTransferState(s, 'cancel')).toThrow(expect.objectContaining({ kind: 'refused' }));
    }
  });

  it('a group transfer event reaches the members ringing, then the one that answered', () => {
    const t = newTransfer(
      { id: 'c1', agentExt: '1000', queue: 'support' },
      { childId: 'c2', kind: 'attended', target: { type: 'group', group: 'equipe' }, now: 5, group: { name: 'equipe', strategy: 'simultaneous', ringing: ['1001', '1002'], tried: ['1001', '1002'], answeredBy: null } },
    );
    expect(transferEvent(t, null)).toMatchObject({ agent: '1000', agents: ['1001', '1002'], data: { targetType: 'group', targetAgent: null } });
    t.group!.answeredBy = '1002';
    t.group!.ringing = [];
    expect(transferEvent(t, 'ringing')).toMatchObject({ agents: ['1002'], data: { targetAgent: '1002', group: { answeredBy: '1002' } } });
    expect(transferView(t)).toMatchObject({ target: 'group equipe', targetType: 'group', state: 'ringing', group: { tried: ['1001', '1002'] } });
  });
});
