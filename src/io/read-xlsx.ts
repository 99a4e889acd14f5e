/**
 * Streaming XLSX reader. It reads the parts of the workbook by name, never by the order they
 * are stored in (exceljs's streaming reader depends on that order, upstream issue #683: with
 * sheets stored before the shared strings and styles, as Excel saves, it read headers as empty
 * and dates as numbers, run to run). yauzl gives random access to the zip; saxes parses XML.
 *
 * Order of work: the package relationships → the workbook and its relationships (sheet names,
 * parts, date system) → the chosen sheet → styles (which styles are dates) → shared strings →
 * the sheet's rows, streamed. Every guard names the file, and the sheet, row and column when known.
 */
import { InputError, type Location } from '../errors.js';
import { checkHeaders, checkRow, columnName, headerText, isBlankRow } from './read-common.js';
import type { CellValue, OpenedSheet, SourceRow } from './rows.js';
import { readSharedStrings, sharedStringTable, type SharedStrings } from './xlsx/shared-strings.js';
import { CellRefused, SheetXmlRefused, sheetRowBatches, type SheetRow } from './xlsx/sheet.js';
import { parseDateStyles } from './xlsx/styles.js';
import { chooseSheet, parseContentTypes, parseRelationships, parseWorkbookIndex, relationshipKind, relationshipsPartOf, type WorkbookIndex } from './xlsx/workbook.js';
import { XmlRefused, decodeXmlBytes } from './xlsx/xml.js';
import { ZipTooLarge, openArchive, type ZipArchive } from './xlsx/zip.js';

export { excelSerialToDate } from './xlsx/cells.js';
export { isDateFormat } from './xlsx/styles.js';

export interface XlsxSource {
  readonly path: string;
  readonly displayName: string;
  /** Sheet name to read (case-insensitive); default: the first visible worksheet. */
  readonly sheet?: string | undefined;
}

/** Index parts (content types, relationships, workbook, styles) are small; past this, not a workbook we trust. */
const MAX_INDEX_PART_BYTES = 64 * 1_048_576;
/** Shared strings are held in memory: their XML may inflate to this much. */
const MAX_SHARED_STRINGS_BYTES = 512 * 1_048_576;
/** A sheet streams, so its size costs time, not memory; this only stops a runaway. */
const MAX_SHEET_BYTES = 8 * 1024 * 1_048_576;

const OPENDOCUMENT_SPREADSHEET = 'application/vnd.oasis.opendocument.spreadsheet';

/** A problem reading a part, as the InputError the user sees. */
function problem(where: Location, part: string, error: unknown, headers?: readonly string[]): InputError {
  if (error instanceof InputError) return error;
  if (error instanceof CellRefused) {
    const column = headers === undefined ? `column ${error.column + 1}` : columnName(headers, error.column);
    return new InputError({ ...where, row: error.row, column }, error.message);
  }
  if (error instanceof SheetXmlRefused) {
    const at: Location = { ...where, row: error.row > 0 ? error.row : undefined };
    return new InputError(at, error.damaged ? `the workbook is damaged (${part} ${error.message})` : `${part} ${error.message}`);
  }
  if (error instanceof XmlRefused) {
    return new InputError(where, error.damaged ? `the workbook is damaged (${part} ${error.message})` : `${part} ${error.message}`);
  }
  if (error instanceof ZipTooLarge) return new InputError(where, error.message);
  const reason = error instanceof Error ? error.message : String(error);
  return new InputError(where, `the workbook is damaged (${reason})`);
}

async function readPart(archive: ZipArchive, part: string, where: Location): Promise<Buffer> {
  try {
    return await archive.readPart(part, MAX_INDEX_PART_BYTES);
  } catch (error) {
    throw problem(where, part, error);
  }
}

/** What a zip without a workbook is, for the message. */
async function notAWorkbook(archive: ZipArchive, where: Location, mainContentType: string | undefined): Promise<InputError> {
  if (archive.find('mimetype') !== undefined) {
    const mimetype = (await readPart(archive, 'mimetype', where)).toString('utf8').trim();
    if (mimetype.startsWith(OPENDOCUMENT_SPREADSHEET)) {
      return new InputError(where, 'it is an OpenDocument spreadsheet (.ods, as LibreOffice and OpenOffice save), which this tool does not read: save it as .xlsx or CSV');
    }
    if (mimetype.startsWith('application/vnd.oasis.opendocument.')) {
      return new InputError(where, 'not a spreadsheet: it is an OpenDocument file (a text document or presentation): save the data as .xlsx or CSV');
    }
  }
  if (mainContentType?.includes('wordprocessingml') === true) return new InputError(where, 'not a spreadsheet: it is a Word document: save the data as .xlsx or CSV');
  if (mainContentType?.includes('presentationml') === true) return new InputError(where, 'not a spreadsheet: it is a PowerPoint presentation: save the data as .xlsx or CSV');
  return new InputError(where, 'not a spreadsheet: it is a zip archive but not an Excel workbook (no xl/workbook.xml): save it as .xlsx or CSV');
}

interface LocatedWorkbook {
  readonly part: string;
  readonly index: WorkbookIndex;
}

