/**
 * The report workbook: Summary, Results, Errors (in that order).
 *
 * Summary comes first but is known only at the end, and exceljs streams one sheet at a time,
 * so `add` spools each outcome as one JSON line to temporary files (all outcomes for Results,
 * failing ones for Errors) and `close` writes the workbook in order from the spools. Memory
 * stays flat whatever the row count; the spools are deleted by `close` and `discard`, and by
 * the next run if this one was killed (atomic-file.ts). The workbook itself is written to a
 * partial file and renamed over the target, so a failed or killed run leaves the previous
 * report as it was.
 *
 * Each column means one thing: our verdict on a row is "Outcome" (a case has a "Status" of its
 * own, and an exported workbook brings it back in), our words are "Message" and the API's own
 * words are "API message". An 'unknown' outcome (the answer was lost and a read-back could not
 * settle it) gets its Outcome cell marked; it is not on the Errors sheet, which is meant to be
 * fixed and imported again: sending such a row again could create its record twice, so
 * `--resume` (which reads it back first) is the way to settle it.
 *
 * The Errors sheet repeats the input's columns, then "Source row" (the row's number in the file
 * read: the header is row 1, as in Results' "Row") and "Error". Import ignores both, so the sheet
 * imports again as it is.
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DateTime } from 'luxon';
import { CLEAR_TOKEN } from '../entities/entity.js';
import { defaultNormaliseOptions } from '../normalise/result.js';
import { STATUSES_TO_CHECK, STATUSES_TO_FIX, type RowAction, type RowOutcome, type RowStatus } from '../outcome/row-outcome.js';
import { createSpoolFolder } from './atomic-file.js';
import type { CellValue } from './rows.js';
import { formatCsvDate } from './write-csv.js';
import { openXlsxWriter, type RowStyle, type SheetColumn, type XlsxCellValue } from './write-xlsx.js';

export interface ReportWriter {
  add(outcome: RowOutcome): Promise<void>;
  /** Writes the workbook from the spools, then deletes them. */
  close(summary: ReportSummary): Promise<void>;
  /** Drops everything (spools, no workbook written). */
  discard(): Promise<void>;
}

export interface ReportLayout {
  /** The input file's headers, in order (the Errors sheet repeats them so it re-imports as is). */
  readonly headers: readonly string[];
  /** Mapped fields in column order: which input column fed each (-1 for a constant from --mapping). */
  readonly fields: ReadonlyArray<{ readonly field: string; readonly header: string; readonly columnIndex: number }>;
}

/** Summary sheet content: ordered label/value lines (counts, the accounting equation, timings). */
export interface ReportSummary {
  readonly title: string;
  /** A Date value is an instant: written as local time with its offset in `timeZone`. */
  readonly lines: ReadonlyArray<readonly [label: string, value: string | number | Date]>;
  /** IANA zone the run uses (--timezone); default Europe/London. */
  readonly timeZone?: string | undefined;
}

/** The header of the Errors sheet's last column (reused, not repeated, when the input has one). */
export const ERROR_HEADER = 'Error';
/** The Errors sheet's column with each row's number in the file read (reused when the input has one). */
export const SOURCE_ROW_HEADER = 'Source row';
/** The zone Summary times are shown in when the run names none: the run's own default zone. */
export const DEFAULT_REPORT_TIME_ZONE = defaultNormaliseOptions.timezone;

const FIXED_RESULT_HEADERS: readonly SheetColumn[] = [
  { header: 'File', width: 24 },
  { header: 'Sheet', width: 14 },
  { header: 'Row', width: 7 },
  { header: 'Key', width: 38 },
  { header: 'Action', width: 9 },
  { header: 'Outcome', width: 9 },
  { header: 'HTTP status', width: 11 },
  { header: 'Message', width: 50 },
  { header: 'API message', width: 40 },
];
const OUTCOME_COLUMN = 5;
const MESSAGE_COLUMN = 7;
const FIRST_FIELD_COLUMN = FIXED_RESULT_HEADERS.length;

/**
 * One spool line, positional to keep it small:
 * [file, sheet, row, key, action, status, httpStatus, message, original, sent, problems, apiMessage].
 * `original` encodes Dates as {d: epoch ms} (JSON would make them strings); `sent` follows
 * layout.fields, null where the field was not sent (blank), CLEAR_TOKEN where it is cleared.
 */
