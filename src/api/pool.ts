/**
 * The DispatchPool: every request of a run goes through it. It bounds concurrency (p-limit),
 * keeps under the API's rate limit (a shared token bucket), pauses everyone on a 429, retries
 * what is safe to retry, and never re-sends a create that may already have been made.
 */
import pLimit from 'p-limit';
import type { ApiClient, ApiRequest, ApiResponse } from './client.js';
import { describeApiError, TransportError } from './errors.js';
import { createRateLimiter } from './rate-limiter.js';
import { linkAbort, sleepUnlessAborted } from './signals.js';

/**
 * | option              | default  | meaning                                                                 |
 * |---------------------|----------|-------------------------------------------------------------------------|
 * | concurrency         | 8        | requests in flight at once                                              |
 * | ratePerMinute       | 500      | the API's limit per user; 0 = unlimited                                 |
 * | burst               | max(1, ratePerMinute/60) | requests that may go back to back after a quiet spell    |
 * | maxRetries          | 5        | retries after a 5xx, timeout or connection error (429s not counted); a write (idempotent: false) is retried only when it certainly never left |
 * | backoffBaseMs       | 500      | first backoff ceiling; doubles per retry, equal jitter (never 0)        |
 * | backoffMaxMs        | 30,000   | backoff ceiling                                                         |
 * | maxRateLimitWaitMs  | 300,000  | total 429 waiting one request accepts before it returns the 429         |
 * | lowRemaining        | 10       | when X-Ratelimit-Remaining falls to this, space requests out until the window resets |
 * | rateWindowMs        | 60,000   | the server's rate window: a "few remaining" cap is lifted at the latest this long after it was set |
 * | signal              | none     | run-wide abort: no new request starts; in-flight ones finish            |
 * | onEvent             | none     | retry / rate-limited / throttled / unthrottled / gave-up / stopped notices |
 * | onRequest           | none     | one RequestSample per HTTP attempt, when it ends (for the HTML report's request timeline) |
 */
export interface DispatchPoolOptions {
  readonly concurrency?: number | undefined;
  readonly ratePerMinute?: number | undefined;
  readonly burst?: number | undefined;
  readonly maxRetries?: number | undefined;
  readonly backoffBaseMs?: number | undefined;
  readonly backoffMaxMs?: number | undefined;
  readonly maxRateLimitWaitMs?: number | undefined;
  readonly lowRemaining?: number | undefined;
  readonly rateWindowMs?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly onEvent?: ((event: PoolEvent) => void) | undefined;
  /** Called once per HTTP attempt as it ends (answer or network error), in the caller's async context. Keep it cheap. */
  readonly onRequest?: ((sample: RequestSample) => void) | undefined;
}

/** One HTTP attempt, as onRequest sees it: when it left, how long it took, how it ended. */
export interface RequestSample {
  /** Epoch ms when the attempt was handed to the HTTP client. */
  readonly startedAt: number;
  readonly durationMs: number;
  /** The HTTP status; undefined when no answer came (network error, timeout). */
  readonly status: number | undefined;
  /** 1 for a request's first attempt, 2 for its first retry (a 429's re-send included), and so on. */
  readonly attempt: number;
}

export const DEFAULT_POOL_OPTIONS = {
  concurrency: 8,
  ratePerMinute: 500,
  maxRetries: 5,
  backoffBaseMs: 500,
  backoffMaxMs: 30_000,
  maxRateLimitWaitMs: 300_000,
  lowRemaining: 10,
  rateWindowMs: 60_000,
} as const;

/** 429s one request may meet before giving up, whatever the waits were (a server that only says 429). */
const MAX_RATE_LIMITED_ATTEMPTS = 50;

/** 'PUT /api/v1/cases/…': never the query or body. */
export type RequestLabel = string;

