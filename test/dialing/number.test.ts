import { testConfig } from '../calls/harness';
import { assertNoDialInjection, buildDialString, validateNumber } from '../../src/dialing/number';
import { assertMayDial, resolveCallerId } from '../../src/dialing/policy';
import { CcError } from '../../src/util/errors';

const policy = testConfig().policy;
const intl = testConfig({ international_calls: true, allowed_country_codes: ['1', '351'] }).policy;

function err(fn: () => unknown): CcError {
  try {
    fn();
  } catch (e) {
    return e as CcError;
  }
  throw new Error('expected an error');
}

describe('Brazilian number validation', () => {
  it('accepts mobiles (11 digits, 9 after the DDD) and landlines (10 digits)', () => {
    expect(validateNumber('11987654321', undefined, policy)).toMatchObject({
      ddi: '55', national: '11987654321', full: '5511987654321', dialNumber: '11987654321', kind: 'mobile',
    });
    expect(validateNumber('(21) 3456-7890', '55', policy)).toMatchObject({ national: '2134567890', kind: 'landline' });
  });

  it.each([
    ['1198765432', /mobile .* 11 digits/],
    ['119876543210', /mobile .* 11 digits/],
    ['113456789', /too short/],
    ['11345678901', /landline .* 10 digits/],
    ['0 11 8765-4321', /landline with 2-5 \(got 8\)/], // the trunk 0 is fine, the number after it is not
    ['0123', /must start with the DDD \(2 digits\), optionally after the trunk 0 and a carrier code/],
    ['1018765432', /invalid DDD "10"/],
    ['1176543210', /landline with 2-5/],
    ['11abc54321', /digits only/],
    ['', /required/],
  ])('rejects %s', (n, msg) => {
    const e = err(() => validateNumber(n, undefined, policy));
    expect(e.kind).toBe('invalid');
    expect(e.message).toMatch(msg);
  });

  it('accepts the national forms people type: trunk 0, carrier code, +55 / 0055, formatting', () => {
    for (const n of ['011987654321', '0 15 11 98765-4321', '(011) 98765-4321', '+55 11 98765-4321', '+55 (011) 98765-4321', '0055 11 98765.4321', '5511987654321']) {
      expect([n, validateNumber(n, undefined, policy)]).toEqual([
        n,
        { ddi: '55', national: '11987654321', full: '5511987654321', dialNumber: '11987654321', kind: 'mobile' },
      ]);
    }
    expect(validateNumber('+55 21 3456-7890', '55', policy)).toMatchObject({ national: '2134567890', kind: 'landline' });
    // Brazil's own rules still apply to a number written with +55.
    expect(err(() => validateNumber('+55 11 9876-5432', undefined, policy)).message).toMatch(/mobile .* 11 digits with the DDD, got 10/);
  });

  it('a DDI written in the number goes through the international policy exactly like --ddi', () => {
    for (const n of ['+14155550100', '+1 (415) 555-0100', '0014155550100']) {
      const off = err(() => validateNumber(n, undefined, policy));
      expect([n, off.kind, off.message]).toEqual([n, 'refused', 'international calls are disabled: only DDI 55 is allowed']);
      expect(validateNumber(n, undefined, intl)).toEqual({
        ddi: '1', national: '4155550100', full: '14155550100', dialNumber: '14155550100', kind: 'international',
      });
    }
    const notListed = err(() => validateNumber('+44 7911 123456', undefined, intl));
    expect([notListed.kind, notListed.message]).toEqual(['refused', 'DDI 44 is not allowed (allowed: 55, 1, 351)']);
    expect(validateNumber('+351 912 345 678', '351', intl)).toMatchObject({ full: '351912345678' });
    const clash = err(() => validateNumber('+1 415 555 0100', '55', intl));
    expect([clash.kind, clash.message]).toEqual(['invalid', expect.stringMatching(/has DDI 1 but ddi 55 was given/)]);
  });

  it('other countries: lengths from libphonenumber metadata, their trunk prefix dropped', () => {
    expect(err(() => validateNumber('+1 415 555 010', undefined, intl)).message).toBe('number too short for DDI 1 (9 digits after the DDI)');
    expect(err(() => validateNumber('415 555 01000', '1', intl)).message).toMatch(/too long for DDI 1/);
    expect(err(() => validateNumber('+999 1234 5678', undefined, intl)).message).toMatch(/unknown country code/);
    expect(validateNumber('1 (415) 555-0100', '1', intl)).toMatchObject({ national: '4155550100', full: '14155550100' });
    const pt = testConfig({ international_calls: true, allowed_country_codes: ['351'], default_country_code: '351' }).policy;
    expect(validateNumber('912 345 678', undefined, pt)).toMatchObject({ ddi: '351', dialNumber: '912345678' });
  });

  it('refuses other DDIs unless international calls are on, then only the allowed ones', () => {
    const off = err(() => validateNumber('2025550123', '1', policy));
    expect(off.kind).toBe('refused');
    expect(off.message).toMatch(/only DDI 55/);
    expect(validateNumber('2025550123', '1', intl)).toMatchObject({ full: '12025550123', dialNumber: '12025550123' });
    const notListed = err(() => validateNumber('2025550123', '44', intl));
    expect(notListed.message).toMatch(/DDI 44 is not allowed \(allowed: 55, 1, 351\)/);
    expect(err(() => validateNumber('2025550123', '1x', intl)).kind).toBe('invalid');
  });

  it.each(['11987654321&PJSIP/666', '11987654321,30', 'PJSIP/11987654321', '1198765\r\n4321', '${EVIL}', '119876${X}'])(
    'no input injects into a dial string: %j',
    (n) => {
      expect(err(() => validateNumber(n, undefined, policy)).kind).toBe('invalid');
    },
  );

  it('rejects injection in the DDI too', () => {
    expect(err(() => validateNumber('11987654321', '55&1', intl)).message).toMatch(/"&"/);
    expect(() => assertNoDialInjection('ok123', 'x')).not.toThrow();
  });

  it('builds the dial string from the template', () => {
    const n = validateNumber('11987654321', undefined, policy);
    expect(buildDialString('PJSIP/{number}@trunk', n)).toBe('PJSIP/11987654321@trunk');
    expect(buildDialString('PJSIP/0{ddi}{national}@t', n)).toBe('PJSIP/05511987654321@t');
  });
});

