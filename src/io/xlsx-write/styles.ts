/**
 * The writer's style table (xl/styles.xml, ECMA-376 Part 1 §18.8): a small fixed table of
 * every combination of bold × fill × number format the writer uses, so a cell's style index is
 * arithmetic, not a lookup. Font sizes other than the default (titles) add entries on demand.
 */
import { attribute } from './text.js';

/** Cell style bits, as rows.ts computes them. */
export const BOLD = 1;
/** Light yellow fill: "this value was changed". */
export const FILL_CHANGED = 2;
/** Light red fill: "this value has a problem" (wins over FILL_CHANGED). */
export const FILL_PROBLEM = 4;

/** Number formats, by their place in the table. */
export const FORMAT_GENERAL = 0;
/** `@`: editing the cell in Excel keeps it text (no formula, no number). */
export const FORMAT_TEXT = 1;
export const FORMAT_DATE = 2;
export const FORMAT_DATE_TIME = 3;
/** Pounds and pence; the value stays the exact number. */
export const FORMAT_MONEY = 4;

export const LIGHT_YELLOW = 'FFFFF2A8';
export const LIGHT_RED = 'FFFFC7CE';

/** numFmtId per format (§18.8.30: 49 is the built-in `@`; ids from 164 are our own codes). */
const NUMBER_FORMATS: ReadonlyArray<{ readonly id: number; readonly code?: string }> = [
  { id: 0 },
  { id: 49 },
  { id: 164, code: 'yyyy-mm-dd' },
  { id: 165, code: 'yyyy-mm-dd hh:mm:ss' },
  { id: 166, code: '"£"#,##0.00;-"£"#,##0.00' },
];

const FILLS = 3; // none, changed, problem
const DEFAULT_FONT_SIZE = 11;

export interface StyleTable {
  /** The cellXfs index for a cell's bits, number format and font size (undefined: the default 11 pt). */
  xfIndex(bits: number, format: number, size: number | undefined): number;
  /** styles.xml, with every entry handed out so far. */
  xml(): string;
}

function fillIndexOf(bits: number): number {
  return (bits & FILL_PROBLEM) !== 0 ? 2 : (bits & FILL_CHANGED) !== 0 ? 1 : 0;
}

/** Index into the fixed part of the table: bold + 2 × fill + 6 × format (xf 0 is the default style). */
function fixedIndex(bits: number, format: number): number {
  return (bits & BOLD) + 2 * fillIndexOf(bits) + 2 * FILLS * format;
}

const FIXED_XFS = 2 * FILLS * NUMBER_FORMATS.length;

function fontXml(bold: boolean, size: number): string {
  return `<font>${bold ? '<b/>' : ''}<sz val="${size}"/><name val="Calibri"/><family val="2"/></font>`;
}

function solidFill(argb: string): string {
  return `<fill><patternFill patternType="solid"><fgColor rgb="${argb}"/><bgColor indexed="64"/></patternFill></fill>`;
}

function xfXml(fontId: number, fillIndex: number, format: number): string {
  const numFmtId = NUMBER_FORMATS[format]?.id ?? 0;
  // Fills 0 and 1 are reserved (none, gray125): ours are 2 and 3.
  const fillId = fillIndex === 0 ? 0 : fillIndex + 1;
  const applies = `${fontId !== 0 ? ' applyFont="1"' : ''}${fillId !== 0 ? ' applyFill="1"' : ''}${numFmtId !== 0 ? ' applyNumberFormat="1"' : ''}`;
  return `<xf numFmtId="${numFmtId}" fontId="${fontId}" fillId="${fillId}" borderId="0" xfId="0"${applies}/>`;
}

export function createStyleTable(): StyleTable {
  /** Fonts past the two fixed ones (regular, bold), keyed "bold/size". */
  const extraFonts = new Map<string, number>();
  const fonts: string[] = [fontXml(false, DEFAULT_FONT_SIZE), fontXml(true, DEFAULT_FONT_SIZE)];
  /** xfs past the fixed ones, keyed "bits/format/size". */
  const extraXfs = new Map<string, number>();
  const xfs: string[] = [];
  for (let index = 0; index < FIXED_XFS; index += 1) {
    const bold = index % 2;
    const fill = Math.floor(index / 2) % FILLS;
    const format = Math.floor(index / (2 * FILLS));
    xfs.push(xfXml(bold, fill, format));
  }

  function fontFor(bold: boolean, size: number): number {
    const key = `${bold ? 1 : 0}/${size}`;
    let id = extraFonts.get(key);
    if (id === undefined) {
      id = fonts.length;
      fonts.push(fontXml(bold, size));
      extraFonts.set(key, id);
    }
    return id;
  }

  return {
    xfIndex(bits, format, size) {
      if (size === undefined || size === DEFAULT_FONT_SIZE) return fixedIndex(bits, format);
      const key = `${bits}/${format}/${size}`;
      let index = extraXfs.get(key);
      if (index === undefined) {
        index = xfs.length;
        xfs.push(xfXml(fontFor((bits & BOLD) !== 0, size), fillIndexOf(bits), format));
        extraXfs.set(key, index);
      }
      return index;
    },
    xml() {
      const customFormats = NUMBER_FORMATS.filter((format) => format.code !== undefined);
      return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' +
        `<numFmts count="${customFormats.length}">${customFormats.map((format) => `<numFmt numFmtId="${format.id}" formatCode="${attribute(format.code ?? '')}"/>`).join('')}</numFmts>` +
        `<fonts count="${fonts.length}">${fonts.join('')}</fonts>` +
        `<fills count="4"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>${solidFill(LIGHT_YELLOW)}${solidFill(LIGHT_RED)}</fills>` +
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
        `<cellXfs count="${xfs.length}">${xfs.join('')}</cellXfs>` +
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' +
        '<dxfs count="0"/><tableStyles count="0"/>' +
        '</styleSheet>'
      );
    },
  };
}
