/**
 * The DispatchPool against real loopback servers that misbehave the way gateways do, and (for
 * the rate limiter's decisions) against an in-memory client on a fake clock. No assertion is
 * about elapsed wall-clock time: counts of requests the servers saw, results, and the pool's
 * own emitted decisions.
 */
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApiClient, resolveApiUrl, type ApiClient, type ApiRequest, type ApiResponse } from '../../src/api/client.js';
import { createDispatchPool, type DispatchResult, type PoolEvent } from '../../src/api/pool.js';
import { closedPort, sendJson, startLoopbackServer, testConfig, TEST_TOKEN, type LoopbackServer } from './loopback.js';

let server: LoopbackServer | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await server?.close();
  server = undefined;
});

const put = (id: number): ApiRequest => ({ method: 'PUT', path: `/api/v1/cases/${id}`, body: { name: `Case ${id}` } });
const post: ApiRequest = { method: 'POST', path: '/api/v2/contact-details', body: { type: 'email', value: 'a@example.com' } };
const fast = { backoffBaseMs: 5, backoffMaxMs: 20, ratePerMinute: 0 };

function statusOf(result: DispatchResult): number | string {
  return result.kind === 'response' ? result.response.status : result.kind;
}

/** An in-memory client: answers at once, records the (fake) clock at each send. */
function memoryClient(answer: (index: number) => Partial<ApiResponse>): ApiClient & { sentAt: number[] } {
  const sentAt: number[] = [];
  const baseUrl = 'http://127.0.0.1:9';
  return {
    baseUrl,
    sentAt,
    resolveUrl: (path, query) => resolveApiUrl(baseUrl, path, query),
    send: () => {
      const index = sentAt.push(Date.now()) - 1;
      return Promise.resolve({ status: 200, body: {}, ...answer(index) });
    },
  };
}

describe('createDispatchPool: reads are retried', () => {
  it('retries a 5xx with backoff and returns the success', async () => {
    server = await startLoopbackServer((_req, res, index) => (index < 2 ? sendJson(res, 502, { message: 'Bad gateway' }) : sendJson(res, 200, { data: {} })));
    const events: PoolEvent[] = [];
    const pool = createDispatchPool(createApiClient(testConfig(server.baseUrl)), { ...fast, onEvent: (e) => events.push(e) });
    const result = await pool.run(put(1), { idempotent: true });
    expect(result).toMatchObject({ kind: 'response', attempts: 3, response: { status: 200 } });
    expect(server.seen).toHaveLength(3);
    expect(events.filter((e) => e.type === 'retry')).toHaveLength(2);
    expect(pool.stats()).toMatchObject({ requests: 3, responses: 3, retries: 2, serverErrors: 2, inFlight: 0 });
  });

  it('returns the last 5xx response once maxRetries are spent', async () => {
    server = await startLoopbackServer((_req, res) => sendJson(res, 500, { message: 'Server Error' }));
    const pool = createDispatchPool(createApiClient(testConfig(server.baseUrl)), { ...fast, maxRetries: 2 });
    const result = await pool.run(put(1), { idempotent: true });
    expect(result).toMatchObject({ kind: 'response', attempts: 3, response: { status: 500, body: { message: 'Server Error' } } });
    expect(server.seen).toHaveLength(3);
  });

  it("a request's own maxRetries lowers the pool's, never raises it", async () => {
    server = await startLoopbackServer((_req, res) => sendJson(res, 500, { message: 'Server Error' }));
    const pool = createDispatchPool(createApiClient(testConfig(server.baseUrl)), { ...fast, maxRetries: 3 });
    expect(await pool.run(put(1), { idempotent: true, maxRetries: 1 })).toMatchObject({ kind: 'response', attempts: 2 });
    expect(server.seen).toHaveLength(2);
    expect(await pool.run(put(2), { idempotent: true, maxRetries: 10 })).toMatchObject({ kind: 'response', attempts: 4 });
    expect(server.seen).toHaveLength(6);
  });

  it('never retries a 4xx', async () => {
    server = await startLoopbackServer((req, res) =>
      req.url.endsWith('/404')
        ? sendJson(res, 404, { message: 'Not found' })
        : sendJson(res, 422, { message: 'Invalid', errors: { name: ['The name field is required.'] } }),
    );
    const pool = createDispatchPool(createApiClient(testConfig(server.baseUrl)), fast);
    const [notFound, invalid] = await Promise.all([
      pool.run({ method: 'PUT', path: '/api/v1/cases/404', body: {} }, { idempotent: true }),
      pool.run({ method: 'PUT', path: '/api/v1/cases/422', body: {} }, { idempotent: true }),
    ]);
    expect(notFound).toMatchObject({ kind: 'response', attempts: 1, response: { status: 404 } });
    expect(invalid).toMatchObject({ kind: 'response', attempts: 1, response: { status: 422 } });
    expect(server.seen).toHaveLength(2);
  });

  it('retries an idempotent request after a reset and after a timeout, up to maxRetries', async () => {
    server = await startLoopbackServer((req, res, index) => {
      if (req.url.endsWith('/silent')) return undefined;
      return index === 0 ? res.socket?.destroy() : sendJson(res, 200, {});
    });
    const pool = createDispatchPool(createApiClient(testConfig(server.baseUrl, 100)), { ...fast, maxRetries: 1 });
    expect(await pool.run(put(1), { idempotent: true })).toMatchObject({ kind: 'response', attempts: 2 });
    const silent = await pool.run({ method: 'GET', path: '/api/silent' }, { idempotent: true });
    expect(silent).toMatchObject({ kind: 'failed', attempts: 2 });
    expect(server.seen.filter((r) => r.url === '/api/silent')).toHaveLength(2);
  });
});

