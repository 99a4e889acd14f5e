/**
 * One checked row's way to the API, read top to bottom; each step may end the row with an
 * outcome instead, and none calls back into the one before:
 *   1. names → uuids (names.ts): a name matching nothing, or several records, ends the row invalid;
 *   2. prepare (round-trip-import.ts): an exported row is reduced to its edited fields (or skipped
 *      unchanged, or held back as a conflict), and an update's record is read for its before-image;
 *   3. send (send-row.ts): the intent and before-image are journaled, the request leaves, a lost
 *      answer is read back.
 * The rows that never get this far (invalid, done in an earlier run, the run stopped) are
 * settled by `settleWithoutSending` in send-rows.ts.
 */
import type { RowOutcome } from '../../outcome/row-outcome.js';
import { outcomeOf } from '../../outcome/row-outcome.js';
import type { SourceRow } from '../../io/rows.js';
import type { RowCheck } from '../check/check-row.js';
import type { NameResolver } from './names.js';
import type { RoundTrip } from '../round-trip-import.js';
import { sendRow, type EarlierAttempt, type SendContext } from '../send-row.js';

export interface RowTaskContext {
  readonly send: SendContext;
  readonly names: NameResolver;
  readonly roundTrip: RoundTrip;
  /** The outcome of a row the API's refusal of the token kept from being sent (see send-rows.ts). */
  readonly notSentRefused: (outcome: RowOutcome, stop: { readonly status: number; readonly message: string }) => RowOutcome;
}

/** `earlier`: an earlier run's attempt at this row whose answer is still unconfirmed. */
export async function sendCheckedRow(ctx: RowTaskContext, row: SourceRow, check: RowCheck, earlier: EarlierAttempt | undefined): Promise<RowOutcome> {
  const resolved = await ctx.names.resolveNames(check);
  const stopped = ctx.send.pool.stopped();
  // A name lookup refused after the stop says nothing about the row itself.
  if (stopped !== undefined) return ctx.notSentRefused(outcomeOf(row, resolved, 'failed'), stopped);
  if (resolved.problems.length > 0) return outcomeOf(row, resolved, 'invalid');
  const prepared = await ctx.roundTrip.prepare(row, resolved, earlier?.before);
  if (prepared.kind === 'done') return prepared.outcome;
  return sendRow(ctx.send, { row, check: prepared.check, before: prepared.before, earlier });
}
