/**
 * A local emulator of the Plannr API (and MPDX's phone resource) on 127.0.0.1, for the demo,
 * the end-to-end tests and the benchmarks. Faithful where the tool depends on it: auth,
 * rate-limit headers and 429s, Laravel error shapes, pagination, and injected faults
 * (500s before a write, dropped connections before or after a write, slow responses, and the
 * gateway and proxy misbehaviours of faults.ts: 504 then commit, lagging lists, 2xx pages that
 * are not the record, echoed tokens, a revoked token, prototype-named field errors).
 *
 * Hono + @hono/node-server: routing and typed handlers with no further dependencies, and the
 * raw Node socket is reachable (c.env.incoming) to drop a connection without a response.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { nowIso, type RouteDeps, type SandboxContext, type SandboxEnv, type WriteLogEntry } from './http.js';
import {
  createFaultPicker,
  createListLag,
  DEFAULT_GATEWAY_COMMIT_MS,
  faultsSchema,
  GATEWAY_TIMEOUT_PAGE,
  HTML_OK_PAGE,
  isWrite,
  protoFieldsBody,
  tokenEchoBody,
  type FaultPicker,
  type Faults,
} from './faults.js';
import { createRandom, createSeedState } from './seed.js';
import { checkTables, cloneState, dumpState, loadState, type SandboxState } from './state.js';
import { routesByEntity, sandboxTables } from './routes/index.js';

export type { WriteLogEntry } from './http.js';
export type { Faults } from './faults.js';

export interface SandboxOptions {
  /** 0 = any free port (default). */
  port?: number;
  /** Starting data; default createSeedState() with the route files' tables. Copied: the caller's object is never mutated. */
  state?: SandboxState;
  /** Requests per minute per token; default 500 (Plannr's limit); 0 = unlimited. */
  ratePerMinute?: number;
  faults?: Faults;
  /** Added to every /api request. */
  latencyMs?: number;
  /** Seed of the PRNG that decides which requests get faults (reproducible runs). Default 1. */
  faultSeed?: number;
}

