/**
 * DispatchPool throughput against a loopback node:http server that answers at once.
 * Run: npx tsx bench/pool.ts
 *  1. requests/s with no rate limit at concurrency 8 and 32, beside bare fetch at the same
 *     concurrency (the pool's overhead is the difference);
 *  2. wall time for N = 300 requests at R = 6000/min, against N/R;
 *  3. client CPU per request (this process only: the server runs in a child process) at
 *     concurrency 32 against a server that answers after 50 ms, pool beside bare fetch.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApiClient } from '../src/api/client.js';
import { createDispatchPool, type DispatchPoolOptions } from '../src/api/pool.js';

const body = JSON.stringify({ data: { uuid: '6ff8c5b4-0000-4000-8000-000000000000' } });
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-ratelimit-remaining': '499' });
    res.end(body);
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const config = { baseUrl, token: 'bench-token', accountUuid: 'bench-account', timeoutMs: 10_000 };
const request = { method: 'PUT' as const, path: '/api/v1/cases/6ff8c5b4', body: { name: 'Bench case', value: 123450 } };

async function poolRun(n: number, options: DispatchPoolOptions): Promise<number> {
  const pool = createDispatchPool(createApiClient(config), options);
  const started = performance.now();
  const results = await Promise.all(Array.from({ length: n }, () => pool.run(request, { idempotent: true })));
  const elapsed = performance.now() - started;
  if (results.some((r) => r.kind !== 'response' || r.response.status !== 200)) throw new Error('a request failed');
  return elapsed;
}

/** The same requests with bare fetch and N workers: what the pool adds on top. */
async function bareFetch(n: number, concurrency: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < n) {
      next += 1;
      const response = await fetch(`${baseUrl}${request.path}`, {
        method: 'PUT',
        headers: { authorization: 'Bearer x', 'content-type': 'application/json' },
        body: JSON.stringify(request.body),
      });
      await response.text();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return performance.now() - started;
}

const perSecond = (n: number, ms: number): string => `${Math.round((n * 1000) / ms).toLocaleString('en-GB')} req/s`;
const N = 10_000;

await poolRun(1_000, { ratePerMinute: 0, concurrency: 8 }); // warm up sockets and JIT
await bareFetch(1_000, 8);
console.log(`Unlimited rate, ${N.toLocaleString('en-GB')} PUTs to loopback:`);
for (const concurrency of [8, 32]) {
  const bare = await bareFetch(N, concurrency);
  const pooled = await poolRun(N, { ratePerMinute: 0, concurrency });
  console.log(
    `  concurrency ${String(concurrency).padStart(2)}: pool ${perSecond(N, pooled)} (bare fetch ${perSecond(N, bare)}; pool/bare time ${(pooled / bare).toFixed(2)}×)`,
  );
}

const n = 300;
const rate = 6000;
const ideal = (n / rate) * 60_000;
console.log(`\nN = ${n} at R = ${rate}/min (N/R = ${(ideal / 1000).toFixed(2)} s):`);
const withDefaultBurst = await poolRun(n, { ratePerMinute: rate, concurrency: 8 });
console.log(`  default burst (100): ${(withDefaultBurst / 1000).toFixed(2)} s  [bound: (N − burst) / (R − burst) = ${(((n - 100) / (rate - 100)) * 60).toFixed(2)} s]`);
const withBurstOne = await poolRun(n, { ratePerMinute: rate, burst: 1, concurrency: 8 });
console.log(`  burst 1:             ${(withBurstOne / 1000).toFixed(2)} s  [bound: (N − 1) / (R − 1) = ${(((n - 1) / (rate - 1)) * 60).toFixed(2)} s]`);

/** A server in its own process, answering after 50 ms, so cpuUsage() below is the client's alone. */
async function slowServerProcess(): Promise<{ baseUrl: string; stop: () => void }> {
  const script = `
    const http = require('node:http');
    const body = ${JSON.stringify(body)};
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      }, 50));
    });
    server.keepAliveTimeout = 30000;
    server.listen(0, '127.0.0.1', () => console.log(server.address().port));`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) => child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
  return { baseUrl: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

async function cpuPerRequest(n: number, send: () => Promise<void>, concurrency: number): Promise<number> {
  let next = 0;
  const before = process.cpuUsage();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        next += 1;
        await send();
      }
    }),
  );
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / n;
}

const slow = await slowServerProcess();
try {
  const slowConfig = { ...config, baseUrl: slow.baseUrl };
  const pool = createDispatchPool(createApiClient(slowConfig), { ratePerMinute: 0, concurrency: 32 });
  const viaPool = async (): Promise<void> => {
    const result = await pool.run(request, { idempotent: true });
    if (result.kind !== 'response' || result.response.status !== 200) throw new Error('a request failed');
  };
  const viaFetch = async (): Promise<void> => {
    const response = await fetch(`${slow.baseUrl}${request.path}`, {
      method: 'PUT',
      headers: { authorization: 'Bearer x', 'content-type': 'application/json' },
      body: JSON.stringify(request.body),
    });
    await response.text();
  };
  await cpuPerRequest(500, viaPool, 32); // warm up
  await cpuPerRequest(500, viaFetch, 32);
  const n3 = 3_000;
  const poolCpu = await cpuPerRequest(n3, viaPool, 32);
  const fetchCpu = await cpuPerRequest(n3, viaFetch, 32);
  console.log(`\nClient CPU per request, concurrency 32, server answering after 50 ms (${n3.toLocaleString('en-GB')} PUTs):`);
  console.log(`  pool + client: ${poolCpu.toFixed(3)} ms   bare fetch: ${fetchCpu.toFixed(3)} ms`);
} finally {
  slow.stop();
}

server.closeAllConnections();
server.close();
