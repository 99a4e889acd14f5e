/**
 * The outcome digest: one fingerprint over every row's outcome, in source-row order, so a
 * manifest signed off today can be checked against the report and journal later.
 *
 * Definition (version 1). For each row of the Results sheet, in the order the rows were read
 * (source-row order), take the canonical line
 *
 *     {"row":<n>,"status":"<status>","action":"<action>","key":"<key>"}\n
 *
 * that is JSON.stringify of an object with exactly these four members in this order:
 * `row` the 1-based source row number (the header is row 1) as a JSON integer; `status` one of
 * valid | invalid | sent | failed | skipped | unknown; `action` one of create | update | none;
 * `key` the record's uuid as written in the report, or "" when there is none. Strings use
 * JSON.stringify's escaping (no whitespace anywhere, non-ASCII left as UTF-8). The digest is
 * the lower-case hex SHA-256 of the UTF-8 bytes of all lines concatenated, each ending in one
 * line feed (0x0A). Zero rows give the SHA-256 of the empty string.
 */
import { createHash } from 'node:crypto';

export const OUTCOME_DIGEST_ALGORITHM = 'sha256 over canonical JSON lines {row,status,action,key} in source-row order, v1';

export interface OutcomeFields {
  readonly row: number;
  readonly status: string;
  readonly action: string;
  readonly key: string;
}

/** The canonical line of one outcome, newline included. */
export function outcomeLine(outcome: OutcomeFields): string {
  return `${JSON.stringify({ row: outcome.row, status: outcome.status, action: outcome.action, key: outcome.key })}\n`;
}

export interface OutcomeDigest {
  add(outcome: OutcomeFields): void;
  readonly rows: number;
  /** The hex digest of the lines added so far (the running hash is not consumed). */
  hex(): string;
}

/** A running digest: constant memory whatever the row count. */
export function createOutcomeDigest(): OutcomeDigest {
  const hash = createHash('sha256');
  let rows = 0;
  return {
    add(outcome) {
      hash.update(outcomeLine(outcome), 'utf8');
      rows += 1;
    },
    get rows() {
      return rows;
    },
    hex: () => hash.copy().digest('hex'),
  };
}

/** The digest of outcomes from any async iterable (the report's Results sheet, a test's list). */
export async function digestOutcomes(outcomes: AsyncIterable<OutcomeFields> | Iterable<OutcomeFields>): Promise<{ hex: string; rows: number }> {
  const digest = createOutcomeDigest();
  for await (const outcome of outcomes) digest.add(outcome);
  return { hex: digest.hex(), rows: digest.rows };
}
