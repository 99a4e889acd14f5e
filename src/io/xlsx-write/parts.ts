/**
 * The small parts of a workbook package (ECMA-376 Part 1 §12, Part 2 OPC), as pure functions
 * of what the writer knows: sheet start and end, notes (comments + the VML drawing Excel needs
 * to show them), the workbook, relationships and content types.
 */
import { EXCEL_MAX_ROWS } from './limits.js';
import { attribute, lettersOf, sheetReference, textElement } from './text.js';

const MAIN_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PACKAGE_REL_NS = 'http://schemas.openxmlformats.org/package/2006/relationships';
const REL_TYPE = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
/** The author every note is written by (Excel shows it in the note's tooltip). */
export const NOTE_AUTHOR = 'plannr-bulk';
/** VML shape ids come in blocks of 1024 per drawing (o:idmap). */
const SHAPES_PER_BLOCK = 1024;

export interface SheetLayout {
  readonly widths: readonly (number | undefined)[];
  readonly frozenHeader: boolean;
  /** The first visible sheet is the one Excel opens on. */
  readonly selected: boolean;
}

/** The start of a worksheet, up to and including `<sheetData>` (§18.3.1.99: views and columns come before the data). */
export function sheetStart(layout: SheetLayout): string {
  const pane = layout.frozenHeader
    ? '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
    : '';
  const cols = layout.widths
    .map((width, index) => (width === undefined ? '' : `<col min="${index + 1}" max="${index + 1}" width="${width}" customWidth="1"/>`))
    .join('');
  return (
    `${XML_DECLARATION}<worksheet xmlns="${MAIN_NS}" xmlns:r="${REL_NS}">` +
    `<sheetViews><sheetView${layout.selected ? ' tabSelected="1"' : ''} workbookViewId="0">${pane}</sheetView></sheetViews>` +
    '<sheetFormatPr defaultRowHeight="15"/>' +
    (cols === '' ? '' : `<cols>${cols}</cols>`) +
    '<sheetData>'
  );
}

export interface Dropdown {
  /** 0-based column. */
  readonly column: number;
  /** The list formula: `"a,b,c"` or a range on the Lists sheet. */
  readonly formula: string;
  /** 1-based sheet rows. */
  readonly firstRow: number;
  readonly lastRow: number;
}

export interface SheetEnd {
  /** `A1:R100`, or undefined for no filter. */
  readonly autoFilter: string | undefined;
  readonly dropdowns: readonly Dropdown[];
  /** The sheet has notes: its relationship rId1 is the VML drawing. */
  readonly hasNotes: boolean;
}

function dropdownXml(dropdown: Dropdown): string {
  const letters = lettersOf(dropdown.column);
  const lastRow = Math.min(dropdown.lastRow, EXCEL_MAX_ROWS);
  return (
    `<dataValidation type="list" errorStyle="stop" allowBlank="1" showErrorMessage="1" errorTitle="Not in the list" error="Pick a value from the list." sqref="${letters}${dropdown.firstRow}:${letters}${lastRow}">` +
    `<formula1>${attribute(dropdown.formula)}</formula1></dataValidation>`
  );
}

/** The end of a worksheet from `</sheetData>`, elements in the order §18.3.1.99 requires. */
export function sheetEnd(end: SheetEnd): string {
  return (
    '</sheetData>' +
    (end.autoFilter === undefined ? '' : `<autoFilter ref="${end.autoFilter}"/>`) +
    (end.dropdowns.length === 0 ? '' : `<dataValidations count="${end.dropdowns.length}">${end.dropdowns.map(dropdownXml).join('')}</dataValidations>`) +
    '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>' +
    (end.hasNotes ? '<legacyDrawing r:id="rId1"/>' : '') +
    '</worksheet>'
  );
}

export interface Note {
  /** 0-based row and column. */
  readonly row: number;
  readonly column: number;
  readonly text: string;
}

/** xl/commentsN.xml (§18.7): the notes' text. */
export function commentsXml(notes: readonly Note[]): string {
  let xml = `${XML_DECLARATION}<comments xmlns="${MAIN_NS}"><authors><author>${NOTE_AUTHOR}</author></authors><commentList>`;
  for (const note of notes) {
    xml += `<comment ref="${lettersOf(note.column)}${note.row + 1}" authorId="0"><text><r>${textElement(note.text)}</r></text></comment>`;
  }
  return `${xml}</commentList></comments>`;
}

/** VML shape-id blocks a drawing of `noteCount` notes takes (at least one). */
export function shapeBlocksFor(noteCount: number): number {
  return Math.max(1, Math.ceil((noteCount + 1) / SHAPES_PER_BLOCK));
}

/**
 * xl/drawings/vmlDrawingN.vml: Excel shows a note only through a hidden VML text box anchored
 * at its cell. `firstBlock` is this drawing's first shape-id block; blocks are unique in the
 * workbook (o:idmap lists them).
 */
