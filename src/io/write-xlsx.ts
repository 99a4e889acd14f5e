/**
 * The one place that writes XLSX (the report, exports, revert workbooks, templates). It writes
 * SpreadsheetML directly (xlsx-write/: rows, styles, parts, all pure) into a yazl zip
 * (zip-output.ts), which deflates on zlib's thread pool while the next rows are rendered here.
 *
 * Safety (xlsx-write/rows.ts): text is always an inline string cell, which no spreadsheet
 * evaluates, so `=1+1`, `+447911123456` and `-12.50` are kept exact with no prefix, and no
 * cell is ever a formula. Text that looks like a formula also gets the Text number format
 * (`@`). Text longer than Excel's 32,767 characters is cut there (Excel rejects the file
 * otherwise); characters XML cannot hold are kept as `_xHHHH_` escapes (xlsx-write/text.ts).
 *
 * Streaming: sheets may be written at the same time (a report writes Results and Errors row by
 * row as rows are checked, and its Summary, which comes first, at the end). A zip holds one
 * entry after another, so the first sheet with rows to hand over streams straight into the zip;
 * a sheet that needs the zip while another has it writes its XML to a temporary file, added to
 * the zip when the workbook closes. Tabs are in the order the sheets were added, whatever order
 * their parts take in the zip (readers follow workbook.xml, not the zip's order). Rows go out
 * as they come, in chunks: `addRow` returns a promise when the zip or the disk falls behind
 * (await it), so memory stays flat whatever the row count. Notes are kept until their sheet
 * ends (they go in their own parts), at most `maxNotes` a sheet.
 *
 * The zip itself is zip-output.ts. xlsx-thread.ts runs all of this on a thread of its own, and
 * the calling thread only packs each row's values.
 *
 * Splitting: a sheet continues on "Name (2)", "Name (3)"... past `maxRowsPerSheet` rows
 * (default 250,000, header included; never past Excel's 1,048,576): the header row, widths,
 * frozen pane, filter and dropdowns repeat, and a note on A1 says where the sheet continues
 * and where it continued from.
 *
 * Atomic: the workbook is written to a partial file beside the target and renamed over it by
 * `close` (atomic-file.ts), so a run killed half-way never leaves a corrupt workbook or
 * destroys the one that was there; `discard` removes the partial file.
 */
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { OutputError } from '../errors.js';
import { zipOutput } from './zip-output.js';
import { atomicFile, createSpoolFolder, writerEnding, type SpoolFolder } from './atomic-file.js';
import { DEFAULT_ROWS_PER_SHEET, EXCEL_MAX_COLUMNS, EXCEL_MAX_ROWS, rowLimitOf } from './xlsx-write/limits.js';
import {
  commentsXml,
  contentTypesXml,
  packageRelsXml,
  sheetEnd,
  sheetRelsXml,
  sheetStart,
  shapeBlocksFor,
  vmlDrawingXml,
  workbookRelsXml,
  workbookXml,
  type Dropdown,
  type Note,
  type SheetEntry,
} from './xlsx-write/parts.js';
import { putRecordRow, putRow, type RowStyle, type XlsxCellValue } from './xlsx-write/rows.js';
import type { RowRecord } from './xlsx-write/row-records.js';
import { byteOutput, putUtf8, takeAll, type ByteOutput } from './xlsx-write/bytes.js';
import { createStyleTable } from './xlsx-write/styles.js';
import { clampCellText, columnLetter, lettersOf, safeSheetName, sheetReference } from './xlsx-write/text.js';

export { DEFAULT_ROWS_PER_SHEET, EXCEL_MAX_CELL_CHARS, EXCEL_MAX_ROWS, rowLimitOf } from './xlsx-write/limits.js';
export { columnLetter, safeSheetName } from './xlsx-write/text.js';
export type { RowStyle, XlsxCellValue } from './xlsx-write/rows.js';

