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

/** The page number a list answer says it is (Plannr `meta.current_page`, MPDX `meta.pagination.page`). */
function pageNumberOf(body: Record<string, unknown>): number | undefined {
  const meta = body['meta'];
  if (!isRecord(meta)) return undefined;
  const pagination = meta['pagination'];
  const page = isRecord(pagination) ? pagination['page'] : meta['current_page'];
  const n = Number(page);
  return page !== null && page !== '' && Number.isInteger(n) ? n : undefined;
}

/**
 * When the first page says how many pages there are and they are addressed by number, the
 * request for page n, so later pages can be asked for before the one before them has arrived.
 * Plannr: `meta.last_page` and a `links.next` whose `page` is 2 (the other pages are that link
 * with another `page`); MPDX: `meta.pagination.total_pages`. Otherwise (a cursor, or no count)
 * undefined: pages are then followed one link at a time.
 */
function numberedPages(
  body: Record<string, unknown>,
  request: ApiRequest,
  baseUrl: string,
): { readonly lastPage: number; readonly requestFor: (n: number) => ApiRequest } | undefined {
  if (pageNumberOf(body) !== 1) return undefined;
  const meta = body['meta'];
  if (!isRecord(meta)) return undefined;
  const pagination = meta['pagination'];
  if (isRecord(pagination)) {
    const lastPage = Number(pagination['total_pages']);
    if (!Number.isInteger(lastPage) || lastPage < 1) return undefined;
    return { lastPage, requestFor: (n) => ({ method: 'GET', path: request.path, query: { ...request.query, page: String(n) }, contentType: request.contentType }) };
  }
  const lastPage = Number(meta['last_page']);
  const links = body['links'];
  if (!Number.isInteger(lastPage) || lastPage < 1 || !isRecord(links)) return undefined;
  if (lastPage === 1) return { lastPage, requestFor: () => request };
  if (typeof links['next'] !== 'string' || links['next'] === '') return undefined;
  const second = nextPageUrl(links['next'], baseUrl);
  if (new URL(second).searchParams.get('page') !== '2') return undefined;
  return {
    lastPage,
    requestFor: (n) => {
      if (n === 2) return { method: 'GET', path: second, contentType: request.contentType };
      const url = new URL(second);
      url.searchParams.set('page', String(n));
      return { method: 'GET', path: url.href, contentType: request.contentType };
    },
  };
}

export interface PaginateOptions {
  /**
   * Pages asked for ahead of the one being read, so the caller's work on a page overlaps the
   * next pages' round trips; at most this many (plus the one being read) are held in memory.
   * Requests still queue in the pool (its concurrency and rate limit). 0 (default): the next
   * page is asked for once the caller has taken every record of this one.
   */
  readonly pagesAhead?: number | undefined;
}

/**
 * Every record of a list, in the API's order, each once. With `pagesAhead`, numbered pages are
 * asked for up to that many ahead (several in flight at once); a list that only says where the
 * next page is gets its next page asked for as soon as this one arrives. Each numbered page must
 * say it is the page asked for, or the listing stops: a list that shifted under us must not
 * silently miss or repeat records. A failed page stops the listing with an error after the
 * records before it; pages asked for ahead are then dropped unread.
 */
export async function* paginate(
  pool: DispatchPool,
  request: ListRequest,
  signal?: AbortSignal,
  options: PaginateOptions = {},
): AsyncGenerator<unknown> {
  const { perPage, ...first } = request;
  const ahead = Math.max(0, Math.floor(options.pagesAhead ?? 0));
  const baseUrl = pool.client.baseUrl;
  // Stops the pages asked for ahead once the caller stops reading (an error, a break, a stop).
  const dropped = new AbortController();
  const stop = (): void => dropped.abort();
  signal?.addEventListener('abort', stop, { once: true });
  const seen = new Set<string>();
  const queue: Array<{ readonly n: number; readonly request: ApiRequest; readonly body: Promise<Record<string, unknown>> }> = [];

  async function fetchPage(page: ApiRequest, pageNumber: number): Promise<Record<string, unknown>> {
    const result = await pool.run(page, { idempotent: true, signal: dropped.signal });
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
    return body;
  }

  function ask(page: ApiRequest, pageNumber: number): void {
    const fingerprint = pool.client.resolveUrl(page.path, page.query).href;
    if (seen.has(fingerprint)) throw new ApiUnavailableError(`The API sent page ${pageNumber - 1} again (${new URL(fingerprint).search}): stopping`);
    seen.add(fingerprint);
    const body = fetchPage(page, pageNumber);
    // Awaited in order below; a page dropped unread must not become an unhandled rejection.
    body.catch(() => undefined);
    queue.push({ n: pageNumber, request: page, body });
  }

  function askNext(body: Record<string, unknown>, after: { readonly n: number; readonly request: ApiRequest }): void {
    const next = findNextPage(body, after.request, baseUrl);
    if (next === undefined) return;
    ask({ method: 'GET', path: next.path, query: next.query, contentType: first.contentType }, after.n + 1);
    nextToAsk = Math.max(nextToAsk, after.n + 2);
  }

  let nextToAsk = 2;
  try {
    if (signal?.aborted === true) throw new TransportError('aborted', false, `Listing ${first.path} stopped before page 1`);
    ask({ ...first, method: 'GET', query: { per_page: String(perPage ?? DEFAULT_PER_PAGE), ...first.query } }, 1);
    let numbered: ReturnType<typeof numberedPages>;
    for (let head = queue.shift(); head !== undefined; head = queue.shift()) {
      const body = await head.body;
      if (numbered !== undefined && head.n <= numbered.lastPage && pageNumberOf(body) !== head.n) {
        throw new ApiUnavailableError(
          `Listing ${first.path}, page ${head.n}: the API answered with page ${pageNumberOf(body) ?? '(none)'}: stopping, so no record is missed or repeated`,
        );
      }
      if (head.n === 1 && ahead > 0) numbered = numberedPages(body, head.request, baseUrl);
      // With nothing asked for ahead, the next page is found only once this one is read.
      let followAfterReading = false;
      if (numbered !== undefined && head.n < numbered.lastPage) {
        for (; nextToAsk <= numbered.lastPage && nextToAsk <= head.n + ahead; nextToAsk++) ask(numbered.requestFor(nextToAsk), nextToAsk);
      } else if (queue.length === 0) {
        // Past the counted pages (the list grew meanwhile) or a list that only links onwards.
        if (ahead > 0) askNext(body, head);
        else followAfterReading = true;
      }
      yield* body['data'] as unknown[];
      if (followAfterReading) {
        if (dropped.signal.aborted) throw new TransportError('aborted', false, `Listing ${first.path} stopped before page ${head.n + 1}`);
        askNext(body, head);
      }
    }
  } finally {
    signal?.removeEventListener('abort', stop);
    stop();
  }
}
