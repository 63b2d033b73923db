import { escapeUnprintable, jsonSafe, stripUnprintable } from '../../src/util/printable';

describe('printable text', () => {
  const evil = 'Eve"\r\n<sip:evil>\x00\x1b[31m\x7f\x9b2J\u202eabc\u2028';

  it('stripUnprintable drops controls, separators and bidi controls, keeps the rest', () => {
    expect(stripUnprintable(evil)).toBe('Eve"<sip:evil>[31m2Jabc');
    expect(stripUnprintable('João 😀 anonymous')).toBe('João 😀 anonymous');
  });

  it('escapeUnprintable shows them visibly on one line', () => {
    expect(escapeUnprintable(evil)).toBe('Eve"\\x0d\\x0a<sip:evil>\\x00\\x1b[31m\\x7f\\x9b2J\\u202eabc\\u2028');
    expect(escapeUnprintable('a\tb')).toBe('a\\x09b');
  });

  it('jsonSafe: same value once parsed, nothing raw left for a terminal', () => {
    const value = { name: evil, n: [1, 2] };
    const json = jsonSafe(JSON.stringify(value, null, 2));
    expect(JSON.parse(json)).toEqual(value);
    expect(json).not.toMatch(/[\u007f-\u009f\u2028\u202e]/);
    expect(json.split('\n')).toHaveLength(JSON.stringify(value, null, 2).split('\n').length);
  });
});