/** Inline dropdown lists longer than this (in characters) are rejected by Excel. */
const INLINE_LIST_MAX_CHARS = 255;
const LISTS_SHEET_NAME = 'Lists';
/** Bytes a temporary sheet file's stream holds before `addRow` waits for the disk. */
const SHEET_STREAM_BUFFER = 256 * 1024;
const DEFAULT_MAX_NOTES = 20_000;

/** Where a sheet part's XML goes: straight into the zip, or a temporary file while the zip is busy. */
interface PartSink {
  /** A promise when the zip or the disk falls behind: wait for it. The bytes are the sink's from then on. */
  write(chunk: Buffer): Promise<void> | undefined;
  /**
   * The part's last bytes, and no more: resolves when they are all handed over (the temporary
   * file is complete). Never waits for the zip to drain: a stream being ended does not say
   * "drain" again, and the zip reads the part to its end anyway.
   */
  end(last: readonly Buffer[]): Promise<void>;
}

export interface SheetColumn {
  readonly header: string;
  /** Width in characters. */
  readonly width?: number | undefined;
}

export interface SheetOptions {
  /** Header row written first (bold) and repeated on continuation sheets; widths applied. */
  readonly columns?: readonly SheetColumn[] | undefined;
  /** Column widths in characters, for sheets without a header row (`columns` sets its own). */
  readonly widths?: readonly number[] | undefined;
  /** Freeze the first row (the header, from `columns` or the first row added). */
  readonly frozenHeader?: boolean | undefined;
  /** An autofilter over the header row and the rows below it (only with `columns`). */
  readonly autoFilter?: boolean | undefined;
  readonly hidden?: boolean | undefined;
  /**
   * Rows per sheet (header included) before continuing on "Name (2)"; default the workbook's
   * (250,000 unless `openXlsxWriter` was told otherwise), never more than Excel's 1,048,576.
   */
  readonly maxRowsPerSheet?: number | undefined;
  /**
   * At most this many notes per sheet: a sheet's notes are held in memory until the sheet
   * ends (they are parts of their own). Further notes are dropped; fills are still applied.
   * Default 20,000.
   */
  readonly maxNotes?: number | undefined;
}

export interface XlsxWriterOptions {
  /** Rows per sheet for every sheet (header included); default 250,000, at most 1,048,576. */
  readonly maxRowsPerSheet?: number | undefined;
}

export interface DropdownRange {
  /** 1-based first and last sheet rows; default 2 (below the header) to the last Excel row. */
  readonly firstRow?: number | undefined;
  readonly lastRow?: number | undefined;
}

export interface SheetWriter {
  /** Returns a promise when the zip or the disk falls behind: always await it. */
  addRow(values: readonly XlsxCellValue[], style?: RowStyle): Promise<void> | void;
  /** A row packed by xlsx-thread.ts (xlsx-write/row-records.ts): the same as addRow of the values and style it holds. */
  addRecord(record: RowRecord): Promise<void> | void;
  /** A dropdown on one column (0-based) over a row range: one validation per range, as Excel wants. */
  addDropdown(column: number, choices: readonly string[], range?: DropdownRange): void;
  commit(): Promise<void>;
}

export interface XlsxWriter {
  /** Starts a new sheet, shown after those added before it; sheets already open stay open. */
  addSheet(name: string, options?: SheetOptions): SheetWriter;
  /** Finishes the open sheet, writes the hidden Lists sheet if dropdowns need it, finishes the file and renames it over the target. */
  close(): Promise<void>;
  /** Stops writing and removes the partial file; the target is left as it was. Safe after close. */
  discard(): Promise<void>;
}

/** A sheet name as a formula needs it: bare when it is a plain word, else quoted. */
function formulaSheetName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : sheetReference(name);
}

/** "Results" → "Results (2)", keeping within Excel's 31 characters. */
function continuationName(base: string, part: number): string {
  const suffix = ` (${part})`;
  return safeSheetName(base).slice(0, 31 - suffix.length) + suffix;
}

