import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { canonicalDelimiter, canonicalEncoding, detectDelimiter, detectEncoding, firstLineOf, isUtf8, sniffFormat } from '../../src/io/detect.js';

describe('sniffFormat', () => {
  it.each([
    [[0x50, 0x4b, 0x03, 0x04, 0x14], 'xlsx'],
    [[0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], 'ole2'],
    [[0x25, 0x50, 0x44, 0x46, 0x2d], 'pdf'],
    [[0x89, 0x50, 0x4e, 0x47], 'image'],
    [[0xff, 0xd8, 0xff, 0xe0], 'image'],
    [[0x41, 0x00, 0x42], 'binary'],
    [[0xff, 0xfe, 0x41, 0x00], 'text'],
    [[0x41, 0x2c, 0x42, 0x0a], 'text'],
    [[...Buffer.from('  <HTML><body>')], 'html'],
    [[...Buffer.from('<?xml version="1.0"?>')], 'xml'],
    // A zip whose first entry is "mimetype", stored, holding the OpenDocument spreadsheet type.
    [[0x50, 0x4b, 0x03, 0x04, ...Array(22).fill(0), 8, 0, 0, 0, ...Buffer.from('mimetypeapplication/vnd.oasis.opendocument.spreadsheet')], 'ods'],
    [[0x50, 0x4b, 0x03, 0x04, ...Array(22).fill(0), 8, 0, 0, 0, ...Buffer.from('mimetypeapplication/vnd.oasis.opendocument.text')], 'xlsx'],
  ])('sniffs %j as %s', (bytes, format) => {
    expect(sniffFormat(Uint8Array.from(bytes))).toBe(format);
  });
});

describe('detectEncoding', () => {
  it('believes byte-order marks', () => {
    expect(detectEncoding(Uint8Array.from([0xef, 0xbb, 0xbf, 0x41]), true)).toEqual({ encoding: 'utf-8', bomLength: 3 });
    expect(detectEncoding(Uint8Array.from([0xff, 0xfe, 0x41, 0]), true)).toEqual({ encoding: 'utf-16le', bomLength: 2 });
    expect(detectEncoding(Uint8Array.from([0xfe, 0xff, 0, 0x41]), true)).toEqual({ encoding: 'utf-16be', bomLength: 2 });
  });

  it('falls back to Windows-1252 when the text is not UTF-8', () => {
    expect(detectEncoding(iconv.encode('Zoë €5', 'windows-1252'), true).encoding).toBe('windows-1252');
    expect(detectEncoding(Buffer.from('Zoë €5'), true).encoding).toBe('utf-8');
  });

  it('forgives a character cut at the end of a partial sample, but not of a whole file', () => {
    const cut = Buffer.from('abc€').subarray(0, 5); // € is 3 bytes: keep 2
    expect(isUtf8(cut, false)).toBe(true);
    expect(isUtf8(cut, true)).toBe(false);
  });
});

describe('delimiters and encodings given by the user', () => {
  it('detects the most frequent delimiter outside quotes, ties going to comma', () => {
    expect(detectDelimiter('Name;Phone;Notes')).toBe(';');
    expect(detectDelimiter('"Smith, Ann";Phone')).toBe(';');
    expect(detectDelimiter('Name\tPhone')).toBe('\t');
    expect(detectDelimiter('A,B;C')).toBe(',');
    expect(detectDelimiter('Name')).toBe(',');
  });

  it('accepts names and escapes for delimiters', () => {
    expect(canonicalDelimiter('tab')).toBe('\t');
    expect(canonicalDelimiter('\\t')).toBe('\t');
    expect(canonicalDelimiter('\t')).toBe('\t');
    expect(canonicalDelimiter('semicolon')).toBe(';');
    expect(canonicalDelimiter(':')).toBeUndefined();
  });

  it('maps encoding aliases and refuses unknown ones', () => {
    expect(canonicalEncoding('UTF8')).toBe('utf-8');
    expect(canonicalEncoding('cp1252')).toBe('windows-1252');
    expect(canonicalEncoding('ISO_8859-1')).toBe('windows-1252');
    expect(canonicalEncoding('shift_jis')).toBeUndefined();
  });

  it('finds the first line outside quotes', () => {
    expect(firstLineOf('"a\nb",c\nd')).toBe('"a\nb",c');
    expect(firstLineOf('a,b\r\nc')).toBe('a,b');
    expect(firstLineOf('a,b')).toBeUndefined();
  });
});