describe('createDispatchPool: a write is never re-sent on an unknown outcome', () => {
  for (const status of [500, 502, 503, 504]) {
    for (const method of ['POST', 'PUT'] as const) {
      it(`a ${method} answered ${status} is unknown and sent exactly once`, async () => {
        server = await startLoopbackServer((_req, res) => sendJson(res, status, { message: 'upstream trouble' }));
        const pool = createDispatchPool(createApiClient(testConfig(server.baseUrl)), { ...fast, maxRetries: 5 });
        const request: ApiRequest = method === 'POST' ? post : put(1);
        const result = await pool.run(request, { idempotent: false });
        expect(result).toMatchObject({ kind: 'unknown', attempts: 1, response: { status } });
        if (result.kind === 'unknown') expect(result.error).toMatch(new RegExp(`HTTP ${status}.*may or may not have been applied`));
        expect(server.seen).toHaveLength(1);
      });
    }
  }

  it('a write whose connection was reset after the server read it all is unknown, sent once', async () => {
    server = await startLoopbackServer((_req, res) => res.socket?.destroy());
    const pool = createDispatchPool(createApiClient(testConfig(server.baseUrl)), fast);
    expect(await pool.run(post, { idempotent: false })).toMatchObject({ kind: 'unknown', attempts: 1 });
    expect(await pool.run(put(1), { idempotent: false })).toMatchObject({ kind: 'unknown', attempts: 1 });
    expect(server.seen).toHaveLength(2);
  });

  it('a write that timed out is unknown, sent once', async () => {
    server = await startLoopbackServer(() => undefined);
    const pool = createDispatchPool(createApiClient(testConfig(server.baseUrl, 100)), { ...fast, maxRetries: 3 });
    const created = await pool.run(post, { idempotent: false });
    expect(created).toMatchObject({ kind: 'unknown', attempts: 1 });
    if (created.kind === 'unknown') expect(created.error).toMatch(/no answer within 100 ms/);
    expect(server.seen).toHaveLength(1);
  });

  it('a write whose answer was too large is unknown, sent once', async () => {
    server = await startLoopbackServer((_req, res) => {
      res.writeHead(201, { 'content-type': 'application/json', 'content-length': String(20 * 1024 * 1024) });
      res.end();
    });
    const pool = createDispatchPool(createApiClient(testConfig(server.baseUrl)), fast);
    expect(await pool.run(post, { idempotent: false })).toMatchObject({ kind: 'unknown', attempts: 1 });
    expect(server.seen).toHaveLength(1);
  });

  it('re-sends a write reset before it was written (it never left), and it then lands once', async () => {
    // The gateway resets the first connection without reading a byte while a large body streams.
    const received: string[] = [];
    let connections = 0;
    const http = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        received.push(req.method ?? '');
        sendJson(res, 201, { data: { uuid: 'new' } });
      });
    });
    http.on('connection', (socket: Socket) => {
      connections += 1;
      if (connections === 1) socket.resetAndDestroy();
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    try {
      const baseUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
      const pool = createDispatchPool(createApiClient(testConfig(baseUrl)), { ...fast, maxRetries: 2 });
      const big: ApiRequest = { ...post, body: { notes: 'x'.repeat(32 * 1024 * 1024) } };
      const result = await pool.run(big, { idempotent: false });
      expect(result).toMatchObject({ kind: 'response', attempts: 2, response: { status: 201 } });
      expect(received).toEqual(['POST']);
      expect(pool.stats().retries).toBe(1);
    } finally {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    }
  });

  it('re-sends a write whose connection was refused (it never left) up to maxRetries, then fails', async () => {
    const port = await closedPort();
    const pool = createDispatchPool(createApiClient(testConfig(`http://127.0.0.1:${port}`)), { ...fast, maxRetries: 2 });
    const result = await pool.run(post, { idempotent: false });
    expect(result).toMatchObject({ kind: 'failed', attempts: 3 });
    if (result.kind === 'failed') {
      expect(result.error).toMatch(/not sent/);
      expect(result.error).not.toContain(TEST_TOKEN);
    }
  });

  it('returns a 2xx HTML page to a write as a response (the caller judges the body)', async () => {
    server = await startLoopbackServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body>Maintenance</body></html>');
    });
    const pool = createDispatchPool(createApiClient(testConfig(server.baseUrl)), fast);
    expect(await pool.run(post, { idempotent: false })).toMatchObject({ kind: 'response', attempts: 1, response: { status: 200, body: '<html><body>Maintenance</body></html>' } });
    expect(server.seen).toHaveLength(1);
  });

  it('re-sends a write after a 429 (a refusal: nothing was done)', async () => {
    server = await startLoopbackServer((_req, res, index) => (index === 0 ? sendJson(res, 429, {}, { 'retry-after': '0' }) : sendJson(res, 201, { data: {} })));
    const pool = createDispatchPool(createApiClient(testConfig(server.baseUrl)), { ...fast, maxRetries: 0 });
    expect(await pool.run(post, { idempotent: false })).toMatchObject({ kind: 'response', attempts: 2, response: { status: 201 } });
  });

  it('exposes maxRetries, and counts the caller\'s own re-sends as retries', () => {
    const pool = createDispatchPool(memoryClient(() => ({})), { maxRetries: 3 });
    expect(pool.maxRetries).toBe(3);
    pool.noteRetry('read back found nothing; sending the create again');
    pool.noteRetry('again');
    expect(pool.stats().retries).toBe(2);
    expect(createDispatchPool(memoryClient(() => ({}))).maxRetries).toBe(5);
  });
});