/** An inline list formula (`"a,b,c"`) when Excel accepts one, else undefined. */
function inlineListFormula(choices: readonly string[]): string | undefined {
  if (choices.some((choice) => choice.includes(',') || choice.includes('"'))) return undefined;
  const joined = choices.join(',');
  return joined.length <= INLINE_LIST_MAX_CHARS ? `"${joined}"` : undefined;
}

/** A failed or discarded workbook leaves no temporary files behind either. */
function withSpoolRemoved(ending: Pick<XlsxWriter, 'close' | 'discard'>, removeSpool: () => Promise<void>): Pick<XlsxWriter, 'close' | 'discard'> {
  return {
    close: () => ending.close().catch(async (error: unknown) => {
      await removeSpool();
      throw error;
    }),
    discard: () => ending.discard().finally(removeSpool),
  };
}

/** Adds `text` to the note on A1 (row 0, column 0), after any note already there. */
function noteOnFirstCell(notes: Note[], text: string): void {
  const index = notes.findIndex((note) => note.row === 0 && note.column === 0);
  const existing = notes[index];
  if (existing === undefined) notes.unshift({ row: 0, column: 0, text });
  else notes[index] = { row: 0, column: 0, text: `${existing.text}\n\n${text}` };
}

export function openXlsxWriter(path: string, writerOptions: XlsxWriterOptions = {}): XlsxWriter {
  const defaultRowLimit = rowLimitOf(writerOptions.maxRowsPerSheet, DEFAULT_ROWS_PER_SHEET, false);
  const file = atomicFile(path);
  const zip = zipOutput(file.partial);
  let failure: Error | undefined;
  let rejectFailed: (error: Error) => void = () => undefined;
  const failed = new Promise<never>((_resolve, reject) => {
    rejectFailed = reject;
  });
  failed.catch(() => undefined); // observed through `failure` and close()
  function fail(error: Error): void {
    if (failure !== undefined) return;
    failure = new OutputError(`cannot write ${path}: ${error.message}`);
    rejectFailed(failure);
  }
  zip.onError(fail);

  const styles = createStyleTable();
  /** Every part in tab order (a continuation right after the part it continues). */
  const sheets: (SheetEntry & { hasNotes: boolean; autoFilter: string | undefined })[] = [];
  const usedNames = new Set<string>();
  /** Lists too long (or too awkward) to inline; column k of the hidden Lists sheet. */
  const longLists: (readonly string[])[] = [];
  const openSheets: SheetState[] = [];
  /** Parts whose XML waits in a temporary file for the zip (added to it by close). */
  const spooledParts: { readonly entryName: string; readonly path: string }[] = [];
  /** Sinks being ended: close waits for all of them before it adds the spooled parts. */
  const endings: Promise<void>[] = [];
  /** A failure shows at close (and through `fail` at once): not as an unhandled rejection meanwhile. */
  function awaitAtClose(ending: Promise<void>): void {
    ending.catch(() => undefined);
    endings.push(ending);
  }
  let spool: Promise<SpoolFolder> | undefined;
  let zipBusy = false;
  let nextPart = 1;
  let nextShapeBlock = 1;
  let listsSheetName: string | undefined;
  let closed = false;

  interface SheetState {
    readonly baseName: string;
    readonly options: SheetOptions;
    readonly rowLimit: number;
    readonly maxNotes: number;
    readonly dropdowns: Dropdown[];
    entry: SheetEntry & { hasNotes: boolean; autoFilter: string | undefined };
    /** Claimed when the part first hands XML over (undefined while it all fits in `pending`). */
    sink: PartSink | undefined;
    continuation: number;
    rowCount: number;
    notes: Note[];
    notesWritten: number;
    /** The part's XML not yet handed to its sink: full slabs (handed over after each row) and the one being written. */
    readonly out: ByteOutput;
    committed: boolean;
  }

  function uniqueName(wanted: string): string {
    let name = wanted;
    for (let n = 2; usedNames.has(name.toLowerCase()); n += 1) name = continuationName(wanted, n);
    usedNames.add(name.toLowerCase());
    return name;
  }

  function whenDrained(stream: WriteStream): Promise<void> {
    return Promise.race([once(stream, 'drain'), failed]).then(() => undefined);
  }

  /** The part streams straight into the zip; no other part may until it ends. */
  function zipSink(entryName: string): PartSink {
    const stream = zip.openEntry(entryName);
    zipBusy = true;
    return {
      write(chunk) {
        // The zip's own failure, said as this workbook's (OutputError naming the file).
        return stream.write(chunk)?.catch((error: Error) => {
          fail(error);
          throw failure ?? error;
        });
      },
      end(last) {
        // A failure here shows through `failed` (close waits on it), not as an unhandled rejection.
        for (const chunk of last) stream.write(chunk)?.catch(() => undefined);
        stream.end();
        zipBusy = false;
        return Promise.resolve();
      },
    };
  }

  /** The part goes to a temporary file while another part has the zip; close adds it. */
  function spoolSink(entryName: string, part: number): PartSink {
    spool ??= createSpoolFolder('plannr-bulk-xlsx-');
    const opened = spool.then((folder) => {
      const path = join(folder.path, `sheet${part}.xml`);
      spooledParts.push({ entryName, path });
      const stream = createWriteStream(path, { highWaterMark: SHEET_STREAM_BUFFER });
      stream.on('error', fail);
      return stream;
    });
    opened.catch(fail);
    // Writes go out in order, each after the one before it (the tail is not awaited by anyone).
    let queue: Promise<void> = opened.then(() => undefined);
    return {
      write(chunk) {
        queue = queue.then(async () => {
          const stream = await Promise.race([opened, failed]);
          if (!stream.write(chunk)) await whenDrained(stream);
        });
        return queue;
      },
      async end(last) {
        for (const chunk of last) void this.write(chunk);
        await queue;
        const stream = await Promise.race([opened, failed]);
        await Promise.race([new Promise<void>((resolve) => stream.end(resolve)), failed]);
      },
    };
  }

  function sinkFor(state: SheetState): PartSink {
    const entryName = `xl/worksheets/sheet${state.entry.part}.xml`;
    state.sink ??= zipBusy ? spoolSink(entryName, state.entry.part) : zipSink(entryName);
    return state.sink;
  }

  /** Hands the part's full slabs (or, at its end, every byte) to its sink; the first wait the sink asks for, if any. */
  function flush(state: SheetState, slabs: Buffer[]): Promise<void> | undefined {
    const sink = sinkFor(state);
    let wait: Promise<void> | undefined;
    for (const slab of slabs) {
      const written = sink.write(slab);
      wait ??= written;
    }
    return wait;
  }

  function widthsOf(options: SheetOptions): (number | undefined)[] {
    const widths: (number | undefined)[] = [...(options.widths ?? [])];
    options.columns?.forEach((column, index) => {
      if (column.width !== undefined) widths[index] = column.width;
    });
    return widths;
  }

  /** A new sheet part's workbook entry, shown right after `after` (else last). */
  function newPart(name: string, hidden: boolean, after?: SheetState['entry']): { entry: SheetState['entry']; selected: boolean } {
    const entry: SheetState['entry'] = { name, part: nextPart, hidden, hasNotes: false, autoFilter: undefined };
    nextPart += 1;
    // The first visible sheet is the tab Excel opens on.
    const selected = !hidden && sheets.every((sheet) => sheet.hidden);
    const at = after === undefined ? sheets.length : sheets.indexOf(after) + 1;
    sheets.splice(at, 0, entry);
    return { entry, selected };
  }

  /** Starts writing a part: sheet start, then the header row if the sheet has one. */
  function beginPart(state: SheetState, selected: boolean): void {
    state.rowCount = 0;
    state.notes = [];
    state.notesWritten = 0;
    state.sink = undefined;
    putUtf8(state.out, sheetStart({ widths: widthsOf(state.options), frozenHeader: state.options.frozenHeader === true, selected }));
    const columns = state.options.columns;
    if (columns !== undefined) void writeRow(state, columns.map((column) => column.header), { bold: true });
  }

  function writeRow(state: SheetState, row: readonly XlsxCellValue[] | RowRecord, style: RowStyle | undefined): Promise<void> | undefined {
    if (Array.isArray(row)) putRow(state.out, state.rowCount + 1, row as readonly XlsxCellValue[], style, styles);
    else putRecordRow(state.out, state.rowCount + 1, row as RowRecord, styles);
    if (style?.notes !== undefined) {
      for (const [column, text] of Object.entries(style.notes)) {
        if (state.notesWritten >= state.maxNotes) break;
        const columnIndex = Number(column);
        // A note outside the sheet's columns would make Excel "repair" the file: it has no cell to go on.
        if (!Number.isInteger(columnIndex) || columnIndex < 0 || columnIndex >= EXCEL_MAX_COLUMNS) continue;
        state.notes.push({ row: state.rowCount, column: columnIndex, text: clampCellText(text) });
        state.notesWritten += 1;
      }
    }
    state.rowCount += 1;
    return state.out.full.length > 0 ? flush(state, state.out.full.splice(0)) : undefined;
  }

  function endPart(state: SheetState): void {
    const { entry, notes } = state;
    const columns = state.options.columns;
    if (state.options.autoFilter === true && columns !== undefined && columns.length > 0) {
      entry.autoFilter = `A1:${lettersOf(columns.length - 1)}${Math.max(state.rowCount, 1)}`;
    }
    entry.hasNotes = notes.length > 0;
    putUtf8(state.out, sheetEnd({ autoFilter: entry.autoFilter, dropdowns: state.dropdowns, hasNotes: entry.hasNotes }));
    if (state.sink === undefined) {
      // The whole part is in hand: the zip holds it as a buffer behind any part streaming now.
      zip.addText(`xl/worksheets/sheet${entry.part}.xml`, Buffer.concat(takeAll(state.out)));
    } else {
      // Ended at once, not once its tail has drained: the zip is then free for the next part
      // (a continuation of this sheet) instead of that part waiting in a temporary file.
      awaitAtClose(state.sink.end(takeAll(state.out)));
    }
    if (entry.hasNotes) {
      zip.addText(`xl/comments${entry.part}.xml`, commentsXml(notes));
      zip.addText(`xl/drawings/vmlDrawing${entry.part}.vml`, vmlDrawingXml(notes, nextShapeBlock));
      zip.addText(`xl/worksheets/_rels/sheet${entry.part}.xml.rels`, sheetRelsXml(entry.part));
      nextShapeBlock += shapeBlocksFor(notes.length);
    }
    state.notes = [];
  }

  function commitState(state: SheetState): void {
    if (state.committed) return;
    endPart(state);
    state.committed = true;
    openSheets.splice(openSheets.indexOf(state), 1);
  }

  /** Ends this part of the sheet and starts "Name (n)", with notes on both A1 cells saying so. */
  function continueOnNextPart(state: SheetState): void {
    const previous = state.entry;
    state.continuation += 1;
    const nextName = uniqueName(continuationName(state.baseName, state.continuation));
    noteOnFirstCell(state.notes, `Continues on sheet "${nextName}".`);
    endPart(state);
    const { entry, selected } = newPart(nextName, state.options.hidden === true, previous);
    state.entry = entry;
    beginPart(state, selected);
    noteOnFirstCell(state.notes, `Continued from sheet "${previous.name}".`);
  }

  function addRow(state: SheetState, row: readonly XlsxCellValue[] | RowRecord, style: RowStyle | undefined): Promise<void> | undefined {
    if (state.committed) throw new Error(`Sheet "${state.entry.name}" is already committed`);
    if (failure !== undefined) throw failure; // no point writing rows to nowhere
    if (state.rowCount >= state.rowLimit) continueOnNextPart(state);
    return writeRow(state, row, style);
  }

  function sheetWriter(state: SheetState): SheetWriter {
    return {
      addRow(values, style) {
        return addRow(state, values, style);
      },
      addRecord(record) {
        return addRow(state, record, record.style);
      },
      addDropdown(column, choices, range) {
        if (state.committed) throw new Error(`Sheet "${state.entry.name}" is already committed`);
        let formula = inlineListFormula(choices);
        if (formula === undefined) {
          longLists.push(choices);
          const letter = columnLetter(longLists.length);
          // The name is taken now, so that a sheet called "Lists" added later cannot take it.
          listsSheetName ??= uniqueName(LISTS_SHEET_NAME);
          formula = `${formulaSheetName(listsSheetName)}!$${letter}$1:$${letter}$${Math.max(choices.length, 1)}`;
        }
        state.dropdowns.push({
          column,
          formula,
          firstRow: range?.firstRow ?? 2,
          lastRow: range?.lastRow ?? EXCEL_MAX_ROWS,
        });
      },
      async commit() {
        commitState(state);
        await new Promise((resolve) => setImmediate(resolve));
      },
    };
  }

  /** `reservedName`: a name already taken for this sheet by uniqueName (the Lists sheet's). */
  function addSheet(name: string, options: SheetOptions = {}, reservedName?: string): SheetWriter {
    if (closed) throw new Error('The workbook is already closed');
    if (failure !== undefined) throw failure;
    const hasHeader = options.columns !== undefined;
    const rowLimit = rowLimitOf(options.maxRowsPerSheet, defaultRowLimit, hasHeader);
    const { entry, selected } = newPart(reservedName ?? uniqueName(safeSheetName(name)), options.hidden === true);
    const state: SheetState = {
      baseName: name,
      options,
      rowLimit,
      maxNotes: options.maxNotes ?? DEFAULT_MAX_NOTES,
      dropdowns: [],
      entry,
      sink: undefined,
      continuation: 1,
      rowCount: 0,
      notes: [],
      notesWritten: 0,
      out: byteOutput(),
      committed: false,
    };
    beginPart(state, selected);
    openSheets.push(state);
    return sheetWriter(state);
  }

  async function writeListsSheet(): Promise<void> {
    const lists = addSheet(LISTS_SHEET_NAME, { hidden: true }, listsSheetName);
    const longest = Math.max(...longLists.map((list) => list.length));
    for (let rowIndex = 0; rowIndex < longest; rowIndex += 1) {
      await lists.addRow(longLists.map((list) => list[rowIndex] ?? null));
    }
    await lists.commit();
  }

  async function finish(): Promise<void> {
    if (failure !== undefined) throw failure;
    if (longLists.length > 0) await writeListsSheet();
    closed = true;
    for (const state of [...openSheets]) commitState(state);
    await Promise.race([Promise.all(endings), failed]);
    for (const { entryName, path } of spooledParts) {
      zip.addFile(entryName, path);
    }
    zip.addText('xl/workbook.xml', workbookXml(sheets));
    zip.addText('xl/_rels/workbook.xml.rels', workbookRelsXml(sheets));
    zip.addText('xl/styles.xml', styles.xml());
    zip.addText('_rels/.rels', packageRelsXml());
    zip.addText('[Content_Types].xml', contentTypesXml(sheets));
    await Promise.race([zip.end(), failed]);
    if (failure !== undefined) throw failure;
    await file.commit();
    await removeSpool();
  }

  async function removeSpool(): Promise<void> {
    const folder = spool;
    spool = undefined;
    if (folder !== undefined) await (await folder.catch(() => undefined))?.remove();
  }

  return {
    addSheet: (name, options) => addSheet(name, options),
    ...withSpoolRemoved(
      writerEnding(file, finish, () => {
        closed = true;
        return zip.abort();
      }),
      removeSpool,
    ),
  };
}
