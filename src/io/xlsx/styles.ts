/**
 * Which cell styles show numbers as dates. A date in SpreadsheetML is a number whose style's
 * number format is a date format (ECMA-376 Part 1 §18.8.30 numFmt, §18.8.10 cellXfs): built in
 * (ids 14-17 and 22; 27-36 and 50-58 in East Asian locales) or custom, with a day, month or
 * year token outside quoted text and [brackets]. Time-only and elapsed-time formats are not
 * dates: their cells are the plain number (a fraction of a day, or days). Read once, before
 * the sheet, into one array the hot path indexes by the cell's `s`.
 */
import { attributeByLocalName, parseXml } from './xml.js';

/**
 * Built-in formats that show a date (ECMA-376 Part 1 §18.8.30): 14-17 and 22, and the East
 * Asian 27-36 and 50-58. 18-21 (h:mm AM/PM, h:mm:ss AM/PM, h:mm, h:mm:ss) and 45-47 (mm:ss,
 * [h]:mm:ss, mm:ss.0) show a time or a duration with no date: their cells are plain numbers.
 */
const BUILT_IN_DATE_FORMATS = new Set([14, 15, 16, 17, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 50, 51, 52, 53, 54, 55, 56, 57, 58]);

/**
 * Whether a custom number format code shows a date: a day (d), month (m) or year (y) token
 * outside quoted text, [colour/locale/condition] brackets, backslash escapes and _x / *x
 * spacing and fill. An m directly after an h or directly before an s (ignoring everything
 * between that is not a date or time token) is minutes, not a month. A format with only
 * hours, minutes and seconds (h:mm, [h]:mm:ss, mm:ss.0) is a time of day or a duration: not a
 * date, since its number has no day to show.
 */
export function isDateFormat(code: string): boolean {
  // The date and time tokens in order: d, y, m (month or minute, decided below), h, s, and
  // M for an elapsed [m] / [mm], which is always minutes.
  const tokens: string[] = [];
  for (let i = 0; i < code.length; i++) {
    const char = code.charAt(i);
    if (char === '"') {
      const close = code.indexOf('"', i + 1);
      if (close < 0) break;
      i = close;
    } else if (char === '\\' || char === '_' || char === '*') {
      i++;
    } else if (char === '[') {
      const close = code.indexOf(']', i + 1);
      if (close < 0) break;
      const inside = code.slice(i + 1, close).toLowerCase();
      // [h], [mm], [ss]: elapsed time; anything else ([Red], [$-409], [>=100]) shows nothing.
      if (/^(?:h+|m+|s+)$/.test(inside)) tokens.push(inside.startsWith('m') ? 'M' : inside.charAt(0));
      i = close;
    } else {
      const rest = code.slice(i, i + 7).toLowerCase();
      if (rest.startsWith('am/pm')) i += 4;
      else if (rest.startsWith('a/p')) i += 2;
      else if (rest === 'general') i += 6;
      else {
        const token = char.toLowerCase();
        if (token === 'd' || token === 'y' || token === 'm' || token === 'h' || token === 's') {
          while (code.charAt(i + 1).toLowerCase() === token) i++;
          tokens.push(token);
        }
      }
    }
  }
  return tokens.some((token, index) => {
    if (token === 'd' || token === 'y') return true;
    if (token !== 'm') return false;
    const before = tokens[index - 1];
    return before !== 'h' && tokens[index + 1] !== 's';
  });
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
