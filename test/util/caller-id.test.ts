import {
  CALLER_NAME_MAX,
  CALLER_NUMBER_MAX,
  formatCallerId,
  sanitizeCallerId,
  sanitizeCallerName,
  sanitizeCallerNumber,
} from '../../src/util/caller-id';

/** Any C0/DEL/C1 control, line separator or bidi control left in a string. */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe('caller id sanitising', () => {
  it('drops C0 controls (NUL, CR, LF, TAB, ESC), DEL and C1 controls; keeps the printable rest', () => {
    expect(sanitizeCallerName('Eve"\r\n<sip:evil>\x00\x1b[31m')).toBe('Eve"<sip:evil>[31m');
    expect(sanitizeCallerName('a\tb\x07c\x7fd\x85e\x9bf')).toBe('abcdef');
    expect(sanitizeCallerNumber('5550\x00101\r\n')).toBe('5550101');
  });

  it('drops line/paragraph separators and bidi controls that reorder what a display shows', () => {
    expect(sanitizeCallerName('abc\u202edcba\u2066x\u2069\u2028y\u200f')).toBe('abcdcbaxy');
  });

  it('keeps non-ASCII letters and emoji, trims spaces', () => {
    expect(sanitizeCallerName('  João Müller 😀  ')).toBe('João Müller 😀');
  });

  it('keeps Asterisk\'s "anonymous" (withheld number) unchanged', () => {
    expect(sanitizeCallerNumber('anonymous')).toBe('anonymous');
    expect(sanitizeCallerId({ name: 'Anonymous', number: 'anonymous' })).toEqual({ name: 'Anonymous', number: 'anonymous' });
  });

  it(`caps the name at ${CALLER_NAME_MAX} and the number at ${CALLER_NUMBER_MAX} code points without splitting a pair`, () => {
    expect(sanitizeCallerName('x'.repeat(500))).toHaveLength(CALLER_NAME_MAX);
    expect(sanitizeCallerNumber('1'.repeat(500))).toHaveLength(CALLER_NUMBER_MAX);
    const emoji = sanitizeCallerName('😀'.repeat(100));
    expect(Array.from(emoji)).toHaveLength(CALLER_NAME_MAX);
    expect(emoji).toBe('😀'.repeat(CALLER_NAME_MAX));
  });

  it('a missing caller id (or a non-string) gives empty strings', () => {
    expect(sanitizeCallerId(undefined)).toEqual({ name: '', number: '' });
    expect(sanitizeCallerId({ number: '5550101' })).toEqual({ name: '', number: '5550101' });
    expect(sanitizeCallerName(null)).toBe('');
    expect(sanitizeCallerNumber(12345)).toBe('12345');
  });
});

describe('formatCallerId (originate callerId)', () => {
  it('"name" <number>, the name falling back to the number; none without a number', () => {
    expect(formatCallerId('Ana', '5550101')).toBe('"Ana" <5550101>');
    expect(formatCallerId('', '5550101')).toBe('"5550101" <5550101>');
    expect(formatCallerId('Ana', '')).toBeUndefined();
    expect(formatCallerId(null, null)).toBeUndefined();
    expect(formatCallerId('Anonymous', 'anonymous')).toBe('"Anonymous" <anonymous>');
  });

  it('the name cannot end the quotes or add a second number, whatever it is given', () => {
    const s = formatCallerId('Eve"\r\n<sip:evil>\x00\x1b[31m\\', '55"5<0>1\x00\\01')!;
    expect(s).toBe('"Eve\'sip:evil[31m" <5550101>');
    expect(s).not.toMatch(UNPRINTABLE);
    // Exactly two quotes and one <...> pair: the syntax Asterisk parses is intact.
    expect(s.match(/"/g)).toHaveLength(2);
    expect(s.match(/</g)).toHaveLength(1);
    expect(s.match(/>/g)).toHaveLength(1);
  });

  it('a name made only of delimiters falls back to the number', () => {
    expect(formatCallerId('<>\\', '5550101')).toBe('"5550101" <5550101>');
  });
});
