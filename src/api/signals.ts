/**
 * One abort signal for one operation, fed by a timeout and the callers' signals, with explicit
 * cleanup. Not AbortSignal.any: on Node 20 a composite that follows a long-lived signal (the
 * run-wide Ctrl-C signal) stays reachable from it, so a million requests would pile up a
 * million composites (nodejs/node#54614, #55351). Here every listener and timer is removed in
 * dispose().
 */
export interface LinkedAbort {
  readonly signal: AbortSignal;
  /** Whether the timeout, not a caller, fired. */
  timedOut(): boolean;
  /** Detach from the source signals and clear the timer; call when the operation is over. */
  dispose(): void;
}

export function linkAbort(sources: ReadonlyArray<AbortSignal | undefined>, timeoutMs?: number): LinkedAbort {
  const controller = new AbortController();
  const live = sources.filter((source): source is AbortSignal => source !== undefined);
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;

  const detach = (): void => {
    for (const source of live) source.removeEventListener('abort', onSourceAbort);
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  function onSourceAbort(this: AbortSignal): void {
    detach();
    controller.abort(this.reason);
  }

  const alreadyAborted = live.find((source) => source.aborted);
  if (alreadyAborted !== undefined) {
    controller.abort(alreadyAborted.reason);
  } else {
    for (const source of live) source.addEventListener('abort', onSourceAbort, { once: true });
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => {
        timedOut = true;
        detach();
        controller.abort(new DOMException(`No answer within ${timeoutMs} ms`, 'TimeoutError'));
      }, timeoutMs);
    }
  }
  return { signal: controller.signal, timedOut: () => timedOut, dispose: detach };
}

/** Resolves true after ms, or false as soon as the signal aborts (at once if it already has). */
export function sleepUnlessAborted(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted === true) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
