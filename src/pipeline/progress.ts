/**
 * Progress by phase, so a caller can say what a run is doing and how long it has left:
 *   reading         import's one pass over the file before sending (total not yet known)
 *   checking        validate: rows read and checked (total unknown until the end)
 *   sending         import: rows finished (sent, failed, invalid, skipped...) of the rows counted
 *   writing-report  the report workbook being written once every row is in
 * A phase is reported when it starts, at most every `everyMs` while it runs, and when it ends
 * (`done === total` where the total is known).
 */
export type RunPhase = 'reading' | 'checking' | 'sending' | 'writing-report';

export interface PhaseProgress {
  readonly phase: RunPhase;
  /** Rows through this phase so far. */
  readonly done: number;
  /** Rows the phase will go through, when known (import: from its reading pass). */
  readonly total: number | undefined;
  /** Milliseconds since this phase started: with done and total, enough for a rate and an ETA. */
  readonly phaseMs: number;
  /** True for the phase's last report. */
  readonly finished: boolean;
}

export type OnPhase = (progress: PhaseProgress) => void;

export interface PhaseReporter {
  /** Reports `done` of the current phase, if `everyMs` has passed since the last report. */
  update(done: number): void;
  /** Reports the phase's end. */
  finish(done: number): void;
}

/** Starts a phase (reported at once); undefined `onPhase` makes every call a no-op. */
export function startPhase(onPhase: OnPhase | undefined, phase: RunPhase, total: number | undefined, everyMs = 200): PhaseReporter {
  const started = performance.now();
  let last = started;
  const send = (done: number, finished: boolean) => {
    last = performance.now();
    onPhase?.({ phase, done, total, phaseMs: Math.round(last - started), finished });
  };
  if (onPhase !== undefined) send(0, false);
  return {
    update(done) {
      if (onPhase !== undefined && performance.now() - last >= everyMs) send(done, false);
    },
    finish(done) {
      if (onPhase !== undefined) send(done, true);
    },
  };
}
