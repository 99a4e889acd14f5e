import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApiClient } from '../../src/api/client.js';
import { ApiResponseError } from '../../src/api/errors.js';
import { nextPageUrl, paginate } from '../../src/api/paginate.js';
import { createDispatchPool } from '../../src/api/pool.js';
import { sendJson, startLoopbackServer, testConfig, type LoopbackServer } from './loopback.js';

let server: LoopbackServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function collect(records: AsyncIterable<unknown>): Promise<unknown[]> {
  const all: unknown[] = [];
  for await (const record of records) all.push(record);
  return all;
}

function poolFor(baseUrl: string) {
  return createDispatchPool(createApiClient(testConfig(baseUrl)), { ratePerMinute: 0, backoffBaseMs: 5, backoffMaxMs: 10 });
}

describe('paginate', () => {
  it('follows Plannr links.next across pages, yielding every record in order', async () => {
    server = await startLoopbackServer((req, res) => {
      const url = new URL(req.url, 'http://x');
      const page = Number(url.searchParams.get('page') ?? '1');
      const base = server?.baseUrl ?? '';
      const records = { 1: [{ uuid: 'a' }, { uuid: 'b' }, { uuid: 'c' }], 2: [{ uuid: 'd' }, { uuid: 'e' }], 3: [{ uuid: 'f' }] }[page] ?? [];
      sendJson(res, 200, {
        data: records,
        links: { first: `${base}/api/v1/account?page=1`, next: page < 3 ? `${base}/api/v1/account?filter%5Btype%5D=client&per_page=3&page=${page + 1}` : null },
        meta: { current_page: page, last_page: 3, per_page: 3, total: 6 },
      });
    });
    const records = await collect(paginate(poolFor(server.baseUrl), { method: 'GET', path: '/api/v1/account', query: { 'filter[type]': 'client' }, perPage: 3 }));
    expect(records).toEqual([{ uuid: 'a' }, { uuid: 'b' }, { uuid: 'c' }, { uuid: 'd' }, { uuid: 'e' }, { uuid: 'f' }]);
    expect(server.seen.map((r) => r.url)).toEqual([
      '/api/v1/account?per_page=3&filter%5Btype%5D=client',
      '/api/v1/account?filter%5Btype%5D=client&per_page=3&page=2',
      '/api/v1/account?filter%5Btype%5D=client&per_page=3&page=3',
    ]);
  });

  it('asks for 500 per page by default', async () => {
    server = await startLoopbackServer((_req, res) => sendJson(res, 200, { data: [], links: { next: null } }));
    await collect(paginate(poolFor(server.baseUrl), { method: 'GET', path: '/api/v2/contact-details' }));
    expect(server.seen[0]?.url).toBe('/api/v2/contact-details?per_page=500');
  });

  it('walks MPDX meta.pagination pages with the JSON:API media type', async () => {
    server = await startLoopbackServer((req, res) => {
      const page = Number(new URL(req.url, 'http://x').searchParams.get('page') ?? '1');
      sendJson(res, 200, {
        data: [{ id: `p${page}`, type: 'phone_numbers' }],
        meta: { pagination: { page, per_page: 1, total_count: 3, total_pages: 3 } },
      });
    });
    const records = await collect(
      paginate(poolFor(server.baseUrl), { method: 'GET', path: '/api/v2/contacts/c/people/p/phones', perPage: 1, contentType: 'application/vnd.api+json' }),
    );
    expect(records.map((r) => (r as { id: string }).id)).toEqual(['p1', 'p2', 'p3']);
    expect(server.seen.map((r) => new URL(r.url, 'http://x').searchParams.get('page'))).toEqual([null, '2', '3']);
    expect(server.seen.every((r) => r.headers['accept'] === 'application/vnd.api+json')).toBe(true);
  });

  it('refuses a links.next on another origin, and never contacts it', async () => {
    const foreign = await startLoopbackServer((_req, res) => sendJson(res, 200, { data: [{ stolen: true }], links: { next: null } }));
    try {
      server = await startLoopbackServer((_req, res) => sendJson(res, 200, { data: [{ uuid: 'a' }], links: { next: `${foreign.baseUrl}/api/v1/account?page=2` } }));
      const seen: unknown[] = [];
      await expect(async () => {
        for await (const record of paginate(poolFor(server?.baseUrl ?? ''), { method: 'GET', path: '/api/v1/account' })) seen.push(record);
      }).rejects.toThrow(/Refusing to follow links\.next to http:\/\/127\.0\.0\.1:\d+/);
      expect(seen).toEqual([{ uuid: 'a' }]);
      expect(foreign.seen).toHaveLength(0);
    } finally {
      await foreign.close();
    }
  });

  it('stops with an error that describes a non-2xx page', async () => {
    server = await startLoopbackServer((_req, res, index) =>
      index === 0
        ? sendJson(res, 200, { data: [{ uuid: 'a' }], links: { next: `${server?.baseUrl ?? ''}/api/v1/cases?page=2` } })
        : sendJson(res, 403, { message: 'This action is unauthorized.' }),
    );
    const records = paginate(poolFor(server.baseUrl), { method: 'GET', path: '/api/v1/cases' });
    const error = await collect(records).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiResponseError);
    expect(error).toMatchObject({ status: 403, message: 'Listing /api/v1/cases, page 2: This action is unauthorized.' });
  });

  it('stops when the API sends the same page again', async () => {
    server = await startLoopbackServer((_req, res) =>
      sendJson(res, 200, { data: [{ uuid: 'a' }], links: { next: `${server?.baseUrl ?? ''}/api/v1/cases?page=2` } }),
    );
    await expect(collect(paginate(poolFor(server.baseUrl), { method: 'GET', path: '/api/v1/cases' }))).rejects.toThrow(/same|again/);
    expect(server.seen).toHaveLength(2);
  });

  it('stops on the caller\'s signal before the next page', async () => {
    server = await startLoopbackServer((req, res) =>
      sendJson(res, 200, { data: [{ uuid: req.url }], links: { next: `${server?.baseUrl ?? ''}/api/v1/cases?page=${server?.seen.length ?? 0}` } }),
    );
    const controller = new AbortController();
    const seen: unknown[] = [];
    await expect(async () => {
      for await (const record of paginate(poolFor(server?.baseUrl ?? ''), { method: 'GET', path: '/api/v1/cases' }, controller.signal)) {
        seen.push(record);
        if (seen.length === 2) controller.abort();
      }
    }).rejects.toThrow(/stopped/);
    expect(server.seen).toHaveLength(2);
  });
});