export function vmlDrawingXml(notes: readonly Note[], firstBlock: number): string {
  const blocks = shapeBlocksFor(notes.length);
  const idmap = Array.from({ length: blocks }, (_, index) => firstBlock + index).join(',');
  let xml =
    '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel">' +
    `<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="${idmap}"/></o:shapelayout>` +
    '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>';
  notes.forEach((note, index) => {
    const id = firstBlock * SHAPES_PER_BLOCK + 1 + index;
    // Anchor: from (column+1, row) to (column+3, row+4), with offsets as Excel writes them.
    const top = Math.max(note.row - 1, 0);
    xml +=
      `<v:shape id="_x0000_s${id}" type="#_x0000_t202" style="position:absolute;margin-left:59.25pt;margin-top:1.5pt;width:180pt;height:80pt;z-index:${index + 1};visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto">` +
      '<v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/>' +
      '<v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox>' +
      `<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/><x:Anchor>${note.column + 1}, 15, ${top}, 10, ${note.column + 4}, 15, ${top + 5}, 4</x:Anchor>` +
      `<x:AutoFill>False</x:AutoFill><x:Row>${note.row}</x:Row><x:Column>${note.column}</x:Column></x:ClientData></v:shape>`;
  });
  return `${xml}</xml>`;
}

/** xl/worksheets/_rels/sheetN.xml.rels for a sheet with notes: rId1 the drawing, rId2 the comments. */
export function sheetRelsXml(part: number): string {
  return (
    `${XML_DECLARATION}<Relationships xmlns="${PACKAGE_REL_NS}">` +
    `<Relationship Id="rId1" Type="${REL_TYPE}/vmlDrawing" Target="../drawings/vmlDrawing${part}.vml"/>` +
    `<Relationship Id="rId2" Type="${REL_TYPE}/comments" Target="../comments${part}.xml"/>` +
    '</Relationships>'
  );
}

export interface SheetEntry {
  readonly name: string;
  /** N of xl/worksheets/sheetN.xml. */
  readonly part: number;
  readonly hidden: boolean;
  readonly hasNotes: boolean;
  /** `A1:R100` when the sheet has an autofilter. */
  readonly autoFilter: string | undefined;
}

function absoluteRange(range: string): string {
  return range
    .split(':')
    .map((reference) => reference.replace(/^([A-Z]+)(\d+)$/, '$$$1$$$2'))
    .join(':');
}

/** xl/workbook.xml: sheet names in order, the tab Excel opens on, the autofilters' hidden names. */
export function workbookXml(sheets: readonly SheetEntry[]): string {
  const active = Math.max(
    sheets.findIndex((sheet) => !sheet.hidden),
    0,
  );
  const names = sheets
    .map((sheet, index) =>
      sheet.autoFilter === undefined
        ? ''
        : `<definedName name="_xlnm._FilterDatabase" localSheetId="${index}" hidden="1">${attribute(`${sheetReference(sheet.name)}!${absoluteRange(sheet.autoFilter)}`)}</definedName>`,
    )
    .join('');
  return (
    `${XML_DECLARATION}<workbook xmlns="${MAIN_NS}" xmlns:r="${REL_NS}">` +
    `<workbookPr/><bookViews><workbookView activeTab="${active}"/></bookViews><sheets>` +
    sheets
      .map((sheet, index) => `<sheet name="${attribute(sheet.name)}" sheetId="${index + 1}"${sheet.hidden ? ' state="hidden"' : ''} r:id="rId${index + 1}"/>`)
      .join('') +
    `</sheets>${names === '' ? '' : `<definedNames>${names}</definedNames>`}<calcPr calcId="191029"/></workbook>`
  );
}

/** xl/_rels/workbook.xml.rels: rId1..N the sheets in order, then the styles. */
export function workbookRelsXml(sheets: readonly SheetEntry[]): string {
  return (
    `${XML_DECLARATION}<Relationships xmlns="${PACKAGE_REL_NS}">` +
    sheets.map((sheet, index) => `<Relationship Id="rId${index + 1}" Type="${REL_TYPE}/worksheet" Target="worksheets/sheet${sheet.part}.xml"/>`).join('') +
    `<Relationship Id="rId${sheets.length + 1}" Type="${REL_TYPE}/styles" Target="styles.xml"/>` +
    '</Relationships>'
  );
}

/** _rels/.rels: the package's one relationship, to the workbook. */
export function packageRelsXml(): string {
  return `${XML_DECLARATION}<Relationships xmlns="${PACKAGE_REL_NS}"><Relationship Id="rId1" Type="${REL_TYPE}/officeDocument" Target="xl/workbook.xml"/></Relationships>`;
}

/** [Content_Types].xml: every part's type. */
export function contentTypesXml(sheets: readonly SheetEntry[]): string {
  const type = 'application/vnd.openxmlformats-officedocument.spreadsheetml';
  return (
    `${XML_DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
    '<Default Extension="xml" ContentType="application/xml"/>' +
    '<Default Extension="vml" ContentType="application/vnd.openxmlformats-officedocument.vmlDrawing"/>' +
    `<Override PartName="/xl/workbook.xml" ContentType="${type}.sheet.main+xml"/>` +
    `<Override PartName="/xl/styles.xml" ContentType="${type}.styles+xml"/>` +
    sheets
      .map(
        (sheet) =>
          `<Override PartName="/xl/worksheets/sheet${sheet.part}.xml" ContentType="${type}.worksheet+xml"/>` +
          (sheet.hasNotes ? `<Override PartName="/xl/comments${sheet.part}.xml" ContentType="${type}.comments+xml"/>` : ''),
      )
      .join('') +
    '</Types>'
  );
}
