import { fail, ok, type Normalised, type RawValue } from './result.js';

const MAILTO_PREFIX = /^mailto:/i;
const DISPLAY_NAME_FORM = /<\s*([^<>\s]+@[^<>\s]+)\s*>/;
const WHITESPACE = /\s/;
/** Local part: printable ASCII allowed by RFC 5322 unquoted, plus any non-ASCII letter (SMTPUTF8). */
const LOCAL_PART = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~.-]+$/u;
/** Domain: dot-separated labels of letters, digits and inner hyphens; last label 2+ letters. */
const DOMAIN = /^(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?\.)+[\p{L}]{2,}$/u;
const MAX_ADDRESS_LENGTH = 254;
const MAX_LOCAL_LENGTH = 64;

/**
 * One email address: trimmed, `mailto:` dropped, domain lower-cased (the local part is kept as
 * typed: some mail servers treat it case-sensitively). Validation is pragmatic, not RFC-complete.
 */
export function normaliseEmail(value: RawValue): Normalised<string> {
  if (typeof value !== 'string') return fail(`not an email address (${String(value)})`);
  const address = value.trim().replace(MAILTO_PREFIX, '');
  const shown = `"${address}"`;

  const named = DISPLAY_NAME_FORM.exec(address);
  if (named !== null) return fail(`${shown} has a name with the address: give the address alone (${named[1]})`);
  const atCount = countAt(address);
  if (atCount > 1 || (atCount === 1 && /[;,]/.test(address))) {
    return fail(`${shown} holds more than one address: one address per cell`);
  }
  if (atCount === 0) return fail(`${shown} is not an email address: it has no @`);
  if (WHITESPACE.test(address)) return fail(`${shown} contains a space: an email address has none`);
  if (address.length > MAX_ADDRESS_LENGTH) return fail(`${shown} is too long for an email address (${address.length} characters, at most ${MAX_ADDRESS_LENGTH})`);
  if (address.includes('..')) return fail(`${shown} has two dots in a row`);

  const at = address.indexOf('@');
  const local = address.slice(0, at);
  const domain = address.slice(at + 1).toLowerCase();
  if (local === '') return fail(`${shown} has nothing before the @`);
  if (local.length > MAX_LOCAL_LENGTH) return fail(`${shown}: the part before the @ is too long (${local.length} characters, at most ${MAX_LOCAL_LENGTH})`);
  if (local.startsWith('.') || local.endsWith('.') || !LOCAL_PART.test(local)) {
    return fail(`${shown}: the part before the @ has characters an email address cannot use`);
  }
  if (domain === '') return fail(`${shown} has nothing after the @`);
  if (!domain.includes('.')) return fail(`${shown}: the domain "${domain}" has no dot (expected something like example.co.uk)`);
  if (!DOMAIN.test(domain)) return fail(`${shown}: "${domain}" is not a valid domain (expected something like example.co.uk)`);
  return ok(`${local}@${domain}`);
}

function countAt(text: string): number {
  let count = 0;
  for (let i = text.indexOf('@'); i !== -1; i = text.indexOf('@', i + 1)) count++;
  return count;
}
