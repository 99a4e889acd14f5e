/**
 * The report workbook: Summary, Results, Errors (in that order).
 *
 * Rows are written as they come: `add` renders an outcome straight into the Results sheet (and
 * the Errors sheet when it is to be fixed), while the run goes on; the writer streams one of
 * them into the zip and keeps the other in a temporary file until `close` (write-xlsx.ts).
 * Summary comes first but is known only at the end: `close` writes it, and its tab is still
 * the first. Memory stays flat whatever the row count. The workbook is written to a partial
 * file and renamed over the target by `close`, so a failed or killed run leaves the previous
 * report as it was; `discard` removes the partial file and the temporary one.
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
import { DateTime } from 'luxon';
import { CLEAR_TOKEN } from '../entities/entity.js';
import { defaultNormaliseOptions } from '../normalise/result.js';
import { STATUSES_TO_CHECK, STATUSES_TO_FIX, type CellProblem, type RowOutcome } from '../outcome/row-outcome.js';
import { formatCsvDate } from './write-csv.js';
import { openXlsxWriterOnThread } from './xlsx-thread.js';
import { openXlsxWriter, type RowStyle, type SheetColumn, type SheetWriter, type XlsxCellValue, type XlsxWriter } from './write-xlsx.js';

export interface ReportWriter {
  /** Writes the outcome's rows now; returns a promise when the disk falls behind (await it). */
  add(outcome: RowOutcome): Promise<void> | void;
  /** Writes the Summary and finishes the workbook (renamed over the target). */
  close(summary: ReportSummary): Promise<void>;
  /** Drops everything (no workbook written; a report already at the target stays). */
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

/** The Results sheet's own columns, before two per mapped field. */
export const RESULT_FIXED_COLUMNS: readonly SheetColumn[] = [
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
const FIRST_FIELD_COLUMN = RESULT_FIXED_COLUMNS.length;

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
export function errorText(message: string, problems: readonly CellProblem[]): string {
  const lines = message === '' ? [] : [message];
  for (const problem of problems) {
    const line = `${problem.column}: ${problem.message}`;
    if (!lines.includes(line)) lines.push(line);
  }
  return lines.join('\n');
}

const fixedHeaderKeys = new Set(RESULT_FIXED_COLUMNS.map((column) => column.header.toLowerCase()));

/**
 * Two columns per mapped field: the value as read, under the input's header, and the value sent.
 * An input header that is also one of ours (a column the user called "Message") is shown as
 * "Message (in file)", so no two columns share a header.
 */
function resultColumns(layout: ReportLayout): SheetColumn[] {
  const columns = [...RESULT_FIXED_COLUMNS];
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
function resultCellsOf(problem: CellProblem, layout: ReportLayout, byColumn: Map<number, number[]>): number[] {
  if (problem.columnIndex >= 0) {
    const positions = byColumn.get(problem.columnIndex);
    if (positions !== undefined) return positions.map((position) => FIRST_FIELD_COLUMN + position * 2);
    return [MESSAGE_COLUMN];
  }
  const cells: number[] = [];
  layout.fields.forEach((field, position) => {
    if (field.field === problem.column || field.header === problem.column) {
      // A constant has no original cell: mark the value sent.
      cells.push(FIRST_FIELD_COLUMN + position * 2 + (field.columnIndex < 0 ? 1 : 0));
    }
  });
  return cells.length > 0 ? cells : [MESSAGE_COLUMN];
}

async function writeSummary(sheet: SheetWriter, summary: ReportSummary): Promise<void> {
  await sheet.addRow([summary.title], { bold: true, size: 14 });
  await sheet.addRow([]);
  for (const [label, value] of summary.lines) {
    await sheet.addRow([label, value instanceof Date ? timeWithOffset(value, summary.timeZone) : value], { bold: [0] });
  }
  await sheet.commit();
}

/** Writes each outcome's Results row; one values array is reused (the writer renders it at once). */
function resultsWriter(workbook: XlsxWriter, layout: ReportLayout): (outcome: RowOutcome) => Promise<void> | void {
  const sheet = workbook.addSheet('Results', { columns: resultColumns(layout), frozenHeader: true, autoFilter: true });
  const byColumn = fieldsByColumn(layout);
  const fields = layout.fields;
  const fieldCount = fields.length;
  const values: XlsxCellValue[] = new Array<XlsxCellValue>(FIRST_FIELD_COLUMN + fieldCount * 2).fill(null);
  return (outcome) => {
    const { position, normalised, problems, status } = outcome;
    values[0] = position.file;
    values[1] = position.sheet ?? null;
    values[2] = position.row;
    values[3] = outcome.key === '' ? null : outcome.key;
    values[4] = outcome.action;
    values[5] = status;
    values[6] = outcome.httpStatus ?? null;
    values[7] = outcome.message === '' ? null : outcome.message;
    values[8] = outcome.apiMessage !== undefined && outcome.apiMessage !== '' ? outcome.apiMessage : null;
    let highlight: number[] | undefined;
    for (let index = 0; index < fieldCount; index += 1) {
      const { field, columnIndex } = fields[index]!;
      const originalCell = columnIndex >= 0 ? (outcome.original[columnIndex] ?? null) : null;
      // Blank when the field is not sent; CLEAR_TOKEN when it is sent to clear the value.
      const sentCell = Object.hasOwn(normalised, field) ? (normalised[field] ?? CLEAR_TOKEN) : null;
      const cell = FIRST_FIELD_COLUMN + index * 2;
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
          addNote(notes, cell, `${problem.column}: ${problem.message}`);
        }
      }
      style = { highlight, problem: problemCells, notes };
    }
    return sheet.addRow(values, style);
  };
}

