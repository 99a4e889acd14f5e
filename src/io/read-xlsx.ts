/**
 * Streaming XLSX reader over exceljs's WorkbookReader (exceljs is unmaintained: it stays behind
 * this file). Before streaming, the zip's central directory and xl/workbook.xml are read
 * directly (read-zip.ts): that catches truncated files early, gives every sheet name in order
 * (the streaming reader only learns names as it goes), and the date system.
 *
 * Cells: numbers keep full precision, dates come back as Date whose UTC fields are Excel's
 * wall-clock value, formulas give their cached result, rich text and hyperlinks give their
 * text, error cells give their code ('#N/A'). Merged cells: only the top-left cell holds the
 * value; the others read as empty, as Excel stores them.
 */
import ExcelJS from 'exceljs';
import { Readable } from 'node:stream';
import { InputError, type Location } from '../errors.js';
import { MAX_COLUMNS, checkHeaders, checkRow, headerText, isBlankRow } from './read-common.js';
import { ZipDamage, listZipEntries, readZipEntry } from './read-zip.js';
import type { CellValue, OpenedSheet, SourceRow } from './rows.js';

export interface XlsxSource {
  readonly path: string;
  readonly displayName: string;
  /** Sheet name to read (case-insensitive); default: the first visible worksheet. */
  readonly sheet?: string | undefined;
}

export interface SheetIndexEntry {
  readonly name: string;
  /** Zip path of the sheet's part, e.g. xl/worksheets/sheet1.xml. */
  readonly part: string;
  readonly hidden: boolean;
  readonly isWorksheet: boolean;
}

export interface WorkbookIndex {
  readonly sheets: readonly SheetIndexEntry[];
  readonly date1904: boolean;
}

const DAY_MS = 86_400_000;
/** Days between the 1900 and 1904 date systems' day zero. */
const DAYS_1900_TO_1904 = 1462;

function decodeXmlText(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, entity: string) => {
    const lower = entity.toLowerCase();
    if (lower.startsWith('#x')) return String.fromCodePoint(Number.parseInt(lower.slice(2), 16));
    if (lower.startsWith('#')) return String.fromCodePoint(Number.parseInt(lower.slice(1), 10));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[lower] ?? '';
  });
}

