/**
 * The import's sending loop: every row of the file is checked and then either settled at once
 * (`settleWithoutSending`) or handed to its row task (row-task.ts), with at most `maxPending`
 * tasks in flight. Outcomes reach `onOutcome` in file order, whatever order requests finish in.
 *
 * A row is settled without a request when it is invalid (or a duplicate), when an earlier run
 * finished it (`--resume`), when the API has refused the token (nothing more is sent), or when
 * the run was interrupted; a row whose earlier attempt is still unconfirmed is never called
 * "not sent" (it may have landed): it stays unknown, and `--resume` reads it back first.
 */
import type { DispatchPool } from '../../api/pool.js';
import type { SourceRow } from '../../io/rows.js';
import { outcomeOf, type RowOutcome } from '../../outcome/row-outcome.js';
import type { RowCheck } from '../check/check-row.js';
import type { JournalState } from '../journal.js';
import { inSequence } from './ordered.js';
import { duplicateCheck } from '../outcome.js';
import { beforeImageOf, refusedMessage, type EarlierAttempt } from '../send-row.js';
import { sendCheckedRow, type RowTaskContext } from './row-task.js';
import { createGuard, type Guard, type GuardOptions, type GuardStop } from './guard.js';

export const INTERRUPTED = 'not sent: the run was interrupted; run again with --resume to send it';

export interface SendRowsConfig {
  readonly rows: AsyncIterable<SourceRow>;
  readonly check: (row: SourceRow) => RowCheck;
  /** What earlier runs of the journal recorded. */
  readonly previous: JournalState;
  readonly pool: DispatchPool;
  readonly task: Omit<RowTaskContext, 'notSentRefused'>;
  readonly signal?: AbortSignal | undefined;
  /** Row tasks in flight at most (each holds one request, or waits on a lookup or the pool). */
  readonly maxPending: number;
  /** Every row's outcome, in file order; the loop waits for it (the report's writes pace the run). */
  readonly onOutcome: (outcome: RowOutcome) => Promise<void>;
  /** Called as each row is read, before its outcome is known (the rows-read count of the equation). */
  readonly onRead?: (() => void) | undefined;
  /** Runs a row's task in that row's context (the HTML report counts the requests it makes against it). */
  readonly inRowContext?: (<T>(row: number, task: () => Promise<T>) => Promise<T>) | undefined;
  /** The canary and the error budget (guard.ts); their defaults when absent. */
  readonly guard?: GuardOptions | undefined;
  /**
   * Called once when the guard trips: the caller aborts `signal` (the run's own stop), so the
   * rest of the file is settled as an interrupted run is, resumable, with nothing more sent.
   */
  readonly onGuardStop?: ((stop: GuardStop) => void) | undefined;
  /** Called as each sent row finishes, with the guard (failures by reason for the progress display). */
  readonly onSentRow?: ((guard: Guard) => void) | undefined;
}

export interface SentRows {
  /** Rows read from the file (each has had its outcome). */
  readonly read: number;
  /** The signal stopped the run before every row was sent. */
  readonly interrupted: boolean;
  /** The canary or the error budget stopped the run (then `interrupted` is true too). */
  readonly guardStop?: GuardStop | undefined;
}

export async function sendRows(config: SendRowsConfig): Promise<SentRows> {
  const { previous, pool, signal } = config;
  const ordered = inSequence<RowOutcome>(config.onOutcome);
  const markDuplicates = duplicateCheck();
  const pending = new Set<Promise<void>>();
  let interrupted = false;
  let read = 0;
  const guard = createGuard(config.guard);
  let canaryWaited = false;

  /**
   * A row this run did not get to, whose earlier attempt is still unconfirmed in the journal, is
   * not "not sent": it may have landed. It stays unknown (the journal keeps it in flight, and
   * --resume reads it back first).
   */
  const unconfirmedEarlier = (outcome: RowOutcome): RowOutcome | undefined =>
    previous.inFlight.has(outcome.position.row)
      ? { ...outcome, status: 'unknown', problems: [], retry: undefined,
          message: "an earlier run's attempt at this row is still unconfirmed (its answer was lost) and this run stopped before reading it back; --resume reads it back first" }
      : undefined;
  /** A row that will not be sent because the API refused the token: --resume sends it. */
  const notSentRefused = (outcome: RowOutcome, stop: { readonly status: number; readonly message: string }): RowOutcome =>
    unconfirmedEarlier(outcome) ?? { ...outcome, status: 'failed', message: refusedMessage(stop, false), problems: [], retry: true };
  const task: RowTaskContext = { ...config.task, notSentRefused };

  /** The row's outcome when it is not to be sent, or undefined when it is. */
  const settleWithoutSending = (row: SourceRow, check: RowCheck): RowOutcome | undefined => {
    if (check.problems.length > 0) return outcomeOf(row, check, 'invalid');
    const earlier = previous.done.get(row.position.row);
    if (earlier !== undefined && earlier.retry !== true) {
      return {
        ...outcomeOf(row, { ...check, key: earlier.key || check.key }, earlier.status, `${earlier.msg || earlier.status} (in an earlier run)`),
        httpStatus: earlier.http,
        apiMessage: earlier.api,
      };
    }
    const stop = pool.stopped();
    if (stop !== undefined) return notSentRefused(outcomeOf(row, check, 'failed'), stop);
    if (signal?.aborted === true) {
      interrupted = true;
      const notSent: RowOutcome = { ...outcomeOf(row, check, 'skipped', INTERRUPTED), retry: true };
      return unconfirmedEarlier(notSent) ?? notSent;
    }
    return undefined;
  };

  const earlierAttemptAt = (rowNo: number): EarlierAttempt | undefined => {
    const inFlight = previous.inFlight.get(rowNo);
    return inFlight === undefined ? undefined : { at: inFlight.at, before: beforeImageOf(previous.befores.get(rowNo)) };
  };

  /** Only a stop skips a row by accident here; unchanged rows of an export are skipped on purpose. */
  const afterTask = (outcome: RowOutcome): RowOutcome => {
    if (outcome.status !== 'skipped' || signal?.aborted !== true) return outcome;
    interrupted = true;
    return { ...outcome, retry: true };
  };

  try {
    for await (const row of config.rows) {
      const seq = read++;
      config.onRead?.();
      const check = markDuplicates(row, config.check(row));
      // Room first, then the decision: a stop or a refusal while this row waited applies to it.
      while (pending.size >= config.maxPending) await Promise.race(pending);
      // The canary's rows go alone: the first row after them waits until they have all finished
      // (and the guard has judged them), so a canary that fails stops the run with nothing else sent.
      if (!canaryWaited && !guard.inCanary() && check.problems.length === 0) {
        await Promise.all(pending);
        canaryWaited = true;
      }
      const settled = settleWithoutSending(row, check);
      if (settled !== undefined) {
        await ordered.put(seq, settled);
        continue;
      }
      const rowTask = () => sendCheckedRow(task, row, check, earlierAttemptAt(row.position.row));
      guard.started();
      const running = (config.inRowContext?.(row.position.row, rowTask) ?? rowTask())
        .then((outcome) => {
          const stop = guard.finished(outcome);
          config.onSentRow?.(guard);
          if (stop !== undefined) config.onGuardStop?.(stop);
          return ordered.put(seq, afterTask(outcome));
        })
        .finally(() => pending.delete(running));
      pending.add(running);
    }
    await Promise.all(pending);
  } catch (error) {
    await Promise.allSettled(pending);
    throw error;
  }
  return { read, interrupted, guardStop: guard.stop() };
}