type EncodedCell = string | number | boolean | null | { readonly d: number };
type SpoolRecord = [
  file: string,
  sheet: string | null,
  row: number,
  key: string,
  action: RowAction,
  status: RowStatus,
  httpStatus: number | null,
  message: string,
  original: EncodedCell[],
  sent: (string | number | boolean | null)[],
  problems: [columnIndex: number, column: string, message: string][],
  apiMessage: string | null,
];

const SPOOL_CHUNK_CHARS = 256 * 1024;

function encodeCell(value: CellValue | undefined): EncodedCell {
  if (!(value instanceof Date)) return value ?? null;
  const time = value.getTime();
  // An invalid Date would come back as 1970-01-01 (NaN becomes null in JSON): leave it blank.
  return Number.isNaN(time) ? null : { d: time };
}

function decodeCell(value: EncodedCell): XlsxCellValue {
  return value !== null && typeof value === 'object' ? new Date(value.d) : value;
}

function encodeOutcome(outcome: RowOutcome, layout: ReportLayout): string {
  const { position } = outcome;
  const sent = layout.fields.map(({ field }) => {
    if (!Object.hasOwn(outcome.normalised, field)) return null;
    return outcome.normalised[field] ?? CLEAR_TOKEN;
  });
  const record: SpoolRecord = [
    position.file,
    position.sheet ?? null,
    position.row,
    outcome.key,
    outcome.action,
    outcome.status,
    outcome.httpStatus ?? null,
    outcome.message,
    outcome.original.map(encodeCell),
    sent,
    outcome.problems.map((problem) => [problem.columnIndex, problem.column, problem.message]),
    outcome.apiMessage !== undefined && outcome.apiMessage !== '' ? outcome.apiMessage : null,
  ];
  return `${JSON.stringify(record)}\n`;
}

/** Buffered append-only writer for a spool file that waits when the disk falls behind. */
function openSpool(path: string): { append(text: string): Promise<void> | void; end(): Promise<void> } {
  const stream: WriteStream = createWriteStream(path, { encoding: 'utf8', highWaterMark: 1024 * 1024 });
  let failure: Error | undefined;
  stream.on('error', (error) => {
    failure = error;
  });
  let pending = '';

  async function flush(): Promise<void> {
    if (failure !== undefined) throw failure;
    const chunk = pending;
    pending = '';
    if (chunk !== '' && !stream.write(chunk)) await once(stream, 'drain');
  }

  return {
    append(text) {
      pending += text;
      return pending.length >= SPOOL_CHUNK_CHARS ? flush() : undefined;
    },
    async end() {
      await flush();
      await new Promise<void>((resolve, reject) => {
        stream.end((error?: Error | null) => (error ? reject(error) : resolve()));
      });
      if (failure !== undefined) throw failure;
    },
  };
}

async function* readSpool(path: string): AsyncGenerator<SpoolRecord> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line !== '') yield JSON.parse(line) as SpoolRecord;
  }
}

/**
 * An instant as ISO 8601 local time with its offset in `timeZone` (2026-12-01T09:15:02+00:00),
 * to the second: a person reads the wall clock they know and still has the exact instant.
 * An unknown zone falls back to UTC (shown as +00:00), never to the machine's own zone.
 */
export function timeWithOffset(instant: Date, timeZone: string = DEFAULT_REPORT_TIME_ZONE): string {
  const local = DateTime.fromJSDate(instant, { zone: timeZone });
  const shown = local.isValid ? local : DateTime.fromJSDate(instant, { zone: 'UTC' });
  return shown.toFormat("yyyy-MM-dd'T'HH:mm:ssZZ");
}

/** Text a person would compare: does the sent value differ from what the cell held? */
function comparableText(value: XlsxCellValue): string {
  if (value === null) return '';
  if (value instanceof Date) return formatCsvDate(value);
  return String(value);
}

function addNote(notes: Record<number, string>, column: number, text: string): void {
  const existing = notes[column];
  notes[column] = existing === undefined ? text : `${existing}\n${text}`;
}

/** The Error cell: the row's message, then one "Column: message" line per problem. */
export function errorText(
  message: string,
  problems: ReadonlyArray<readonly [columnIndex: number, column: string, message: string]>,
): string {
  const lines = message === '' ? [] : [message];
  for (const [, column, problemMessage] of problems) {
    const line = `${column}: ${problemMessage}`;
    if (!lines.includes(line)) lines.push(line);
  }
  return lines.join('\n');
}

const fixedHeaderKeys = new Set(FIXED_RESULT_HEADERS.map((column) => column.header.toLowerCase()));

