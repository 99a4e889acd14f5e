/** The HTTP layer: configuration, client, error descriptions, rate limiter, dispatch pool, pagination. */
export { resolveApiConfig, isLoopbackHost, DEFAULT_BASE_URL, DEFAULT_TIMEOUT_MS } from './config.js';
export type { ApiConfig, ApiConfigFlags } from './config.js';
export { createApiClient, parseRetryAfter, USER_AGENT, MAX_RESPONSE_BYTES } from './client.js';
export { redactSecret, redactSecrets, REDACTED } from './redact.js';
export type { ApiClient, ApiClientOptions, ApiRequest, ApiResponse } from './client.js';
export { TransportError, ApiResponseError, describeApiError, statusMessage } from './errors.js';
export type { TransportErrorKind, ApiErrorDescription, FieldErrors } from './errors.js';
export { linkAbort } from './signals.js';
export type { LinkedAbort } from './signals.js';
export { createRateLimiter, defaultBurst } from './rate-limiter.js';
export type { RateLimiter, RateLimiterOptions } from './rate-limiter.js';
export { createDispatchPool, backoffDelay, DEFAULT_POOL_OPTIONS } from './pool.js';
export type { DispatchPool, DispatchPoolOptions, DispatchResult, PoolEvent, PoolStats, RunOptions } from './pool.js';
export { paginate, DEFAULT_PER_PAGE } from './paginate.js';
export type { ListRequest } from './paginate.js';
