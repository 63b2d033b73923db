import { compactNumber, lengthProblem, parsePhone } from '../../src/dialing/phone';
import { CcError } from '../../src/util/errors';

function err(fn: () => unknown): CcError {
  try {
    fn();
  } catch (e) {
    return e as CcError;
  }
  throw new Error('expected an error');
}

const parse = (raw: string, ddi?: string, defaultDdi = '55') => parsePhone(raw, { ddi, defaultDdi });

describe('phone number parser', () => {
  it.each([
    ['+1 415 555 0100', '1', '4155550100'],
    ['+1 (415) 555-0100', '1', '4155550100'],
    ['+55 11 98765-4321', '55', '11987654321'],
    ['+44 7911 123456', '44', '7911123456'],
    ['+44 (0)7911 123456', '44', '7911123456'], // trunk 0 written after the DDI
    ['+351 912 345 678', '351', '912345678'],
    ['+49 30 123456', '49', '30123456'],
    ['+39 06 1234 5678', '39', '0612345678'], // Italy keeps its leading 0: no trunk prefix there
    ['+800 1234 5678', '800', '12345678'], // non-geographic (international freephone)
  ])('E.164 %s → DDI %s, national %s', (raw, ddi, national) => {
    expect(parse(raw)).toEqual({ ddi, national, ddiFrom: 'number' });
  });

  it('00 is the international prefix, like +', () => {
    expect(parse('0014155550100')).toEqual({ ddi: '1', national: '4155550100', ddiFrom: 'number' });
    expect(parse('00 55 11 98765-4321')).toEqual({ ddi: '55', national: '11987654321', ddiFrom: 'number' });
    expect(parse('0044 7911 123456')).toEqual(parse('+44 7911 123456'));
  });

  it('Brazil national: with or without the trunk 0, with a carrier code, with the DDI but no +', () => {
    for (const raw of ['11987654321', '011987654321', '0 15 11 98765-4321', '(011) 98765-4321', '021 11 987654321', '55 11 98765 4321']) {
      expect([raw, parse(raw)]).toEqual([raw, { ddi: '55', national: '11987654321', ddiFrom: 'default' }]);
    }
    expect(parse('011 3456-7890').national).toBe('1134567890');
    // DDD 55 (Rio Grande do Sul): a valid national number, not a DDI.
    expect(parse('55 99876-5432').national).toBe('55998765432');
  });

  it('national numbers of other countries use their own trunk prefix', () => {
    expect(parse('07911 123456', undefined, '44')).toEqual({ ddi: '44', national: '7911123456', ddiFrom: 'default' });
    expect(parse('1 (415) 555-0100', undefined, '1').national).toBe('4155550100');
    expect(parse('415.555.0100', '1')).toEqual({ ddi: '1', national: '4155550100', ddiFrom: 'option' });
  });

  it('an explicit DDI must agree with one written in the number', () => {
    expect(parse('+14155550100', '1').ddi).toBe('1');
    const e = err(() => parse('+1 415 555 0100', '55'));
    expect(e.kind).toBe('invalid');
    expect(e.message).toBe('number "+1 415 555 0100" has DDI 1 but ddi 55 was given: leave out the ddi or write the number without its +1');
    expect(err(() => parse('0014155550100', '44')).message).toMatch(/has DDI 1 but ddi 44/);
  });

  it.each([
    ['', /required/],
    ['   ', /required/],
    ['anonymous', /digits only/],
    ['11 9876x4321', /digits only/],
    ['1+4155550100', /digits only/],
    ['++14155550100', /digits only/],
    ['+', /digits only/],
    ['00', /no digits after/],
    ['+999 123 456', /unknown country code in "\+999 123 456"/],
    ['+0 11 98765 4321', /unknown country code/],
  ])('rejects garbage %j', (raw, msg) => {
    const e = err(() => parse(raw));
    expect(e.kind).toBe('invalid');
    expect(e.message).toMatch(msg);
  });

  it.each([
    ['+14155550100&PJSIP/666', /"&"/],
    ['+14155550100,30', /","/],
    ['PJSIP/+14155550100', /"\/"/],
    ['+1415555\r\n0100', /a line break/],
    ['+1${EVIL}', /"\$\{"/],
    ['+1;415', /digits only/],
    ['+1|415', /digits only/],
  ])('rejects injection attempts %j, naming the character', (raw, msg) => {
    const e = err(() => parse(raw));
    expect(e.kind).toBe('invalid');
    expect(e.message).toMatch(msg);
  });

  it('compactNumber keeps digits and one leading +, nothing else', () => {
    expect(compactNumber(' +1 (415) 555.0100 ')).toBe('+14155550100');
    expect(err(() => compactNumber(undefined)).message).toBe('number is required');
    expect(err(() => compactNumber('12&3', 'target')).details).toEqual({ field: 'target' });
  });

  it('lengths come from the country metadata: too short, too long, unknown DDI', () => {
    expect(lengthProblem('1', '4155550100')).toBeUndefined();
    expect(lengthProblem('44', '7911123456')).toBeUndefined();
    expect(lengthProblem('1', '415555010')).toBe('number too short for DDI 1 (9 digits after the DDI)');
    expect(lengthProblem('1', '41555501000')).toBe('number too long for DDI 1 (11 digits after the DDI)');
    expect(lengthProblem('1', '000')).toMatch(/too short/);
    expect(lengthProblem('351', '9123456789012')).toMatch(/too long/);
    expect(lengthProblem('49', '1234567890123456')).toMatch(/too long for DDI 49: 16 digits after the DDI, at most 13/);
    expect(lengthProblem('999', '123456')).toBe('unknown country code 999');
  });
});
