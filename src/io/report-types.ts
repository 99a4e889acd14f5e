/**
 * The report model: what the pipeline hands to the report writer (io/report.ts) for each
 * input row. Every input row produces exactly one RowOutcome.
 */
import type { CellValue, SourcePosition } from './rows.js';

export type RowAction = 'create' | 'update' | 'none';

/**
 * valid    dry run: the row would be sent
 * invalid  failed validation; nothing sent
 * sent     the API accepted it
 * failed   the API rejected it (or retries ran out)
 * skipped  not sent on purpose (duplicate key, unchanged, done in an earlier run)
 * unknown  sent, but whether it was applied could not be told (the answer was lost and reading
 *          the record back did not settle it): the message says what to check; never re-sent
 *          blindly, and `--resume` reads it back again first
 */
export type RowStatus = 'valid' | 'invalid' | 'sent' | 'failed' | 'skipped' | 'unknown';

export interface CellProblem {
  /** Index into the input headers (the column the value came from); -1 if not tied to one column. */
  readonly columnIndex: number;
  /** The input header, or the field name when the problem has no source column. */
  readonly column: string;
  readonly message: string;
}

export interface RowOutcome {
  readonly position: SourcePosition;
  /** The record's key (uuid) or '' when the row creates a record. */
  readonly key: string;
  readonly action: RowAction;
  readonly status: RowStatus;
  /** HTTP status of the last attempt, when the row was sent. */
  readonly httpStatus?: number | undefined;
  /** One line for a person: why it failed, was skipped, or what happened. '' when plainly ok. */
  readonly message: string;
  /** The row's cells as read, aligned with ReportLayout.headers. */
  readonly original: readonly CellValue[];
  /** Normalised values per mapped field, as displayed (what was or would be sent). */
  readonly normalised: Readonly<Record<string, string | number | boolean | null>>;
  readonly problems: readonly CellProblem[];
  /** True when `--resume` sends this row again (failed for a passing cause, or not sent). */
  readonly retry?: boolean | undefined;
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
  readonly lines: ReadonlyArray<readonly [label: string, value: string | number]>;
}
