/**
 * A token bucket shared by every worker of a pool, with FIFO waiters and a pool-wide pause.
 *
 * Refill is (perMinute − burst) per minute, so that burst + refill never exceeds perMinute in
 * any 60-second window: a server's fixed window cannot be overshot even in the first minute.
 */

export interface RateLimiterOptions {
  /** Requests per minute; 0 = unlimited (pauses still apply). */
  readonly perMinute: number;
  /** Requests that may go back to back after an idle spell. Default max(1, floor(perMinute / 60)). */
  readonly burst?: number | undefined;
  /** Clock, for tests. */
  readonly now?: (() => number) | undefined;
}

export interface RateLimiter {
  /** Resolves when the caller may send one request; waiters are served in arrival order. */
  take(signal?: AbortSignal): Promise<void>;
  /** Pause every taker for `ms` from now (extends, never shortens, a pause already running). */
  pauseFor(ms: number): void;
  /** Divide the rate by `factor` (≥ 1); 1 restores the configured rate. No effect when unlimited. */
  slowDown(factor: number): void;
  /**
   * Adaptive hook: an extra ceiling in requests per minute (applies even when unlimited), with
   * no burst; undefined lifts it. Used to space requests out when the server says few remain.
   */
  cap(perMinute: number | undefined): void;
  /** Total pause time applied (overlapping pauses counted once), in ms. */
  pausedMs(): number;
  /** Callers waiting in take(). */
  waiting(): number;
}

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (reason: unknown) => void;
  readonly signal?: AbortSignal | undefined;
  readonly onAbort: () => void;
}

/**
 * Timers have whole-millisecond resolution: a token 0.1% short counts as there (the shortfall
 * stays in the bucket as debt, so the long-run rate is exact) rather than costing a 1 ms tick.
 */
const TIMER_SLACK = 1e-3;

export function defaultBurst(perMinute: number): number {
  return Math.max(1, Math.floor(perMinute / 60));
}

/** Tokens per ms for a configured rate and burst (see the file comment), or Infinity. */
function refillPerMs(perMinute: number, burst: number): number {
  if (perMinute <= 0) return Infinity;
  const perMinuteAfterBurst = perMinute >= 2 * burst ? perMinute - burst : perMinute;
  return perMinuteAfterBurst / 60_000;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted', 'AbortError');
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  if (!Number.isFinite(options.perMinute) || options.perMinute < 0) {
    throw new RangeError(`perMinute must be 0 (unlimited) or a positive number (got ${options.perMinute})`);
  }
  const now = options.now ?? Date.now;
  const configuredBurst = Math.max(1, Math.floor(options.burst ?? defaultBurst(options.perMinute)));
  const configuredRate = refillPerMs(options.perMinute, configuredBurst);

  let factor = 1;
  let capPerMs: number | undefined;
  let tokens = configuredBurst;
  let refilledAt = now();
  let pausedUntil = 0;
  let pausedTotal = 0;
  let timer: NodeJS.Timeout | undefined;
  const queue: Waiter[] = [];

  const rate = (): number => Math.min(configuredRate / factor, capPerMs ?? Infinity);
  const capacity = (): number => (capPerMs === undefined ? configuredBurst : 1);

  function refill(at: number): void {
    const perMs = rate();
    tokens = perMs === Infinity ? capacity() : Math.min(capacity(), tokens + (at - refilledAt) * perMs);
    refilledAt = at;
  }

  /** Ms until one request may go, 0 if now. */
  function delayUntilNext(at: number): number {
    if (at < pausedUntil) return pausedUntil - at;
    refill(at);
    if (tokens >= 1 - TIMER_SLACK) return 0;
    return Math.max(1, Math.ceil((1 - TIMER_SLACK - tokens) / rate()));
  }

  function grant(): void {
    timer = undefined;
    for (;;) {
      const head = queue[0];
      if (head === undefined) return;
      const at = now();
      const delay = delayUntilNext(at);
      if (delay > 0) {
        timer = setTimeout(grant, delay);
        return;
      }
      queue.shift();
      tokens -= 1;
      head.signal?.removeEventListener('abort', head.onAbort);
      head.resolve();
    }
  }

  function reschedule(): void {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    grant();
  }

  function take(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted === true) return Promise.reject(abortReason(signal));
    if (queue.length === 0 && delayUntilNext(now()) === 0) {
      tokens -= 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const index = queue.indexOf(waiter);
          if (index >= 0) queue.splice(index, 1);
          reject(abortReason(signal as AbortSignal));
          if (index === 0) reschedule();
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      queue.push(waiter);
      if (queue.length === 1) reschedule();
    });
  }

  function pauseFor(ms: number): void {
    const at = now();
    const until = at + Math.max(0, ms);
    if (until <= pausedUntil) return;
    pausedTotal += until - Math.max(at, pausedUntil);
    pausedUntil = until;
    reschedule();
  }

  function changeRate(update: () => void): void {
    refill(now());
    update();
    tokens = Math.min(tokens, capacity());
    reschedule();
  }

  return {
    take,
    pauseFor,
    slowDown: (next) =>
      changeRate(() => {
        factor = Number.isFinite(next) && next > 1 ? next : 1;
      }),
    cap: (perMinute) =>
      changeRate(() => {
        capPerMs = perMinute === undefined ? undefined : Math.max(perMinute, 0.001) / 60_000;
      }),
    pausedMs: () => pausedTotal,
    waiting: () => queue.length,
  };
}