/** Attributes of every element named `local` (any namespace prefix), local attribute names as keys. */
function elementsNamed(xml: string, local: string): Map<string, string>[] {
  const elements: Map<string, string>[] = [];
  for (const match of xml.matchAll(new RegExp(`<(?:[\\w.-]+:)?${local}\\b([^>]*?)/?>`, 'g'))) {
    const attributes = new Map<string, string>();
    for (const attribute of (match[1] ?? '').matchAll(/([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
      const name = attribute[1] ?? '';
      const value = decodeXmlText(attribute[2] ?? attribute[3] ?? '');
      attributes.set(name, value);
      // r:id and the like: also keep the prefixed name's local part with a marker, for ids.
      if (name.includes(':')) attributes.set(`:${name.slice(name.indexOf(':') + 1)}`, value);
    }
    elements.push(attributes);
  }
  return elements;
}

/** Sheet names in workbook order, their parts, and the date system, from workbook.xml and its rels. */
export function parseWorkbookIndex(workbookXml: string, relsXml: string): WorkbookIndex {
  const targets = new Map<string, { part: string; type: string }>();
  for (const rel of elementsNamed(relsXml, 'Relationship')) {
    const id = rel.get('Id');
    const target = rel.get('Target');
    if (id === undefined || target === undefined) continue;
    const part = target.startsWith('/') ? target.slice(1) : `xl/${target.replace(/^\.\//, '')}`;
    targets.set(id, { part, type: rel.get('Type') ?? '' });
  }
  const sheets = elementsNamed(workbookXml, 'sheet').map((sheet): SheetIndexEntry => {
    const rel = targets.get(sheet.get(':id') ?? '');
    return {
      name: sheet.get('name') ?? '',
      part: rel?.part ?? '',
      hidden: (sheet.get('state') ?? 'visible') !== 'visible',
      isWorksheet: rel !== undefined && rel.type.endsWith('/worksheet'),
    };
  });
  const properties = elementsNamed(workbookXml, 'workbookPr')[0];
  // OOXML booleans may be written "1" or "true" (exceljs itself only understands "1").
  const date1904 = ['1', 'true'].includes((properties?.get('date1904') ?? '').toLowerCase());
  return { sheets, date1904 };
}

async function readWorkbookIndex(source: XlsxSource): Promise<WorkbookIndex> {
  const where: Location = { file: source.displayName };
  try {
    const entries = await listZipEntries(source.path);
    const workbook = entries.find((e) => e.name === 'xl/workbook.xml');
    const rels = entries.find((e) => e.name === 'xl/_rels/workbook.xml.rels');
    if (workbook === undefined || rels === undefined) {
      throw new InputError(where, 'not a spreadsheet: it is a zip archive but not an Excel workbook (no xl/workbook.xml): save it as .xlsx or CSV');
    }
    const [workbookXml, relsXml] = await Promise.all([readZipEntry(source.path, workbook), readZipEntry(source.path, rels)]);
    return parseWorkbookIndex(workbookXml.toString('utf8'), relsXml.toString('utf8'));
  } catch (error) {
    if (error instanceof ZipDamage) throw new InputError(where, `the workbook is damaged (${error.message})`);
    throw error;
  }
}

function chooseSheet(index: WorkbookIndex, source: XlsxSource): SheetIndexEntry {
  const where: Location = { file: source.displayName };
  const worksheets = index.sheets.filter((s) => s.isWorksheet);
  const names = index.sheets.map((s) => `"${s.name}"`).join(', ');
  if (source.sheet !== undefined) {
    const wanted = source.sheet.trim().toLowerCase();
    const found = index.sheets.find((s) => s.name.toLowerCase() === wanted);
    if (found === undefined) throw new InputError(where, `there is no sheet "${source.sheet}"; the sheets are ${names}`);
    if (!found.isWorksheet) throw new InputError({ ...where, sheet: found.name }, 'is a chart, not a worksheet of rows');
    return found;
  }
  const first = worksheets.find((s) => !s.hidden) ?? worksheets[0];
  if (first === undefined) throw new InputError(where, 'the workbook has no worksheets');
  return first;
}

// ---------------------------------------------------------------------------------------
// Cell values

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** exceljs's own test for a date number format (quoted text and [colour]/[locale] parts removed). */
export function isDateFormat(format: string | undefined): boolean {
  if (format === undefined || format === '') return false;
  let known = dateFormats.get(format);
  if (known === undefined) {
    const bare = format.replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, '');
    known = /[ymdhMsb]+/.test(bare);
    // A workbook has a handful of formats; the cap only guards against a pathological one.
    if (dateFormats.size < 10_000) dateFormats.set(format, known);
  }
  return known;
}
const dateFormats = new Map<string, boolean>();

/** An Excel serial day number as a Date whose UTC fields are the wall-clock value. */
export function excelSerialToDate(serial: number, date1904: boolean): Date {
  return new Date(Math.round((serial - 25569 + (date1904 ? DAYS_1900_TO_1904 : 0)) * DAY_MS));
}

function richTextOf(value: unknown): string | undefined {
  if (!isRecord(value) || !Array.isArray(value.richText)) return undefined;
  return value.richText.map((run: unknown) => (isRecord(run) && typeof run.text === 'string' ? run.text : '')).join('');
}

interface CellContext {
  readonly isDateFormatted: boolean;
  readonly date1904: boolean;
  /** Whether exceljs already applied the 1904 offset to the Dates it made. */
  readonly exceljsKnows1904: boolean;
}

/** One exceljs cell value as our CellValue. */
export function toCellValue(value: unknown, context: CellContext): CellValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return null;
    return value;
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return null;
    return context.date1904 && !context.exceljsKnows1904 ? new Date(value.getTime() + DAYS_1900_TO_1904 * DAY_MS) : value;
  }
  if (!isRecord(value)) return null;
  const rich = richTextOf(value);
  if (rich !== undefined) return rich;
  if ('formula' in value || 'sharedFormula' in value) {
    // The cached result. exceljs gives a number for every non-string result (a date too, and
    // NaN for an error): turn numbers in date-formatted cells into dates ourselves.
    const result = value.result;
    if (typeof result === 'number' && context.isDateFormatted && !Number.isNaN(result)) {
      return excelSerialToDate(result, context.date1904);
    }
    if (isRecord(result) && typeof result.error === 'string') return result.error;
    return toCellValue(result, context);
  }
  if ('hyperlink' in value || 'text' in value) {
    const text = value.text;
    return typeof text === 'string' ? text : (richTextOf(text) ?? null);
  }
  if (typeof value.error === 'string') return value.error;
  return null;
}