/**
 * Two columns per mapped field: the value as read, under the input's header, and the value sent.
 * An input header that is also one of ours (a column the user called "Message") is shown as
 * "Message (in file)", so no two columns share a header.
 */
function resultColumns(layout: ReportLayout): SheetColumn[] {
  const columns = [...FIXED_RESULT_HEADERS];
  for (const field of layout.fields) {
    const header = field.columnIndex >= 0 ? (layout.headers[field.columnIndex] ?? field.header) : field.header;
    const shown = fixedHeaderKeys.has(header.trim().toLowerCase()) ? `${header} (in file)` : header;
    columns.push({ header: shown, width: 20 }, { header: `${header} → sent`, width: 22 });
  }
  return columns;
}

/** Input column index → positions in layout.fields fed by it. */
function fieldsByColumn(layout: ReportLayout): Map<number, number[]> {
  const map = new Map<number, number[]>();
  layout.fields.forEach((field, position) => {
    if (field.columnIndex < 0) return;
    const positions = map.get(field.columnIndex) ?? [];
    positions.push(position);
    map.set(field.columnIndex, positions);
  });
  return map;
}

/** A problem's Results cell(s): the original cell of the field(s) its column fed, else Message. */
function resultCellsOf(
  problem: SpoolRecord[10][number],
  layout: ReportLayout,
  byColumn: Map<number, number[]>,
): number[] {
  const [columnIndex, column] = problem;
  if (columnIndex >= 0) {
    const positions = byColumn.get(columnIndex);
    if (positions !== undefined) return positions.map((position) => FIRST_FIELD_COLUMN + position * 2);
    return [MESSAGE_COLUMN];
  }
  const cells: number[] = [];
  layout.fields.forEach((field, position) => {
    if (field.field === column || field.header === column) {
      // A constant has no original cell: mark the value sent.
      cells.push(FIRST_FIELD_COLUMN + position * 2 + (field.columnIndex < 0 ? 1 : 0));
    }
  });
  return cells.length > 0 ? cells : [MESSAGE_COLUMN];
}

async function writeSummary(
  workbook: ReturnType<typeof openXlsxWriter>,
  summary: ReportSummary,
): Promise<void> {
  const sheet = workbook.addSheet('Summary', { widths: [44, 26] });
  await sheet.addRow([summary.title], { bold: true, size: 14 });
  await sheet.addRow([]);
  for (const [label, value] of summary.lines) {
    await sheet.addRow([label, value instanceof Date ? timeWithOffset(value, summary.timeZone) : value], { bold: [0] });
  }
  await sheet.commit();
}

async function writeResults(
  workbook: ReturnType<typeof openXlsxWriter>,
  layout: ReportLayout,
  spoolPath: string,
): Promise<void> {
  const sheet = workbook.addSheet('Results', { columns: resultColumns(layout), frozenHeader: true, autoFilter: true });
  const byColumn = fieldsByColumn(layout);
  const fieldCount = layout.fields.length;
  // One values array reused for every row: exceljs copies values into its own cells.
  const values: XlsxCellValue[] = new Array<XlsxCellValue>(FIRST_FIELD_COLUMN + fieldCount * 2).fill(null);
  for await (const [file, sheetName, row, key, action, status, httpStatus, message, original, sent, problems, apiMessage] of readSpool(
    spoolPath,
  )) {
    values[0] = file;
    values[1] = sheetName;
    values[2] = row;
    values[3] = key === '' ? null : key;
    values[4] = action;
    values[5] = status;
    values[6] = httpStatus;
    values[7] = message === '' ? null : message;
    values[8] = apiMessage ?? null;
    let highlight: number[] | undefined;
    for (let position = 0; position < fieldCount; position += 1) {
      const columnIndex = layout.fields[position]?.columnIndex ?? -1;
      const originalCell = columnIndex >= 0 ? decodeCell(original[columnIndex] ?? null) : null;
      const sentCell = sent[position] ?? null;
      const cell = FIRST_FIELD_COLUMN + position * 2;
      values[cell] = originalCell;
      values[cell + 1] = sentCell;
      if (columnIndex >= 0 && sentCell !== null && comparableText(originalCell) !== comparableText(sentCell)) {
        (highlight ??= []).push(cell + 1);
      }
    }
    let style: RowStyle | undefined = highlight === undefined ? undefined : { highlight };
    const outcomeNeedsALook = STATUSES_TO_CHECK.has(status);
    if (problems.length > 0 || outcomeNeedsALook) {
      const problemCells: number[] = outcomeNeedsALook ? [OUTCOME_COLUMN] : [];
      const notes: Record<number, string> = {};
      for (const problem of problems) {
        for (const cell of resultCellsOf(problem, layout, byColumn)) {
          problemCells.push(cell);
          addNote(notes, cell, `${problem[1]}: ${problem[2]}`);
        }
      }
      style = { highlight, problem: problemCells, notes };
    }
    await sheet.addRow(values, style);
  }
  await sheet.commit();
}

