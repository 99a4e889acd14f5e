import { fail, ok, type Normalised, type RawValue } from './result.js';

const TRUE_WORDS = new Set(['yes', 'true', '1', 'y', 't']);
const FALSE_WORDS = new Set(['no', 'false', '0', 'n', 'f']);
const ACCEPTED = 'yes/no, true/false, y/n, t/f or 1/0';

/** yes/no style cells, Excel TRUE/FALSE cells and number cells 1/0. */
export function normaliseBoolean(value: RawValue): Normalised<boolean> {
  if (typeof value === 'boolean') return ok(value);
  if (typeof value === 'number') {
    if (value === 1) return ok(true);
    if (value === 0) return ok(false);
    return fail(`not yes or no (${String(value)}): use ${ACCEPTED}`);
  }
  if (typeof value !== 'string') return fail(`a date is not yes or no: use ${ACCEPTED}`);
  const word = value.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return ok(true);
  if (FALSE_WORDS.has(word)) return ok(false);
  return fail(`not yes or no ("${value.trim()}"): use ${ACCEPTED}`);
}
