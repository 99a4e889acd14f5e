/**
 * The row-accounting invariant (README, "What happens to your data"): every row read ends in exactly one bucket.
 * read = sent + valid + invalid + failed + skipped + unknown. A run whose counts do not add up fails loudly.
 * The buckets are the row model's statuses (ROW_STATUSES), so a new status is counted without an edit here.
 */
import { AccountingError } from '../errors.js';
import { ROW_STATUSES, type RowStatus } from '../outcome/row-outcome.js';

export type RowCounts = Record<RowStatus | 'read', number>;

export function emptyCounts(): RowCounts {
  const counts = { read: 0 } as RowCounts;
  for (const status of ROW_STATUSES) counts[status] = 0;
  return counts;
}

export function settled(counts: RowCounts): number {
  return ROW_STATUSES.reduce((sum, status) => sum + counts[status], 0);
}

/** "12 read = 9 sent + 2 invalid + 1 failed": statuses with no rows left out, but invalid always named. */
export function equationOf(counts: RowCounts): string {
  const parts = ROW_STATUSES.filter((status) => counts[status] > 0 || status === 'invalid').map((status) => `${counts[status]} ${status}`);
  return `${counts.read} read = ${parts.join(' + ')}`;
}

export function assertAccountedFor(counts: RowCounts): void {
  if (settled(counts) !== counts.read) {
    throw new AccountingError(`row accounting does not add up (${equationOf(counts)} = ${settled(counts)}): this is a bug in plannr-bulk, please report it`);
  }
}
