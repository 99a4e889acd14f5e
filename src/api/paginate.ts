/**
 * Every record of a list endpoint, one at a time, one page in memory. Plannr lists say where the
 * next page is (`links.next`); MPDX lists say which page this is (`meta.pagination`).
 */
import { ApiUnavailableError } from '../errors.js';
import type { ApiRequest } from './client.js';
import { ApiResponseError, describeApiError, TransportError } from './errors.js';
import type { DispatchPool } from './pool.js';

export const DEFAULT_PER_PAGE = 500;

export type ListRequest = ApiRequest & { readonly perPage?: number | undefined };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A same-host `http://` link while the base is `https://` is followed over https: Laravel behind
 * a TLS-terminating proxy writes http links. Any other host is refused (the client checks too).
 */
export function nextPageUrl(next: string, baseUrl: string): string {
  const base = new URL(baseUrl);
  let url: URL;
  try {
    url = new URL(next, `${base.origin}/`);
  } catch {
    throw new ApiUnavailableError(`The API's links.next is not a URL ("${next.slice(0, 80)}")`);
  }
  if (url.protocol === 'http:' && base.protocol === 'https:' && url.hostname === base.hostname && url.port === '') {
    url.protocol = 'https:';
    url.port = base.port;
  }
  if (url.origin !== base.origin) {
    throw new ApiUnavailableError(`Refusing to follow links.next to ${url.origin}: only the configured API host (${base.origin}) is ever contacted`);
  }
  return url.href;
}

type NextPage = { readonly path: string; readonly query?: Record<string, string> | undefined } | undefined;

/** Where the page after this one is, if there is one. */
function findNextPage(body: Record<string, unknown>, request: ApiRequest, baseUrl: string): NextPage {
  const links = body['links'];
  if (isRecord(links) && typeof links['next'] === 'string' && links['next'] !== '') {
    return { path: nextPageUrl(links['next'], baseUrl) };
  }
  const meta = body['meta'];
  const pagination = isRecord(meta) ? meta['pagination'] : undefined;
  if (isRecord(pagination)) {
    const page = Number(pagination['page']);
    const totalPages = Number(pagination['total_pages']);
    if (Number.isInteger(page) && Number.isInteger(totalPages) && page < totalPages) {
      return { path: request.path, query: { ...request.query, page: String(page + 1) } };
    }
  }
  return undefined;
}

export async function* paginate(pool: DispatchPool, request: ListRequest, signal?: AbortSignal): AsyncGenerator<unknown> {
  const { perPage, ...first } = request;
  let page: ApiRequest = {
    ...first,
    method: 'GET',
    query: { per_page: String(perPage ?? DEFAULT_PER_PAGE), ...first.query },
  };
  const seen = new Set<string>();

  for (let pageNumber = 1; ; pageNumber++) {
    const fingerprint = pool.client.resolveUrl(page.path, page.query).href;
    if (seen.has(fingerprint)) throw new ApiUnavailableError(`The API sent page ${pageNumber - 1} again (${new URL(fingerprint).search}): stopping`);
    seen.add(fingerprint);

    const result = await pool.run(page, { idempotent: true, signal });
    if (result.kind === 'aborted') throw new TransportError('aborted', false, `Listing ${first.path} stopped before page ${pageNumber}`);
    if (result.kind === 'stopped') throw new ApiUnavailableError(`Listing ${first.path}, page ${pageNumber}: ${result.reason}`);
    if (result.kind !== 'response') throw new ApiUnavailableError(`Listing ${first.path}, page ${pageNumber}: ${result.error}`);
    const { status, body } = result.response;
    if (status < 200 || status >= 300) {
      const { message, fieldErrors } = describeApiError(status, body);
      throw new ApiResponseError(status, `Listing ${first.path}, page ${pageNumber}: ${message}`, fieldErrors);
    }
    if (!isRecord(body) || !Array.isArray(body['data'])) {
      throw new ApiUnavailableError(`Listing ${first.path}, page ${pageNumber}: the answer has no "data" list`);
    }
    yield* body['data'];

    const next = findNextPage(body, page, pool.client.baseUrl);
    if (next === undefined) return;
    page = { method: 'GET', path: next.path, query: next.query, contentType: first.contentType };
  }
}
