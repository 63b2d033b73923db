/**
 * The one parser for phone numbers people type: `call dial`, external transfer targets, callbacks,
 * blocklist entries and prank blocks all read numbers through here, so "+1 415 555 0100" means the
 * same thing everywhere. What it accepts:
 *   - international: "+<DDI><number>" or "00<DDI><number>" (00 = the ITU international prefix);
 *   - national: with or without the trunk prefix ("011 98765-4321"), and for Brazil the 2-digit
 *     carrier code after it ("0 15 11 98765-4321"); a leading DDI typed without "+" is read as one
 *     only when the number is valid that way and not as a national number ("5511987654321");
 *   - formatting characters: spaces, dots, dashes, parentheses.
 * Country calling codes, trunk/carrier prefixes and number lengths come from libphonenumber-js's
 * metadata (kept up to date upstream) rather than tables of our own. This module only parses: the
 * international policy (which DDIs may be dialled) and Brazil's stricter DDD/mobile/landline rules
 * are applied by validateNumber (./number.ts); the blocklist uses the parse without them, because it
 * has to match whatever caller id the network sends.
 */
import metadata from 'libphonenumber-js/metadata.min.json';
import { parsePhoneNumberFromString, validatePhoneNumberLength } from 'libphonenumber-js';
import { invalid } from '../util/errors';

/** Formatting characters people and CRMs put in numbers ("(11) 98765-4321", "+1 415.555.0100"). */
const FORMATTING = /[\s().-]/g;

/** Every country calling code libphonenumber knows, non-geographic ones (+800, +882...) included. */
const CALLING_CODES: ReadonlySet<string> = new Set([
  ...Object.keys(metadata.country_calling_codes),
  ...Object.keys(metadata.nonGeographic ?? {}),
]);

/** E.164: at most 15 digits, DDI included. */
const E164_MAX = 15;

