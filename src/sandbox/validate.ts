/**
 * The server-side rules the sandbox enforces, in Laravel's wording. Each check adds to a
 * FieldErrors map rather than throwing, so one response lists every problem (as Laravel does).
 */
import { parsePhoneNumberWithError, type CountryCode } from 'libphonenumber-js/max';
import { DateTime } from 'luxon';
import { addError, attributeName, type FieldErrors } from './http.js';
import { londonIso } from './seed.js';

export interface PhoneParts {
  /**
   * E.164, with an extension as `x<digits>` (`+442079460123x12`): the tool sends extensions,
   * and an emulator that silently dropped them would hide a lost value (Plannr's reference does
   * not say what it stores; an import reads the record back and says so if a value differs).
   */
  e164: string;
  country: string;
  /** National format for GB numbers ("0333 090 3630"), international otherwise. */
  formatted: string;
}

const phoneCache = new Map<string, PhoneParts | null>();

/**
 * A phone value as Plannr accepts it: a UK or international string, or `{country, number}`.
 * null when libphonenumber (max metadata) does not call it a valid number.
 */
export function parsePhoneValue(value: unknown): PhoneParts | null {
  if (typeof value === 'string') return parsePhone(value, 'GB');
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const { country, number } = value as Record<string, unknown>;
    if (typeof country !== 'string' || typeof number !== 'string') return null;
    return parsePhone(number, country.toUpperCase());
  }
  return null;
}

function parsePhone(text: string, defaultCountry: string): PhoneParts | null {
  const cacheKey = `${defaultCountry}|${text}`;
  const cached = phoneCache.get(cacheKey);
  if (cached !== undefined) return cached;
  let parts: PhoneParts | null = null;
  try {
    // extract: false, or "call 020 ... now" would be accepted.
    const parsed = parsePhoneNumberWithError(text, { defaultCountry: defaultCountry as CountryCode, extract: false });
    if (parsed.isValid()) {
      const country = parsed.country ?? '';
      const national = parsed.countryCallingCode === '44';
      parts = {
        e164: parsed.ext === undefined ? parsed.number : `${parsed.number}x${parsed.ext}`,
        country,
        formatted: national ? parsed.formatNational() : parsed.formatInternational(),
      };
    }
  } catch {
    parts = null;
  }
  phoneCache.set(cacheKey, parts);
  return parts;
}

/** Laravel's `email` rule, roughly: one @, a dotted domain, no spaces. */
export function isEmailAddress(value: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value);
}

/**
 * An ISO 8601 date or date-time, as stored and returned (London offset). A time without an
 * offset is read as London wall-clock time. null when not a real date (2026-02-30 is refused).
 */
export function parseDateTime(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) return null;
  const parsed = DateTime.fromISO(value.replace(' ', 'T'), { zone: 'Europe/London', setZone: true });
  return parsed.isValid ? londonIso(parsed) : null;
}

/** The `string|max:255` rule (required when `required`). Returns the string when it passes. */
export function checkName(errors: FieldErrors, field: string, value: unknown, required: boolean): string | undefined {
  if (value === undefined || value === null || value === '') {
    if (required || value !== undefined) addError(errors, field, `The ${attributeName(field)} field is required.`);
    return undefined;
  }
  if (typeof value !== 'string') {
    addError(errors, field, `The ${attributeName(field)} field must be a string.`);
    return undefined;
  }
  if (value.length > 255) {
    addError(errors, field, `The ${attributeName(field)} field must not be greater than 255 characters.`);
    return undefined;
  }
  return value;
}

/**
 * An array of uuids each accepted by `exists` (`account_uuids.0` style errors). Returns the
 * list when every element passes.
 */
export function checkUuidList(
  errors: FieldErrors,
  field: string,
  value: unknown,
  exists: (uuid: string) => boolean,
  options: { required: boolean },
): string[] | undefined {
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) {
    if (options.required) addError(errors, field, `The ${attributeName(field)} field is required.`);
    return Array.isArray(value) ? [] : undefined;
  }
  if (!Array.isArray(value)) {
    addError(errors, field, `The ${attributeName(field)} field must be an array.`);
    return undefined;
  }
  let allOk = true;
  value.forEach((item, index) => {
    if (typeof item !== 'string' || !exists(item)) {
      addError(errors, `${field}.${index}`, `The selected ${attributeName(field)}.${index} is invalid.`);
      allOk = false;
    }
  });
  return allOk ? (value as string[]) : undefined;
}

/** `nullable|date`: null clears, a string must be a real ISO date-time. */
export function checkNullableDate(errors: FieldErrors, field: string, value: unknown): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  const parsed = typeof value === 'string' ? parseDateTime(value) : null;
  if (parsed === null) {
    addError(errors, field, `The ${attributeName(field)} field must be a valid date.`);
    return undefined;
  }
  return parsed;
}

/** `integer|min:min` (nullable when asked). JSON numbers only: "12.5" or 12.5 are refused. */
export function checkInteger(
  errors: FieldErrors,
  field: string,
  value: unknown,
  min: number,
  nullable: boolean,
): number | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) {
    if (nullable) return null;
    addError(errors, field, `The ${attributeName(field)} field must be an integer.`);
    return undefined;
  }
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    addError(errors, field, `The ${attributeName(field)} field must be an integer.`);
    return undefined;
  }
  if (value < min) {
    addError(errors, field, `The ${attributeName(field)} field must be at least ${min}.`);
    return undefined;
  }
  return value;
}