// ---------------------------------------------------------------------------------------
// exceljs's streaming internals, typed for the two methods we wrap

interface ReaderInternals {
  stream?: Readable;
  properties?: { model?: { date1904?: boolean } };
  _parseWorksheet(this: ReaderInternals, iterator: AsyncIterable<unknown>, sheetNo: string): Generator<unknown>;
  _parseSharedStrings(this: ReaderInternals, entry: Readable): AsyncGenerator<unknown>;
  on(event: 'entry', listener: (entry: { type: string; id?: string }) => void): unknown;
}

/** Buffers → text with a streaming decoder, so a character split between chunks stays whole. */
async function* utf8Text(chunks: AsyncIterable<unknown>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of chunks) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk as Uint8Array, { stream: true });
    if (text !== '') yield text;
  }
  const rest = decoder.decode();
  if (rest !== '') yield rest;
}

/** The seam between two runs of inline rich text: `</t></r><r>[<rPr>…</rPr>]<t …>`. */
const RUN_SEAM = /<\/t>\s*<\/r>\s*<r>\s*(?:<rPr>[\s\S]*?<\/rPr>\s*)?<t(?:\s[^>]*)?>/g;
/** Past this much carried text, a run seam is not plausible: pass it on. */
const MAX_SEAM_CARRY = 65_536;

/**
 * Inline rich text as one run. exceljs's worksheet reader restarts the cell text at every
 * `<t>`, so `<is><r><t>Bold </t></r><r><t>and plain</t></r></is>` would read as "and plain".
 * Excel always uses shared strings, but exceljs's own streaming writer (and others) inline.
 * A seam may straddle chunks, so text from the last `</t>` on is held for the next chunk.
 */
export async function* joinInlineRuns(texts: AsyncIterable<string>): AsyncGenerator<string> {
  let carry = '';
  for await (const text of texts) {
    const joined = (carry + text).replace(RUN_SEAM, '');
    const lastClose = joined.lastIndexOf('</t>');
    const seamMayContinue = lastClose >= 0 && joined.length - lastClose < MAX_SEAM_CARRY && !/<\/(?:is|c|row)>/.test(joined.slice(lastClose));
    // Also hold a `</t>` cut in half at the end of the chunk.
    const cutClose = ['</t', '</', '<'].find((start) => joined.endsWith(start))?.length ?? 0;
    const holdFrom = seamMayContinue ? lastClose : joined.length - cutClose;
    carry = joined.slice(holdFrom);
    if (holdFrom > 0) yield joined.slice(0, holdFrom);
  }
  if (carry !== '') yield carry;
}

/** Longest stretch of XML text without a tag we accept: a cell over this is damage or a zip bomb. */
export const MAX_XML_TEXT_RUN = 8 * 1_048_576;
/** Most shared-string text we hold (exceljs caches every shared string in memory). */
export const MAX_SHARED_STRING_CHARS = 256 * 1_048_576;

