import { fail, ok, type Normalised, type RawValue } from './result.js';

/**
 * Sign, currency (symbol or 3-letter code) before or after, and a number body of digits,
 * separators and stray spaces (the body is checked separately, to explain what is wrong).
 */
const MONEY_SHAPE = /^([-−+]?)\s*(?:([£$€¥]|[A-Za-z]{3})\s*)?([-−+]?)\s*([\d.,' \u00a0]*)\s*([£$€¥]|[A-Za-z]{3})?$/u;
const CURRENCY_OF_SYMBOL: Readonly<Record<string, string>> = { '£': 'GBP', $: 'USD', '€': 'EUR', '¥': 'JPY' };
const PLAIN_DECIMAL = /^(\d*)(?:\.(\d*))?$/;
const GROUPED_THOUSANDS = /^\d{1,3}(?:,\d{3})+$/;
const DOT_THOUSANDS = /^\d{1,3}(?:\.\d{3})+$/;
const COMMA_DECIMAL = /^\d+,\d{1,2}$/;
const INNER_SPACE = /[' \u00a0]/;
const DIGIT = /\d/;
const COMMAS = /,/g;
const LEADING_ZEROS = /^0+(?=\d)/;
const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];
/** More pound digits than this can never fit in Number.MAX_SAFE_INTEGER pennies. */
const MAX_POUND_DIGITS = 14;

/**
 * An amount of money as an exact integer number of pennies. The decimal text is split into
 * pound and pence digits and combined as integers: never floating-point arithmetic on the
 * amount, so "0.1" + "0.2" style errors cannot creep in. Number cells go through String(n)
 * (the shortest text that round-trips); one holding a float artefact of a two-decimal value
 * (0.30000000000000004, the result of =A2*1.2) is read as Excel displays it, to 15
 * significant digits (see moneyFromNumberCell).
 */
export function normaliseMoney(value: RawValue, options: { allowNegative: boolean; currency?: string }): Normalised<number> {
  const expected = (options.currency ?? 'GBP').toUpperCase();
  if (typeof value === 'number') return moneyFromNumberCell(value, options.allowNegative);
  if (typeof value !== 'string') return fail(`not an amount of money (${typeof value === 'boolean' ? 'a TRUE/FALSE cell' : 'a date'})`);

  const text = value.trim();
  let rest = text;
  let bracketed = false;
  // Accountants write negatives in brackets: (£5.00).
  if (rest.startsWith('(') && rest.endsWith(')')) {
    bracketed = true;
    rest = rest.slice(1, -1).trim();
  }
  const shape = MONEY_SHAPE.exec(rest);
  if (shape === null) return fail(`not an amount of money ("${text}"): write pounds and pence like 1234.56 or £1,234.56`);
  const [, signBefore = '', currencyBefore, signAfter = '', body = '', currencyAfter] = shape;
  if (!DIGIT.test(body)) return fail(`no number in "${text}": write pounds and pence like 1234.56`);
  const signs = signBefore + signAfter;
  if (signs.length > 1 || (bracketed && signs !== '')) return fail(`more than one sign in "${text}"`);

  const currencyProblem = checkCurrency(currencyBefore, currencyAfter, expected);
  if (currencyProblem !== undefined) return fail(currencyProblem);

  const negative = bracketed || signs === '-' || signs === '−';
  return toPennies(body.trim(), negative, options.allowNegative, text);
}

/** "1234.56" with no symbol or separators, exact, for reports and exports. */
export function formatPennies(pennies: number): string {
  if (!Number.isSafeInteger(pennies)) throw new RangeError(`formatPennies needs a whole number of pennies, got ${pennies}`);
  const magnitude = Math.abs(pennies);
  const pounds = Math.trunc(magnitude / 100);
  const pence = magnitude % 100;
  return `${pennies < 0 ? '-' : ''}${pounds}.${pence < 10 ? '0' : ''}${pence}`;
}

/** Excel shows (and keeps from typing) 15 significant digits of a number. */
const EXCEL_DIGITS = 15;
/**
 * How far (relative) a stored number may sit from its 15-digit display and still count as a
 * float artefact of it: a few units in the last place of a double (2^-52 each), as left by
 * a formula on two-decimal values. A value further off holds digits of its own beyond the
 * 15th (e.g. 1234567890123.456, whose display 1234567890123.46 hides a third decimal).
 */
const ARTEFACT_TOLERANCE = 2 ** -49;

function moneyFromNumberCell(value: number, allowNegative: boolean): Normalised<number> {
  if (!Number.isFinite(value)) return fail(`not an amount of money (${value})`);
  const magnitude = Math.abs(value);
  const text = String(magnitude);
  // String() uses an exponent below 1e-6 and from 1e21: neither can be pounds and pence.
  if (text.includes('e')) {
    return magnitude >= 1 ? fail(`too large for an amount of money (${value})`) : fail(`too many decimal places (${value}): money must be in pounds and pence`);
  }
  const decimals = text.length - text.indexOf('.') - 1;
  if (!text.includes('.') || decimals <= 2) return toPennies(text, value < 0, allowNegative, String(value));
  // More than two decimals: perhaps a float artefact (0.1 + 0.2 = 0.30000000000000004).
  // Read it as Excel displays it; the display is then checked like any text.
  const shown = Number(magnitude.toPrecision(EXCEL_DIGITS));
  const shownText = String(shown);
  if (shownText.includes('e')) return fail(`too many decimal places (${value}): money must be in pounds and pence`);
  const isArtefact = Math.abs(magnitude - shown) <= shown * ARTEFACT_TOLERANCE;
  const sign = value < 0 ? '-' : '';
  if (!isArtefact) return toPennies(text, value < 0, allowNegative, String(value));
  return toPennies(shownText, value < 0, allowNegative, `${sign}${shownText}`);
}

function checkCurrency(before: string | undefined, after: string | undefined, expected: string): string | undefined {
  const first = before === undefined ? undefined : currencyCode(before);
  const second = after === undefined ? undefined : currencyCode(after);
  if (first !== undefined && second !== undefined && first !== second) return `mixed currencies (${first} and ${second}): give the amount in ${expected} only`;
  const given = first ?? second;
  if (given !== undefined && given !== expected) return `currency ${given}, expected ${expected}: convert the amount to ${expected}`;
  return undefined;
}

function currencyCode(token: string): string {
  return CURRENCY_OF_SYMBOL[token] ?? token.toUpperCase();
}

/** Checks the number body ("1,234.5") and combines its pound and pence digits as integers. */
function toPennies(body: string, negative: boolean, allowNegative: boolean, shown: string): Normalised<number> {
  if (INNER_SPACE.test(body)) return fail(`spaces inside the number ("${shown}"): write pounds and pence like 1234.56`);
  const lastComma = body.lastIndexOf(',');
  const firstDot = body.indexOf('.');
  if (lastComma !== -1 && firstDot !== -1 && lastComma > firstDot) {
    return fail(`"${shown}" looks like a European number with a decimal comma, which is ambiguous here: write pounds and pence like 1234.56`);
  }
  if (firstDot !== -1 && body.indexOf('.', firstDot + 1) !== -1) {
    return DOT_THOUSANDS.test(body)
      ? fail(`"${shown}" uses dots between thousands, which is ambiguous here: write it without separators, like 1234567`)
      : fail(`more than one decimal point in "${shown}"`);
  }
  const whole = firstDot === -1 ? body : body.slice(0, firstDot);
  let poundDigits = whole;
  if (lastComma !== -1) {
    if (firstDot === -1 && COMMA_DECIMAL.test(body)) {
      return fail(`"${shown}" uses a comma for the decimal point, which is ambiguous here: use a full stop for pence (e.g. 12.50)`);
    }
    if (!GROUPED_THOUSANDS.test(whole)) return fail(`thousands separator in the wrong place ("${shown}"): commas must separate groups of three digits, like 1,234,567.89`);
    poundDigits = whole.replace(COMMAS, '');
  }
  const decimal = PLAIN_DECIMAL.exec(firstDot === -1 ? poundDigits : `${poundDigits}${body.slice(firstDot)}`);
  if (decimal === null) return fail(`not an amount of money ("${shown}")`);
  const pounds = (decimal[1] ?? '').replace(LEADING_ZEROS, '');
  const penceDigits = decimal[2] ?? '';
  if (pounds === '' && penceDigits === '') return fail(`no number in "${shown}"`);
  if (penceDigits.length > 2) {
    const places = NUMBER_WORDS[penceDigits.length] ?? String(penceDigits.length);
    return fail(`${places} decimal places (${shown}): money must be in pounds and pence`);
  }
  if (pounds.length > MAX_POUND_DIGITS) return fail(`too large for an amount of money (${shown})`);
  // Both parts are integers below 2^53, so this arithmetic is exact; an overflow can only
  // round upwards, so the bound check below still catches it.
  const magnitude = Number(pounds === '' ? '0' : pounds) * 100 + Number(penceDigits.padEnd(2, '0'));
  if (magnitude > Number.MAX_SAFE_INTEGER) return fail(`too large for an amount of money (${shown})`);
  if (magnitude === 0) return ok(0);
  if (negative && !allowNegative) return fail(`negative amount (${shown}): only zero or more is allowed here`);
  return ok(negative ? -magnitude : magnitude);
}