describe('createDispatchPool: a 401 or 403 stops the pool', () => {
  it('returns the 401 to its caller, then sends nothing more (401 from the 9th request on)', async () => {
    server = await startLoopbackServer((_req, res, index) =>
      index >= 8 ? sendJson(res, 401, { message: 'Unauthenticated.' }) : sendJson(res, 201, { data: {} }),
    );
    const events: PoolEvent[] = [];
    const pool = createDispatchPool(createApiClient(testConfig(server.baseUrl)), { ...fast, concurrency: 1, onEvent: (e) => events.push(e) });
    const results = await Promise.all(Array.from({ length: 20 }, () => pool.run(post, { idempotent: false })));
    expect(results.map(statusOf)).toEqual([...Array.from({ length: 8 }, () => 201), 401, ...Array.from({ length: 11 }, () => 'stopped')]);
    expect(server.seen).toHaveLength(9);
    expect(pool.stopped()).toEqual({ status: 401, message: 'Unauthenticated. (check PLANNR_TOKEN)' });
    expect(events).toContainEqual({ type: 'stopped', status: 401, message: 'Unauthenticated. (check PLANNR_TOKEN)' });
    const later = await pool.run({ method: 'GET', path: '/api/v1/account' }, { idempotent: true });
    expect(later).toMatchObject({ kind: 'stopped' });
    if (later.kind === 'stopped') expect(later.reason).toMatch(/HTTP 401.*stopped/);
    expect(server.seen).toHaveLength(9);
  });

  it('lets requests already in flight finish, and stops everything queued', async () => {
    server = await startLoopbackServer((_req, res, index) => (index >= 8 ? sendJson(res, 403, { message: 'Forbidden' }) : sendJson(res, 200, {})));
    const pool = createDispatchPool(createApiClient(testConfig(server.baseUrl)), { ...fast, concurrency: 4 });
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => pool.run(put(i), { idempotent: false })));
    const answered = results.filter((r) => r.kind === 'response');
    // Every request the server saw was answered to its caller; every other one was not sent.
    expect(answered).toHaveLength(server.seen.length);
    expect(server.seen.length).toBeGreaterThanOrEqual(9);
    expect(server.seen.length).toBeLessThanOrEqual(8 + 4);
    expect(results.filter((r) => r.kind === 'stopped')).toHaveLength(40 - answered.length);
    expect(pool.stopped()?.status).toBe(403);
  });

  it('does not re-send a read waiting to retry, nor one waiting for the rate limiter', async () => {
    let flakySeen: () => void = () => undefined;
    const flakyArrived = new Promise<void>((resolve) => (flakySeen = resolve));
    server = await startLoopbackServer((req, res) => {
      if (req.url.endsWith('/flaky')) {
        flakySeen();
        return sendJson(res, 502, { message: 'Bad gateway' });
      }
      return sendJson(res, 401, { message: 'Unauthenticated.' });
    });
    // One request per 10 s after the first: the queued ones would wait, not be sent.
    const pool = createDispatchPool(createApiClient(testConfig(server.baseUrl)), { ratePerMinute: 6, burst: 2, backoffBaseMs: 60_000, backoffMaxMs: 60_000 });
    const flaky = pool.run({ method: 'GET', path: '/api/flaky' }, { idempotent: true });
    await flakyArrived;
    const refused = pool.run({ method: 'GET', path: '/api/v1/account' }, { idempotent: true });
    const queued = [pool.run(put(1), { idempotent: true }), pool.run(put(2), { idempotent: false })];
    expect(statusOf(await refused)).toBe(401);
    expect((await flaky).kind).toBe('stopped');
    expect((await Promise.all(queued)).map((r) => r.kind)).toEqual(['stopped', 'stopped']);
    expect(server.seen.map((r) => r.url)).toEqual(['/api/flaky', '/api/v1/account']);
  });

  it('reports a run-wide abort as aborted, not stopped', async () => {
    server = await startLoopbackServer((_req, res) => sendJson(res, 200, {}));
    const controller = new AbortController();
    const pool = createDispatchPool(createApiClient(testConfig(server.baseUrl)), { ...fast, signal: controller.signal });
    controller.abort();
    expect(await pool.run(put(1), { idempotent: true })).toEqual({ kind: 'aborted' });
    expect(pool.stopped()).toBeUndefined();
  });
});

