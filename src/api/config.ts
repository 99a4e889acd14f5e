/**
 * Where the API is and who we are: flags first, then the environment. Every problem is a
 * UsageError (exit 2) whose message never contains the token.
 */
import { isIP } from 'node:net';
import { UsageError } from '../errors.js';

export interface ApiConfig {
  /** Origin plus any path prefix, without a trailing slash, e.g. 'https://api.plannrcrm.com'. */
  readonly baseUrl: string;
  readonly token: string;
  readonly accountUuid: string;
  /** Per-request timeout (whole request: connect, headers and body). */
  readonly timeoutMs: number;
}

export interface ApiConfigFlags {
  baseUrl?: string | undefined;
  token?: string | undefined;
  accountUuid?: string | undefined;
  timeoutMs?: number | undefined;
}

export const DEFAULT_BASE_URL = 'https://api.plannrcrm.com';
export const DEFAULT_TIMEOUT_MS = 30_000;

/** localhost, 127.0.0.0/8 and ::1: the only hosts plain http may be used with. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}

function firstGiven(...values: Array<string | undefined>): string | undefined {
  for (const value of values) {
    const trimmed = value?.trim();
    if (trimmed !== undefined && trimmed !== '') return trimmed;
  }
  return undefined;
}

// A header value must be visible ASCII; fetch would otherwise throw an error quoting the value.
const HEADER_SAFE = /^[\x21-\x7e]+$/;

export function parseBaseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`The API base URL "${text}" is not a valid URL (expected e.g. ${DEFAULT_BASE_URL})`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError(`The API base URL must use https:// (got ${url.protocol}//)`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new UsageError('The API base URL must not contain a user name or password: use PLANNR_TOKEN');
  }
  if (url.search !== '' || url.hash !== '') {
    throw new UsageError(`The API base URL must not have a query or fragment (got ${url.origin}${url.pathname}…)`);
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new UsageError(
      `Refusing plain http:// to ${url.hostname}: the token would travel unencrypted. Use https:// (http is allowed only for localhost)`,
    );
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

export function resolveApiConfig(flags: ApiConfigFlags, env: NodeJS.ProcessEnv): ApiConfig {
  const baseUrl = parseBaseUrl(firstGiven(flags.baseUrl, env['PLANNR_BASE_URL']) ?? DEFAULT_BASE_URL);

  const token = firstGiven(flags.token, env['PLANNR_TOKEN']);
  if (token === undefined) throw new UsageError(
      'No API token: set the PLANNR_TOKEN environment variable to a Plannr personal access token (for the local sandbox: PLANNR_TOKEN=sandbox-token, as "plannr-bulk sandbox" prints)',
    );
  if (!HEADER_SAFE.test(token)) {
    throw new UsageError('The API token contains spaces or characters a token cannot have: check PLANNR_TOKEN');
  }

  const accountUuid = firstGiven(flags.accountUuid, env['PLANNR_ACCOUNT_UUID']);
  if (accountUuid === undefined) {
    throw new UsageError('No account: set PLANNR_ACCOUNT_UUID (or pass --account-uuid); GET /api/v1/logins lists yours');
  }
  if (!HEADER_SAFE.test(accountUuid)) {
    throw new UsageError('The account uuid contains spaces or characters a uuid cannot have: check PLANNR_ACCOUNT_UUID');
  }

  const timeoutMs = flags.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new UsageError(`The request timeout must be a positive number of milliseconds (got ${timeoutMs})`);
  }
  return { baseUrl, token, accountUuid, timeoutMs };
}
