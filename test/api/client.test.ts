import { getEventListeners } from 'node:events';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createApiClient, MAX_RESPONSE_BYTES, parseRetryAfter } from '../../src/api/client.js';
import { TransportError } from '../../src/api/errors.js';
import { closedPort, sendJson, startLoopbackServer, TEST_ACCOUNT, TEST_TOKEN, testConfig, type LoopbackServer } from './loopback.js';

let server: LoopbackServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function transportErrorOf(promise: Promise<unknown>): Promise<TransportError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TransportError);
    return error as TransportError;
  }
  throw new Error('expected a TransportError');
}

describe('createApiClient', () => {
  it('sends the token, account uuid, user agent and JSON content type', async () => {
    server = await startLoopbackServer((_req, res) => sendJson(res, 200, { data: { uuid: 'x' } }));
    const client = createApiClient(testConfig(server.baseUrl));
    const response = await client.send({ method: 'PUT', path: '/api/v2/contact-details/abc', body: { value: '+447911123456' } });

    expect(response).toMatchObject({ status: 200, body: { data: { uuid: 'x' } } });
    const [seen] = server.seen;
    expect(seen?.method).toBe('PUT');
    expect(seen?.url).toBe('/api/v2/contact-details/abc');
    expect(seen?.headers['authorization']).toBe(`Bearer ${TEST_TOKEN}`);
    expect(seen?.headers['x-plannr-account-uuid']).toBe(TEST_ACCOUNT);
    expect(seen?.headers['accept']).toBe('application/json');
    expect(seen?.headers['content-type']).toBe('application/json');
    expect(seen?.headers['user-agent']).toMatch(/^plannr-bulk\/\d+\.\d+\.\d+/);
    expect(JSON.parse(seen?.body ?? '')).toEqual({ value: '+447911123456' });
  });

  it('reads a body whose multi-byte characters arrive split across packets', async () => {
    const body = Buffer.from(JSON.stringify({ data: { name: 'Zoë – £1,234.56 👍' } }), 'utf8');
    // Cut inside the 2-byte ë, the 3-byte – and £'s 2 bytes, and the 4-byte emoji.
    const cuts = [body.indexOf(0xc3) + 1, body.indexOf(0xe2) + 2, body.indexOf(0xc2) + 1, body.indexOf(0xf0) + 3, body.length];
    server = await startLoopbackServer(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
      let from = 0;
      for (const cut of cuts) {
        res.write(body.subarray(from, cut));
        from = cut;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      res.end();
    });
    const response = await createApiClient(testConfig(server.baseUrl)).send({ method: 'GET', path: '/api/v1/cases/x' });
    expect(response.body).toEqual({ data: { name: 'Zoë – £1,234.56 👍' } });
  });

  it('uses the JSON:API media type for both Content-Type and Accept when asked', async () => {
    server = await startLoopbackServer((_req, res) => sendJson(res, 200, { data: {} }));
    const client = createApiClient(testConfig(server.baseUrl));
    await client.send({
      method: 'PUT',
      path: '/api/v2/contacts/c/people/p/phones/1',
      body: { data: { type: 'phone_numbers', id: '1', attributes: { number: '+447911123456' } } },
      contentType: 'application/vnd.api+json',
    });
    expect(server.seen[0]?.headers['content-type']).toBe('application/vnd.api+json');
    expect(server.seen[0]?.headers['accept']).toBe('application/vnd.api+json');
  });

  it('adds query parameters and sends no body on a GET', async () => {
    server = await startLoopbackServer((_req, res) => sendJson(res, 200, { data: [] }));
    const client = createApiClient(testConfig(server.baseUrl));
    await client.send({ method: 'GET', path: '/api/v1/account', query: { per_page: '500', 'filter[type]': 'client' } });
    const url = new URL(server.seen[0]?.url ?? '', server.baseUrl);
    expect(url.pathname).toBe('/api/v1/account');
    expect(url.searchParams.get('per_page')).toBe('500');
    expect(url.searchParams.get('filter[type]')).toBe('client');
    expect(server.seen[0]?.body).toBe('');
  });

  it('reads rate limit headers and Retry-After as seconds or an HTTP date', async () => {
    server = await startLoopbackServer((_req, res, index) =>
      sendJson(res, 429, { message: 'Too Many Attempts.' }, {
        'x-ratelimit-limit': '500',
        'x-ratelimit-remaining': '0',
        'retry-after': index === 0 ? '7' : new Date(Date.now() + 20_000).toUTCString(),
      }),
    );
    const client = createApiClient(testConfig(server.baseUrl));
    const bySeconds = await client.send({ method: 'GET', path: '/x' });
    expect(bySeconds).toMatchObject({ status: 429, retryAfterSeconds: 7, rateLimitRemaining: 0, rateLimitLimit: 500 });
    const byDate = await client.send({ method: 'GET', path: '/x' });
    expect(byDate.retryAfterSeconds).toBeGreaterThanOrEqual(18);
    expect(byDate.retryAfterSeconds).toBeLessThanOrEqual(21);
  });

  it('parses Retry-After strictly', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('returns text bodies as text and empty bodies as null', async () => {
    server = await startLoopbackServer((req, res) => {
      if (req.url === '/html') {
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end('<html><body>Bad gateway</body></html>');
      } else {
        res.writeHead(204);
        res.end();
      }
    });
    const client = createApiClient(testConfig(server.baseUrl));
    expect(await client.send({ method: 'GET', path: '/html' })).toMatchObject({ status: 502, body: '<html><body>Bad gateway</body></html>' });
    expect(await client.send({ method: 'GET', path: '/empty' })).toMatchObject({ status: 204, body: null });
  });

  it('redacts the token echoed back JSON-escaped, \\u-escaped, as HTML entities or URL-encoded', async () => {
    const token = '123|abcDEF/+xyz=';
    const echoes = [
      '123|abcDEF\\/+xyz=',
      '123\\u007cabcDEF\\u002F\\u002bxyz\\u003D',
      '123&#124;abcDEF&#x2F;&plus;xyz&equals;',
      '123&vert;abcDEF&sol;+xyz=',
      '123%7CabcDEF%2F%2Bxyz%3D',
    ];
    server = await startLoopbackServer((_req, res) => {
      const text = `{"message":"Unauthenticated.","echo":[${echoes.map((echo) => `"${echo}"`).join(',')}]}`;
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(text);
    });
    const client = createApiClient({ ...testConfig(server.baseUrl), token });
    const response = await client.send({ method: 'GET', path: '/api/v1/account' });
    expect(response.body).toEqual({ message: 'Unauthenticated.', echo: echoes.map(() => '[redacted]') });
  });

  it('redacts the token if a debug page echoes it back', async () => {
    server = await startLoopbackServer((req, res) => {
      res.writeHead(500, { 'content-type': 'text/html' });
      res.end(`<pre>Authorization: ${String(req.headers['authorization'])}</pre>`);
    });
    const client = createApiClient(testConfig(server.baseUrl));
    const response = await client.send({ method: 'GET', path: '/boom' });
    expect(String(response.body)).not.toContain(TEST_TOKEN);
    expect(String(response.body)).toContain('[redacted]');
  });

  it('never follows a redirect (our headers would go with it)', async () => {
    const elsewhere = await startLoopbackServer((_req, res) => sendJson(res, 200, {}));
    try {
      server = await startLoopbackServer((_req, res) => {
        res.writeHead(302, { location: `${elsewhere.baseUrl}/steal` });
        res.end();
      });
      const client = createApiClient(testConfig(server.baseUrl));
      expect((await client.send({ method: 'GET', path: '/go' })).status).toBe(302);
      expect(elsewhere.seen).toHaveLength(0);
    } finally {
      await elsewhere.close();
    }
  });

  it('refuses absolute URLs on another origin and paths without a leading slash', async () => {
    server = await startLoopbackServer((_req, res) => sendJson(res, 200, {}));
    const client = createApiClient(testConfig(server.baseUrl));
    await expect(client.send({ method: 'GET', path: 'https://evil.example.com/api' })).rejects.toThrow(/only the configured API host/);
    await expect(client.send({ method: 'GET', path: '//evil.example.com/api' })).rejects.toThrow(/must start with/);
    await expect(client.send({ method: 'GET', path: 'api/v1/account' })).rejects.toThrow(/must start with/);
    const sameOrigin = await client.send({ method: 'GET', path: `${server.baseUrl}/api/v1/account?page=2` });
    expect(sameOrigin.status).toBe(200);
    expect(server.seen.map((r) => r.url)).toEqual(['/api/v1/account?page=2']);
  });

  it('times out a server that never answers: kind timeout, may have reached the server', async () => {
    server = await startLoopbackServer(() => undefined);
    const client = createApiClient(testConfig(server.baseUrl, 150));
    const error = await transportErrorOf(client.send({ method: 'POST', path: '/api/v2/contact-details', body: {} }));
    expect(error.kind).toBe('timeout');
    expect(error.mayHaveReachedServer).toBe(true);
    expect(error.message).toMatch(/150 ms/);
    expect(error.message).not.toContain(TEST_TOKEN);
  });

  it('reports a socket destroyed mid-request as reset, may have reached the server', async () => {
    server = await startLoopbackServer((_req, res) => res.socket?.destroy());
    const client = createApiClient(testConfig(server.baseUrl));
    const error = await transportErrorOf(client.send({ method: 'POST', path: '/api/v2/contact-details', body: {} }));
    expect(error.kind).toBe('reset');
    expect(error.mayHaveReachedServer).toBe(true);
  });

  it('reports a reset after the whole request was read as may-have-reached-the-server', async () => {
    server = await startLoopbackServer((req, res) => {
      expect(req.body).toBe(JSON.stringify({ value: 'x' }));
      res.socket?.destroy();
    });
    const client = createApiClient(testConfig(server.baseUrl));
    const error = await transportErrorOf(client.send({ method: 'POST', path: '/api/v2/contact-details', body: { value: 'x' } }));
    expect(error).toMatchObject({ kind: 'reset', mayHaveReachedServer: true });
  });

  it('reports a connection reset before the request was written as certainly not sent', async () => {
    // A gateway that accepts the connection and resets it without reading a byte, while the
    // client is still writing a body larger than the socket buffers: the request never left whole.
    const tcp: TcpServer = createTcpServer((socket) => socket.resetAndDestroy());
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    try {
      const port = (tcp.address() as AddressInfo).port;
      const client = createApiClient(testConfig(`http://127.0.0.1:${port}`));
      const body = { notes: 'x'.repeat(32 * 1024 * 1024) };
      const error = await transportErrorOf(client.send({ method: 'POST', path: '/api/v1/cases', body }));
      expect(error).toMatchObject({ kind: 'reset', mayHaveReachedServer: false });
      expect(error.message).toMatch(/not sent/);
    } finally {
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    }
  });

  it('says a request that timed out while its body was still being written was not sent', async () => {
    // A server that accepts the connection and never reads: a 32 MB body cannot all be handed
    // to the operating system, so the whole request never left.
    const sockets: Socket[] = [];
    const tcp: TcpServer = createTcpServer((socket) => {
      sockets.push(socket);
      socket.pause();
    });
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    try {
      const port = (tcp.address() as AddressInfo).port;
      const client = createApiClient(testConfig(`http://127.0.0.1:${port}`, 300));
      const error = await transportErrorOf(client.send({ method: 'POST', path: '/api/v1/cases', body: { notes: 'x'.repeat(32 * 1024 * 1024) } }));
      expect(error).toMatchObject({ kind: 'timeout', mayHaveReachedServer: false });
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    }
  });

  it('fails a body over 16 MB as too-large (declared or streamed), and keeps working after', async () => {
    expect(MAX_RESPONSE_BYTES).toBe(16 * 1024 * 1024);
    const chunk = Buffer.alloc(1024 * 1024, 'a');
    server = await startLoopbackServer(async (req, res) => {
      if (req.url === '/small') return sendJson(res, 200, { ok: true });
      if (req.url === '/declared') res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(20 * chunk.length) });
      else res.writeHead(200, { 'content-type': 'text/plain' }); // chunked: no length given
      for (let i = 0; i < 20 && !res.destroyed; i++) {
        if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve).once('close', resolve));
      }
      res.end();
    });
    const client = createApiClient(testConfig(server.baseUrl));
    for (const path of ['/declared', '/streamed']) {
      const error = await transportErrorOf(client.send({ method: 'GET', path }));
      expect(error).toMatchObject({ kind: 'too-large', mayHaveReachedServer: true });
      expect(error.message).toMatch(/16777216-byte limit/);
    }
    expect(await client.send({ method: 'GET', path: '/small' })).toMatchObject({ status: 200, body: { ok: true } });
  });

  it('returns a 2xx HTML page as a response, as it came (judging it is the caller\'s job)', async () => {
    server = await startLoopbackServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body>Please wait…</body></html>');
    });
    const client = createApiClient(testConfig(server.baseUrl));
    const response = await client.send({ method: 'POST', path: '/api/v1/cases', body: {} });
    expect(response).toMatchObject({ status: 200, body: '<html><body>Please wait…</body></html>' });
  });

  it('reports a body cut short as reset', async () => {
    server = await startLoopbackServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"data": [');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const client = createApiClient(testConfig(server.baseUrl));
    const error = await transportErrorOf(client.send({ method: 'GET', path: '/list' }));
    expect(error.kind).toBe('reset');
  });

  it('reports a refused connection as connect: certainly not sent', async () => {
    const port = await closedPort();
    const client = createApiClient(testConfig(`http://127.0.0.1:${port}`));
    const error = await transportErrorOf(client.send({ method: 'POST', path: '/api/v2/contact-details', body: {} }));
    expect(error.kind).toBe('connect');
    expect(error.mayHaveReachedServer).toBe(false);
    expect(error.message).toMatch(/ECONNREFUSED/);
  });

  it('stops on the caller\'s signal: kind aborted', async () => {
    server = await startLoopbackServer(() => undefined);
    const client = createApiClient(testConfig(server.baseUrl));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await transportErrorOf(client.send({ method: 'GET', path: '/slow' }, controller.signal));
    expect(error.kind).toBe('aborted');
    const before = await transportErrorOf(client.send({ method: 'GET', path: '/slow' }, AbortSignal.abort()));
    expect(before).toMatchObject({ kind: 'aborted', mayHaveReachedServer: false });
  });

  it('leaves no listener on a long-lived run signal after many requests', async () => {
    server = await startLoopbackServer((_req, res) => sendJson(res, 200, {}));
    const client = createApiClient(testConfig(server.baseUrl));
    const run = new AbortController();
    for (let i = 0; i < 50; i++) await client.send({ method: 'GET', path: `/x/${i}` }, run.signal);
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
  });

  it('keeps the token out of every transport error message', async () => {
    server = await startLoopbackServer((_req, res) => res.socket?.destroy());
    const port = await closedPort();
    const errors = await Promise.all([
      transportErrorOf(createApiClient(testConfig(server.baseUrl)).send({ method: 'GET', path: '/a' })),
      transportErrorOf(createApiClient(testConfig(`http://127.0.0.1:${port}`)).send({ method: 'GET', path: '/b' })),
    ]);
    for (const error of errors) {
      expect(`${error.message} ${String(error.stack)} ${JSON.stringify(error)}`).not.toContain(TEST_TOKEN);
    }
  });
});
