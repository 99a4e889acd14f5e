/**
 * One HTTP request to the configured API, on node:http / node:https with a keep-alive agent.
 * No retries here (the pool decides those); this layer adds auth headers, enforces the timeout
 * (whole request, body included), always reads the body (so keep-alive connections are reused),
 * caps the body at MAX_RESPONSE_BYTES, redacts the token from whatever comes back, and turns
 * network failures into TransportError.
 *
 * Why not fetch: fetch cannot say whether a request had been written when the connection broke,
 * and only that tells a create that may be re-sent (it never left) from one that must be read
 * back. Here the request's 'finish' event says the whole request (headers and body) was handed
 * to the operating system; until then the server cannot have the complete request.
 */
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { createRequire } from 'node:module';
import { StringDecoder } from 'node:string_decoder';
import { ApiUnavailableError } from '../errors.js';
import type { ApiConfig } from './config.js';
import { TransportError, type TransportErrorKind } from './errors.js';
import { redactSecret } from './redact.js';

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

export interface ApiClientOptions {
  /** Connections kept open at most; at least the pool's concurrency. Default: no limit (the pool bounds it). */
  readonly maxSockets?: number | undefined;
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
    throw new ApiUnavailableError(`Refusing to contact ${url.origin}: only the configured API host (${base.origin}) is ever contacted`);
  }
  for (const [name, value] of Object.entries(query ?? {})) url.searchParams.set(name, value);
  return url;
}

/** Seconds to wait, from `Retry-After: 120` or `Retry-After: Wed, 21 Oct 2026 07:28:00 GMT`. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

function parseCount(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d+\s*$/.test(value)) return undefined;
  return Number(value);
}

function parseBody(text: string, contentType: string | undefined): unknown {
  if (text.trim() === '') return null;
  const looksJson = /json/i.test(contentType ?? '') || /^\s*[[{]/.test(text);
  if (!looksJson) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

// Error codes meaning no connection was ever made: the request certainly never left.
const NOT_CONNECTED_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EAI_NONAME',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);

function errorCode(error: unknown): string | undefined {
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
  /** The request's 'finish' fired: every byte of it was handed to the operating system. */
  readonly written: boolean;
}

/**
 * What a failure means for the question "could the server have acted on it?". Only a request
 * that was never completely written is certainly not acted on: a server cannot act on a request
 * whose body it never had in full.
 */
