/** From a checked row to the outcome the report records. */
import type { RowOutcome } from '../io/report-types.js';
import type { SourceRow } from '../io/rows.js';
import type { RowCheck } from './check/check-row.js';
import { createKeySet } from './check/key-set.js';

/** A duplicate key is an error, not a guess: which row should win is the user's call. */
export function duplicateCheck(): (row: SourceRow, check: RowCheck) => RowCheck {
  const seen = createKeySet();
  return (row, check) => {
    if (check.key === '' || check.problems.length > 0) return check;
    const first = seen.firstRowOf(check.key, row.position.row);
    if (first === 0) return check;
    return {
      ...check,
      action: 'none',
      problems: [{ columnIndex: -1, column: '(row)', message: `the same record (${check.key}) is also on row ${first}; only one row per record may be sent` }],
    };
  };
}

export function outcomeOf(row: SourceRow, check: RowCheck, status: RowOutcome['status'], message = ''): RowOutcome {
  return {
    position: row.position,
    key: check.key,
    action: check.action,
    status,
    message: message !== '' ? message : check.problems.map((p) => (p.columnIndex >= 0 ? `${p.column}: ${p.message}` : p.message)).join('; '),
    original: row.cells,
    normalised: check.display,
    problems: check.problems,
  };
}
