/**
 * The report writer as it was before our own (src/io/write-xlsx.ts until it moved off exceljs):
 * exceljs's streaming writer behind the same API, kept in bench/ only for the "before" figure
 * of bench/xlsx-writers.ts. It keeps only what that figure measures (the Results sheet: header,
 * widths, filter, frozen row, styles and notes, one sheet at a time); dropdowns, the Lists
 * sheet and continuation sheets are refused rather than kept as a second copy of ours.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import ExcelJS from 'exceljs';
import { OutputError } from '../src/errors.js';
import { atomicFile, writerEnding } from '../src/io/atomic-file.js';
import { EXCEL_MAX_CELL_CHARS, EXCEL_MAX_ROWS } from '../src/io/xlsx-write/limits.js';
import { recordValues } from '../src/io/xlsx-write/row-records.js';
import { columnLetter, safeSheetName } from '../src/io/xlsx-write/text.js';
import type { RowStyle, SheetOptions, SheetWriter, XlsxCellValue, XlsxWriter } from '../src/io/write-xlsx.js';
import { looksLikeFormula } from '../src/io/safe-text.js';

/**
 * Check the zip compressor's backlog this often. exceljs pushes sheet XML into the zip entry
 * with no backpressure: in a tight loop the backlog grows without bound (~700 MB at 1M rows
 * here, even when yielding to the event loop every 2,000 rows), so we wait for it to drain.
 */
const ROWS_PER_BACKLOG_CHECK = 1_000;
/** Bytes of sheet XML allowed to wait for compression before addRow waits. */
const MAX_ZIP_BACKLOG = 1024 * 1024;
/** How often to look again while the backlog drains (it is drained by zlib on the thread pool). */
const BACKLOG_POLL_MS = 2;

const LIGHT_YELLOW = 'FFFFF2A8';
const LIGHT_RED = 'FFFFC7CE';

// Style bits: styles are shared objects so exceljs (which caches style ids by object identity)
// does no per-cell style work for repeated combinations.
const BOLD = 1;
const FILL_CHANGED = 2;
const FILL_PROBLEM = 4;
const TEXT_FORMAT = 8;
const DATE_FORMAT = 16;
const DATE_TIME_FORMAT = 32;
const MONEY_FORMAT = 64;

const styleCache = new Map<string, Partial<ExcelJS.Style>>();

function styleFor(bits: number, size: number | undefined): Partial<ExcelJS.Style> {
  const key = `${bits}/${size ?? ''}`;
  const cached = styleCache.get(key);
  if (cached !== undefined) return cached;
  const style: Partial<ExcelJS.Style> = {};
  if ((bits & BOLD) !== 0 || size !== undefined) {
    style.font = { ...((bits & BOLD) !== 0 ? { bold: true } : {}), ...(size !== undefined ? { size } : {}) };
  }
  const fillColour = (bits & FILL_PROBLEM) !== 0 ? LIGHT_RED : (bits & FILL_CHANGED) !== 0 ? LIGHT_YELLOW : undefined;
  if (fillColour !== undefined) style.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: fillColour } };
  if ((bits & TEXT_FORMAT) !== 0) style.numFmt = '@';
  else if ((bits & DATE_TIME_FORMAT) !== 0) style.numFmt = 'yyyy-mm-dd hh:mm:ss';
  else if ((bits & DATE_FORMAT) !== 0) style.numFmt = 'yyyy-mm-dd';
  else if ((bits & MONEY_FORMAT) !== 0) style.numFmt = '"£"#,##0.00;-"£"#,##0.00';
  styleCache.set(key, style);
  return style;
}

/** Dates hold Excel wall-clock time in their UTC fields (io/rows.ts): show a time only when there is one. */
function dateFormatBit(date: Date): number {
  return date.getTime() % 86_400_000 === 0 ? DATE_FORMAT : DATE_TIME_FORMAT;
}