export interface RunningSandbox {
  /** e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  /**
   * The live state (replaced by POST /__sandbox/reset). A record a test adds to it directly,
   * after a list has been served, shows in lists only after the next write: lists remember a
   * map's order until a write (state.ts recordsInOrder). Add records before the first request.
   */
  readonly state: SandboxState;
  /** Every applied write, in order. Cleared by reset. */
  writes: WriteLogEntry[];
  /** Replaces the faults (their `…Next` and request counts start again); `{}` lifts them all. */
  setFaults(faults: Faults): void;
  /** Faults injected so far (since start or reset), by name: e.g. {gatewayTimeout: 3, readError: 12}. */
  injected(): Readonly<Record<string, number>>;
  /** Writes answered 504 whose commit is still to come. */
  pendingCommits(): number;
  /** Resolves once every pending gateway commit has been applied. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/** Marks a gateway's delayed commit replayed into the app: it skips faults, the rate limit and the token count. */
const COMMIT_HEADER = 'x-sandbox-commit';

const WINDOW_MS = 60_000;

interface RateWindow {
  startedAt: number;
  count: number;
}

/** Laravel's fixed-window limiter: the window starts at the first hit and lasts 60 s. */
export function takeRateToken(
  windows: Map<string, RateWindow>,
  key: string,
  limit: number,
  nowMs: number,
): { allowed: boolean; remaining: number; retryAfterSeconds: number } {
  let window = windows.get(key);
  if (window === undefined || nowMs - window.startedAt >= WINDOW_MS) {
    window = { startedAt: nowMs, count: 0 };
    windows.set(key, window);
  }
  const retryAfterSeconds = Math.max(1, Math.ceil((window.startedAt + WINDOW_MS - nowMs) / 1000));
  if (window.count >= limit) return { allowed: false, remaining: 0, retryAfterSeconds };
  window.count += 1;
  return { allowed: true, remaining: limit - window.count, retryAfterSeconds };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function startSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  const initialState = cloneState(options.state ?? createSeedState({ tables: sandboxTables }));
  // Records of the tables route files own are typed by their schemas only once checked here.
  // A bad starting state (a --seed file) is the caller's to fix, said as such (exit 2, no stack).
  try {
    checkTables(initialState, sandboxTables);
  } catch (error) {
    throw new UsageError(`the sandbox's starting state: ${(error as Error).message}`);
  }
  const ratePerMinute = options.ratePerMinute ?? 500;
  let state = cloneState(initialState);
  let faults: Faults = {};
  let burstLeft = 0;
  const writes: WriteLogEntry[] = [];
  const rateWindows = new Map<string, RateWindow>();
  const random = createRandom(options.faultSeed ?? 1);
  let injected: Record<string, number> = {};
  let picker: FaultPicker = createFaultPicker({}, random, injected);
  const lag = createListLag();
  /** Per request: the fault it runs under (tags its write in the log). */
  const requestFault = new AsyncLocalStorage<string | undefined>();
  const commitSecret = randomUUID();
  const commitTimers = new Set<NodeJS.Timeout>();
  const commitsInFlight = new Set<Promise<unknown>>();

  const setFaults = (next: Faults): void => {
    faults = faultsSchema.parse(next);
    burstLeft = faults.burst429 ?? 0;
    picker = createFaultPicker(faults, random, injected);
  };
  setFaults(options.faults ?? {});

  /** What a resource's routes get; its writes are logged under its entity name. */
  const depsOf = (resource: string): RouteDeps => ({
    state: () => state,
    recordWrite: (entry) => {
      const fault = requestFault.getStore();
      writes.push({ seq: writes.length + 1, at: nowIso(), ...entry, resource, ...(fault !== undefined ? { fault } : {}) });
      if (entry.method === 'POST') lag.created(entry.uuid, Date.now());
    },
    readFails: () => picker.readError(),
    changing: (uuid, record) => {
      if ((faults.listLagMs ?? 0) > 0) lag.changing(uuid, record, Date.now(), faults.listLagMs ?? 0);
    },
    listLags: () => (faults.listLagMs ?? 0) > 0,
    listed: (uuid, record) => lag.view(uuid, record, Date.now(), faults.listLagMs ?? 0),
    // Every record a request adds is in a logged write (a reset or a loaded state has new maps).
    stamp: () => writes.length,
  });

  const cancelCommits = (): void => {
    for (const timer of commitTimers) clearTimeout(timer);
    commitTimers.clear();
  };

  const app = new Hono<SandboxEnv>();

  // Admin endpoints: no auth, no faults, no rate limit.
  app.get('/__sandbox/state', (c) => c.json(dumpState(state)));
  app.get('/__sandbox/writes', (c) => c.json(writes));
  app.get('/__sandbox/faults', (c) => c.json({ faults, injected, pendingCommits: commitTimers.size }));
  app.post('/__sandbox/faults', async (c) => {
    const parsed = faultsSchema.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return c.json({ message: `Invalid faults: ${z.prettifyError(parsed.error)}` }, 422);
    setFaults(parsed.data);
    return c.json(faults);
  });
  app.post('/__sandbox/reset', (c) => {
    cancelCommits();
    state = cloneState(initialState);
    writes.length = 0;
    rateWindows.clear();
    lag.clear();
    injected = {};
    setFaults(options.faults ?? {});
    return c.json({ message: 'reset' });
  });
  app.post('/__sandbox/state', async (c) => {
    try {
      const loaded = loadState(await c.req.json());
      checkTables(loaded, sandboxTables);
      state = loaded;
    } catch (error) {
      return c.json({ message: error instanceof Error ? error.message : String(error) }, 422);
    }
    return c.json({ message: 'loaded' });
  });

  /** A gateway's delayed commit: the same request, replayed into the app past every fault. */
  const commitLater = (c: SandboxContext, body: string, fault: string): void => {
    const headers = new Headers(c.req.raw.headers);
    headers.set(COMMIT_HEADER, `${commitSecret}:${fault}`);
    headers.delete('content-length');
    const replay = new Request(c.req.url, { method: c.req.method, headers, body });
    const env = c.env;
    const timer = setTimeout(() => {
      commitTimers.delete(timer);
      const done = Promise.resolve(app.fetch(replay, env)).catch(() => undefined);
      commitsInFlight.add(done);
      void done.finally(() => commitsInFlight.delete(done));
    }, faults.gatewayCommitMs ?? DEFAULT_GATEWAY_COMMIT_MS);
    commitTimers.add(timer);
  };

  // A gateway's replayed commit skips everything but auth and the handler.
  app.use('/api/*', async (c, next) => {
    const commit = c.req.header(COMMIT_HEADER);
    if (commit === undefined) return next();
    const [secret, fault] = commit.split(':');
    if (secret !== commitSecret) return c.json({ message: 'Forbidden.' }, 403);
    await requestFault.run(fault, next);
  });

  // Infrastructure faults come first: they stand for a load balancer or a crashing worker.
  app.use('/api/*', async (c, next) => {
    if (c.req.header(COMMIT_HEADER) !== undefined) return next();
    const delay = (options.latencyMs ?? 0) + ((faults.slowRate ?? 0) > 0 && random() < (faults.slowRate ?? 0) ? (faults.slowMs ?? 0) : 0);
    if (delay > 0) await sleep(delay);

    if (picker.revoked()) return c.json({ message: 'Unauthenticated.' }, 401);
    const drop = (faults.dropRate ?? 0) > 0 && random() < (faults.dropRate ?? 0);
    const dropAfterWrite = drop && random() < 0.5;
    if (drop && !dropAfterWrite) {
      picker.count('dropBefore');
      c.env.incoming.socket.destroy();
      return c.body(null, 500);
    }
    if ((faults.errorRate ?? 0) > 0 && random() < (faults.errorRate ?? 0)) {
      picker.count('error500');
      return c.json({ message: 'Server Error' }, 500);
    }
    if (burstLeft > 0) {
      burstLeft -= 1;
      picker.count('burst429');
      c.header('Retry-After', '1');
      if (ratePerMinute > 0) {
        c.header('X-Ratelimit-Limit', String(ratePerMinute));
        c.header('X-Ratelimit-Remaining', '0');
      }
      return c.json({ message: 'Too Many Attempts.' }, 429);
    }
    if (dropAfterWrite) {
      picker.count('dropAfter');
      await requestFault.run('drop-after-write', next);
      // The handler has run (any write is applied and logged); the client never hears back.
      c.env.incoming.socket.destroy();
      return;
    }
    await next();
  });

  // Auth: a known Bearer token; for Plannr routes also an account that token may act as.
  app.use('/api/*', async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const token = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
    const logins = token === undefined ? [] : state.logins.filter((l) => l.token === token);
    if (token === undefined || logins.length === 0) return c.json({ message: 'Unauthenticated.' }, 401);
    const isMpdx = c.req.path.startsWith('/api/v2/contacts/');
    if (!isMpdx) {
      const accountUuid = c.req.header('x-plannr-account-uuid');
      if (accountUuid === undefined || accountUuid.trim() === '') {
        return c.json({ message: 'The X-PLANNR-ACCOUNT-UUID header is required.' }, 403);
      }
      if (!logins.some((l) => l.account_uuid === accountUuid.trim())) {
        return c.json({ message: 'This action is unauthorized: you cannot act as that account.' }, 403);
      }
    }
    if (ratePerMinute > 0 && c.req.header(COMMIT_HEADER) === undefined) {
      const taken = takeRateToken(rateWindows, token, ratePerMinute, Date.now());
      c.header('X-Ratelimit-Limit', String(ratePerMinute));
      c.header('X-Ratelimit-Remaining', String(taken.remaining));
      if (!taken.allowed) {
        c.header('Retry-After', String(taken.retryAfterSeconds));
        c.header('X-Ratelimit-Reset', String(Math.floor(Date.now() / 1000) + taken.retryAfterSeconds));
        return c.json({ message: 'Too Many Attempts.' }, 429);
      }
    }
    await next();
  });

