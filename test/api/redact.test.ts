import { describe, expect, it } from 'vitest';
import { redactSecret } from '../../src/api/redact.js';

// Shaped like a Plannr (Laravel Sanctum) token, with the characters JSON, HTML and URLs escape.
const TOKEN = '123|abcDEF/+xyz=';

const hex = (char: string, upper: boolean): string => {
  const digits = (char.codePointAt(0) ?? 0).toString(16).padStart(4, '0');
  return upper ? digits.toUpperCase() : digits;
};

/** The token as a server might echo it: each form written out by hand from its standard. */
const ECHOES: ReadonlyArray<readonly [string, string]> = [
  ['raw', TOKEN],
  ['JSON with \\/ (PHP json_encode default)', '123|abcDEF\\/+xyz='],
  ['JSON \\u escapes for every character, lower-case hex', Array.from(TOKEN, (c) => `\\u${hex(c, false)}`).join('')],
  ['JSON \\u escapes for every character, upper-case hex', Array.from(TOKEN, (c) => `\\u${hex(c, true)}`).join('')],
  ['JSON \\u escape of the bar only (JSON_HEX_* style)', '123\\u007cabcDEF\\/\\u002bxyz\\u003d'],
  ['HTML decimal references', '123&#124;abcDEF&#47;&#43;xyz&#61;'],
  ['HTML hex references, both cases, leading zeros', '123&#x7C;abcDEF&#x2f;&#X002B;xyz&#x3D;'],
  ['HTML named references', '123&vert;abcDEF&sol;&plus;xyz&equals;'],
  ['HTML named references (other names)', '123&verbar;abcDEF&sol;&plus;xyz&equals;'],
  ['HTML numeric references without the semicolon', '123&#124abcDEF&#47&#43xyz&#61'],
  ['URL-encoded (encodeURIComponent)', encodeURIComponent(TOKEN)],
  ['URL-encoded with lower-case hex', '123%7cabcDEF%2f%2bxyz%3d'],
  ['every letter URL-encoded', Array.from(TOKEN, (c) => `%${c.charCodeAt(0).toString(16)}`).join('')],
  ['an HTML reference inside JSON with its & escaped', '123\\u0026#124;abcDEF\\/+xyz='],
  ['each character in a different form', '1\\u00323&#x7c;a%62cD&#69;F&sol;\\u002Bxyz%3D'],
];

describe('redactSecret', () => {
  for (const [form, echoed] of ECHOES) {
    it(`redacts the token echoed as ${form}`, () => {
      expect(redactSecret(`Authorization: Bearer ${echoed} (end)`, TOKEN)).toBe('Authorization: Bearer [redacted] (end)');
    });
  }

  it('redacts every occurrence, in different forms in one text', () => {
    const text = `a ${TOKEN} b ${encodeURIComponent(TOKEN)} c 123&#124;abcDEF&#47;&#43;xyz&#61; d`;
    expect(redactSecret(text, TOKEN)).toBe('a [redacted] b [redacted] c [redacted] d');
  });

  it('leaves a JSON body valid JSON, the echo replaced', () => {
    const body = `{"message":"Unauthenticated","headers":{"authorization":["Bearer ${'123\\u007cabcDEF\\/+xyz='}"]}}`;
    expect(JSON.parse(redactSecret(body, TOKEN))).toEqual({ message: 'Unauthenticated', headers: { authorization: ['Bearer [redacted]'] } });
  });

  it('leaves text without the token alone, even text sharing its start', () => {
    const text = 'row 123|abc failed; 50% done & more \\n';
    expect(redactSecret(text, TOKEN)).toBe(text);
    expect(redactSecret('123|abcDEF/+xyz', TOKEN)).toBe('123|abcDEF/+xyz');
  });

  it('is case-sensitive on the token itself (tokens are)', () => {
    expect(redactSecret('123|ABCdef/+XYZ=', TOKEN)).toBe('123|ABCdef/+XYZ=');
  });
});