/** A Plannr-style numbered list of `pages` pages of two records, answering each after `delayMs`, counting requests in flight. */
async function numberedList(pages: number, options: { delayMs?: number; answer?: (page: number) => { status: number; body: unknown } | undefined } = {}) {
  let inFlight = 0;
  let maxInFlight = 0;
  const started = await startLoopbackServer(async (req, res) => {
    const page = Number(new URL(req.url, 'http://x').searchParams.get('page') ?? '1');
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((resolve) => setTimeout(resolve, options.delayMs ?? 20));
    inFlight -= 1;
    const special = options.answer?.(page);
    if (special !== undefined) return sendJson(res, special.status, special.body);
    const base = server?.baseUrl ?? '';
    sendJson(res, 200, {
      data: [{ uuid: `${page}a` }, { uuid: `${page}b` }],
      links: { next: page < pages ? `${base}/api/v1/cases?per_page=2&page=${page + 1}` : null },
      meta: { current_page: page, last_page: pages, per_page: 2, total: pages * 2 },
    });
  });
  return { server: started, maxInFlight: () => maxInFlight };
}

const recordsOfPages = (pages: number) => Array.from({ length: pages }, (_, i) => [{ uuid: `${i + 1}a` }, { uuid: `${i + 1}b` }]).flat();