describe('createDispatchPool: rate limits', () => {
  it('pauses every worker once for Retry-After on a 429', async () => {
    server = await startLoopbackServer((_req, res, index) =>
      index === 4 ? sendJson(res, 429, { message: 'Too Many Attempts.' }, { 'retry-after': '0.2' }) : sendJson(res, 200, {}),
    );
    const events: PoolEvent[] = [];
    const pool = createDispatchPool(createApiClient(testConfig(server.baseUrl)), { ...fast, concurrency: 4, onEvent: (e) => events.push(e) });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => pool.run(put(i), { idempotent: true })));
    expect(results.map(statusOf)).toEqual(Array.from({ length: 20 }, () => 200));
    expect(server.seen).toHaveLength(21);
    expect(pool.stats()).toMatchObject({ rateLimited429: 1, retries: 0, pausedMs: 200 });
    expect(events.filter((e) => e.type === 'rate-limited')).toEqual([
      { type: 'rate-limited', request: expect.stringMatching(/^PUT \/api\/v1\/cases\/\d+$/) as unknown, pauseMs: 200, retryAfterSeconds: 0.2 },
    ]);
  });

  it('still backs off on Retry-After: 0 or a date in the past (no hot loop)', async () => {
    for (const retryAfter of ['0', 'Thu, 01 Jan 2015 00:00:00 GMT']) {
      server = await startLoopbackServer((_req, res) => sendJson(res, 429, {}, { 'retry-after': retryAfter }));
      const pauses: number[] = [];
      const pool = createDispatchPool(createApiClient(testConfig(server.baseUrl)), {
        ratePerMinute: 0,
        backoffBaseMs: 20,
        backoffMaxMs: 40,
        maxRateLimitWaitMs: 300,
        onEvent: (e) => (e.type === 'rate-limited' ? pauses.push(e.pauseMs) : undefined),
      });
      const result = await pool.run(post, { idempotent: false });
      expect(result).toMatchObject({ kind: 'response', response: { status: 429 } });
      // Pause k waits at least half its backoff ceiling min(40, 20·2^k): 10, then 20 each.
      pauses.forEach((pause, k) => expect(pause).toBeGreaterThanOrEqual(Math.min(40, 20 * 2 ** k) / 2));
      // So at most 1 + 14 pauses fit in 300 ms of waiting: 16 requests, not a hot loop of 50.
      expect(server.seen.length).toBeLessThanOrEqual(16);
      expect(server.seen.length).toBe(pauses.length + 1);
      await server.close();
      server = undefined;
    }
  });

  it('waits what a positive Retry-After says on every 429, not a backoff that grows past it', async () => {
    server = await startLoopbackServer((_req, res, index) => (index < 4 ? sendJson(res, 429, {}, { 'retry-after': '0.05' }) : sendJson(res, 200, {})));
    const pauses: number[] = [];
    const pool = createDispatchPool(createApiClient(testConfig(server.baseUrl)), {
      ratePerMinute: 0,
      backoffBaseMs: 1_000,
      backoffMaxMs: 30_000,
      onEvent: (e) => (e.type === 'rate-limited' ? pauses.push(e.pauseMs) : undefined),
    });
    expect(await pool.run(put(1), { idempotent: true })).toMatchObject({ kind: 'response', response: { status: 200 } });
    expect(pauses).toEqual([50, 50, 50, 50]);
  });

  it('backs off on a 429 without Retry-After, without spending maxRetries', async () => {
    server = await startLoopbackServer((_req, res, index) => (index < 3 ? sendJson(res, 429, {}) : sendJson(res, 200, {})));
    const events: PoolEvent[] = [];
    const pool = createDispatchPool(createApiClient(testConfig(server.baseUrl)), {
      ...fast,
      backoffBaseMs: 20,
      backoffMaxMs: 200,
      maxRetries: 0,
      onEvent: (e) => events.push(e),
    });
    const result = await pool.run(post, { idempotent: false });
    expect(result).toMatchObject({ kind: 'response', attempts: 4, response: { status: 200 } });
    const pauses = events.flatMap((e) => (e.type === 'rate-limited' ? [e.pauseMs] : []));
    expect(pauses).toHaveLength(3);
    pauses.forEach((pause, i) => {
      expect(pause).toBeGreaterThanOrEqual((20 * 2 ** i) / 2);
      expect(pause).toBeLessThan(20 * 2 ** i);
    });
  });

  it('gives up with the 429 once the total wait would pass maxRateLimitWaitMs', async () => {
    server = await startLoopbackServer((_req, res) => sendJson(res, 429, {}, { 'retry-after': '0.3' }));
    const pool = createDispatchPool(createApiClient(testConfig(server.baseUrl)), { ...fast, maxRateLimitWaitMs: 500 });
    const result = await pool.run(put(1), { idempotent: true });
    expect(result).toMatchObject({ kind: 'response', attempts: 2, response: { status: 429 } });
  });

  it('lets N requests at rate R go no sooner than the token bucket allows', async () => {
    vi.useFakeTimers({ now: 0 });
    const client = memoryClient(() => ({}));
    const pool = createDispatchPool(client, { ratePerMinute: 1200, burst: 2, concurrency: 8 });
    const n = 14;
    const done = Promise.all(Array.from({ length: n }, (_, i) => pool.run(put(i), { idempotent: true })));
    await vi.advanceTimersByTimeAsync(2_000);
    await done;
    const interval = 60_000 / (1200 - 2);
    expect(client.sentAt).toHaveLength(n);
    client.sentAt.forEach((at, k) => {
      const due = Math.max(0, (k + 1 - 2) * interval);
      expect(at).toBeGreaterThanOrEqual(Math.floor(due) - 1);
      expect(at).toBeLessThanOrEqual(Math.ceil(due) + 1);
    });
  });

  it('adopts a lower limit the server announces in X-Ratelimit-Limit', async () => {
    vi.useFakeTimers({ now: 0 });
    const client = memoryClient(() => ({ rateLimitLimit: 600 }));
    const pool = createDispatchPool(client, { ratePerMinute: 6000, burst: 1, concurrency: 4 });
    await pool.run(put(0), { idempotent: true });
    const done = Promise.all([1, 2, 3].map((i) => pool.run(put(i), { idempotent: true })));
    await vi.advanceTimersByTimeAsync(1_000);
    await done;
    const gaps = client.sentAt.slice(1).map((at, i) => at - (client.sentAt[i] ?? 0));
    // 600/min is one per ~100 ms; 6000/min would have been one per 10 ms.
    for (const gap of gaps.slice(1)) expect(gap).toBeGreaterThanOrEqual(99);
  });

  it('spaces requests out when X-Ratelimit-Remaining runs low, and stops once the window resets', async () => {
    server = await startLoopbackServer((_req, res, index) => sendJson(res, 200, {}, { 'x-ratelimit-remaining': index === 0 ? '3' : '480' }));
    const events: PoolEvent[] = [];
    const pool = createDispatchPool(createApiClient(testConfig(server.baseUrl)), { concurrency: 1, onEvent: (e) => events.push(e) });
    await pool.run(put(1), { idempotent: true });
    await pool.run(put(2), { idempotent: true });
    expect(events).toEqual([
      { type: 'throttled', remaining: 3, perMinute: 3 },
      { type: 'unthrottled', remaining: 480 },
    ]);
  });

  it('lifts the "few remaining" cap after the rate window even when later answers carry no rate headers', async () => {
    server = await startLoopbackServer((_req, res, index) => sendJson(res, 200, {}, index === 0 ? { 'x-ratelimit-remaining': '1' } : {}));
    const events: PoolEvent[] = [];
    const pool = createDispatchPool(createApiClient(testConfig(server.baseUrl)), { concurrency: 1, ratePerMinute: 0, rateWindowMs: 150, onEvent: (e) => events.push(e) });
    // Capped at one request a minute, the third request would wait a minute without the window rule.
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => pool.run(put(i), { idempotent: true })));
    expect(results.map(statusOf)).toEqual([200, 200, 200, 200, 200]);
    expect(events).toEqual([
      { type: 'throttled', remaining: 1, perMinute: 1 },
      { type: 'unthrottled', remaining: undefined },
    ]);
  });

  it('lifts the cap at most 60 s after it was set, by default', async () => {
    vi.useFakeTimers({ now: 0 });
    const events: PoolEvent[] = [];
    const client = memoryClient((index) => (index === 0 ? { rateLimitRemaining: 0 } : {}));
    const pool = createDispatchPool(client, { ratePerMinute: 0, concurrency: 1, onEvent: (e) => events.push(e) });
    const done = Promise.all(Array.from({ length: 4 }, (_, i) => pool.run(put(i), { idempotent: true })));
    await vi.advanceTimersByTimeAsync(59_999);
    expect(events.map((e) => e.type)).toEqual(['throttled']);
    await vi.advanceTimersByTimeAsync(1);
    expect(events.map((e) => e.type)).toEqual(['throttled', 'unthrottled']);
    await vi.advanceTimersByTimeAsync(0);
    await done;
    // Capped at one a minute, the last would wait until about 120 s; lifted, it goes at 60 s.
    expect(client.sentAt).toHaveLength(4);
    expect(client.sentAt[3]).toBe(60_000);
  });
});

