import { afterEach, describe, expect, it } from 'vitest';
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