/**
 * Refuses XML whose text would not fit in memory before exceljs tries to hold it: one cell of
 * text longer than MAX_XML_TEXT_RUN (V8 cannot even build a string past ~512 MB) or, for the
 * shared strings, more than `maxTotal` characters. Sizes declared in the zip are not trusted:
 * this counts what actually inflates. Names the worksheet row when it has seen one.
 */
export async function* guardXmlText(texts: AsyncIterable<string>, where: Location, maxTotal = Number.POSITIVE_INFINITY): AsyncGenerator<string> {
  let run = 0;
  let total = 0;
  let row: number | undefined;
  for await (const text of texts) {
    total += text.length;
    const lastTag = text.lastIndexOf('<');
    run = lastTag < 0 ? run + text.length : text.length - lastTag;
    const lastRow = text.lastIndexOf('<row ');
    const rowMatch = lastRow < 0 ? null : /^<row [^>]*?\br="(\d+)"/.exec(text.slice(lastRow, lastRow + 512));
    if (rowMatch !== null) row = Number(rowMatch[1]);
    if (run > MAX_XML_TEXT_RUN) {
      throw new InputError(
        { ...where, row },
        `a cell inflates to more than ${MAX_XML_TEXT_RUN / 1_048_576} MB of text uncompressed (the limit is 1 MB): the workbook is damaged or built to exhaust memory`,
      );
    }
    if (total > maxTotal) {
      throw new InputError(where, `the shared strings inflate to more than ${maxTotal / 1_048_576} MB uncompressed: the workbook is too large to read safely`);
    }
    yield text;
  }
}

/**
 * exceljs 4.4.0 decodes each zip chunk of XML alone (TextDecoder without `stream`), which turns
 * a multi-byte character split between chunks into U+FFFD: measured, a few cells in every
 * 20,000 rows of accented text. Its XML parser passes strings through untouched, so we hand
 * it text decoded by a streaming decoder instead.
 */
function decodeXmlWhole(internals: ReaderInternals, where: Location): void {
  const parseWorksheet = internals._parseWorksheet;
  internals._parseWorksheet = function (iterator, sheetNo) {
    return parseWorksheet.call(this, joinInlineRuns(guardXmlText(utf8Text(iterator), where)), sheetNo);
  };
  const parseSharedStrings = internals._parseSharedStrings;
  internals._parseSharedStrings = function (entry) {
    // exceljs reads shared strings as a stream (on 'data', pause, resume): hand it one.
    const text = Readable.from(guardXmlText(utf8Text(entry), { file: where.file }, MAX_SHARED_STRING_CHARS));
    return parseSharedStrings.call(this, text);
  };
}

// ---------------------------------------------------------------------------------------

interface ExcelCell {
  readonly value: unknown;
  readonly numFmt?: string | undefined;
}

function rowCells(row: ExcelJS.Row, context: CellContext): CellValue[] {
  const cells: CellValue[] = [];
  row.eachCell({ includeEmpty: false }, (cell: ExcelCell, column: number) => {
    if (column > MAX_COLUMNS) return;
    while (cells.length < column - 1) cells.push(null);
    const value = cell.value;
    // Only a formula's cached number needs the cell's format to tell a date; plain date cells
    // already come back from exceljs as Date.
    const isFormula = isRecord(value) && !(value instanceof Date) && ('formula' in value || 'sharedFormula' in value);
    cells[column - 1] = toCellValue(value, isFormula ? { ...context, isDateFormatted: isDateFormat(cell.numFmt) } : context);
  });
  while (cells.length > 0 && cells[cells.length - 1] === null) cells.pop();
  return cells;
}

function headerCellText(value: CellValue): string {
  if (value === null) return '';
  if (value instanceof Date) return value.toISOString();
  return headerText(String(value));
}