/** Writes the Errors row of each outcome to be fixed: the input's cells, so the sheet imports again. */
function errorsWriter(workbook: XlsxWriter, layout: ReportLayout): (outcome: RowOutcome) => Promise<void> | void {
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
  return (outcome) => {
    const { original, problems } = outcome;
    // Cells beyond the header row have no column to go back into: they are not repeated.
    for (let index = 0; index < inputColumns; index += 1) values[index] = original[index] ?? null;
    values[sourceRowColumn] = outcome.position.row;
    values[errorColumn] = errorText(outcome.message, problems);
    let style: RowStyle | undefined;
    if (problems.length > 0) {
      const problemCells: number[] = [];
      const notes: Record<number, string> = {};
      for (const { columnIndex, message } of problems) {
        if (columnIndex < 0 || columnIndex >= inputColumns || columnIndex === errorColumn || columnIndex === sourceRowColumn) continue;
        problemCells.push(columnIndex);
        addNote(notes, columnIndex, message);
      }
      style = { problem: problemCells, notes };
    }
    return sheet.addRow(values, style);
  };
}

export interface ReportOptions {
  /** Rows per sheet before Results and Errors go on in "Results (2)"...; default 250,000 (write-xlsx.ts). */
  readonly maxRowsPerSheet?: number | undefined;
  /**
   * Write the workbook on a thread of its own (xlsx-thread.ts), so the run's own thread only
   * packs each row's values. Worth it for big inputs; default false (small runs, tests).
   */
  readonly thread?: boolean | undefined;
}

export async function createReport(path: string, layout: ReportLayout, options: ReportOptions = {}): Promise<ReportWriter> {
  const open = options.thread === true ? openXlsxWriterOnThread : openXlsxWriter;
  const workbook = open(path, { maxRowsPerSheet: options.maxRowsPerSheet });
  // Tabs in this order; Summary's rows are written by close.
  const summarySheet = workbook.addSheet('Summary', { widths: [44, 26] });
  const writeResult = resultsWriter(workbook, layout);
  const writeError = errorsWriter(workbook, layout);
  let finished = false;

  return {
    add(outcome) {
      if (finished) throw new Error('The report is already closed');
      const waitResults = writeResult(outcome);
      const waitErrors = STATUSES_TO_FIX.has(outcome.status) ? writeError(outcome) : undefined;
      if (waitResults === undefined) return waitErrors;
      return waitErrors === undefined ? waitResults : Promise.all([waitResults, waitErrors]).then(() => undefined);
    },
    async close(summary) {
      if (finished) throw new Error('The report is already closed');
      finished = true;
      try {
        await writeSummary(summarySheet, summary);
        await workbook.close();
      } catch (error) {
        // A half-written workbook is worse than none (it may open and look complete): drop the
        // partial file; an earlier report at `path` stays as it was.
        await workbook.discard();
        throw error;
      }
    },
    async discard() {
      if (finished) return;
      finished = true;
      await workbook.discard();
    },
  };
}