function valueStyleBit(value: XlsxCellValue): number {
  if (typeof value === 'string') return looksLikeFormula(value) ? TEXT_FORMAT : 0;
  if (value instanceof Date) return dateFormatBit(value);
  return 0;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Bytes waiting in the zip entry stream a streaming worksheet writes into. This reaches into
 * exceljs 4.4.0 internals (WorksheetWriter.stream is a StreamBuf piped into archiver's
 * readable-stream PassThrough): kept here, in the one module that knows exceljs, and
 * undefined when the shape differs (then we only yield).
 */
export function zipBacklog(worksheet: ExcelJS.Worksheet): number | undefined {
  const internals = worksheet as unknown as { stream?: { pipes?: ReadonlyArray<{ _writableState?: { length?: unknown } }> } };
  const length = internals.stream?.pipes?.[0]?._writableState?.length;
  return typeof length === 'number' ? length : undefined;
}

async function waitForZip(worksheet: ExcelJS.Worksheet): Promise<void> {
  await yieldToEventLoop();
  for (let backlog = zipBacklog(worksheet); backlog !== undefined && backlog > MAX_ZIP_BACKLOG; backlog = zipBacklog(worksheet)) {
    await delay(BACKLOG_POLL_MS);
  }
}

export function openXlsxWriter(path: string): XlsxWriter {
  const file = atomicFile(path);
  // We own the file stream: exceljs only listens for its errors once it commits, and waits
  // forever if the error (e.g. ENOENT on open) came before that.
  const output = createWriteStream(file.partial);
  let failure: Error | undefined;
  const failed = new Promise<never>((_resolve, reject) => {
    // `on`, not `once`: after a discard, exceljs may still write into the destroyed stream.
    output.on('error', (error) => {
      failure ??= new OutputError(`cannot write ${path}: ${error.message}`);
      reject(failure);
    });
  });
  failed.catch(() => undefined); // observed through `failure` and close()
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: output,
    useSharedStrings: false,
    useStyles: true,
  });
  let open: SheetState | undefined;
  let closed = false;

  interface SheetState {
    readonly baseName: string;
    readonly options: SheetOptions;
    worksheet: ExcelJS.Worksheet;
    rowCount: number;
    notesWritten: number;
    committed: boolean;
  }

  function startWorksheet(state: SheetState, name: string): void {
    const { options } = state;
    const worksheet = workbook.addWorksheet(name, {
      state: options.hidden === true ? 'hidden' : 'visible',
      views: options.frozenHeader === true ? [{ state: 'frozen', xSplit: 0, ySplit: 1 }] : [],
    });
    options.widths?.forEach((width, index) => {
      worksheet.getColumn(index + 1).width = width;
    });
    const columns = options.columns;
    if (columns !== undefined) {
      columns.forEach((column, index) => {
        if (column.width !== undefined) worksheet.getColumn(index + 1).width = column.width;
      });
      if (options.autoFilter === true && columns.length > 0) {
        worksheet.autoFilter = `A1:${columnLetter(columns.length)}1`;
      }
    }
    state.worksheet = worksheet;
    state.rowCount = 0;
    state.notesWritten = 0;
    if (columns !== undefined) {
      writeRow(state, columns.map((column) => column.header), { bold: true });
    }
  }

  function writeRow(state: SheetState, values: readonly XlsxCellValue[], style: RowStyle | undefined): void {
    const row = state.worksheet.addRow(values as XlsxCellValue[]);
    const rowBits = style?.bold === true ? BOLD : 0;
    const boldColumns = typeof style?.bold === 'object' ? style.bold : undefined;
    const size = style?.size;
    // Every cell gets a shared style object, even a plain one: exceljs caches style ids by
    // object identity, and the fresh `{}` it gives each cell otherwise costs a style lookup
    // per cell (the biggest cost of writing, measured).
    for (let index = 0; index < values.length; index += 1) {
      const value = values[index] ?? null;
      if (typeof value === 'string' && value.length > EXCEL_MAX_CELL_CHARS) {
        // Excel "repairs" (rejects) a file with a longer cell: better a shortened value.
        row.getCell(index + 1).value = value.slice(0, EXCEL_MAX_CELL_CHARS);
      }
      let bits = rowBits | valueStyleBit(value);
      if (boldColumns?.includes(index) === true) bits |= BOLD;
      if (style?.highlight?.includes(index) === true) bits |= FILL_CHANGED;
      if (style?.problem?.includes(index) === true) bits |= FILL_PROBLEM;
      if (typeof value === 'number' && style?.money?.includes(index) === true) bits |= MONEY_FORMAT;
      row.getCell(index + 1).style = styleFor(bits, size);
    }
    if (style?.notes !== undefined) {
      const maxNotes = state.options.maxNotes ?? 20_000;
      for (const [column, note] of Object.entries(style.notes)) {
        if (state.notesWritten >= maxNotes) break;
        row.getCell(Number(column) + 1).note = note;
        state.notesWritten += 1;
      }
    }
    row.commit();
    state.rowCount += 1;
  }

  function commitState(state: SheetState): void {
    if (state.committed) return;
    state.worksheet.commit();
    state.committed = true;
  }

  /** Refuses a row the baseline cannot write: to a committed sheet, after the file failed, or past one sheet's rows. */
  function assertWritable(state: SheetState): void {
    if (state.committed) throw new Error(`Sheet "${state.worksheet.name}" is already committed`);
    if (failure !== undefined) throw failure; // no point writing rows to nowhere
    if (state.rowCount >= Math.min(state.options.maxRowsPerSheet ?? EXCEL_MAX_ROWS, EXCEL_MAX_ROWS)) {
      throw new Error(`the exceljs baseline writes one sheet: "${state.baseName}" is full (${state.rowCount} rows)`);
    }
  }

  function sheetWriter(state: SheetState): SheetWriter {
    return {
      addRow(values, style) {
        assertWritable(state);
        writeRow(state, values, style);
        return state.rowCount % ROWS_PER_BACKLOG_CHECK === 0 ? waitForZip(state.worksheet) : undefined;
      },
      addRecord(record) {
        return this.addRow(recordValues(record), record.style);
      },
      addDropdown() {
        throw new Error('the exceljs baseline writes no dropdowns (bench/xlsx-writers.ts measures the Results sheet)');
      },
      async commit() {
        commitState(state);
        await yieldToEventLoop();
      },
    };
  }

  function addSheet(name: string, options: SheetOptions = {}): SheetWriter {
    if (closed) throw new Error('The workbook is already closed');
    if (failure !== undefined) throw failure;
    if (open !== undefined) commitState(open);
    const state: SheetState = {
      baseName: name,
      options,
      // Set by startWorksheet just below.
      worksheet: undefined as unknown as ExcelJS.Worksheet,
      rowCount: 0,
      notesWritten: 0,
      committed: false,
    };
    startWorksheet(state, safeSheetName(name));
    open = state;
    return sheetWriter(state);
  }

  async function finish(): Promise<void> {
    if (failure !== undefined) throw failure;
    closed = true;
    if (open !== undefined) commitState(open);
    await Promise.race([workbook.commit(), failed]);
    if (!output.closed) await Promise.race([once(output, 'close'), failed]);
    await file.commit();
  }

  return {
    addSheet,
    ...writerEnding(file, finish, () => {
      closed = true;
      output.destroy();
    }),
  };
}
