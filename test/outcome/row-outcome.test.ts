import { describe, expect, it } from 'vitest';
import { outcomeOf, WHOLE_ROW } from '../../src/outcome/row-outcome.js';
import type { SourceRow } from '../../src/io/rows.js';

const row: SourceRow = { position: { file: 'cases.csv', row: 7 }, cells: ['abc', '12.505'] };

describe('outcomeOf', () => {
  it("keeps the row's place, cells and the values shown, with the status given", () => {
    const outcome = outcomeOf(row, { key: 'k1', action: 'update', display: { name: 'abc' }, problems: [] }, 'sent', 'updated');
    expect(outcome).toEqual({
      position: { file: 'cases.csv', row: 7 },
      key: 'k1',
      action: 'update',
      status: 'sent',
      message: 'updated',
      original: ['abc', '12.505'],
      normalised: { name: 'abc' },
      problems: [],
    });
  });

  it('says the problems, "Column: message" for a cell and the message alone for the whole row, when no message is given', () => {
    const problems = [
      { columnIndex: 1, column: 'Value', message: 'more than two decimals' },
      { columnIndex: -1, column: WHOLE_ROW, message: 'the same record (k1) is also on row 3' },
    ];
    const outcome = outcomeOf(row, { key: 'k1', action: 'none', display: {}, problems }, 'invalid');
    expect(outcome.message).toBe('Value: more than two decimals; the same record (k1) is also on row 3');
    expect(outcome.problems).toEqual(problems);
  });
});
