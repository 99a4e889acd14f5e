/**
 * Reading API records back into request-body terms (export, and checking whether a write
 * already landed). The API nests related records ({uuid, name, ...}) where requests send
 * uuids, and money comes back as {amount, currency, formatted}: these helpers flatten that.
 */

export type ApiRecord = Readonly<Record<string, unknown>>;

export function asRecord(value: unknown): ApiRecord {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as ApiRecord) : {};
}

/** A uuid, or the uuid of a nested {uuid, ...} object. */
export function uuidOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  const uuid = asRecord(value).uuid;
  return typeof uuid === 'string' ? uuid : undefined;
}

/** A list of uuids or of nested objects (a single nested object counts as a list of one). */
export function uuidsOf(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const items = Array.isArray(value) ? value : [value];
  return items.map(uuidOf).filter((u): u is string => u !== undefined);
}

/** Money as integer pennies: a number, or {amount} where amount may be a numeric string. */
export function penniesOf(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  const amount = asRecord(value).amount;
  if (typeof amount === 'number') return amount;
  if (typeof amount === 'string' && /^-?\d+$/.test(amount)) return Number(amount);
  return undefined;
}

export function nameOf(value: unknown): string | undefined {
  const name = asRecord(value).name;
  return typeof name === 'string' ? name : undefined;
}

/**
 * Whether a record already holds every value a request body would set. Lists compare as
 * sets, date-times as instants, everything else strictly.
 */
export function recordHolds(body: Readonly<Record<string, unknown>>, current: Readonly<Record<string, unknown>>): boolean {
  return Object.entries(body).every(([field, wanted]) => sameValue(wanted, current[field]));
}

/** For a person: the fields a record does not hold as sent, e.g. `value is "+447911120010", not "+447911120010x62" as sent`. */
export function heldDifferently(body: Readonly<Record<string, unknown>>, current: Readonly<Record<string, unknown>>): string {
  return Object.entries(body)
    .filter(([field, wanted]) => !sameValue(wanted, current[field]))
    .map(([field, wanted]) => `${field} is ${JSON.stringify(current[field] ?? null)}, not ${JSON.stringify(wanted)} as sent`)
    .join('; ');
}

export function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    const left = Array.isArray(a) ? a : a === null || a === undefined ? [] : [a];
    const right = Array.isArray(b) ? b : b === null || b === undefined ? [] : [b];
    if (left.length !== right.length) return false;
    const set = new Set(right.map(String));
    return left.every((x) => set.has(String(x)));
  }
  if (typeof a === 'string' && typeof b === 'string' && a !== b && isDateTime(a) && isDateTime(b)) {
    return Date.parse(a) === Date.parse(b);
  }
  return (a ?? null) === (b ?? null);
}

const dateTimePattern = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/;
function isDateTime(text: string): boolean {
  return dateTimePattern.test(text) && !Number.isNaN(Date.parse(text));
}
