import {
  ParseError,
  getCountryCallingCode,
  isSupportedCountry,
  parsePhoneNumberWithError,
  validatePhoneNumberLength,
  type CountryCode,
  type PhoneNumber,
} from 'libphonenumber-js/max';
import { fail, ok, type Normalised, type NormaliseOptions, type RawValue } from './result.js';

export interface PhoneNumberParts {
  /** +447911123456 (no extension). */
  e164: string;
  /** '44' */
  countryCallingCode: string;
  /** '7911123456' */
  nationalNumber: string;
  /** ISO region libphonenumber resolved ('GB', 'JE', 'GG', 'IM'...), undefined if shared/unknown. */
  country: string | undefined;
  /** Extension digits, if one was given. */
  extension: string | undefined;
}

type PhoneOptions = Pick<NormaliseOptions, 'defaultCountry'>;

const TEL_PREFIX = /^tel:\s*/i;
/** "+44 (0) 20 ...": the bracketed national prefix must go once a country code is given. */
const BRACKETED_TRUNK_ZERO = /\(\s*0\s*\)/;
/** "(+44) 7911 ...", "(0044)7911 ...": a country code in brackets is still a country code. */
const BRACKETED_COUNTRY_CODE = /^\(\s*(?:\+|00)\s*(\d{1,3})\s*\)\s*/;
const INTERNATIONAL_START = /^(?:\+|00)/;
/** "7.7009E+9": Excel displayed (and a CSV export saved) the number in scientific notation. */
const SCIENTIFIC_NOTATION = /^[+-]?\d+(?:[.,]\d+)?e[+-]?\d+$/i;
const DIGITS_ONLY = /^\d+$/;
const NON_DIGITS = /\D/g;
const EXTENSION_START = /(?:ext\.?|extension|x|#|;ext=)/i;
/** "07911 123456; 020 7946 0123", "... / ...", "... or ...". */
const SEVERAL_NUMBERS = /\d[^\d]*[;,/&|][^\d]*\d|\d\s+(?:and|or)\s+[+(]?\d/i;
const EXTENSION_WORDS = /\b(?:ext|extension)\b|^tel:/gi;
const WORD = /[a-z]{2,}/i;

/**
 * Parsing costs ~25-50 µs; files repeat numbers (switchboards, shared landlines), so cache.
 * Small on purpose: entries live long enough to reach the old generation, so a big cache of
 * mostly distinct numbers is garbage the collector keeps marking (50,000 entries cost 200k
 * phone rows ~50 MB of peak memory and ~8% of their time); a number that repeats is back in
 * the cache after its next use.
 */
const CACHE_LIMIT = 5_000;
const cache = new Map<string, Normalised<PhoneNumberParts>>();

/**
 * A phone number as its parts, validated against libphonenumber's full ("max") metadata.
 * Accepts national and international forms, 0044, "+44 (0) 20 ...", tel: URIs and extensions
 * (ext, ext., x, #). Crown-dependency numbers (+44 with JE/GG/IM) are valid.
 */
export function parsePhone(value: RawValue, options: PhoneOptions): Normalised<PhoneNumberParts> {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || !Number.isInteger(value) || value <= 0) return fail(`not a phone number (${value})`);
    if (!Number.isSafeInteger(value)) return fail(`too long to be a phone number (${value})`);
    // toFixed(0) never uses an exponent below 1e21, so every digit Excel kept survives.
    text = value.toFixed(0);
  } else if (typeof value === 'string') {
    text = value.trim();
  } else {
    return fail(`not a phone number (${typeof value === 'boolean' ? 'a TRUE/FALSE cell' : 'a date'})`);
  }
  const key = `${options.defaultCountry}|${text}`;
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const result = parseUncached(text, options.defaultCountry);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, result);
  return result;
}

/** E.164 (+447911123456), with `x` and the extension when one was given (+442079460123x12). */
export function normalisePhone(value: RawValue, options: PhoneOptions): Normalised<string> {
  const parsed = parsePhone(value, options);
  if (!parsed.ok) return parsed;
  const { e164, extension } = parsed.value;
  return ok(extension === undefined ? e164 : `${e164}x${extension}`);
}

function parseUncached(text: string, defaultCountry: string): Normalised<PhoneNumberParts> {
  if (!isSupportedCountry(defaultCountry)) return fail(`unknown default country "${defaultCountry}": use a two-letter code such as GB`);
  if (SCIENTIFIC_NOTATION.test(text)) {
    return fail(`"${text}" was shortened by Excel to scientific notation and its digits are lost: format the column as Text and re-enter the numbers`);
  }
  let cleaned = text.replace(TEL_PREFIX, '').replace(BRACKETED_COUNTRY_CODE, '+$1 ');
  if (INTERNATIONAL_START.test(cleaned)) cleaned = cleaned.replace(BRACKETED_TRUNK_ZERO, ' ');

  const first = tryParse(cleaned, defaultCountry);
  if (first instanceof ParseError) return fail(describeParseError(first.message, text));
  if (first.isValid()) return ok(partsOf(first));

  // Excel drops a leading 0 from numbers typed into a General cell (7911123456): put it back
  // when, and only when, that gives a valid number. Never in front of a 0 already there: a
  // national number with one digit too many (079111234567) would become 0079..., read as
  // the international prefix 00 and accepted as a number in Russia (+7) or the USA (+1).
  if (DIGITS_ONLY.test(cleaned) && !cleaned.startsWith('0')) {
    const withTrunkZero = tryParse(`0${cleaned}`, defaultCountry);
    if (!(withTrunkZero instanceof ParseError) && withTrunkZero.isValid()) return ok(partsOf(withTrunkZero));
  }
  return fail(describeInvalid(first, cleaned, text, defaultCountry));
}

