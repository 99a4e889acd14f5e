import { fail, ok, type Normalised, type RawValue } from './result.js';

/** C0 controls except tab and line feed, DEL, and C1 controls (often a sign of a wrong text encoding). */
const CONTROL_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const WINDOWS_LINE_BREAK = /\r\n?/g;
/** "4", "-4", "+4", "4.0", "1,000" (grouped correctly). */
const INTEGER_TEXT = /^([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.0*)?$/;
const COMMAS = /,/g;
/** Excel stores 15 significant digits: a number cell this large may already have lost some. */
const EXCEL_EXACT_LIMIT = 1e15;

/**
 * Free text: trimmed; Windows line breaks become \n; control characters rejected (they break
 * the API and spreadsheets); length counted in characters (code points), as the API counts.
 */
export function normaliseText(value: RawValue, options: { maxLength?: number }): Normalised<string> {
  if (value instanceof Date && Number.isNaN(value.getTime())) return fail('not a valid date');
  if (typeof value === 'number' && Math.abs(value) >= EXCEL_EXACT_LIMIT) {
    return fail(
      `${String(value)} is a number with more than 15 digits: Excel keeps only 15, so the rest may be lost. ` +
        'Format the column as Text and re-enter it',
    );
  }
  const text = textOf(value);
  const control = CONTROL_CHARACTER.exec(text);
  if (control !== null) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    return fail(`contains an invisible control character (U+${code}) at position ${control.index + 1}: remove it (or check the file's text encoding)`);
  }
  const { maxLength } = options;
  // text.length >= the code-point count, so only long texts need counting.
  if (maxLength !== undefined && text.length > maxLength) {
    const length = countCodePoints(text);
    if (length > maxLength) return fail(`too long: ${length} characters, at most ${maxLength} allowed`);
  }
  return ok(text);
}

/** A whole number: "4", 4, "4.0", "1,000"; optional bounds. */
export function normaliseInteger(value: RawValue, options: { min?: number; max?: number }): Normalised<number> {
  let number: number;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return fail(`not a whole number (${String(value)})`);
    number = value;
  } else if (typeof value === 'string') {
    const text = value.trim();
    const match = INTEGER_TEXT.exec(text);
    if (match === null) return fail(`not a whole number ("${text}"): use digits only, like 4`);
    number = Number(`${match[1]}${(match[2] as string).replace(COMMAS, '')}`);
  } else {
    return fail(`not a whole number (${typeof value === 'boolean' ? 'a TRUE/FALSE cell' : 'a date'})`);
  }
  if (!Number.isSafeInteger(number)) return fail(`too large (${String(value).trim()})`);
  if (Object.is(number, -0)) number = 0;
  if (options.min !== undefined && number < options.min) return fail(`${number} is below the minimum of ${options.min}`);
  if (options.max !== undefined && number > options.max) return fail(`${number} is above the maximum of ${options.max}`);
  return ok(number);
}

function textOf(value: RawValue): string {
  if (typeof value === 'string') return value.trim().replace(WINDOWS_LINE_BREAK, '\n');
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return isoDateOf(value);
}

/** Excel dates carry wall-clock time in their UTC fields: show the date, and the time if not midnight. */
function isoDateOf(date: Date): string {
  const iso = date.toISOString();
  const time = iso.slice(11, 19);
  return time === '00:00:00' ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${time}`;
}

function countCodePoints(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // A high surrogate followed by a low one is one character.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}
