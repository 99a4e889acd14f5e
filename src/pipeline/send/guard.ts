/**
 * The run's guard: a canary and an error budget, so a run whose rows all fail (a mis-mapped
 * column, an API outage) stops after a handful of rows instead of spending hours of rate limit.
 *
 * - Canary: the first `canary` rows that are sent go alone (nothing after them is sent until
 *   they have all finished). If more than `canaryMaxShare` of them failed, the run stops there.
 * - Error budget: after the canary, if more than `maxFailureShare` of a window of `window` rows
 *   failed among the last `window` finished rows (5% of 100: a 6th failure), the run stops.
 *
 * A failure is a row the API failed (4xx, 5xx) or whose outcome is unknown; a row found invalid
 * never reaches the API and never counts, nor does a row skipped. The guard only decides: the
 * sending loop turns its verdict into an ordinary, resumable stop.
 */
import type { RowOutcome } from '../../outcome/row-outcome.js';

export const DEFAULT_CANARY_ROWS = 20;
/** The canary stops the run when more than half of its rows fail. */
export const DEFAULT_CANARY_MAX_SHARE = 0.5;
/** The error budget: more than 5% failed of the last `DEFAULT_FAILURE_WINDOW` finished rows. */
export const DEFAULT_MAX_FAILURE_SHARE = 0.05;
export const DEFAULT_FAILURE_WINDOW = 100;

export interface GuardOptions {
  /** Rows sent alone first; 0 = no canary. */
  readonly canary?: number | undefined;
  /** Share (0..1) of the canary's rows that may fail; more stops the run. */
  readonly canaryMaxShare?: number | undefined;
  /** Share (0..1) of the last `window` finished rows that may fail; more stops the run. 1 = no budget. */
  readonly maxFailureShare?: number | undefined;
  /** Finished rows the error budget looks back over. */
  readonly window?: number | undefined;
}

/** Why the guard stopped a run, with the failures grouped by reason (most frequent first). */
export interface GuardStop {
  readonly by: 'canary' | 'error budget';
  /** One line: what was seen against what was allowed. */
  readonly message: string;
  readonly reasons: ReadonlyArray<{ readonly reason: string; readonly rows: number }>;
}

export interface Guard {
  /** Whether the row about to be sent must wait for every row before it (it is the first after the canary). */
  readonly inCanary: () => boolean;
  /** Counts a row handed to the API (called as it is handed over). */
  readonly started: () => void;
  /** Whether every canary row has been handed over (the loop then waits for them before the next). */
  readonly canaryDispatched: () => boolean;
  /** A sent row's outcome; returns the stop, once, when this outcome trips the guard. */
  readonly finished: (outcome: RowOutcome) => GuardStop | undefined;
  /** The stop, if the guard has tripped. */
  readonly stop: () => GuardStop | undefined;
  /** Failures so far, by reason (for the progress display). */
  readonly failuresByReason: () => ReadonlyArray<{ readonly reason: string; readonly rows: number }>;
}

/** A failure is the API's doing: failed by it, or its answer lost. */
export function isApiFailure(outcome: RowOutcome): boolean {
  return outcome.status === 'failed' || outcome.status === 'unknown';
}

/** What a failure is grouped by: the HTTP status and the API's message, or the tool's message. */
export function reasonOf(outcome: RowOutcome): string {
  if (outcome.status === 'unknown') return 'unknown outcome (answer lost)';
  const http = outcome.httpStatus !== undefined ? `HTTP ${outcome.httpStatus}` : '';
  const text = (outcome.apiMessage ?? outcome.message).split('\n')[0]?.trim() ?? '';
  const short = text.length > 80 ? `${text.slice(0, 77)}...` : text;
  return [http, short].filter((s) => s !== '').join(': ') || 'failed';
}

function percent(share: number): string {
  return `${Math.round(share * 1000) / 10}%`;
}

export function createGuard(options: GuardOptions = {}): Guard {
  const canary = options.canary ?? DEFAULT_CANARY_ROWS;
  const canaryMaxShare = options.canaryMaxShare ?? DEFAULT_CANARY_MAX_SHARE;
  const maxShare = options.maxFailureShare ?? DEFAULT_MAX_FAILURE_SHARE;
  const window = options.window ?? DEFAULT_FAILURE_WINDOW;
  const reasons = new Map<string, number>();
  /** The last `window` finished rows after the canary: true for a failure. */
  const recent: boolean[] = [];
  let recentFailures = 0;
  let dispatched = 0;
  let canaryDone = 0;
  let canaryFailed = 0;
  let tripped: GuardStop | undefined;

  const grouped = () => [...reasons].map(([reason, rows]) => ({ reason, rows })).sort((a, b) => b.rows - a.rows || a.reason.localeCompare(b.reason));

  return {
    inCanary: () => dispatched < canary,
    started: () => {
      dispatched++;
    },
    canaryDispatched: () => canary > 0 && dispatched === canary,
    finished(outcome) {
      if (tripped !== undefined) return undefined;
      const failed = isApiFailure(outcome);
      if (failed) {
        const reason = reasonOf(outcome);
        reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      }
      if (canaryDone < canary) {
        canaryDone++;
        if (failed) canaryFailed++;
        if (canaryDone === canary || canaryDone === dispatched) {
          // Judged once every canary row is in (or all the rows there were, for a short file).
          if (canaryDone === canary && canaryFailed / canary > canaryMaxShare) {
            tripped = {
              by: 'canary',
              message: `${canaryFailed} of the first ${canary} rows failed (more than ${percent(canaryMaxShare)} allowed by the canary), so nothing more was sent`,
              reasons: grouped(),
            };
            return tripped;
          }
        }
        return undefined;
      }
      recent.push(failed);
      if (failed) recentFailures++;
      if (recent.length > window && recent.shift() === true) recentFailures--;
      // Against the whole window, from the first row on: more than 5% of 100 is a 6th failure among
      // the last 100 rows, seen as soon as it happens (1 failure in the first 3 rows is not 33%).
      if (recentFailures > maxShare * window) {
        tripped = {
          by: 'error budget',
          message: `${recentFailures} of the last ${recent.length} rows sent failed (more than the ${percent(maxShare)} --max-failures allows), so nothing more was sent`,
          reasons: grouped(),
        };
        return tripped;
      }
      return undefined;
    },
    stop: () => tripped,
    failuresByReason: grouped,
  };
}