function damaged(where: Location, error: unknown): InputError {
  if (error instanceof InputError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new InputError(where, `the workbook is damaged (${reason})`);
}

/** Opens an XLSX, reads and checks its header row. The returned `rows` can be iterated once. */
export async function openXlsx(source: XlsxSource): Promise<OpenedSheet> {
  const index = await readWorkbookIndex(source);
  const chosen = chooseSheet(index, source);
  const where: Location = { file: source.displayName, sheet: chosen.name };
  const partMatch = /^xl\/worksheets\/sheet(\d+)\.xml$/.exec(chosen.part);
  if (partMatch === null) {
    throw new InputError(where, `the sheet is stored as "${chosen.part}", which this reader cannot stream: save the workbook again from Excel`);
  }
  const sheetNo = partMatch[1];

  const reader = new ExcelJS.stream.xlsx.WorkbookReader(source.path, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache', // without it date cells come back as serial numbers
    hyperlinks: 'ignore',
    entries: 'emit',
  });
  const internals = reader as unknown as ReaderInternals;
  decodeXmlWhole(internals, where);
  let currentSheetNo: string | undefined;
  internals.on('entry', (entry) => {
    if (entry.type === 'worksheet') currentSheetNo = entry.id;
  });
  // exceljs forgets to pass read errors from the file into the zip parser: it would wait forever.
  const close = (): void => {
    internals.stream?.destroy();
  };

  async function* worksheetRows(): AsyncGenerator<ExcelJS.Row> {
    for await (const worksheet of reader) {
      if (currentSheetNo !== sheetNo) {
        // Read a sheet we skip to its end. In a workbook whose sheets come before workbook.xml
        // (exceljs's own writer does that), exceljs buffers each sheet to a temp file and deletes
        // it as soon as we move on: an unread sheet's file stream then fails to open (ENOENT)
        // with no listener, an uncaught exception that takes the process down.
        for await (const _skipped of worksheet) { /* drained */ }
        continue;
      }
      for await (const row of worksheet) yield row;
      return;
    }
    throw new InputError(where, 'the sheet listed in the workbook is missing from the file: the workbook is damaged');
  }

  const excelRows = worksheetRows();
  // exceljs reads the date system from workbook.xml before any sheet, so this is settled by the first row.
  const context = (): CellContext => ({ isDateFormatted: false, date1904: index.date1904, exceljsKnows1904: internals.properties?.model?.date1904 === true });
  let first: IteratorResult<ExcelJS.Row>;
  try {
    first = await excelRows.next();
  } catch (error) {
    close();
    throw damaged(where, error);
  }
  if (first.done === true || first.value.number !== 1 || isBlankRow(rowCells(first.value, context()))) {
    close();
    await excelRows.return(undefined).catch(() => undefined);
    throw new InputError({ ...where, row: 1 }, 'row 1 (the header row) is empty');
  }
  const headerCells = rowCells(first.value, context());
  const headers = headerCells.map(headerCellText);
  while (headers.length > 0 && headers[headers.length - 1] === '') headers.pop();
  try {
    checkHeaders(headers, { ...where, row: 1 });
  } catch (error) {
    close();
    throw error;
  }
  const stats = { blankRows: 0 };

  const rowContext = context();
  async function* rows(): AsyncGenerator<SourceRow> {
    let lastRow = 1;
    try {
      for (let next = await excelRows.next(); next.done !== true; next = await excelRows.next()) {
        const row = next.value;
        const position = { file: source.displayName, sheet: chosen.name, row: row.number };
        // Rows missing from the file are rows the user sees as blank.
        stats.blankRows += Math.max(0, row.number - lastRow - 1);
        lastRow = row.number;
        const cells = rowCells(row, rowContext);
        if (isBlankRow(cells)) {
          stats.blankRows++;
          continue;
        }
        checkRow(cells, headers, position);
        yield { position, cells };
      }
    } catch (error) {
      throw damaged({ ...where, row: lastRow + 1 }, error);
    } finally {
      close();
    }
  }

  return { file: source.displayName, format: 'xlsx', sheet: chosen.name, headers, rows: rows(), stats };
}
