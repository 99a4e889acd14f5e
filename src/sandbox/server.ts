/**
 * A local emulator of the Plannr API (and MPDX's phone resource) on 127.0.0.1, for the demo,
 * the end-to-end tests and the benchmarks. Faithful where the tool depends on it: auth,
 * rate-limit headers and 429s, Laravel error shapes, pagination, and injected faults
 * (500s before a write, dropped connections before or after a write, slow responses).
 *
 * Hono + @hono/node-server: routing and typed handlers with no further dependencies, and the
 * raw Node socket is reachable (c.env.incoming) to drop a connection without a response.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import { z } from 'zod';
import { nowIso, type RouteDeps, type SandboxEnv, type WriteLogEntry } from './http.js';
import { createRandom, createSeedState } from './seed.js';
import { cloneState, dumpState, loadState, type SandboxState } from './state.js';
import { registerAccountRoutes } from './routes/accounts.js';
import { registerCaseRoutes } from './routes/cases.js';
import { registerContactDetailRoutes } from './routes/contact-details.js';
import { registerMpdxPhoneRoutes } from './routes/mpdx-phones.js';

export type { WriteLogEntry } from './http.js';

export interface Faults {
  /** Share (0..1) of /api requests answered 500 before anything is written. */
  errorRate?: number;
  /** Share of /api requests delayed by slowMs. */
  slowRate?: number;
  slowMs?: number;
  /**
   * Share of /api connections destroyed without a response: half before the request is
   * handled, half after its write is applied (a lost response).
   */
  dropRate?: number;
  /** The next N /api requests get 429 with Retry-After. */
  burst429?: number;
}

export interface SandboxOptions {
  /** 0 = any free port (default). */
  port?: number;
  /** Starting data; default createSeedState(). Copied: the caller's object is never mutated. */
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
  /** The live state (replaced by POST /__sandbox/reset). */
  readonly state: SandboxState;
  /** Every applied write, in order. Cleared by reset. */
  writes: WriteLogEntry[];
  setFaults(faults: Faults): void;
  close(): Promise<void>;
}

const faultsSchema = z.object({
  errorRate: z.number().min(0).max(1).optional(),
  slowRate: z.number().min(0).max(1).optional(),
  slowMs: z.number().int().min(0).optional(),
  dropRate: z.number().min(0).max(1).optional(),
  burst429: z.number().int().min(0).optional(),
});

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
  const initialState = cloneState(options.state ?? createSeedState());
  const ratePerMinute = options.ratePerMinute ?? 500;
  let state = cloneState(initialState);
  let faults: Faults = { ...(options.faults ?? {}) };
  let burstLeft = faults.burst429 ?? 0;
  const writes: WriteLogEntry[] = [];
  const rateWindows = new Map<string, RateWindow>();
  const random = createRandom(options.faultSeed ?? 1);

  const setFaults = (next: Faults): void => {
    faults = faultsSchema.parse(next);
    burstLeft = faults.burst429 ?? 0;
  };
  setFaults(faults);

  const deps: RouteDeps = {
    state: () => state,
    recordWrite: (entry) => {
      writes.push({ seq: writes.length + 1, at: nowIso(), ...entry });
    },
  };

  const app = new Hono<SandboxEnv>();

  // Admin endpoints: no auth, no faults, no rate limit.
  app.get('/__sandbox/state', (c) => c.json(dumpState(state)));
  app.get('/__sandbox/writes', (c) => c.json(writes));
  app.post('/__sandbox/faults', async (c) => {
    const parsed = faultsSchema.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return c.json({ message: `Invalid faults: ${z.prettifyError(parsed.error)}` }, 422);
    setFaults(parsed.data);
    return c.json(faults);
  });
  app.post('/__sandbox/reset', (c) => {
    state = cloneState(initialState);
    writes.length = 0;
    rateWindows.clear();
    setFaults(options.faults ?? {});
    return c.json({ message: 'reset' });
  });
  app.post('/__sandbox/state', async (c) => {
    try {
      state = loadState(await c.req.json());
    } catch (error) {
      return c.json({ message: error instanceof Error ? error.message : String(error) }, 422);
    }
    return c.json({ message: 'loaded' });
  });

  // Infrastructure faults come first: they stand for a load balancer or a crashing worker.
  app.use('/api/*', async (c, next) => {
    const delay = (options.latencyMs ?? 0) + ((faults.slowRate ?? 0) > 0 && random() < (faults.slowRate ?? 0) ? (faults.slowMs ?? 0) : 0);
    if (delay > 0) await sleep(delay);

    const drop = (faults.dropRate ?? 0) > 0 && random() < (faults.dropRate ?? 0);
    const dropAfterWrite = drop && random() < 0.5;
    if (drop && !dropAfterWrite) {
      c.env.incoming.socket.destroy();
      return c.body(null, 500);
    }
    if ((faults.errorRate ?? 0) > 0 && random() < (faults.errorRate ?? 0)) {
      return c.json({ message: 'Server Error' }, 500);
    }
    if (burstLeft > 0) {
      burstLeft -= 1;
      c.header('Retry-After', '1');
      if (ratePerMinute > 0) {
        c.header('X-Ratelimit-Limit', String(ratePerMinute));
        c.header('X-Ratelimit-Remaining', '0');
      }
      return c.json({ message: 'Too Many Attempts.' }, 429);
    }
    await next();
    if (dropAfterWrite) {
      // The handler has run (any write is applied and logged); the client never hears back.
      c.env.incoming.socket.destroy();
    }
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
    if (ratePerMinute > 0) {
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

  registerContactDetailRoutes(app, deps);
  registerCaseRoutes(app, deps);
  registerAccountRoutes(app, deps);
  registerMpdxPhoneRoutes(app, deps);

  app.notFound((c) => c.json({ message: `The route ${c.req.path.replace(/^\//, '')} could not be found.` }, 404));
  app.onError((error, c) => {
    console.error('sandbox: unhandled error', error);
    return c.json({ message: 'Server Error' }, 500);
  });

  const server = await new Promise<Server>((resolve) => {
    const started = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: '127.0.0.1' }, () => resolve(started as Server));
  });
  const address = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${address.port}`,
    get state() {
      return state;
    },
    writes,
    setFaults,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets from fetch would hold close() open for seconds.
        server.closeAllConnections();
      }),
  };
}