describe('dial policy', () => {
  const base = {
    extension: '1000', name: 'A', device: 'PJSIP/1000', loggedIn: true, state: 'available' as const,
    queues: ['sales', 'support'], blockDialingInPause: true,
  };
  it('refuses while paused when the session blocks dialing in pause, naming the pause', () => {
    const e = err(() => assertMayDial('1000', { ...base, state: 'paused', pauseReason: 'Almoço' }));
    expect(e.kind).toBe('refused');
    expect(e.message).toContain('Almoço');
    expect(e.details).toMatchObject({ pause: 'Almoço' });
    expect(assertMayDial('1000', { ...base, state: 'paused', pauseReason: 'x', blockDialingInPause: false }).extension).toBe('1000');
    expect(err(() => assertMayDial('1000', undefined)).kind).toBe('not_found');
    expect(err(() => assertMayDial('1000', { ...base, loggedIn: false })).kind).toBe('refused');
  });
  it('caller id: first queue with one, else the general policy', () => {
    const p = testConfig({ caller_id: '1140040000' }).policy;
    expect(resolveCallerId(base, [{ name: 'sales', caller_id: null }, { name: 'support', caller_id: '1130030000' }], p)).toBe('1130030000');
    expect(resolveCallerId(base, [{ name: 'sales', caller_id: null }], p)).toBe('1140040000');
    expect(resolveCallerId(base, [], policy)).toBe('');
  });
  it("caller id: the call's own queue (a queue callback's) first, then the agent's queues", () => {
    const p = testConfig({ caller_id: '1140040000' }).policy;
    const both = [{ name: 'sales', caller_id: '1150050000' }, { name: 'support', caller_id: '1130030000' }];
    expect(resolveCallerId(base, both, p)).toBe('1150050000');
    expect(resolveCallerId(base, both, p, 'support')).toBe('1130030000');
    // The call's queue has none: the usual order applies.
    expect(resolveCallerId(base, [{ name: 'sales', caller_id: '1150050000' }, { name: 'support', caller_id: null }], p, 'support')).toBe('1150050000');
    expect(resolveCallerId(base, [{ name: 'support', caller_id: null }], p, 'support')).toBe('1140040000');
  });
});
