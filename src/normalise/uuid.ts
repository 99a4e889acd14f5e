import { fail, ok, type Normalised, type RawValue } from './result.js';

/** 8-4-4-4-12 hex, optionally wrapped in braces (as Windows and some CRMs write GUIDs). */
const UUID_SHAPE = /^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$/;

/** Already canonical, as nearly every UUID in an export is: checked without a capture or a copy. */
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Whether `text` is a UUID in canonical form (lower case, no braces, no spaces). */
export function isCanonicalUuid(text: string): boolean {
  return text.length === 36 && CANONICAL_UUID.test(text);
}

/** A UUID in lower-case canonical form; braces and upper case are accepted. */
export function normaliseUuid(value: RawValue): Normalised<string> {
  if (typeof value === 'string' && isCanonicalUuid(value)) return ok(value);
  const text = typeof value === 'string' ? value.trim() : String(value);
  const match = UUID_SHAPE.exec(text);
  // Braces must come as a pair: "{abc...}" or none at all.
  if (match === null || text.startsWith('{') !== text.endsWith('}')) {
    return fail(`not a UUID: expected 32 hex digits as 8-4-4-4-12, like 6ff8e2c4-3b1a-4c8e-9d2f-0a1b2c3d4e5f; got "${text}"`);
  }
  return ok((match[1] as string).toLowerCase());
}