describe('paginate with pages asked for ahead', () => {
  it('asks for numbered pages several at once and still yields every record once, in order', async () => {
    const list = await numberedList(8);
    server = list.server;
    const records = await collect(paginate(poolFor(server.baseUrl), { method: 'GET', path: '/api/v1/cases', perPage: 2 }, undefined, { pagesAhead: 3 }));
    expect(records).toEqual(recordsOfPages(8));
    expect(list.maxInFlight()).toBeGreaterThan(1);
    expect(list.maxInFlight()).toBeLessThanOrEqual(3);
    const pagesAsked = server.seen.map((r) => new URL(r.url, 'http://x').searchParams.get('page') ?? '1').sort((a, b) => Number(a) - Number(b));
    expect(pagesAsked).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
  });

  it('never holds more than pagesAhead pages beyond the one being read', async () => {
    const list = await numberedList(10, { delayMs: 1 });
    server = list.server;
    const pages = paginate(poolFor(server.baseUrl), { method: 'GET', path: '/api/v1/cases', perPage: 2 }, undefined, { pagesAhead: 2 });
    const first = await pages.next();
    expect(first.value).toEqual({ uuid: '1a' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Page 1 is being read: pages 2 and 3 are asked for, page 4 waits for room.
    expect(server.seen).toHaveLength(3);
    await pages.return(undefined);
  });

  it('stops at a failed page after the records before it, and drops the pages asked for ahead', async () => {
    const list = await numberedList(6, { answer: (page) => (page === 3 ? { status: 403, body: { message: 'This action is unauthorized.' } } : undefined) });
    server = list.server;
    const seen: unknown[] = [];
    const error = await (async () => {
      for await (const record of paginate(poolFor(server?.baseUrl ?? ''), { method: 'GET', path: '/api/v1/cases', perPage: 2 }, undefined, { pagesAhead: 4 })) seen.push(record);
    })().catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 403, message: 'Listing /api/v1/cases, page 3: This action is unauthorized.' });
    expect(seen).toEqual(recordsOfPages(2));
  });

  it('refuses a numbered page that answers as another page (the list shifted), rather than miss or repeat records', async () => {
    const list = await numberedList(4, {
      answer: (page) => (page === 3 ? { status: 200, body: { data: [{ uuid: '2a' }], links: { next: null }, meta: { current_page: 2, last_page: 4 } } } : undefined),
    });
    server = list.server;
    await expect(collect(paginate(poolFor(server.baseUrl), { method: 'GET', path: '/api/v1/cases', perPage: 2 }, undefined, { pagesAhead: 2 }))).rejects.toThrow(
      /page 3: the API answered with page 2/,
    );
  });

  it('follows links.next past the counted pages when the list grew meanwhile', async () => {
    server = await startLoopbackServer((req, res) => {
      const page = Number(new URL(req.url, 'http://x').searchParams.get('page') ?? '1');
      const base = server?.baseUrl ?? '';
      // Page 1 counted two pages; by page 2 there are three.
      const lastPage = page === 1 ? 2 : 3;
      sendJson(res, 200, {
        data: [{ uuid: `${page}a` }, { uuid: `${page}b` }],
        links: { next: page < lastPage ? `${base}/api/v1/cases?per_page=2&page=${page + 1}` : null },
        meta: { current_page: page, last_page: lastPage },
      });
    });
    const records = await collect(paginate(poolFor(server.baseUrl), { method: 'GET', path: '/api/v1/cases', perPage: 2 }, undefined, { pagesAhead: 4 }));
    expect(records).toEqual(recordsOfPages(3));
  });

  it('asks for the next linked page while this one is read when pages are not numbered (a cursor)', async () => {
    server = await startLoopbackServer((req, res) => {
      const cursor = new URL(req.url, 'http://x').searchParams.get('cursor') ?? 'start';
      const next = { start: 'c1', c1: 'c2' }[cursor];
      sendJson(res, 200, { data: [{ uuid: cursor }], links: { next: next === undefined ? null : `${server?.baseUrl ?? ''}/api/v1/cases?cursor=${next}` } });
    });
    const pages = paginate(poolFor(server.baseUrl), { method: 'GET', path: '/api/v1/cases' }, undefined, { pagesAhead: 2 });
    expect((await pages.next()).value).toEqual({ uuid: 'start' });
    // The first record is in hand and not yet done with: the second page is asked for meanwhile.
    await vi.waitFor(() => expect(server?.seen).toHaveLength(2));
    const rest: unknown[] = [];
    for await (const record of pages) rest.push(record);
    expect(rest).toEqual([{ uuid: 'c1' }, { uuid: 'c2' }]);
  });
});

describe('nextPageUrl', () => {
  it('follows a same-host http link over https (a proxy wrote it), refuses other hosts', () => {
    expect(nextPageUrl('http://api.plannrcrm.com/api/v1/account?page=2', 'https://api.plannrcrm.com')).toBe(
      'https://api.plannrcrm.com/api/v1/account?page=2',
    );
    expect(() => nextPageUrl('https://api.evil.com/api/v1/account?page=2', 'https://api.plannrcrm.com')).toThrow(/Refusing/);
    expect(() => nextPageUrl('http://api.plannrcrm.com:8080/x', 'https://api.plannrcrm.com')).toThrow(/Refusing/);
  });

  it('stops listing with a clear error once the pool has stopped on a 401', async () => {
    server = await startLoopbackServer((_req, res) => sendJson(res, 401, { message: 'Unauthenticated.' }));
    const pool = poolFor(server.baseUrl);
    await expect(collect(paginate(pool, { method: 'GET', path: '/api/v1/cases' }))).rejects.toThrow(ApiResponseError);
    await expect(collect(paginate(pool, { method: 'GET', path: '/api/v1/account' }))).rejects.toThrow(/\/api\/v1\/account, page 1: not sent: the API answered HTTP 401/);
    expect(server.seen).toHaveLength(1);
  });
});
