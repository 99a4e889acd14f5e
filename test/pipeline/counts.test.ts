import { describe, expect, it } from 'vitest';
import { AccountingError } from '../../src/errors.js';
import { ROW_STATUSES } from '../../src/outcome/row-outcome.js';
import { assertAccountedFor, emptyCounts, equationOf, settled } from '../../src/pipeline/counts.js';

describe('row accounting', () => {
  it('counts rows read and one bucket per row status, all from zero', () => {
    expect(emptyCounts()).toEqual({ read: 0, sent: 0, valid: 0, invalid: 0, failed: 0, skipped: 0, unknown: 0 });
    expect(Object.keys(emptyCounts()).sort()).toEqual(['read', ...ROW_STATUSES].sort());
  });

  it('adds every status bucket, and says the equation naming only statuses with rows (invalid always)', () => {
    const counts = { ...emptyCounts(), read: 12, sent: 9, failed: 1, unknown: 2 };
    expect(settled(counts)).toBe(12);
    expect(equationOf(counts)).toBe('12 read = 9 sent + 0 invalid + 1 failed + 2 unknown');
    expect(() => assertAccountedFor(counts)).not.toThrow();
  });

  it('fails loudly when a row is in no bucket', () => {
    const counts = { ...emptyCounts(), read: 3, valid: 2 };
    expect(() => assertAccountedFor(counts)).toThrow(AccountingError);
    expect(() => assertAccountedFor(counts)).toThrow('row accounting does not add up (3 read = 2 valid + 0 invalid = 2)');
  });
});
