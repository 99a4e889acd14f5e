/** A tiny real HTTP server on 127.0.0.1 for the api tests: no mocked fetch anywhere. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  readonly at: number;
}

export interface LoopbackServer {
  readonly baseUrl: string;
  readonly seen: SeenRequest[];
  /** Requests being handled right now, and the most seen at once. */
  readonly load: { current: number; max: number };
  close(): Promise<void>;
}

export type Handler = (request: SeenRequest, response: ServerResponse, index: number) => unknown;

export async function startLoopbackServer(handler: Handler): Promise<LoopbackServer> {
  const seen: SeenRequest[] = [];
  const load = { current: 0, max: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: SeenRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: performance.now(),
      };
      const index = seen.push(request) - 1;
      load.current += 1;
      load.max = Math.max(load.max, load.current);
      res.on('close', () => {
        load.current -= 1;
      });
      void Promise.resolve(handler(request, res, index)).catch((error: unknown) => {
        res.destroy(error instanceof Error ? error : new Error(String(error)));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    seen,
    load,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

/** A port nothing listens on: bind one, note it, close it. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export const TEST_TOKEN = 'tok_SECRET_1234567890abcdef';
export const TEST_ACCOUNT = '2f1b6c1e-8d6a-4b55-9a4e-0d5c2b7f9a10';

export function testConfig(baseUrl: string, timeoutMs = 5_000) {
  return { baseUrl, token: TEST_TOKEN, accountUuid: TEST_ACCOUNT, timeoutMs };
}
