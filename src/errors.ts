/**
 * One error hierarchy for the whole tool. The CLI turns these into exit codes in one place
 * (src/cli/main.ts); everything else just throws.
 *
 * Exit codes (README, "Exit codes and environment"): 0 all rows ok, 1 finished with invalid/failed rows,
 * 2 could not start or could not read the input.
 */

/** Where in the user's input something is: file, sheet (xlsx only), 1-based row, column header. */
export interface Location {
  readonly file: string;
  readonly sheet?: string | undefined;
  /** 1-based row number as the user sees it in Excel or a text editor's record count (header = row 1). */
  readonly row?: number | undefined;
  readonly column?: string | undefined;
}

export function describeLocation(where: Location): string {
  const parts = [where.file];
  if (where.sheet !== undefined) parts.push(`sheet "${where.sheet}"`);
  if (where.row !== undefined) parts.push(`row ${where.row}`);
  if (where.column !== undefined) parts.push(`column "${where.column}"`);
  return parts.join(', ');
}

export abstract class PlannrBulkError extends Error {
  abstract readonly exitCode: 1 | 2;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad flags or configuration: the run never started. */
export class UsageError extends PlannrBulkError {
  readonly exitCode = 2 as const;
}

/** The input file cannot be read as a spreadsheet (or not safely). Message names file/sheet/row/column. */
export class InputError extends PlannrBulkError {
  readonly exitCode = 2 as const;
  constructor(
    readonly where: Location,
    readonly problem: string,
  ) {
    super(`${describeLocation(where)}: ${problem}`);
  }
}

/** Headers could not be matched to the entity (e.g. a required column is missing). */
export class MappingError extends PlannrBulkError {
  readonly exitCode = 2 as const;
}

/** The API refused us as a whole (bad token, wrong account, host unreachable): no row can succeed. */
export class ApiUnavailableError extends PlannrBulkError {
  readonly exitCode = 2 as const;
}

/** A run finished, but its row accounting does not add up: a bug, never to be hidden. */
export class AccountingError extends PlannrBulkError {
  readonly exitCode = 2 as const;
}

export function exitCodeOf(error: unknown): 1 | 2 {
  return error instanceof PlannrBulkError ? error.exitCode : 2;
}

/** A journal cannot be used: in use by another run, damaged, or recording rows a plain run would send again. */
export class JournalError extends PlannrBulkError {
  readonly exitCode = 2 as const;
}

/** An output (report, revert workbook, journal, temp folder) cannot be written: found before the first request. */
export class OutputError extends PlannrBulkError {
  readonly exitCode = 2 as const;
}
