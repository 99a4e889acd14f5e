/**
 * Time from `runImport` start to its first request, for a 10,000-row file (issue 14: under 1 s
 * on an idle machine). A figure, not a test: run it on an idle machine.
 *   npx tsx bench/first-request.ts [--rows 10000] [--runs 3]
 * The sandbox runs in this process (it has nothing to do until the first request); a small
 * loopback relay in front of it notes when the
 * first request of any kind arrives (the credential check) and when the first row's write does.
 * The run is aborted once the first write is in: only the start-up is measured.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultNormaliseOptions } from '../src/normalise/result.js';
import { runImport } from '../src/pipeline/import.js';
import type { RunPhase } from '../src/pipeline/progress.js';
import { createSeedState, SANDBOX_ACCOUNT_UUID, SANDBOX_TOKEN } from '../src/sandbox/seed.js';
import { benchDir } from './generate.js';
import { startSandbox } from '../src/sandbox/server.js';

async function casesCsv(rows: number): Promise<string> {
  await mkdir(benchDir, { recursive: true });
  const clients = Object.values(createSeedState().accounts).filter((a) => a.type === 'client').map((a) => a.uuid);
  const lines = ['Case Name,Case Value (£),Clients'];
  for (let i = 0; i < rows; i++) lines.push(`First request case ${i},£${i}.50,${clients[i % clients.length]}`);
  const path = join(benchDir, `first-request-${rows}.csv`);
  await writeFile(path, `${lines.join('\r\n')}\r\n`);
  return path;
}

interface Relay {
  readonly url: string;
  /** performance.now() of the first request, and of the first POST or PUT. */
  readonly first: { any?: number; write?: number };
  onWrite?: () => void;
  close(): Promise<void>;
}

/** Forwards every request to `target` as it is, noting the first arrivals. */
async function startRelay(target: string): Promise<Relay> {
  const to = new URL(target);
  const relay: Relay = {
    url: '',
    first: {},
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const now = performance.now();
    relay.first.any ??= now;
    if (req.method === 'POST' || req.method === 'PUT') {
      if (relay.first.write === undefined) {
        relay.first.write = now;
        relay.onWrite?.();
      }
    }
    const upstream = request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(relay, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
}

interface Figures {
  readonly rows: number;
  /** Start to the credential check, the run's first request. */
  readonly firstRequestMs: number;
  /** Start to the first row's write. */
  readonly firstWriteMs: number;
  /** When each phase was first reported, from the start. */
  readonly phasesMs: Partial<Record<RunPhase, number>>;
}

async function once(file: string, rows: number, sandboxUrl: string): Promise<Figures> {
  const relay = await startRelay(sandboxUrl);
  const stop = new AbortController();
  relay.onWrite = () => stop.abort();
  const phasesMs: Partial<Record<RunPhase, number>> = {};
  // The run's journal, report and revert workbook (and what is written beside them), removed after.
  const outputs = await mkdtemp(join(benchDir, 'first-request-'));
  const journal = join(outputs, 'run.journal');
  const started = performance.now();
  try {
    await runImport({
      file,
      entity: 'cases',
      journal,
      // Written where the CLI would write them (it always does): creating them is part of the start.
      report: join(outputs, 'report.xlsx'),
      revert: join(outputs, 'revert.xlsx'),
      api: { baseUrl: relay.url, token: SANDBOX_TOKEN, accountUuid: SANDBOX_ACCOUNT_UUID, timeoutMs: 30_000 },
      pool: { ratePerMinute: 0, concurrency: 8 },
      normalise: defaultNormaliseOptions,
      signal: stop.signal,
      onPhase: (progress) => {
        phasesMs[progress.phase] ??= Math.round(performance.now() - started);
      },
    });
  } finally {
    await relay.close();
    await rm(outputs, { force: true, recursive: true });
  }
  const since = (at: number | undefined) => (at === undefined ? Number.NaN : Math.round(at - started));
  return { rows, firstRequestMs: since(relay.first.any), firstWriteMs: since(relay.first.write), phasesMs };
}

export async function measureFirstRequest(rows: number, runs: number): Promise<Figures[]> {
  const file = await casesCsv(rows);
  const sandbox = await startSandbox({ ratePerMinute: 0 });
  try {
    const figures: Figures[] = [];
    for (let run = 0; run < runs; run++) figures.push(await once(file, rows, sandbox.url));
    return figures;
  } finally {
    await sandbox.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { rows: { type: 'string', default: '10000' }, runs: { type: 'string', default: '3' } } });
  for (const figures of await measureFirstRequest(Number(values.rows), Number(values.runs))) {
    console.log(JSON.stringify({ case: 'import start → first request', ...figures }));
  }
}