export type PoolEvent =
  | { readonly type: 'retry'; readonly request: RequestLabel; readonly attempt: number; readonly delayMs: number; readonly reason: string }
  | { readonly type: 'rate-limited'; readonly request: RequestLabel; readonly pauseMs: number; readonly retryAfterSeconds?: number | undefined }
  | { readonly type: 'throttled'; readonly remaining: number; readonly perMinute: number }
  /** remaining: from the response that showed a new window; absent when the window's time ran out. */
  | { readonly type: 'unthrottled'; readonly remaining?: number | undefined }
  | { readonly type: 'gave-up'; readonly request: RequestLabel; readonly attempts: number; readonly reason: string }
  /** A 401 or 403 arrived: nothing more is sent (requests already on the wire finish). */
  | { readonly type: 'stopped'; readonly status: 401 | 403; readonly message: string };

export type DispatchResult =
  /** An HTTP answer: 2xx, a 4xx (never retried), or the last 5xx/429 once retries ran out. */
  | { readonly kind: 'response'; readonly response: ApiResponse; readonly attempts: number }
  /**
   * A write (idempotent: false) may or may not have been applied: a timeout, a reset after the
   * request was written, a too-large answer, or any 5xx (500, 502, 503, 504 alike: a gateway may
   * answer while the backend commits). Never re-sent by the pool: read it back first. `response`
   * is the 5xx, when there was one.
   */
  | { readonly kind: 'unknown'; readonly error: string; readonly attempts: number; readonly response?: ApiResponse | undefined }
  /**
   * Certainly not applied for a write (it never left: refused, DNS/TLS, reset before it was
   * written, retried maxRetries times); for a read, retries ran out on network errors.
   */
  | { readonly kind: 'failed'; readonly error: string; readonly attempts: number }
  /** Stopped by a signal before it was (re)sent. */
  | { readonly kind: 'aborted' }
  /** Not sent: an earlier answer was 401 or 403, so the pool stopped sending (see DispatchPool.stopped). */
  | { readonly kind: 'stopped'; readonly reason: string };

export interface RunOptions {
  /** Reads: true. Writes: false, so a write is only re-sent when it certainly never left. */
  readonly idempotent: boolean;
  /** Stops this one request from starting (in addition to the pool's signal). */
  readonly signal?: AbortSignal | undefined;
  /**
   * Retries for this request, at most the pool's maxRetries. Default: the pool's. A caller that
   * retries on its own schedule (reading back a write whose answer was lost) sets it low, so
   * one read does not sit in the pool's backoff for half a minute.
   */
  readonly maxRetries?: number | undefined;
}

export interface PoolStats {
  /** HTTP attempts started. */
  readonly requests: number;
  /** HTTP answers received (any status). */
  readonly responses: number;
  readonly retries: number;
  readonly rateLimited429: number;
  readonly transportErrors: number;
  readonly serverErrors: number;
  readonly inFlight: number;
  /** run() calls waiting for a slot or a rate-limit token. */
  readonly queued: number;
  /** Total pool-wide pause from 429s, ms. */
  readonly pausedMs: number;
}

export interface DispatchPool {
  readonly client: ApiClient;
  run(request: ApiRequest, options: RunOptions): Promise<DispatchResult>;
  stats(): PoolStats;
  /** Retries one request may make (the --max-retries bound); the pipeline's own re-sends obey it too. */
  readonly maxRetries: number;
  /** Count a re-send the caller made itself (e.g. a create re-sent after a read-back), so stats().retries has every retry. */
  noteRetry(reason: string): void;
  /** Set once any answer was 401 or 403: from then on nothing more is sent. */
  stopped(): { readonly status: 401 | 403; readonly message: string } | undefined;
  /** Resolves once no run() is queued or in flight. */
  onIdle(): Promise<void>;
}

/**
 * Equal jitter: uniform in [c/2, c) where c = min(max, base · 2^retry). Never 0, so a server that
 * says "retry now" (Retry-After: 0) still gets a pause that grows with each attempt.
 */
