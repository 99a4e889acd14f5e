import { describe, expect, it } from 'vitest';
import { byteOutput, putUtf8Xstring, putXstring, SLAB_BYTES, takeAll } from '../../../src/io/xlsx-write/bytes.js';
import { EXCEL_MAX_CELL_CHARS } from '../../../src/io/xlsx-write/limits.js';
import { clampCellText, xstring } from '../../../src/io/xlsx-write/text.js';

/** Texts that need every branch: escapes, escape-shaped runs, every UTF-8 length, surrogates, the characters XML cannot hold. */
const TRICKY = [
  '',
  'plain',
  'Smith & Co <ltd> "q"',
  'one\r\ntwo\tthree',
  'a\u0000b\u0007c\u001Bd\u000B\u000C',
  '_x0041_',
  '_x0041_x0042_',
  'phone_number _x12_ _xZZZZ_ _X0041_ _x004g_',
  'ends with _x004',
  '£1,234.56 → sent é ü',
  '\u0800\u07ff\uFFFD',
  '\uFFFE and \uFFFF',
  'pair 👍 and 𝄞',
  'lone \uD800 high, lone \uDC00 low, reversed \uDC00\uD800',
];

function bytesOfXstring(text: string): Buffer {
  const out = byteOutput();
  putXstring(out, text);
  return Buffer.concat(takeAll(out));
}

describe('text written as bytes', () => {
  it('is exactly the UTF-8 of xstring (the escapes ST_Xstring and XML need), for every kind of character', () => {
    for (const text of TRICKY) expect(bytesOfXstring(text).toString('hex'), JSON.stringify(text)).toBe(Buffer.from(xstring(text)).toString('hex'));
  });

  it('writes a lone surrogate as U+FFFD (EF BF BD), as UTF-8 has no form for it', () => {
    expect(bytesOfXstring('a\uD800b').toString('hex')).toBe('61efbfbd62');
  });

  it("cuts text at Excel's 32,767 characters, never splitting a surrogate pair", () => {
    const long = `${'x'.repeat(EXCEL_MAX_CELL_CHARS - 1)}👍tail`;
    expect(bytesOfXstring(long).toString()).toBe(clampCellText(long));
    expect(bytesOfXstring(long).length).toBe(EXCEL_MAX_CELL_CHARS - 1);
  });

  it('keeps every byte, in order, across slab boundaries (escapes falling on a boundary included)', () => {
    const out = byteOutput();
    let expected = '';
    for (let i = 0; expected.length < 3 * SLAB_BYTES; i += 1) {
      const text = TRICKY[i % TRICKY.length]! + String(i);
      putXstring(out, text);
      expected += xstring(text);
    }
    const slabs = takeAll(out);
    expect(slabs.length).toBeGreaterThan(2);
    for (const slab of slabs.slice(0, -1)) expect(slab.length).toBeLessThanOrEqual(SLAB_BYTES);
    expect(Buffer.concat(slabs).equals(Buffer.from(expected))).toBe(true);
  });

  it('gives the same bytes from UTF-8 as from the text (what the writer thread renders from)', () => {
    for (const text of TRICKY) {
      // Bytes as a row record holds them: inside a larger buffer, with neighbours that must not be read.
      const utf8 = Buffer.from(text);
      const framed = Buffer.concat([Buffer.from('_x00'), utf8, Buffer.from('41_')]);
      const out = byteOutput();
      putUtf8Xstring(out, framed, 4, 4 + utf8.length);
      expect(Buffer.concat(takeAll(out)).toString('hex'), JSON.stringify(text)).toBe(Buffer.from(xstring(text)).toString('hex'));
    }
  });
});