describe('createDispatchPool: concurrency and abort', () => {
  it('never has more than `concurrency` requests in flight', async () => {
    server = await startLoopbackServer(async (_req, res) => {
      await new Promise((resolve) => setTimeout(resolve, 15));
      sendJson(res, 200, {});
    });
    const pool = createDispatchPool(createApiClient(testConfig(server.baseUrl)), { ratePerMinute: 0, concurrency: 5 });
    let maxInFlight = 0;
    const runs = Array.from({ length: 40 }, (_, i) => pool.run(put(i), { idempotent: true }));
    const watcher = setInterval(() => (maxInFlight = Math.max(maxInFlight, pool.stats().inFlight)), 2);
    await Promise.all(runs);
    clearInterval(watcher);
    expect(server.load.max).toBeLessThanOrEqual(5);
    expect(maxInFlight).toBeLessThanOrEqual(5);
    await pool.onIdle();
    expect(pool.stats()).toMatchObject({ requests: 40, inFlight: 0, queued: 0 });
  });

  it('stops starting requests on abort, and lets in-flight ones finish', async () => {
    const controller = new AbortController();
    server = await startLoopbackServer((_req, res, index) => {
      if (index === 2) controller.abort();
      sendJson(res, 200, {});
    });
    const pool = createDispatchPool(createApiClient(testConfig(server.baseUrl)), { ratePerMinute: 0, concurrency: 2, signal: controller.signal });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => pool.run(put(i), { idempotent: true })));
    const answered = results.filter((r) => r.kind === 'response').length;
    // Every request that reached the server was answered; none started after the abort.
    expect(answered).toBe(server.seen.length);
    expect(answered).toBeLessThanOrEqual(4);
    expect(results.filter((r) => r.kind === 'aborted')).toHaveLength(20 - answered);
    expect(await pool.run(put(99), { idempotent: true })).toEqual({ kind: 'aborted' });
    expect(server.seen).toHaveLength(answered);
  });

  it('resolves onIdle once everything queued has settled', async () => {
    server = await startLoopbackServer(async (_req, res) => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      sendJson(res, 200, {});
    });
    const pool = createDispatchPool(createApiClient(testConfig(server.baseUrl)), { ratePerMinute: 0, concurrency: 2 });
    await pool.onIdle();
    let settled = 0;
    for (let i = 0; i < 6; i++) void pool.run(put(i), { idempotent: true }).then(() => (settled += 1));
    expect(pool.stats().queued).toBeGreaterThan(0);
    await pool.onIdle();
    expect(settled).toBe(6);
  });
});
