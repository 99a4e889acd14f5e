/**
 * One HTTP request to the configured API, on Node's built-in fetch. No retries here (the pool
 * decides those); this layer adds auth headers, enforces the timeout (whole request, body
 * included), always reads the body (so keep-alive connections are reused), and turns network
 * failures into TransportError.
 */
import { createRequire } from 'node:module';
import type { ApiConfig } from './config.js';
import { TransportError, type TransportErrorKind } from './errors.js';
import { linkAbort } from './signals.js';

export interface ApiRequest {
  readonly method: 'GET' | 'PUT' | 'POST';
  /** '/api/v1/…' below the base URL, or an absolute URL on the base URL's origin (e.g. links.next). */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>> | undefined;
  /** Sent as JSON when present. */
  readonly body?: unknown;
  /** 'application/json' (default) or 'application/vnd.api+json' (JSON:API, also used for Accept). */
  readonly contentType?: string | undefined;
}

export interface ApiResponse {
  readonly status: number;
  /** Parsed JSON; the text when it is not JSON; null when the body is empty. */
  readonly body: unknown;
  /** From Retry-After (seconds or an HTTP date), in seconds from now. */
  readonly retryAfterSeconds?: number | undefined;
  readonly rateLimitRemaining?: number | undefined;
  readonly rateLimitLimit?: number | undefined;
}

export interface ApiClient {
  /** The configured base URL (origin plus any path prefix, no trailing slash). */
  readonly baseUrl: string;
  /** The full URL a path (or same-origin absolute URL) resolves to; throws for any other host. */
  resolveUrl(path: string, query?: Readonly<Record<string, string>>): URL;
  send(request: ApiRequest, signal?: AbortSignal): Promise<ApiResponse>;
}

const JSON_TYPE = 'application/json';

/**
 * Largest response body read, 16 MiB: far above any page the API sends (500 records), small
 * enough that a misbehaving proxy cannot fill memory. Past it the request fails as 'too-large'.
 */
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

function packageVersion(): string {
  try {
    // src/api and dist/api both sit two levels below the package root.
    const manifest: unknown = createRequire(import.meta.url)('../../package.json');
    const version = (manifest as { version?: unknown }).version;
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}

export const USER_AGENT = `plannr-bulk/${packageVersion()}`;

/** Only the configured API host is ever contacted. */
export function resolveApiUrl(baseUrl: string, path: string, query?: Readonly<Record<string, string>>): URL {
  const base = new URL(baseUrl);
  let url: URL;
  if (path.startsWith('/') && !path.startsWith('//')) {
    url = new URL(`${baseUrl}${path}`);
  } else if (/^https?:\/\//i.test(path)) {
    url = new URL(path);
  } else {
    throw new Error(`API path must start with "/" (got "${path.slice(0, 80)}")`);
  }
  if (url.origin !== base.origin) {
    throw new Error(`Refusing to contact ${url.origin}: only the configured API host (${base.origin}) is ever contacted`);
  }
  for (const [name, value] of Object.entries(query ?? {})) url.searchParams.set(name, value);
  return url;
}

/** Seconds to wait, from `Retry-After: 120` or `Retry-After: Wed, 21 Oct 2026 07:28:00 GMT`. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

function parseCount(value: string | null): number | undefined {
  if (value === null || !/^\s*\d+\s*$/.test(value)) return undefined;
  return Number(value);
}

function parseBody(text: string, contentType: string | null): unknown {
  if (text.trim() === '') return null;
  const looksJson = /json/i.test(contentType ?? '') || /^\s*[[{]/.test(text);
  if (!looksJson) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

// Node/undici error codes meaning no connection was ever made: the request never left.
const NOT_CONNECTED_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

function errorCode(error: unknown): string | undefined {
  // fetch wraps the socket error: TypeError('fetch failed', { cause: { code } }), sometimes nested.
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

interface FailureContext {
  readonly label: string;
  readonly timeoutMs: number;
  readonly timedOut: boolean;
  readonly callerAborted: boolean;
}

/** What a fetch failure means for the question "could the server have acted on it?". */
export function classifyFailure(error: unknown, context: FailureContext): TransportError {
  const code = errorCode(error);
  const make = (kind: TransportErrorKind, reached: boolean, message: string): TransportError =>
    new TransportError(kind, reached, `${context.label}: ${message}`, { cause: error });
  if (context.callerAborted) return make('aborted', true, 'stopped before an answer arrived');
  if (context.timedOut) return make('timeout', true, `no answer within ${context.timeoutMs} ms`);
  if (code !== undefined && NOT_CONNECTED_CODES.has(code)) {
    return make('connect', false, `could not connect (${code}); the request was not sent`);
  }
  if (code !== undefined && TIMEOUT_CODES.has(code)) return make('timeout', true, `timed out (${code})`);
  return make('reset', true, `connection lost before an answer arrived (${code ?? 'unknown network error'})`);
}

function headersFor(config: ApiConfig, request: ApiRequest): Record<string, string> {
  const contentType = request.contentType ?? JSON_TYPE;
  const headers: Record<string, string> = {
    Authorization: `Bearer ${config.token}`,
    Accept: /vnd\.api\+json/i.test(contentType) ? 'application/vnd.api+json' : JSON_TYPE,
    'X-PLANNR-ACCOUNT-UUID': config.accountUuid,
    'User-Agent': USER_AGENT,
  };
  if (request.body !== undefined) headers['Content-Type'] = contentType;
  return headers;
}

/** A debug page could echo our request headers back: never let the token out through a body. */
function redact(text: string, token: string): string {
  return text.includes(token) ? text.split(token).join('[redacted]') : text;
}

export function createApiClient(config: ApiConfig): ApiClient {
  const baseUrl = config.baseUrl.replace(/\/+$/, '');

  async function send(request: ApiRequest, signal?: AbortSignal): Promise<ApiResponse> {
    const url = resolveApiUrl(baseUrl, request.path, request.query);
    const label = `${request.method} ${url.pathname}`;
    if (signal?.aborted === true) {
      throw new TransportError('aborted', false, `${label}: stopped before it was sent`);
    }
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    const abort = linkAbort([signal], config.timeoutMs);
    const failure = (error: unknown): TransportError =>
      classifyFailure(error, {
        label,
        timeoutMs: config.timeoutMs,
        timedOut: abort.timedOut(),
        callerAborted: signal?.aborted === true && !abort.timedOut(),
      });

    try {
      let response: Response;
      try {
        response = await fetch(url, {
          method: request.method,
          headers: headersFor(config, request),
          body,
          signal: abort.signal,
          // A redirect would take our headers elsewhere: hand it back as a response instead.
          redirect: 'manual',
        });
      } catch (error) {
        throw failure(error);
      }

      // Always read the body to the end: that is what returns the connection to the keep-alive pool.
      let text: string;
      try {
        text = await response.text();
      } catch (error) {
        throw failure(error);
      }
      return {
        status: response.status,
        body: parseBody(redact(text, config.token), response.headers.get('content-type')),
        retryAfterSeconds: parseRetryAfter(response.headers.get('retry-after')),
        rateLimitRemaining: parseCount(response.headers.get('x-ratelimit-remaining')),
        rateLimitLimit: parseCount(response.headers.get('x-ratelimit-limit')),
      };
    } finally {
      abort.dispose();
    }
  }

  return {
    baseUrl,
    resolveUrl: (path, query) => resolveApiUrl(baseUrl, path, query),
    send,
  };
}