const FORBIDDEN = [
  { re: /[\r\n]/, what: 'a line break' },
  { re: /\$\{/, what: '"${"' },
  { re: /&/, what: '"&"' },
  { re: /,/, what: '","' },
  { re: /\//, what: '"/"' },
];

/**
 * Throws when `value` carries anything that could change a dial string's meaning (a second
 * destination `&`, options `,`, another technology `/`, a new line, a dialplan expression `${`).
 * The digit check would reject these too; this names the character, which is the useful answer.
 */
export function assertNoDialInjection(value: string, field: string): void {
  for (const f of FORBIDDEN) {
    if (f.re.test(value)) throw invalid(`${field} must not contain ${f.what}`, { field });
  }
}

export function isKnownCallingCode(code: string): boolean {
  return CALLING_CODES.has(code);
}

/**
 * The typed number without formatting: digits, optionally after one leading "+".
 * Throws `invalid` for an empty value, dial-string injection or any other character.
 */
export function compactNumber(raw: unknown, field = 'number'): string {
  if (typeof raw !== 'string' || raw.trim() === '') throw invalid(`${field} is required`, { field });
  assertNoDialInjection(raw, field);
  const c = raw.trim().replace(FORMATTING, '');
  if (!/^\+?\d+$/.test(c)) {
    throw invalid(
      `${field} must contain digits only, optionally after a leading + (spaces, dots, dashes and parentheses are ignored; got "${raw}")`,
      { field },
    );
  }
  return c;
}

export interface ParsedPhone {
  /** Country calling code (DDI), not yet checked against the international policy. */
  ddi: string;
  /** National significant number: no DDI, trunk prefix or carrier code. */
  national: string;
  /** Where the DDI came from: written in the number (+/00), the explicit ddi option, or the default. */
  ddiFrom: 'number' | 'option' | 'default';
}

export interface ParseOptions {
  /** DDI given separately (`--ddi`, API `ddi`); must agree with a DDI written in the number. */
  ddi?: string;
  /** DDI of national numbers when none is given (policy.default_country_code). */
  defaultDdi: string;
}

/**
 * Splits a typed number into DDI and national number. Throws `invalid` for bad characters, an
 * unknown country code, or a written DDI that disagrees with `opts.ddi`. Validity (length, Brazil's
 * rules) and the policy are checked by the caller: see validateNumber and canonicalNumber.
 */
export function parsePhone(raw: string, opts: ParseOptions): ParsedPhone {
  const c = compactNumber(raw);
  const intl = c.startsWith('+') ? c.slice(1) : c.startsWith('00') ? c.slice(2) : undefined;
  if (intl === undefined) {
    const ddi = (opts.ddi ?? opts.defaultDdi).trim();
    return { ddi, national: nationalOf(c, ddi), ddiFrom: opts.ddi === undefined ? 'default' : 'option' };
  }
  const { ddi, national } = splitInternational(intl, raw);
  if (opts.ddi !== undefined && opts.ddi.trim() !== ddi) {
    throw invalid(
      `number "${raw.trim()}" has DDI ${ddi} but ddi ${opts.ddi.trim()} was given: ` +
        `leave out the ddi or write the number without its +${ddi}`,
      { field: 'ddi', ddi: opts.ddi.trim(), numberDdi: ddi },
    );
  }
  return { ddi, national, ddiFrom: 'number' };
}

/** "+<DDI><number>" without the +: calling codes are prefix-free (ITU), so the first match is it. */
function splitInternational(digits: string, raw: string): { ddi: string; national: string } {
  if (digits === '') throw invalid(`number has no digits after its international prefix (got "${raw}")`, { field: 'number' });
  for (let len = 1; len <= 3 && len <= digits.length; len++) {
    const ddi = digits.slice(0, len);
    if (!CALLING_CODES.has(ddi)) continue;
    // libphonenumber also drops a trunk prefix written after the DDI ("+44 (0)7911...", "+55 (011)...").
    const p = parsePhoneNumberFromString(`+${digits}`, { extract: false });
    const national = p?.countryCallingCode === ddi ? p.nationalNumber : digits.slice(len);
    return { ddi, national };
  }
  throw invalid(`unknown country code in "${raw.trim()}": after + or 00 comes the DDI, e.g. +55 11 98765-4321`, {
    field: 'number',
  });
}

/**
 * National significant number of digits typed without an international prefix: libphonenumber
 * strips the trunk prefix (and carrier code) as its metadata says for that country. A DDI it does
 * not know is left to the caller to report; the digits are returned unchanged.
 */
function nationalOf(digits: string, ddi: string): string {
  if (!CALLING_CODES.has(ddi)) return digits;
  const p = parsePhoneNumberFromString(digits, { defaultCallingCode: ddi, extract: false });
  return p && p.countryCallingCode === ddi ? p.nationalNumber : digits;
}

/**
 * Why `national` cannot be a number of country `ddi` by its length (libphonenumber's possible
 * lengths per country), or undefined when the length fits.
 */
export function lengthProblem(ddi: string, national: string): string | undefined {
  if (!CALLING_CODES.has(ddi)) return `unknown country code ${ddi}`;
  const n = national.length;
  if (ddi.length + n > E164_MAX) return `number too long for DDI ${ddi}: ${n} digits after the DDI, at most ${E164_MAX - ddi.length}`;
  switch (validatePhoneNumberLength(`+${ddi}${national}`)) {
    case undefined:
      return undefined;
    case 'TOO_LONG':
      return `number too long for DDI ${ddi} (${n} digits after the DDI)`;
    case 'INVALID_LENGTH':
      return `number has a wrong length for DDI ${ddi} (${n} digits after the DDI)`;
    case 'INVALID_COUNTRY':
      return `unknown country code ${ddi}`;
    default: // TOO_SHORT, NOT_A_NUMBER
      return `number too short for DDI ${ddi} (${n} digits after the DDI)`;
  }
}