  // Gateway and proxy faults: behind auth (the backend saw a valid request), in front of the handler.
  app.use('/api/*', async (c, next) => {
    if (c.req.header(COMMIT_HEADER) !== undefined) return next();
    const method = c.req.method;
    const jsonApi = c.req.path.startsWith('/api/v2/contacts/');
    if (!isWrite(method)) return next();
    switch (picker.forWrite()) {
      case undefined:
        return next();
      case 'gatewayTimeout': {
        commitLater(c, await c.req.text(), 'gateway-timeout');
        if ((faults.gatewayAnswerMs ?? 0) > 0) await sleep(faults.gatewayAnswerMs ?? 0);
        return c.html(GATEWAY_TIMEOUT_PAGE, 504);
      }
      case 'lostResponse':
        await requestFault.run('lost-response', next);
        c.env.incoming.socket.destroy();
        return;
      case 'writeError':
        return c.json({ message: 'Server Error' }, 500);
      case 'htmlOk':
        return c.html(HTML_OK_PAGE, 200);
      case 'noContent':
        return c.body(null, 204);
      case 'tokenEcho':
        return c.body(tokenEchoBody(c.req.header('authorization') ?? '', jsonApi), 422, {
          'Content-Type': jsonApi ? 'application/vnd.api+json' : 'application/json',
        });
      case 'protoFields':
        return c.body(protoFieldsBody(jsonApi), 422, { 'Content-Type': jsonApi ? 'application/vnd.api+json' : 'application/json' });
    }
  });

  // Each resource's routes (its reads apply the read-error fault themselves, when they take part in it).
  for (const [resource, routes] of Object.entries(routesByEntity)) routes(app, depsOf(resource));

  app.notFound((c) => c.json({ message: `The route ${c.req.path.replace(/^\//, '')} could not be found.` }, 404));
  app.onError((error, c) => {
    console.error('sandbox: unhandled error', error);
    return c.json({ message: 'Server Error' }, 500);
  });

  const server = await new Promise<Server>((resolve, reject) => {
    // A port in use (EADDRINUSE) rejects here rather than crashing the process as an unhandled 'error' event.
    const started = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: '127.0.0.1' }, () => {
      started.off('error', reject);
      resolve(started as Server);
    });
    started.once('error', reject);
  });
  const address = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${address.port}`,
    get state() {
      return state;
    },
    writes,
    setFaults,
    injected: () => injected,
    pendingCommits: () => commitTimers.size,
    settled: async () => {
      while (commitTimers.size > 0 || commitsInFlight.size > 0) {
        await Promise.all(commitsInFlight);
        if (commitTimers.size > 0) await sleep(20);
      }
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        cancelCommits();
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets from fetch would hold close() open for seconds.
        server.closeAllConnections();
      }),
  };
}