/** The package relationships name the workbook part; [Content_Types].xml says what it is. */
async function locateWorkbook(archive: ZipArchive, where: Location): Promise<LocatedWorkbook> {
  const contentTypes = archive.find('[Content_Types].xml') === undefined ? new Map<string, string>() : parseOrDamaged(where, '[Content_Types].xml', parseContentTypes, await readPart(archive, '[Content_Types].xml', where));
  let mainPart: string | undefined;
  if (archive.find('_rels/.rels') !== undefined) {
    const rels = parseOrDamaged(where, '_rels/.rels', (xml) => parseRelationships(xml, ''), await readPart(archive, '_rels/.rels', where));
    mainPart = rels.find((r) => relationshipKind(r.type) === 'officeDocument')?.part;
  }
  // A package without relationships (hand-zipped) still has its workbook where Excel puts it.
  mainPart ??= 'xl/workbook.xml';
  const mainContentType = contentTypes.get(mainPart.toLowerCase());
  if (mainContentType?.includes('sheet.binary') === true || mainPart.toLowerCase().endsWith('.bin')) {
    throw new InputError(where, 'the workbook is an Excel Binary Workbook (.xlsb), which this tool does not read: save it as .xlsx or CSV');
  }
  const stored = archive.find(mainPart);
  if (stored === undefined) throw await notAWorkbook(archive, where, mainContentType);
  const workbookXml = await readPart(archive, stored, where);
  const relsPart = relationshipsPartOf(stored);
  const relationships = archive.find(relsPart) === undefined ? [] : parseOrDamaged(where, relsPart, (xml) => parseRelationships(xml, stored), await readPart(archive, relsPart, where));
  return { part: stored, index: parseOrDamaged(where, stored, (xml) => parseWorkbookIndex(xml, relationships), workbookXml) };
}

function parseOrDamaged<T>(where: Location, part: string, parse: (xml: Buffer) => T, xml: Buffer): T {
  try {
    return parse(xml);
  } catch (error) {
    throw problem(where, part, error);
  }
}

function headerCellText(value: CellValue): string {
  if (value === null) return '';
  if (value instanceof Date) return value.toISOString();
  return headerText(String(value));
}

/** Opens an XLSX, reads and checks its header row. The returned `rows` can be iterated once. */
export async function openXlsx(source: XlsxSource): Promise<OpenedSheet> {
  const fileWhere: Location = { file: source.displayName };
  let archive: ZipArchive;
  try {
    archive = await openArchive(source.path);
  } catch (error) {
    throw problem(fileWhere, '', error);
  }
  let handedOver = false;
  let sheet: AsyncGenerator<SheetRow[]> | undefined;
  try {
    const { index } = await locateWorkbook(archive, fileWhere);
    const choice = chooseSheet(index, source.sheet);
    if (!choice.ok) throw new InputError({ ...fileWhere, sheet: choice.sheet }, choice.problem);
    const chosen = choice.sheet;
    const where: Location = { ...fileWhere, sheet: chosen.name };
    const sheetPart = chosen.part === '' ? undefined : archive.find(chosen.part);
    if (sheetPart === undefined) throw new InputError(where, 'the sheet listed in the workbook is missing from the file: the workbook is damaged');

    const stylesPart = index.stylesPart === undefined ? undefined : archive.find(index.stylesPart);
    const dateStyles = stylesPart === undefined ? parseDateStyles(undefined) : parseOrDamaged(where, stylesPart, parseDateStyles, await readPart(archive, stylesPart, where));
    const sharedPart = index.sharedStringsPart === undefined ? undefined : archive.find(index.sharedStringsPart);
    let sharedStrings: SharedStrings = sharedStringTable();
    if (sharedPart !== undefined) {
      try {
        sharedStrings = await readSharedStrings(decodeXmlBytes(archive.streamPart(sharedPart, MAX_SHARED_STRINGS_BYTES)));
      } catch (error) {
        throw problem(fileWhere, sharedPart, error);
      }
    }

    sheet = sheetRowBatches(decodeXmlBytes(archive.streamPart(sheetPart, MAX_SHEET_BYTES)), { sharedStrings, dateStyles, date1904: index.date1904 });
    let firstBatch: IteratorResult<SheetRow[]>;
    try {
      firstBatch = await sheet.next();
    } catch (error) {
      throw problem({ ...where, row: 1 }, sheetPart, error);
    }
    const first = firstBatch.done === true ? undefined : firstBatch.value[0];
    if (first === undefined || first.number !== 1 || isBlankRow(first.cells)) {
      throw new InputError({ ...where, row: 1 }, 'row 1 (the header row) is empty');
    }
    const headers = first.cells.map(headerCellText);
    while (headers.length > 0 && headers[headers.length - 1] === '') headers.pop();
    checkHeaders(headers, { ...where, row: 1 });
    const stats = { blankRows: 0 };
    const zip = archive;
    const sheetRowsOnce = sheet;

    async function* rows(): AsyncGenerator<SourceRow> {
      let lastRow = 1;
      let batch: readonly SheetRow[] = firstBatch.done === true ? [] : firstBatch.value;
      let at = 1; // the header row is done
      try {
        for (;;) {
          for (; at < batch.length; at++) {
            const { number, cells } = batch[at] as SheetRow;
            const position = { file: source.displayName, sheet: chosen.name, row: number };
            // Rows missing from the file are rows the user sees as blank.
            if (number > lastRow + 1) stats.blankRows += number - lastRow - 1;
            lastRow = number;
            if (isBlankRow(cells)) {
              stats.blankRows++;
              continue;
            }
            checkRow(cells, headers, position);
            yield { position, cells };
          }
          let next: IteratorResult<SheetRow[]>;
          try {
            next = await sheetRowsOnce.next();
          } catch (error) {
            throw problem({ ...where, row: lastRow + 1 }, sheetPart ?? '', error, headers);
          }
          if (next.done === true) return;
          batch = next.value;
          at = 0;
        }
      } finally {
        await sheetRowsOnce.return(undefined).catch(() => undefined);
        zip.close();
      }
    }

    handedOver = true;
    return { file: source.displayName, format: 'xlsx', sheet: chosen.name, headers, rows: rows(), stats, date1904: index.date1904 };
  } finally {
    if (!handedOver) {
      await sheet?.return(undefined).catch(() => undefined);
      archive.close();
    }
  }
}
