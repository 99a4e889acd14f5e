/**
 * Which cell styles show numbers as dates. A date in SpreadsheetML is a number whose style's
 * number format is a date format (ECMA-376 Part 1 §18.8.30 numFmt, §18.8.10 cellXfs): built in
 * (ids 14-22 and 45-47; 27-36 and 50-58 in East Asian locales) or custom, with a date or time
 * token outside quoted text and [brackets]. Read once, before the sheet, into one array the
 * hot path indexes by the cell's `s`.
 */
import { attributeByLocalName, parseXml } from './xml.js';

const BUILT_IN_DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58]);

/**
 * Whether a custom number format code shows a date or time: a y, m, d, h or s outside quoted
 * text, [colour/locale/condition] brackets, backslash escapes and _x / *x spacing and fill.
 */
export function isDateFormat(code: string): boolean {
  const bare = code
    .replace(/"[^"]*"/g, '')
    .replace(/\[[^\]]*]/g, '')
    .replace(/\\./g, '')
    .replace(/[_*]./g, '')
    .replace(/general/gi, '');
  return /[ymdhs]/i.test(bare);
}

/** isDate[s] is 1 when cell style `s` (an index into cellXfs) formats numbers as dates. */
export type DateStyles = Uint8Array;

export function parseDateStyles(stylesXml: Buffer | undefined): DateStyles {
  if (stylesXml === undefined) return new Uint8Array(0);
  const customFormats = new Map<number, string>();
  const cellFormatIds: number[] = [];
  let inCellXfs = false;
  // Only <numFmts> defines the ids cells use; a numFmt inside <dxfs> (conditional formatting)
  // or elsewhere may reuse an id for another format and must not replace it.
  let inNumFmts = false;
  parseXml(stylesXml, {
    open(name, attributes) {
      if (name === 'numFmts') inNumFmts = true;
      else if (name === 'numFmt' && inNumFmts) {
        const id = Number(attributeByLocalName(attributes, 'numFmtId'));
        const code = attributeByLocalName(attributes, 'formatCode');
        if (Number.isInteger(id) && code !== undefined) customFormats.set(id, code);
      } else if (name === 'cellXfs') inCellXfs = true;
      else if (name === 'xf' && inCellXfs) cellFormatIds.push(Number(attributeByLocalName(attributes, 'numFmtId') ?? 0));
    },
    close(name) {
      if (name === 'cellXfs') inCellXfs = false;
      else if (name === 'numFmts') inNumFmts = false;
    },
  });
  const isDate = new Uint8Array(cellFormatIds.length);
  cellFormatIds.forEach((id, index) => {
    // A custom format may reuse a built-in id; then its code decides.
    const code = customFormats.get(id);
    isDate[index] = (code === undefined ? BUILT_IN_DATE_FORMATS.has(id) : isDateFormat(code)) ? 1 : 0;
  });
  return isDate;
}
