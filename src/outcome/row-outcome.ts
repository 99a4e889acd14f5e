/**
 * The row model: what became of each input row. One vocabulary that the report (io), the
 * journal, the pipeline and the plan all import. The lists are const arrays so the TypeScript
 * types, the journal's zod schema (`z.enum(ROW_STATUSES)`) and the counts are derived from
 * them, never written out again.
 *
 * Every input row produces exactly one RowOutcome.
 */
import type { CellValue, SourcePosition, SourceRow } from '../io/rows.js';

/**
 * valid    dry run: the row would be sent
 * invalid  failed validation; nothing sent
 * sent     the API accepted it
 * failed   the API rejected it (or retries ran out)
 * skipped  not sent on purpose (duplicate key, unchanged, done in an earlier run, interrupted)
 * unknown  sent, but whether it was applied could not be told (the answer was lost and reading
 *          the record back did not settle it): the message says what to check; never re-sent
 *          blindly, and `--resume` reads it back again first
 *
 * The order is the order the accounting equation names them in (sent first).
 */
export const ROW_STATUSES = ['sent', 'valid', 'invalid', 'failed', 'skipped', 'unknown'] as const;
export type RowStatus = (typeof ROW_STATUSES)[number];

/** What the row asks of the API: `none` when it asks nothing (invalid before a key was known, a duplicate). */
export const ROW_ACTIONS = ['create', 'update', 'none'] as const;
export type RowAction = (typeof ROW_ACTIONS)[number];

/** Statuses of the rows the Errors sheet repeats: the user fixes them and imports that sheet again. */
export const STATUSES_TO_FIX: ReadonlySet<RowStatus> = new Set<RowStatus>(['invalid', 'failed']);

/**
 * Statuses a person must look at in Plannr before doing anything else. Not on the Errors sheet:
 * importing such a row again could create its record twice; `--resume` reads it back first.
 */
export const STATUSES_TO_CHECK: ReadonlySet<RowStatus> = new Set<RowStatus>(['unknown']);

/**
 * What `plan` says import would do with a row, in the plan workbook's "Plan Action" column.
 * In the terms of an import's outcome:
 *   create / update  the row would be sent (action create / update)
 *   no change        skipped: the record already holds these values
 *   conflict         failed: the record changed after the export or the plan (unless --overwrite)
 *   invalid          invalid: refused before anything is sent
 */
export const PLAN_ACTIONS = ['create', 'update', 'no change', 'conflict', 'invalid'] as const;
export type PlanAction = (typeof PLAN_ACTIONS)[number];

/** The `column` of a problem that concerns the whole row, not one cell (e.g. a duplicate key). */
export const WHOLE_ROW = '(row)';

export interface CellProblem {
  /** Index into the input headers (the column the value came from); -1 if not tied to one column. */
  readonly columnIndex: number;
  /** The input header, or the field name when the problem has no source column. */
  readonly column: string;
  readonly message: string;
}

/** A value as the report shows it: what was or would be sent. */
export type DisplayValue = string | number | boolean | null;

export interface RowOutcome {
  readonly position: SourcePosition;
  /** The record's key (uuid) or '' when the row creates a record. */
  readonly key: string;
  readonly action: RowAction;
  readonly status: RowStatus;
  /** HTTP status of the last attempt, when the row was sent. */
  readonly httpStatus?: number | undefined;
  /** One line for a person, in the adviser's words: why it failed, was skipped, or what happened. '' when plainly ok. */
  readonly message: string;
  /** The API's own words, as it answered (a refusal's body), kept apart from `message`; absent when it said nothing. */
  readonly apiMessage?: string | undefined;
  /** The row's cells as read, aligned with the input headers. */
  readonly original: readonly CellValue[];
  /** Normalised values per mapped field, as displayed (what was or would be sent). */
  readonly normalised: Readonly<Record<string, DisplayValue>>;
  readonly problems: readonly CellProblem[];
  /** True when `--resume` sends this row again (failed for a passing cause, or not sent). */
  readonly retry?: boolean | undefined;
}

/** What a row check decided, as much of it as an outcome needs. */
export interface RowVerdict {
  readonly key: string;
  readonly action: RowAction;
  readonly display: Readonly<Record<string, DisplayValue>>;
  readonly problems: readonly CellProblem[];
}

/** A problem as one line: "Column: message", or the message alone when it concerns the whole row. */
export function problemLine(problem: CellProblem): string {
  return problem.columnIndex >= 0 ? `${problem.column}: ${problem.message}` : problem.message;
}

/** The outcome of a row: its message is the one given, else its problems, one after another. */
export function outcomeOf(row: SourceRow, verdict: RowVerdict, status: RowStatus, message = ''): RowOutcome {
  return {
    position: row.position,
    key: verdict.key,
    action: verdict.action,
    status,
    message: message !== '' ? message : verdict.problems.map(problemLine).join('; '),
    original: row.cells,
    normalised: verdict.display,
    problems: verdict.problems,
  };
}
