import { fail, ok, type Normalised, type RawValue } from './result.js';

const LIST_SEPARATORS = /[;,|\r\n]/;

/** Splits a cell holding several values on ; , | or line breaks; trims and drops empty items. */
export function splitList(text: string): string[] {
  const items: string[] = [];
  for (const part of text.split(LIST_SEPARATORS)) {
    const item = part.trim();
    if (item !== '') items.push(item);
  }
  return items;
}

/**
 * Normalises each item of a list cell with `item`; the first bad item fails the cell and is
 * named by its 1-based position. Items that normalise to the same value are kept once, in
 * first-seen order (e.g. the same UUID typed in upper and lower case).
 */
export function normaliseList<T>(value: RawValue, item: (v: string) => Normalised<T>): Normalised<T[]> {
  // A number, boolean or date cell is a list of one.
  const texts = typeof value === 'string' ? splitList(value) : [String(value)];
  if (texts.length === 0) return fail(`no items in "${String(value).trim()}": separate items with ; , or |`);
  const values: T[] = [];
  const seen = new Set<unknown>();
  for (let index = 0; index < texts.length; index++) {
    const text = texts[index] as string;
    const result = item(text);
    if (!result.ok) return fail(`item ${index + 1} ("${text}"): ${result.error}`);
    const key = dedupeKey(result.value);
    if (seen.has(key)) continue;
    seen.add(key);
    values.push(result.value);
  }
  return ok(values);
}

/** Primitives compare by value; anything else (e.g. phone parts) by its JSON. */
function dedupeKey(value: unknown): unknown {
  return value !== null && typeof value === 'object' ? JSON.stringify(value) : value;
}