export function backoffDelay(retry: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** retry);
  return Math.floor(ceiling / 2 + (random() * ceiling) / 2);
}

function label(request: ApiRequest): RequestLabel {
  return `${request.method} ${request.path.replace(/[?#].*$/, '')}`;
}

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  const chosen = value ?? fallback;
  if (!Number.isInteger(chosen) || chosen < 1) throw new RangeError(`${name} must be a whole number ≥ 1 (got ${chosen})`);
  return chosen;
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  const chosen = value ?? fallback;
  if (!Number.isFinite(chosen) || chosen < 0) throw new RangeError(`${name} must be ≥ 0 (got ${chosen})`);
  return chosen;
}

export function createDispatchPool(client: ApiClient, options: DispatchPoolOptions = {}): DispatchPool {
  const defaults = DEFAULT_POOL_OPTIONS;
  const concurrency = positiveInteger(options.concurrency, defaults.concurrency, 'concurrency');
  const ratePerMinute = nonNegative(options.ratePerMinute, defaults.ratePerMinute, 'ratePerMinute');
  const maxRetries = nonNegative(options.maxRetries, defaults.maxRetries, 'maxRetries');
  const backoffBaseMs = nonNegative(options.backoffBaseMs, defaults.backoffBaseMs, 'backoffBaseMs');
  const backoffMaxMs = nonNegative(options.backoffMaxMs, defaults.backoffMaxMs, 'backoffMaxMs');
  const maxRateLimitWaitMs = nonNegative(options.maxRateLimitWaitMs, defaults.maxRateLimitWaitMs, 'maxRateLimitWaitMs');
  const lowRemaining = nonNegative(options.lowRemaining, defaults.lowRemaining, 'lowRemaining');
  const rateWindowMs = nonNegative(options.rateWindowMs, defaults.rateWindowMs, 'rateWindowMs');
  const poolSignal = options.signal;
  const emit = (event: PoolEvent): void => options.onEvent?.(event);
  const onRequest = options.onRequest;

  const limit = pLimit(concurrency);
  const limiter = createRateLimiter({ perMinute: ratePerMinute, burst: options.burst });
  const counts = { requests: 0, responses: 0, retries: 0, rateLimited429: 0, transportErrors: 0, serverErrors: 0, inFlight: 0 };
  let outstanding = 0;
  let idleWaiters: Array<() => void> = [];
  let throttled = false;
  let throttleTimer: NodeJS.Timeout | undefined;
  let serverLimitSeen: number | undefined;
  let stopState: { readonly status: 401 | 403; readonly message: string } | undefined;

  // One signal that ends every wait of the pool: the caller's run-wide signal, or a 401/403.
  const halt = new AbortController();
  if (poolSignal?.aborted === true) halt.abort(poolSignal.reason);
  else poolSignal?.addEventListener('abort', () => halt.abort(poolSignal.reason), { once: true });

  const stoppedResult = (): DispatchResult => ({
    kind: 'stopped',
    reason: `not sent: the API answered HTTP ${stopState?.status ?? 401} (${stopState?.message ?? 'refused'}), so sending stopped`,
  });

  function stop(response: ApiResponse): void {
    if (stopState !== undefined || (response.status !== 401 && response.status !== 403)) return;
    stopState = { status: response.status, message: describeApiError(response.status, response.body).message };
    emit({ type: 'stopped', status: stopState.status, message: stopState.message });
    halt.abort(new Error(`HTTP ${response.status}`));
  }

  function liftThrottle(remaining: number | undefined): void {
    if (!throttled) return;
    if (throttleTimer !== undefined) clearTimeout(throttleTimer);
    throttleTimer = undefined;
    throttled = false;
    limiter.cap(undefined);
    emit({ type: 'unthrottled', remaining });
  }

  /** Follow what the server says about its window: space out when few remain, adopt a lower limit. */
  function observeRateHeaders(response: ApiResponse): void {
    const remaining = response.rateLimitRemaining;
    if (remaining !== undefined) {
      if (remaining <= lowRemaining) {
        // Spread what is left over a minute (the window's length); a reset shows as a high count.
        const perMinute = Math.max(1, remaining);
        limiter.cap(perMinute);
        if (!throttled) {
          throttled = true;
          emit({ type: 'throttled', remaining, perMinute });
          // The window has reset by then whatever later answers say (or do not say): never stall.
          throttleTimer = setTimeout(() => liftThrottle(undefined), rateWindowMs);
          throttleTimer.unref();
        }
      } else if (throttled && remaining > lowRemaining + concurrency) {
        // Answers to requests sent earlier arrive out of order: only a clear jump means a new window.
        liftThrottle(remaining);
      }
    }
    const serverLimit = response.rateLimitLimit;
    if (serverLimit !== undefined && serverLimit > 0 && serverLimit !== serverLimitSeen) {
      serverLimitSeen = serverLimit;
      limiter.slowDown(ratePerMinute > serverLimit ? ratePerMinute / serverLimit : 1);
    }
  }

  /**
   * The wait before retry `retry` (0-based): the server's Retry-After when it names a wait, the
   * backoff when it does not, or names none at all (`Retry-After: 0`, a date in the past): a zero
   * wait would be a hot loop. A positive Retry-After is taken as said, not stretched by the
   * backoff: a server asking for 1 s between 429s was seen waited out for 26 s.
   */
  function retryWait(retry: number, retryAfterSeconds: number | undefined, ceilingMs: number): number {
    if (retryAfterSeconds === undefined || retryAfterSeconds <= 0) return backoffDelay(retry, backoffBaseMs, backoffMaxMs);
    return Math.min(ceilingMs, Math.ceil(retryAfterSeconds * 1000));
  }

  async function attemptLoop(
    request: ApiRequest,
    idempotent: boolean,
    signal: AbortSignal,
    runSignal: AbortSignal | undefined,
    retryLimit: number,
  ): Promise<DispatchResult> {
    // Only for events, which are rare: not built for every request.
    const name = (): RequestLabel => label(request);
    let attempts = 0;
    let retries = 0;
    let rateLimitedAttempts = 0;
    let rateLimitWaitedMs = 0;

    /** Why this request is not (re)sent: the caller's abort wins over a 401/403 stop. */
    const notSent = (): DispatchResult =>
      stopState !== undefined && poolSignal?.aborted !== true && runSignal?.aborted !== true ? stoppedResult() : { kind: 'aborted' };
    const retryAfter = async (reason: string, delayMs: number): Promise<boolean> => {
      // The slot stays held while waiting: a retry is not sent to the back of a long queue,
      // and a struggling server sees less load.
      retries += 1;
      counts.retries += 1;
      emit({ type: 'retry', request: name(), attempt: attempts + 1, delayMs, reason });
      return sleepUnlessAborted(delayMs, signal);
    };
    const giveUp = <T extends DispatchResult>(result: T, reason: string): T => {
      emit({ type: 'gave-up', request: name(), attempts, reason });
      return result;
    };

    for (;;) {
      if (signal.aborted) return notSent();
      try {
        await limiter.take(signal);
      } catch {
        return notSent();
      }
      if (signal.aborted) return notSent();

      attempts += 1;
      counts.requests += 1;
      counts.inFlight += 1;
      let response: ApiResponse;
      const startedAt = onRequest !== undefined ? Date.now() : 0;
      try {
        response = await client.send(request);
      } catch (error) {
        if (!(error instanceof TransportError)) throw error; // a bug or a refused host: not the network
        counts.transportErrors += 1;
        onRequest?.({ startedAt, durationMs: Date.now() - startedAt, status: undefined, attempt: attempts });
        // A write is re-sent only when it certainly never reached the server.
        if (!idempotent && error.mayHaveReachedServer) {
          return giveUp({ kind: 'unknown', error: `${error.message}; it may or may not have been applied`, attempts }, error.message);
        }
        // The same answer would come back too large again.
        if (error.kind === 'too-large' || retries >= retryLimit) return giveUp({ kind: 'failed', error: error.message, attempts }, error.message);
        if (!(await retryAfter(error.message, backoffDelay(retries, backoffBaseMs, backoffMaxMs)))) return notSent();
        continue;
      } finally {
        counts.inFlight -= 1;
      }

      counts.responses += 1;
      onRequest?.({ startedAt, durationMs: Date.now() - startedAt, status: response.status, attempt: attempts });
      observeRateHeaders(response);
      const status = response.status;
      stop(response);

      if (status === 429) {
        // A refusal: nothing was done, so even a write may be sent again.
        counts.rateLimited429 += 1;
        rateLimitedAttempts += 1;
        const pauseMs = retryWait(rateLimitedAttempts - 1, response.retryAfterSeconds, Infinity);
        if (rateLimitWaitedMs + pauseMs > maxRateLimitWaitMs || rateLimitedAttempts > MAX_RATE_LIMITED_ATTEMPTS) {
          return giveUp({ kind: 'response', response, attempts }, 'still rate limited (HTTP 429)');
        }
        rateLimitWaitedMs += pauseMs;
        // One pause for the whole pool: every worker would otherwise meet its own 429.
        limiter.pauseFor(pauseMs);
        emit({ type: 'rate-limited', request: name(), pauseMs, retryAfterSeconds: response.retryAfterSeconds });
        continue;
      }

      if (status >= 500) {
        counts.serverErrors += 1;
        // A gateway's 502/503/504 or a 500 can come after the backend applied the write: its
        // outcome is unknown, and only reading it back can tell.
        if (!idempotent) {
          const error = `HTTP ${status}: ${describeApiError(status, response.body).message}; it may or may not have been applied`;
          return giveUp({ kind: 'unknown', error, attempts, response }, error);
        }
        if (retries >= retryLimit) return giveUp({ kind: 'response', response, attempts }, `HTTP ${status}`);
        if (!(await retryAfter(`HTTP ${status}`, retryWait(retries, response.retryAfterSeconds, backoffMaxMs)))) return notSent();
        continue;
      }

      return { kind: 'response', response, attempts };
    }
  }

  function settleOne(): void {
    outstanding -= 1;
    if (outstanding > 0) return;
    // After the current microtasks, so callers see every run() result before onIdle resolves.
    setImmediate(() => {
      if (outstanding > 0) return;
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const resolve of waiters) resolve();
    });
  }

  async function run(request: ApiRequest, runOptions: RunOptions): Promise<DispatchResult> {
    if (poolSignal?.aborted === true || runOptions.signal?.aborted === true) return { kind: 'aborted' };
    if (stopState !== undefined) return stoppedResult();
    // Only the pool's signal: use it as is; a per-run one too: link them with cleanup (see signals.ts).
    const linked = runOptions.signal !== undefined ? linkAbort([halt.signal, runOptions.signal]) : undefined;
    const signal = linked?.signal ?? halt.signal;
    outstanding += 1;
    try {
      const retryLimit = Math.min(maxRetries, runOptions.maxRetries ?? maxRetries);
      return await limit(() => attemptLoop(request, runOptions.idempotent, signal, runOptions.signal, retryLimit));
    } finally {
      linked?.dispose();
      settleOne();
    }
  }

  return {
    client,
    run,
    maxRetries,
    noteRetry: () => {
      counts.retries += 1;
    },
    stopped: () => stopState,
    stats: () => ({
      ...counts,
      queued: limit.pendingCount + limiter.waiting(),
      pausedMs: limiter.pausedMs(),
    }),
    onIdle: () => (outstanding === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve))),
  };
}
