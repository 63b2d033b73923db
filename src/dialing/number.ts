/**
 * Outbound number rules and dial-string building. Pure: every rejection is a CcError that says what
 * is wrong (`invalid`, or `refused` for a DDI the policy forbids), and nothing is dialled. Numbers
 * are read by the shared parser (./phone.ts). The only thing ever substituted into a dial string is
 * a string of digits validated here, so no input can inject a second destination (`&`), options
 * (`,`), another technology (`/`), a new line or a dialplan expression (`${...}`).
 */
import { invalid, refused } from '../util/errors';
import type { Policy } from '../config/schema';
import { assertNoDialInjection, lengthProblem, parsePhone } from './phone';

export interface ValidatedNumber {
  ddi: string;
  /** Digits as dialled after the DDI: for Brazil DDD + subscriber number. */
  national: string;
  /** DDI + national (E.164 without '+'): what history and the blocklist store. */
  full: string;
  /** What `{number}` in the dial template becomes: `national` for the home country, else `full`. */
  dialNumber: string;
  kind: 'mobile' | 'landline' | 'international';
}

// The injection guard lives with the parser (./phone); re-exported for callers of this module.
export { assertNoDialInjection };

export function validateDdi(ddi: string | undefined, policy: Policy): string {
  const d = (ddi ?? policy.default_country_code).trim();
  assertNoDialInjection(d, 'ddi');
  if (!/^\d{1,3}$/.test(d)) throw invalid(`ddi must be 1-3 digits (got "${d}")`, { field: 'ddi' });
  if (d === policy.default_country_code) return d;
  if (!policy.international_calls) {
    throw refused(`international calls are disabled: only DDI ${policy.default_country_code} is allowed`, {
      field: 'ddi',
      ddi: d,
    });
  }
  if (!policy.allowed_country_codes.includes(d)) {
    const allowed = [policy.default_country_code, ...policy.allowed_country_codes].join(', ');
    throw refused(`DDI ${d} is not allowed (allowed: ${allowed})`, { field: 'ddi', ddi: d });
  }
  return d;
}

/** Brazilian number: DDD (11-99, no zero digit) + 9-digit mobile starting with 9 or 8-digit landline (2-5). */
export function validateBrazilian(digits: string): { national: string; kind: 'mobile' | 'landline' } {
  // The parser has already taken off a trunk 0 / carrier code it could make sense of: a 0 left here
  // is not followed by a DDD and a number of the right length.
  if (digits.startsWith('0')) {
    throw invalid('number must start with the DDD (2 digits), optionally after the trunk 0 and a carrier code', {
      field: 'number',
    });
  }
  if (digits.length < 10) {
    throw invalid(`number too short (${digits.length} digits): expected DDD + number, 10 digits for a landline or 11 for a mobile`, {
      field: 'number',
    });
  }
  const ddd = digits.slice(0, 2);
  if (!/^[1-9][1-9]$/.test(ddd)) throw invalid(`invalid DDD "${ddd}"`, { field: 'number' });
  const subscriber = digits.slice(2);
  if (subscriber.startsWith('9')) {
    if (digits.length !== 11) {
      throw invalid(`a mobile number (starting with 9) must have 11 digits with the DDD, got ${digits.length}`, {
        field: 'number',
      });
    }
    return { national: digits, kind: 'mobile' };
  }
  if (!/^[2-5]/.test(subscriber)) {
    throw invalid(`invalid number: after the DDD a mobile starts with 9 and a landline with 2-5 (got ${subscriber[0]})`, {
      field: 'number',
    });
  }
  if (digits.length !== 10) {
    throw invalid(`a landline number must have 10 digits with the DDD, got ${digits.length}`, { field: 'number' });
  }
  return { national: digits, kind: 'landline' };
}

/**
 * A number a person typed, ready to dial: parsed by the shared parser (./phone: +DDI, 00DDI,
 * national with trunk 0 / carrier code, formatting), its DDI (written, `rawDdi` or the default)
 * checked against the international policy exactly like `--ddi`, then checked as a number of that
 * country: Brazil's own rules (clear messages per mistake), elsewhere libphonenumber's lengths.
 */
export function validateNumber(rawNumber: string, rawDdi: string | undefined, policy: Policy): ValidatedNumber {
  const parsed = parsePhone(rawNumber, { ddi: rawDdi, defaultDdi: policy.default_country_code });
  const ddi = validateDdi(parsed.ddi, policy);
  return countryRules(ddi, parsed.national, policy.default_country_code);
}

/**
 * A number as the same parser and country rules read it, without the international policy: for
 * numbers that are kept, not dialled now (directory contacts). Dialling one later still goes
 * through validateNumber, so a DDI the policy forbids is refused then.
 */
export function readNumber(rawNumber: string, rawDdi: string | undefined, defaultDdi: string): ValidatedNumber {
  const parsed = parsePhone(rawNumber, { ddi: rawDdi, defaultDdi });
  assertNoDialInjection(parsed.ddi, 'ddi');
  if (!/^\d{1,3}$/.test(parsed.ddi)) throw invalid(`ddi must be 1-3 digits (got "${parsed.ddi}")`, { field: 'ddi' });
  return countryRules(parsed.ddi, parsed.national, defaultDdi);
}

/** Brazil's own rules (clear messages per mistake), elsewhere libphonenumber's lengths. */
function countryRules(ddi: string, parsedNational: string, homeDdi: string): ValidatedNumber {
  const home = ddi === homeDdi;
  if (ddi === '55') {
    const { national, kind } = validateBrazilian(parsedNational);
    return { ddi, national, full: ddi + national, dialNumber: home ? national : ddi + national, kind };
  }
  const problem = lengthProblem(ddi, parsedNational);
  if (problem) throw invalid(problem, { field: 'number' });
  const national = parsedNational;
  return { ddi, national, full: ddi + national, dialNumber: home ? national : ddi + national, kind: 'international' };
}

/**
 * Fills the configured template (e.g. `PJSIP/{number}@trunk`). Placeholders: {number} (see
 * ValidatedNumber.dialNumber), {national}, {ddi}, {full}. Values are re-checked as digits.
 */
export function buildDialString(template: string, n: ValidatedNumber): string {
  const values: Record<string, string> = { number: n.dialNumber, national: n.national, ddi: n.ddi, full: n.full };
  for (const [k, v] of Object.entries(values)) {
    if (!/^\d+$/.test(v)) throw invalid(`refusing to build a dial string: ${k} is not digits`, { field: k });
  }
  return template.replace(/\{(number|national|ddi|full)\}/g, (_, k: string) => values[k]);
}