export function classifyFailure(error: unknown, context: FailureContext): TransportError {
  const code = errorCode(error);
  const make = (kind: TransportErrorKind, reached: boolean, message: string): TransportError =>
    new TransportError(kind, reached, `${context.label}: ${message}`, { cause: error });
  if (context.callerAborted) {
    return context.written
      ? make('aborted', true, 'stopped before an answer arrived')
      : make('aborted', false, 'stopped before the request was completely sent; it was not sent');
  }
  if (context.timedOut) {
    return context.written
      ? make('timeout', true, `no answer within ${context.timeoutMs} ms`)
      : make('timeout', false, `could not send the request within ${context.timeoutMs} ms; it was not sent`);
  }
  if (code !== undefined && NOT_CONNECTED_CODES.has(code)) {
    return make('connect', false, `could not connect (${code}); the request was not sent`);
  }
  if (!context.written) {
    return make('reset', false, `connection lost before the request was completely sent (${code ?? 'network error'}); it was not sent`);
  }
  return make('reset', true, `connection lost before an answer arrived (${code ?? 'unknown network error'})`);
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The headers every request carries, built once per client and media type (not per request). */
function constantHeaders(config: ApiConfig): (contentType: string, hasBody: boolean) => Readonly<OutgoingHttpHeaders> {
  const built = new Map<string, Readonly<OutgoingHttpHeaders>>();
  return (contentType, hasBody) => {
    const key = `${hasBody ? 'b' : 'n'}${contentType}`;
    let headers = built.get(key);
    if (headers === undefined) {
      headers = {
        Authorization: `Bearer ${config.token}`,
        Accept: /vnd\.api\+json/i.test(contentType) ? 'application/vnd.api+json' : JSON_TYPE,
        'X-PLANNR-ACCOUNT-UUID': config.accountUuid,
        'User-Agent': USER_AGENT,
        ...(hasBody ? { 'Content-Type': contentType } : {}),
      };
      built.set(key, headers);
    }
    return headers;
  };
}

/** How long an idle keep-alive connection is kept (undici's, so fetch's, default too). */
const IDLE_SOCKET_TIMEOUT_MS = 4_000;

export function createApiClient(config: ApiConfig, options: ApiClientOptions = {}): ApiClient {
  const baseUrl = config.baseUrl.replace(/\/+$/, '');
  const secure = new URL(baseUrl).protocol === 'https:';
  const maxSockets = options.maxSockets ?? Infinity;
  // Keep-alive: one TCP (and TLS) handshake per connection, not per request. Idle sockets are
  // unref'd by the agent, so they never keep the process alive, and closed after
  // IDLE_SOCKET_TIMEOUT_MS (or a second before the server's own Keep-Alive timeout): reusing a
  // socket the server is closing ends in a reset after the request was written, which for a
  // write means an unknown outcome and a read-back.
  const agentOptions = { keepAlive: true, maxSockets, timeout: IDLE_SOCKET_TIMEOUT_MS };
  const agent = secure ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
  const sendRaw = secure ? httpsRequest : httpRequest;
  const headersFor = constantHeaders(config);
  const redact = (text: string): string => redactSecret(text, config.token);

  function send(request: ApiRequest, signal?: AbortSignal): Promise<ApiResponse> {
    let url: URL;
    try {
      url = resolveApiUrl(baseUrl, request.path, request.query);
    } catch (error) {
      return Promise.reject(error);
    }
    const label = `${request.method} ${url.pathname}`;
    if (signal?.aborted === true) {
      return Promise.reject(new TransportError('aborted', false, `${label}: stopped before it was sent`));
    }
    const body = request.body === undefined ? undefined : Buffer.from(JSON.stringify(request.body), 'utf8');
    const constant = headersFor(request.contentType ?? JSON_TYPE, body !== undefined);
    const headers: OutgoingHttpHeaders = body === undefined ? constant : { ...constant, 'Content-Length': body.length };

    return new Promise<ApiResponse>((resolve, reject) => {
      let settled = false;
      let written = false;
      let timedOut = false;
      let callerAborted = false;
      let response: IncomingMessage | undefined;

      const cleanUp = (): void => {
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const fail = (error: unknown): void => {
        if (settled) return;
        cleanUp();
        const failure =
          error instanceof TransportError
            ? error
            : classifyFailure(error, { label, timeoutMs: config.timeoutMs, timedOut, callerAborted, written });
        // A Node message could quote what we sent: nothing the token is in leaves this function
        // (a redacted error drops its cause, which could hold the token too).
        const message = redact(failure.message);
        reject(message === failure.message ? failure : new TransportError(failure.kind, failure.mayHaveReachedServer, message));
      };
      const tooLarge = (what: string): TransportError =>
        new TransportError('too-large', true, `${label}: ${what}, over the ${MAX_RESPONSE_BYTES}-byte limit`);
      const stop = (reason: Error): void => {
        fail(reason);
        req.destroy();
        response?.destroy();
      };
      function onAbort(): void {
        callerAborted = true;
        stop(new Error('aborted by the caller'));
      }
      const timer = setTimeout(() => {
        timedOut = true;
        stop(new Error(`no answer within ${config.timeoutMs} ms`));
      }, config.timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });

      const req: ClientRequest = sendRaw(
        {
          agent,
          protocol: url.protocol,
          hostname: url.hostname.replace(/^\[|\]$/g, ''),
          port: url.port,
          method: request.method,
          path: `${url.pathname}${url.search}`,
          headers,
        },
        (res) => {
          response = res;
          const declared = Number(res.headers['content-length']);
          if (Number.isFinite(declared) && declared > MAX_RESPONSE_BYTES) {
            stop(tooLarge(`the answer is ${declared} bytes`));
            return;
          }
          // Decoded as it arrives: a page of 500 records is about 1 MB, and decoding it in one
          // piece at the end cost more (and held the bytes and the text at once).
          const decoder = new StringDecoder('utf8');
          let text = '';
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_RESPONSE_BYTES) {
              stop(tooLarge(`the answer passed ${MAX_RESPONSE_BYTES} bytes`));
              return;
            }
            text += decoder.write(chunk);
          });
          res.on('error', fail);
          res.on('close', () => {
            if (!res.complete) fail(Object.assign(new Error('the answer was cut short'), { code: 'ECONNRESET' }));
          });
          res.on('end', () => {
            if (settled) return;
            cleanUp();
            text += decoder.end();
            const h = res.headers;
            resolve({
              status: res.statusCode ?? 0,
              body: parseBody(redact(text), header(h, 'content-type')),
              retryAfterSeconds: parseRetryAfter(header(h, 'retry-after')),
              rateLimitRemaining: parseCount(header(h, 'x-ratelimit-remaining')),
              rateLimitLimit: parseCount(header(h, 'x-ratelimit-limit')),
            });
          });
        },
      );
      req.on('finish', () => {
        written = true;
      });
      req.on('error', fail);
      req.end(body);
    });
  }

  return {
    baseUrl,
    resolveUrl: (path, query) => resolveApiUrl(baseUrl, path, query),
    send,
  };
}
