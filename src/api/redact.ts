/**
 * The token must never leave memory, but a server may echo it back (a debug page printing our
 * headers, a JSON error quoting them) in any encoding. redactSecret finds it character by
 * character: each character of the secret may appear
 *   as itself                       |
 *   as a JSON escape                \u007c  \u007C  \/ (for /)  \\ (for \)  \" (for ")
 *   as an HTML character reference  &#124;  &#x7c;  &#X7C;  &#0124  &vert;  &verbar;
 *   URL-encoded                     %7c  %7C
 * and a JSON-escaped HTML page may escape the reference's own `&` (\u0026#124;), so that is
 * matched too. Characters of one occurrence may each use a different form.
 */
export const REDACTED = '[redacted]';

/** HTML5 named references for the visible ASCII characters a token may contain. */
const NAMED_ENTITIES: Readonly<Record<string, readonly string[]>> = {
  '!': ['excl'], '"': ['quot', 'QUOT'], '#': ['num'], $: ['dollar'], '%': ['percnt'], '&': ['amp', 'AMP'],
  "'": ['apos'], '(': ['lpar'], ')': ['rpar'], '*': ['ast', 'midast'], '+': ['plus'], ',': ['comma'],
  '.': ['period'], '/': ['sol'], ':': ['colon'], ';': ['semi'], '<': ['lt', 'LT'], '=': ['equals'],
  '>': ['gt', 'GT'], '?': ['quest'], '@': ['commat'], '[': ['lsqb', 'lbrack'], '\\': ['bsol'],
  ']': ['rsqb', 'rbrack'], '^': ['Hat'], _: ['lowbar', 'UnderBar'], '`': ['grave', 'DiacriticalGrave'],
  '{': ['lcub', 'lbrace'], '|': ['vert', 'verbar', 'VerticalLine'], '}': ['rcub', 'rbrace'],
};

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** `7c` → `7[cC]`: hex digits in either case. */
function anyCaseHex(hex: string): string {
  return hex.replace(/[a-f]/g, (digit) => `[${digit}${digit.toUpperCase()}]`);
}

// The `&` that opens an HTML reference, itself possibly JSON- or URL-escaped.
const AMP = String.raw`(?:&|\\u0026|%26)`;
const HASH = String.raw`(?:#|\\u0023|%23)`;
const SEMI = String.raw`(?:;|\\u003[bB]|%3[bB])`;

/** Every way one character may be written in an echoed body. */
function characterForms(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  const hex = code.toString(16);
  const forms = [escapeRegExp(char)];
  if (code <= 0xffff) forms.push(String.raw`\\u${anyCaseHex(hex.padStart(4, '0'))}`);
  if (char === '/' || char === '\\' || char === '"') forms.push(String.raw`\\${escapeRegExp(char)}`);
  forms.push(`${AMP}${HASH}0*${code};?`);
  forms.push(`${AMP}${HASH}[xX]0*${anyCaseHex(hex)};?`);
  for (const name of NAMED_ENTITIES[char] ?? []) forms.push(`${AMP}${name}${SEMI}`);
  if (code < 0x80) forms.push(`%${anyCaseHex(hex.padStart(2, '0'))}`);
  return forms.length === 1 ? (forms[0] as string) : `(?:${forms.join('|')})`;
}

const patterns = new Map<string, RegExp>();

/** One regular expression per secret, built once. */
function patternFor(secret: string): RegExp {
  let pattern = patterns.get(secret);
  if (pattern === undefined) {
    pattern = new RegExp(Array.from(secret, characterForms).join(''), 'g');
    patterns.set(secret, pattern);
  }
  return pattern;
}

/** Cheap test first: every encoded form contains the raw character, a `\`, a `&` or a `%`. */
function mayContain(text: string, secret: string): boolean {
  return text.includes(secret) || text.includes('\\') || text.includes('&') || text.includes('%');
}

/** `text` with every occurrence of `secret`, in any of the encodings above, replaced by [redacted]. */
export function redactSecret(text: string, secret: string): string {
  if (secret === '' || text === '' || !mayContain(text, secret)) return text;
  const pattern = patternFor(secret);
  pattern.lastIndex = 0;
  return text.replace(pattern, REDACTED);
}

/** redactSecret for several secrets at once. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) result = redactSecret(result, secret);
  return result;
}
