/**
 * The one signal policy of every command that sends, serves or waits: the first Ctrl-C (SIGINT)
 * or SIGTERM aborts the run's signal, so no new request starts, requests in flight finish, and
 * the journal and report are written; a second one exits at once (128 + the signal's number, as
 * shells do). Commands that only read and write local files keep Node's default: they stop at
 * once, and their files are written through partial files, so nothing half-written is left.
 */
import { constants } from 'node:os';

export interface StopControl {
  readonly signal: AbortSignal;
  /** Removes the handlers (the run is over). */
  dispose(): void;
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** What a command does on the first signal, as the user is told it. */
export const DEFAULT_STOPPING = 'no new rows will be sent; waiting for requests in flight, then writing the journal and report';

export function stopOnSignals(say: (message: string) => void, stopping = DEFAULT_STOPPING, processLike: NodeJS.Process = process): StopControl {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) processLike.exit(128 + (constants.signals[name] ?? 2));
    say(`stopping: ${stopping} (${name === 'SIGINT' ? 'Ctrl-C' : name} again to quit at once)`);
    controller.abort();
  };
  for (const name of STOP_SIGNALS) processLike.on(name, onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      for (const name of STOP_SIGNALS) processLike.off(name, onSignal);
    },
  };
}