function tryParse(text: string, defaultCountry: string): PhoneNumber | ParseError {
  try {
    return parsePhoneNumberWithError(text, { defaultCountry: defaultCountry as CountryCode, extract: false });
  } catch (error) {
    if (error instanceof ParseError) return error;
    throw error;
  }
}

/** Frozen: results are cached and shared between rows. */
function partsOf(number: PhoneNumber): PhoneNumberParts {
  return Object.freeze({
    e164: number.number,
    countryCallingCode: number.countryCallingCode,
    nationalNumber: number.nationalNumber,
    country: number.country,
    extension: number.ext === undefined || number.ext === '' ? undefined : number.ext,
  });
}

function describeParseError(code: string, text: string): string {
  if (SEVERAL_NUMBERS.test(text)) return `"${text}" looks like more than one number: give one number per cell`;
  const word = WORD.exec(text.replace(EXTENSION_WORDS, ''));
  if (word !== null && code !== 'INVALID_COUNTRY') {
    return `"${text}" has words in it ("${word[0]}"): give only the number, with an extension as "ext 12" if needed`;
  }
  switch (code) {
    case 'INVALID_COUNTRY':
      return `"${text}": unknown country calling code: check the digits after the + (or 00)`;
    case 'TOO_SHORT':
      return `"${text}" is too short to be a phone number`;
    case 'TOO_LONG':
      return `"${text}" is too long to be a phone number`;
    case 'NOT_A_NUMBER':
    default:
      return `"${text}" is not a phone number: use digits with optional spaces, dashes or brackets, a leading + for the country code, and "ext 12" for an extension`;
  }
}

/** Why libphonenumber parsed the digits but does not accept them, in words an office user can act on. */
function describeInvalid(number: PhoneNumber, cleaned: string, text: string, defaultCountry: string): string {
  const region = number.country ?? regionOf(number.countryCallingCode, defaultCountry);
  const digits = INTERNATIONAL_START.test(cleaned)
    ? `${number.nationalNumber.length} digits after +${number.countryCallingCode}`
    : `${digitCount(cleaned)} digits`;
  // libphonenumber allows GB "local only" lengths (7 digits) that cannot be stored usefully:
  // judge a GB number written nationally by its significant digits (9 or 10 after the 0).
  // Jersey, Guernsey and the Isle of Man share the UK numbering plan (+44), so the same rule.
  if ((region === 'GB' || number.countryCallingCode === '44') && !INTERNATIONAL_START.test(cleaned)) {
    const typed = digitCount(cleaned);
    const significant = cleaned.startsWith('0') ? typed - 1 : typed;
    const rule = 'UK numbers have 11 digits including the leading 0, a few have 10';
    if (significant < 9) return `"${text}" is too short for a GB number (${typed} digits; ${rule})`;
    if (significant === 11) return `"${text}" has one digit too many for a UK number (${typed} digits; ${rule})`;
    if (significant > 10) return `"${text}" is too long for a GB number (${typed} digits; ${rule})`;
  }
  // A number of a possible length needs no second parse to say so (the common invalid case).
  const lengthProblem = number.isPossible() ? undefined : validatePhoneNumberLength(cleaned, { defaultCountry: defaultCountry as CountryCode });
  if (lengthProblem === 'TOO_SHORT') return `"${text}" is too short for a ${region} number (${digits})`;
  if (lengthProblem === 'TOO_LONG') return `"${text}" is too long for a ${region} number (${digits})`;
  if (lengthProblem === 'INVALID_LENGTH') return `"${text}" has the wrong number of digits for a ${region} number (${digits})`;
  return `"${text}" is not a valid number for ${region}: no such number is in use (check for a missing or extra digit; some ranges, such as 07700 900xxx, are reserved for TV and film)`;
}

function regionOf(callingCode: string, defaultCountry: string): string {
  return getCountryCallingCode(defaultCountry as CountryCode) === callingCode ? defaultCountry : `+${callingCode}`;
}

/** Digits of the number itself, without an extension. */
function digitCount(text: string): number {
  const extensionAt = text.search(EXTENSION_START);
  return (extensionAt === -1 ? text : text.slice(0, extensionAt)).replace(NON_DIGITS, '').length;
}
