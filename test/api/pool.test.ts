import { afterEach, describe, expect, it } from 'vitest';
import { createApiClient, type ApiRequest } from '../../src/api/client.js';
import { createDispatchPool, type DispatchResult, type PoolEvent } from '../../src/api/pool.js';
import { closedPort, sendJson, startLoopbackServer, testConfig, TEST_TOKEN, type LoopbackServer } from './loopback.js';

let server: LoopbackServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const put = (id: number): ApiRequest => ({ method: 'PUT', path: `/api/v1/cases/${id}`, body: { name: `Case ${id}` } });
const post: ApiRequest = { method: 'POST', path: '/api/v2/contact-details', body: { type: 'email', value: 'a@example.com' } };
const fast = { backoffBaseMs: 5, backoffMaxMs: 20, ratePerMinute: 0 };
const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function statusOf(result: DispatchResult): number | string {
  return result.kind === 'response' ? result.response.status : result.kind;
}

describe('createDispatchPool: retries', () => {
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

  it('retries an idempotent PUT after a reset, but never a POST: that one is unknown', async () => {
    server = await startLoopbackServer((req, res, index) => (index === 0 || req.method === 'POST' ? res.socket?.destroy() : sendJson(res, 200, {})));
    const pool = createDispatchPool(createApiClient(testConfig(server.baseUrl)), fast);
    expect(await pool.run(put(1), { idempotent: true })).toMatchObject({ kind: 'response', attempts: 2 });
    const created = await pool.run(post, { idempotent: false });
    expect(created).toMatchObject({ kind: 'unknown', attempts: 1 });
    expect(server.seen.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('does not re-send a POST that timed out (unknown), but does retry a PUT until maxRetries', async () => {
    server = await startLoopbackServer(() => undefined);
    const pool = createDispatchPool(createApiClient(testConfig(server.baseUrl, 100)), { ...fast, maxRetries: 1 });
    const [created, updated] = await Promise.all([pool.run(post, { idempotent: false }), pool.run(put(1), { idempotent: true })]);
    expect(created).toMatchObject({ kind: 'unknown', attempts: 1 });
    if (created.kind === 'unknown') expect(created.error).toMatch(/no answer within 100 ms/);
    expect(updated).toMatchObject({ kind: 'failed', attempts: 2 });
    expect(server.seen.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(server.seen.filter((r) => r.method === 'PUT')).toHaveLength(2);
    expect(pool.stats().transportErrors).toBe(3);
  });

  it('retries a POST whose connection was refused (it certainly was not sent), then fails', async () => {
    const port = await closedPort();
    const pool = createDispatchPool(createApiClient(testConfig(`http://127.0.0.1:${port}`)), { ...fast, maxRetries: 2 });
    const result = await pool.run(post, { idempotent: false });
    expect(result).toMatchObject({ kind: 'failed', attempts: 3 });
    if (result.kind === 'failed') {
      expect(result.error).toMatch(/not sent/);
      expect(result.error).not.toContain(TEST_TOKEN);
    }
  });

  it('retries a POST answered 503, but a POST answered 500 is unknown and not re-sent', async () => {
    server = await startLoopbackServer((req, res, index) => {
      if (req.url.endsWith('/maintenance')) return index === 0 ? sendJson(res, 503, { message: 'Service Unavailable' }) : sendJson(res, 201, { data: {} });
      return sendJson(res, 500, { message: 'Server Error' });
    });
    const pool = createDispatchPool(createApiClient(testConfig(server.baseUrl)), fast);
    const retried = await pool.run({ ...post, path: '/api/maintenance' }, { idempotent: false });
    expect(retried).toMatchObject({ kind: 'response', attempts: 2, response: { status: 201 } });
    const broken = await pool.run({ ...post, path: '/api/broken' }, { idempotent: false });
    expect(broken).toMatchObject({ kind: 'unknown', attempts: 1, response: { status: 500 } });
    expect(server.seen.filter((r) => r.url === '/api/broken')).toHaveLength(1);
  });
});

describe('createDispatchPool: rate limits', () => {
  it('pauses every worker for Retry-After on a 429', async () => {
    let rateLimitedAt = 0;
    server = await startLoopbackServer((req, res, index) => {
      if (index === 4) {
        rateLimitedAt = req.at;
        return sendJson(res, 429, { message: 'Too Many Attempts.' }, { 'retry-after': '1' });
      }
      return sendJson(res, 200, {});
    });
    const events: PoolEvent[] = [];
    const pool = createDispatchPool(createApiClient(testConfig(server.baseUrl)), { ...fast, concurrency: 4, onEvent: (e) => events.push(e) });
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => pool.run(put(i), { idempotent: true })));
    expect(results.map(statusOf)).toEqual(Array.from({ length: 20 }, () => 200));
    // Requests already on the wire when the 429 came back may land just after it; nothing else may.
    const duringPause = server.seen.filter((r) => r.at > rateLimitedAt + 100 && r.at < rateLimitedAt + 950);
    expect(duringPause).toHaveLength(0);
    expect(performance.now() - started).toBeGreaterThanOrEqual(990);
    expect(server.seen).toHaveLength(21);
    expect(pool.stats()).toMatchObject({ rateLimited429: 1, retries: 0 });
    expect(pool.stats().pausedMs).toBeGreaterThanOrEqual(990);
    expect(events).toContainEqual(expect.objectContaining({ type: 'rate-limited', pauseMs: 1000, retryAfterSeconds: 1 }));
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
    pauses.forEach((pause, i) => expect(pause).toBeLessThan(20 * 2 ** i));
  });

  it('gives up with the 429 once the total wait would pass maxRateLimitWaitMs', async () => {
    server = await startLoopbackServer((_req, res) => sendJson(res, 429, {}, { 'retry-after': '0.3' }));
    const pool = createDispatchPool(createApiClient(testConfig(server.baseUrl)), { ...fast, maxRateLimitWaitMs: 500 });
    const result = await pool.run(put(1), { idempotent: true });
    expect(result).toMatchObject({ kind: 'response', attempts: 2, response: { status: 429 } });
  });

  it('keeps N requests at rate R to no less than (N − burst)/R, and not much more', async () => {
    server = await startLoopbackServer((_req, res) => sendJson(res, 200, {}));
    const pool = createDispatchPool(createApiClient(testConfig(server.baseUrl)), { ratePerMinute: 1200, burst: 2, concurrency: 8 });
    const n = 14;
    await Promise.all(Array.from({ length: n }, (_, i) => pool.run(put(i), { idempotent: true })));
    const times = server.seen.map((r) => r.at);
    const first = times[0] ?? 0;
    const refillPerMs = (1200 - 2) / 60_000;
    times.forEach((at, k) => expect(at - first).toBeGreaterThanOrEqual((k + 1 - 2) / refillPerMs - 10));
    const span = (times[n - 1] ?? 0) - first;
    expect(span).toBeLessThan((n - 2) / refillPerMs + 200);
  });

  it('adopts a lower limit the server announces in X-Ratelimit-Limit', async () => {
    server = await startLoopbackServer((_req, res) => sendJson(res, 200, {}, { 'x-ratelimit-limit': '600' }));
    const pool = createDispatchPool(createApiClient(testConfig(server.baseUrl)), { ratePerMinute: 6000, burst: 1, concurrency: 4 });
    await pool.run(put(0), { idempotent: true });
    await Promise.all([1, 2, 3].map((i) => pool.run(put(i), { idempotent: true })));
    const times = server.seen.map((r) => r.at);
    // 600/min is one per 100 ms; 6000/min would have been one per 10 ms.
    expect((times[3] ?? 0) - (times[1] ?? 0)).toBeGreaterThanOrEqual(190);
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
});

describe('createDispatchPool: concurrency and abort', () => {
  it('never has more than `concurrency` requests in flight', async () => {
    server = await startLoopbackServer(async (_req, res) => {
      await delay(15);
      sendJson(res, 200, {});
    });
    const pool = createDispatchPool(createApiClient(testConfig(server.baseUrl)), { ratePerMinute: 0, concurrency: 5 });
    let maxInFlight = 0;
    const runs = Array.from({ length: 40 }, (_, i) => pool.run(put(i), { idempotent: true }));
    const watcher = setInterval(() => (maxInFlight = Math.max(maxInFlight, pool.stats().inFlight)), 2);
    await Promise.all(runs);
    clearInterval(watcher);
    expect(server.load.max).toBe(5);
    expect(maxInFlight).toBeLessThanOrEqual(5);
    await pool.onIdle();
    expect(pool.stats()).toMatchObject({ requests: 40, inFlight: 0, queued: 0 });
  });

  it('stops starting requests on abort, and lets in-flight ones finish', async () => {
    server = await startLoopbackServer(async (_req, res) => {
      await delay(40);
      sendJson(res, 200, {});
    });
    const controller = new AbortController();
    const pool = createDispatchPool(createApiClient(testConfig(server.baseUrl)), { ratePerMinute: 0, concurrency: 2, signal: controller.signal });
    const runs = Array.from({ length: 20 }, (_, i) => pool.run(put(i), { idempotent: true }));
    setTimeout(() => controller.abort(), 60);
    const results = await Promise.all(runs);
    const answered = results.filter((r) => r.kind === 'response').length;
    // About two batches of two had started by 60 ms; every request that started was answered.
    expect(answered).toBeGreaterThanOrEqual(2);
    expect(answered).toBeLessThanOrEqual(6);
    expect(results.filter((r) => r.kind === 'aborted')).toHaveLength(20 - answered);
    await delay(60);
    expect(server.seen).toHaveLength(answered);
    expect(await pool.run(put(99), { idempotent: true })).toEqual({ kind: 'aborted' });
  });

  it('resolves onIdle once everything queued has settled', async () => {
    server = await startLoopbackServer(async (_req, res) => {
      await delay(10);
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