async function writeErrors(
  workbook: ReturnType<typeof openXlsxWriter>,
  layout: ReportLayout,
  spoolPath: string,
): Promise<void> {
  // Re-importing an Errors sheet gives an input that already has these columns: reuse them,
  // so a second round trip keeps the same headers. Source row then says where the row is in
  // the file this run read (the Errors sheet), like Results' Row.
  const headers = [...layout.headers];
  const columnOf = (header: string): number => {
    const existing = headers.indexOf(header);
    if (existing >= 0) return existing;
    headers.push(header);
    return headers.length - 1;
  };
  const sourceRowColumn = columnOf(SOURCE_ROW_HEADER);
  const errorColumn = columnOf(ERROR_HEADER);
  const sheet = workbook.addSheet('Errors', {
    columns: headers.map((header, index) => ({ header, width: index === errorColumn ? 60 : index === sourceRowColumn ? 11 : 18 })),
    frozenHeader: true,
    autoFilter: true,
  });
  const inputColumns = layout.headers.length;
  const values: XlsxCellValue[] = new Array<XlsxCellValue>(headers.length).fill(null);
  for await (const record of readSpool(spoolPath)) {
    const [, , row, , , , , message, original, , problems] = record;
    // Cells beyond the header row have no column to go back into: they are not repeated.
    for (let index = 0; index < inputColumns; index += 1) values[index] = decodeCell(original[index] ?? null);
    values[sourceRowColumn] = row;
    values[errorColumn] = errorText(message, problems);
    let style: RowStyle | undefined;
    if (problems.length > 0) {
      const problemCells: number[] = [];
      const notes: Record<number, string> = {};
      for (const [columnIndex, , problemMessage] of problems) {
        if (columnIndex < 0 || columnIndex >= inputColumns || columnIndex === errorColumn || columnIndex === sourceRowColumn) continue;
        problemCells.push(columnIndex);
        addNote(notes, columnIndex, problemMessage);
      }
      style = { problem: problemCells, notes };
    }
    await sheet.addRow(values, style);
  }
  await sheet.commit();
}

export interface ReportOptions {
  /** Rows per sheet before Results and Errors go on in "Results (2)"...; default 250,000 (write-xlsx.ts). */
  readonly maxRowsPerSheet?: number | undefined;
}

export async function createReport(path: string, layout: ReportLayout, options: ReportOptions = {}): Promise<ReportWriter> {
  const spool = await createSpoolFolder('plannr-bulk-report-');
  const resultsPath = join(spool.path, 'results.jsonl');
  const errorsPath = join(spool.path, 'errors.jsonl');
  const results = openSpool(resultsPath);
  const errors = openSpool(errorsPath);
  let finished = false;

  async function removeSpools(): Promise<void> {
    await spool.remove();
  }

  return {
    async add(outcome) {
      if (finished) throw new Error('The report is already closed');
      const line = encodeOutcome(outcome, layout);
      const waitResults = results.append(line);
      const waitErrors = STATUSES_TO_FIX.has(outcome.status) ? errors.append(line) : undefined;
      await waitResults;
      await waitErrors;
    },
    async close(summary) {
      if (finished) throw new Error('The report is already closed');
      finished = true;
      try {
        await Promise.all([results.end(), errors.end()]);
        const workbook = openXlsxWriter(path, { maxRowsPerSheet: options.maxRowsPerSheet });
        try {
          await writeSummary(workbook, summary);
          await writeResults(workbook, layout, resultsPath);
          await writeErrors(workbook, layout, errorsPath);
          await workbook.close();
        } catch (error) {
          // A half-written workbook is worse than none (it may open and look complete): drop the
          // partial file; an earlier report at `path` stays as it was.
          await workbook.discard();
          throw error;
        }
      } finally {
        await removeSpools();
      }
    },
    async discard() {
      if (finished) return;
      finished = true;
      await Promise.allSettled([results.end(), errors.end()]);
      await removeSpools();
    },
  };
}
