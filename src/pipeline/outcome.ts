/** Duplicate keys: a record named on more than one row is sent from its first row only; the others are refused. (A row's outcome: outcomeOf in outcome/row-outcome.ts.) */
import { WHOLE_ROW } from '../outcome/row-outcome.js';
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
      problems: [{ columnIndex: -1, column: WHOLE_ROW, message: `the same record (${check.key}) is also on row ${first}; only one row per record may be sent` }],
    };
  };
}
