/**
 * The row-accounting invariant (DESIGN.md): every row read ends in exactly one bucket.
 * read = sent + valid + invalid + failed + skipped + unknown. A run whose counts do not add up fails loudly.
 */
import { AccountingError } from '../errors.js';
import type { RowStatus } from '../io/report-types.js';

export type RowCounts = Record<RowStatus | 'read', number>;

export function emptyCounts(): RowCounts {
  return { read: 0, valid: 0, invalid: 0, sent: 0, failed: 0, skipped: 0, unknown: 0 };
}

export function settled(counts: RowCounts): number {
  return counts.valid + counts.invalid + counts.sent + counts.failed + counts.skipped + counts.unknown;
}

export function equationOf(counts: RowCounts): string {
  const parts = (['sent', 'valid', 'invalid', 'failed', 'skipped', 'unknown'] as const)
    .filter((k) => counts[k] > 0 || k === 'invalid')
    .map((k) => `${counts[k]} ${k}`);
  return `${counts.read} read = ${parts.join(' + ')}`;
}

export function assertAccountedFor(counts: RowCounts): void {
  if (settled(counts) !== counts.read) {
    throw new AccountingError(`row accounting does not add up (${equationOf(counts)} = ${settled(counts)}): this is a bug in plannr-bulk, please report it`);
  }
}
