import { fail, ok, type Normalised, type RawValue } from './result.js';

/** 8-4-4-4-12 hex, optionally wrapped in braces (as Windows and some CRMs write GUIDs). */
const UUID_SHAPE = /^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$/;

/** A UUID in lower-case canonical form; braces and upper case are accepted. */
export function normaliseUuid(value: RawValue): Normalised<string> {
  const text = typeof value === 'string' ? value.trim() : String(value);
  const match = UUID_SHAPE.exec(text);
  // Braces must come as a pair: "{abc...}" or none at all.
  if (match === null || text.startsWith('{') !== text.endsWith('}')) {
    return fail(`not a UUID: expected 32 hex digits as 8-4-4-4-12, like 6ff8e2c4-3b1a-4c8e-9d2f-0a1b2c3d4e5f; got "${text}"`);
  }
  return ok((match[1] as string).toLowerCase());
}
