import { fail, ok, type Normalised, type RawValue } from './result.js';

/**
 * A UK National Insurance number (NINO) as HMRC writes it, canonical `AB123456C`: two prefix
 * letters, six digits, a suffix letter. The rules are HMRC's (National Insurance Manual,
 * NIM39110 "What a NINO looks like"):
 * - D, F, I, Q, U and V are never the first or the second letter of the prefix;
 * - O is never the second letter;
 * - the prefixes BG, GB, KN, NK, NT, TN and ZZ are not used;
 * - the suffix is always A, B, C or D.
 * Spaces, dashes and dots between the parts (`ab 12 34 56 c`, `AB-12-34-56-C`) and lower case
 * are accepted. A number without its suffix is refused rather than completed: the letter
 * cannot be worked out from the rest.
 */
export function normaliseNiNumber(value: RawValue): Normalised<string> {
  if (typeof value !== 'string') {
    return fail(`a National Insurance number is two letters, six digits and a letter (like AB 12 34 56 C), not ${typeof value === 'number' ? `the number ${value}` : 'a date or TRUE/FALSE'}`);
  }
  const written = value.trim();
  const compact = written.replace(SEPARATORS, '').toUpperCase();
  const shape = NINO_SHAPE.exec(compact);
  if (shape === null) {
    if (WITHOUT_SUFFIX.test(compact)) return fail(`"${written}" has no final letter: a National Insurance number ends with A, B, C or D (e.g. AB 12 34 56 C)`);
    return fail(`"${written}" is not a National Insurance number: two letters, six digits and a letter A-D, like AB 12 34 56 C`);
  }
  const prefix = shape[1] as string;
  const suffix = shape[3] as string;
  const first = prefix.charAt(0);
  const second = prefix.charAt(1);
  if (NEVER_IN_PREFIX.includes(first) || NEVER_IN_PREFIX.includes(second)) {
    const letter = NEVER_IN_PREFIX.includes(first) ? first : second;
    return fail(`"${written}" is not a valid National Insurance number: HMRC never uses ${letter} in the first two letters (D, F, I, Q, U and V are not used there)`);
  }
  if (second === 'O') return fail(`"${written}" is not a valid National Insurance number: HMRC never uses O as the second letter (is it a zero?)`);
  if (UNUSED_PREFIXES.has(prefix)) return fail(`"${written}" is not a valid National Insurance number: HMRC does not use the prefix ${prefix}`);
  if (!SUFFIXES.includes(suffix)) return fail(`"${written}" is not a valid National Insurance number: the last letter is always A, B, C or D, not ${suffix}`);
  return ok(compact);
}

const SEPARATORS = /[\s.\-]+/g;
const NINO_SHAPE = /^([A-Z]{2})(\d{6})([A-Z])$/;
const WITHOUT_SUFFIX = /^[A-Z]{2}\d{6}$/;
const NEVER_IN_PREFIX = 'DFIQUV';
const UNUSED_PREFIXES: ReadonlySet<string> = new Set(['BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ']);
const SUFFIXES = 'ABCD';
