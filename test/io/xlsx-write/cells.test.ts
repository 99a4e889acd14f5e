import { describe, expect, it } from 'vitest';
import { looksLikeFormula } from '../../../src/io/safe-text.js';
import { decodeXstring } from '../../../src/io/xlsx/cells.js';
import { rowXml, startsLikeFormula } from '../../../src/io/xlsx-write/rows.js';
import { createStyleTable } from '../../../src/io/xlsx-write/styles.js';
import { attribute, clampCellText, safeSheetName, xstring } from '../../../src/io/xlsx-write/text.js';

describe('cell text as ST_Xstring (ECMA-376 Part 1 §22.4.2.4)', () => {
  it('escapes what XML element content cannot hold as is', () => {
    expect(xstring('Smith & Co <ltd> "q"')).toBe('Smith &amp; Co &lt;ltd&gt; "q"');
  });

  it('keeps characters XML 1.0 forbids as _xHHHH_, and a CR as a character reference', () => {
    expect(xstring('a\u0000b\u0007c\u001Bd\uFFFF')).toBe('a_x0000_b_x0007_c_x001B_d_xFFFF_');
    expect(xstring('one\r\ntwo\tthree')).toBe('one&#13;\ntwo\tthree');
  });

  it('escapes the underscore of text that would read as an escape, so it reads back as typed', () => {
    expect(xstring('_x0041_')).toBe('_x005F_x0041_');
    expect(xstring('_x0041_x0042_')).toBe('_x005F_x0041_x005F_x0042_');
    expect(xstring('phone_number _x12_ _xZZZZ_')).toBe('phone_number _x12_ _xZZZZ_');
    for (const text of ['_x0041_', '_x0041_x0042_', 'a\u0001b', '__x0041__', '_x005F_']) {
      // Our reader's decoding (after the XML parser has undone &amp; and friends).
      expect(decodeXstring(xstring(text))).toBe(text);
    }
  });

  it('drops from attributes the characters XML cannot hold there and escapes the rest', () => {
    expect(attribute('a"b&c<d>\u0001\te')).toBe('a&quot;b&amp;c&lt;d&gt;&#9;e');
  });

  it('cuts text at 32,767 characters without splitting a surrogate pair', () => {
    expect(clampCellText('x'.repeat(40_000))).toHaveLength(32_767);
    const pairAcrossTheLimit = `${'x'.repeat(32_766)}👍`;
    expect(clampCellText(pairAcrossTheLimit)).toBe('x'.repeat(32_766));
    expect(clampCellText('short')).toBe('short');
  });

  it('names sheets the way Excel accepts: 31 characters, no : \\ / ? * [ ], no apostrophe at either end', () => {
    expect(safeSheetName('a:b/c\\d?e*f[g]h')).toBe('a_b_c_d_e_f_g_h');
    expect(safeSheetName("'quoted'")).toBe('_quoted_');
    expect(safeSheetName('x'.repeat(40))).toHaveLength(31);
    expect(safeSheetName('')).toBe('Sheet');
  });
});

describe('rowXml', () => {
  it('treats as formula-like exactly what safe-text.ts does', () => {
    for (const text of ['=1', '+44', '-1', '@x', '\tx', '\rx', 'x=1', ' =1', '', 'plain']) {
      expect(startsLikeFormula(text), JSON.stringify(text)).toBe(looksLikeFormula(text));
    }
  });

  it('writes text as inline strings, never a formula element', () => {
    const xml = rowXml(2, ['=SUM(A1:A9)', 12, true, null], undefined, createStyleTable());
    expect(xml).not.toContain('<f>');
    expect(xml).toMatch(/^<row r="2"><c r="A2" s="\d+" t="inlineStr"><is><t>=SUM\(A1:A9\)<\/t><\/is><\/c><c r="B2"><v>12<\/v><\/c><c r="C2" t="b"><v>1<\/v><\/c><\/row>$/);
  });

  it('keeps a styled blank cell (a problem fill on an empty required field still shows)', () => {
    expect(rowXml(3, [null], { problem: [0] }, createStyleTable())).toMatch(/^<row r="3"><c r="A3" s="[1-9]\d*"\/><\/row>$/);
    expect(rowXml(3, [null], undefined, createStyleTable())).toBe('<row r="3"></row>');
  });

  it('writes what has no number form as text: NaN, infinities, dates Excel cannot show', () => {
    const xml = rowXml(1, [Number.NaN, Number.POSITIVE_INFINITY, new Date(Date.UTC(1899, 0, 1)), new Date(Number.NaN)], undefined, createStyleTable());
    expect(xml).toBe(
      '<row r="1"><c r="A1" t="inlineStr"><is><t>NaN</t></is></c><c r="B1" t="inlineStr"><is><t>Infinity</t></is></c><c r="C1" t="inlineStr"><is><t>1899-01-01</t></is></c></row>',
    );
  });

  it('writes dates as 1900-system serial days (25569 is 1970-01-01), time as the fraction', () => {
    const xml = rowXml(1, [new Date(Date.UTC(1970, 0, 1)), new Date(Date.UTC(1970, 0, 1, 12))], undefined, createStyleTable());
    expect(xml).toMatch(/<c r="A1" s="\d+"><v>25569<\/v><\/c><c r="B1" s="\d+"><v>25569.5<\/v><\/c>/);
  });

  it('refuses a row wider than Excel\'s 16,384 columns', () => {
    expect(() => rowXml(1, new Array(16_385).fill(1), undefined, createStyleTable())).toThrow(/16384 columns/);
  });
});
