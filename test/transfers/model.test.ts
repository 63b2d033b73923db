import { parseTarget } from '../../src/transfers/model';
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
