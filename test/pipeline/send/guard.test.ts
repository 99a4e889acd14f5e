import { describe, expect, it } from 'vitest';
import type { RowOutcome, RowStatus } from '../../../src/outcome/row-outcome.js';
import { createGuard, reasonOf } from '../../../src/pipeline/send/guard.js';

let nextRow = 2;
function outcome(status: RowStatus, httpStatus?: number, apiMessage?: string): RowOutcome {
  return {
    position: { file: 'f.csv', row: nextRow++ },
    key: '',
    action: 'create',
    status,
    httpStatus,
    apiMessage,
    message: status === 'failed' ? 'failed' : '',
    original: [],
    normalised: {},
    problems: [],
  };
}

/** Hands `n` rows to the guard and finishes them with `make(i)`; the stop, if any tripped. */
function run(guard: ReturnType<typeof createGuard>, n: number, make: (i: number) => RowOutcome) {
  let stop;
  for (let i = 0; i < n; i++) {
    guard.started();
    stop ??= guard.finished(make(i));
  }
  return stop;
}

describe('the canary', () => {
  it('stops the run when more than half of its rows fail, with the failures grouped by reason', () => {
    const guard = createGuard({ canary: 4 });
    const stop = run(guard, 4, (i) => (i < 2 ? outcome('failed', 500, 'Server Error') : i === 2 ? outcome('failed', 422, 'The name field is required.') : outcome('sent')));
    expect(stop?.by).toBe('canary');
    expect(stop?.reasons).toEqual([
      { reason: 'HTTP 500: Server Error', rows: 2 },
      { reason: 'HTTP 422: The name field is required.', rows: 1 },
    ]);
  });

  it('lets the run go on when exactly half of its rows fail (the limit is "more than half")', () => {
    const guard = createGuard({ canary: 4 });
    expect(run(guard, 4, (i) => (i % 2 === 0 ? outcome('failed', 500) : outcome('sent')))).toBeUndefined();
  });

  it('counts an unknown outcome as a failure, and an invalid or skipped row as none', () => {
    const guard = createGuard({ canary: 3 });
    expect(run(guard, 3, (i) => (i === 0 ? outcome('unknown') : i === 1 ? outcome('invalid') : outcome('skipped')))).toBeUndefined();
    const failing = createGuard({ canary: 2 });
    expect(run(failing, 2, () => outcome('unknown'))?.by).toBe('canary');
  });

  it('is judged only once all its rows are in, and says which rows must wait for it', () => {
    const guard = createGuard({ canary: 2 });
    expect(guard.inCanary()).toBe(true);
    guard.started();
    guard.started();
    expect(guard.inCanary()).toBe(false);
    expect(guard.canaryDispatched()).toBe(true);
    expect(guard.finished(outcome('failed', 500))).toBeUndefined();
    expect(guard.finished(outcome('failed', 500))?.by).toBe('canary');
  });
});

describe('the error budget', () => {
  it('stops the run when more than the share of the last window of rows failed', () => {
    const guard = createGuard({ canary: 0, maxFailureShare: 0.05, window: 20 });
    // 20 good rows, then failures: the second failure in the window is 2/20 = 10% > 5%.
    const stop = run(guard, 40, (i) => (i < 20 ? outcome('sent') : outcome('failed', 500, 'Server Error')));
    expect(stop?.by).toBe('error budget');
    expect(guard.failuresByReason()).toEqual([{ reason: 'HTTP 500: Server Error', rows: 2 }]);
  });

  it('allows failures up to the share: 1 in 20 is 5%, not more than 5%', () => {
    const guard = createGuard({ canary: 0, maxFailureShare: 0.05, window: 20 });
    expect(run(guard, 100, (i) => (i % 20 === 19 ? outcome('failed', 500) : outcome('sent')))).toBeUndefined();
  });

  it('looks only at the last window of rows: old failures slide out', () => {
    const guard = createGuard({ canary: 0, maxFailureShare: 0.1, window: 10 });
    // One failure per 10 rows never exceeds 10% in any window of 10.
    expect(run(guard, 200, (i) => (i % 10 === 0 ? outcome('failed', 503) : outcome('sent')))).toBeUndefined();
  });

  it('measures against the whole window from the first row: the 6th failure of a 100-row window at 5% stops the run', () => {
    const guard = createGuard({ canary: 0, maxFailureShare: 0.05, window: 100 });
    expect(run(guard, 5, () => outcome('failed', 500))).toBeUndefined();
    guard.started();
    expect(guard.finished(outcome('failed', 500))?.by).toBe('error budget');
  });

  it('never stops at 100%', () => {
    const guard = createGuard({ canary: 0, maxFailureShare: 1, window: 10 });
    expect(run(guard, 50, () => outcome('failed', 500))).toBeUndefined();
  });

  it('starts after the canary: canary rows are not in its window', () => {
    const guard = createGuard({ canary: 4, maxFailureShare: 0.05, window: 4 });
    // 2 of 4 canary rows fail (not more than half): the run goes on; the next 4 are clean.
    expect(run(guard, 8, (i) => (i < 2 ? outcome('failed', 500) : outcome('sent')))).toBeUndefined();
  });

  it('trips once: later outcomes return nothing', () => {
    const guard = createGuard({ canary: 1 });
    expect(run(guard, 1, () => outcome('failed', 500))?.by).toBe('canary');
    guard.started();
    expect(guard.finished(outcome('failed', 500))).toBeUndefined();
    expect(guard.stop()?.by).toBe('canary');
  });
});

describe('reasonOf', () => {
  it('groups by HTTP status and the first line of the API message', () => {
    expect(reasonOf(outcome('failed', 422, 'The value field is required.\nmore'))).toBe('HTTP 422: The value field is required.');
    expect(reasonOf(outcome('unknown'))).toBe('unknown outcome (answer lost)');
  });
});
