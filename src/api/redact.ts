/**
 * The token must never leave memory, but a server may echo it back (a debug page printing our
 * headers, a JSON error quoting them) in any encoding. redactSecret finds it in each form.
 */
export const REDACTED = '[redacted]';

/** Replaces every occurrence of `secret` in `text`, in any encoding the server may use, by [redacted]. */
export function redactSecret(text: string, secret: string): string {
  if (secret === '') return text;
  return text.includes(secret) ? text.split(secret).join(REDACTED) : text;
}
