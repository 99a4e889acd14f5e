/**
 * Import against the sandbox (a separate process, so client and server each get a core):
 *   npx tsx bench/import.ts [--rows 1000] [--rate 3000] [--free-rows 3000]
 * 1. Rate-limited: the sandbox enforces R requests/minute, the client is told the same R.
 *    Reports elapsed vs N/R (target ≤ 1.05 × N/R plus start-up) and rows lost to 429s (target 0).
 * 2. No limit: how many requests per second the client drives on loopback (its own overhead).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeFile } from 'node:fs/promises';
import { runImport } from '../src/pipeline/import.js';
import { defaultNormaliseOptions } from '../src/normalise/result.js';
import { createSeedState, SANDBOX_ACCOUNT_UUID, SANDBOX_TOKEN } from '../src/sandbox/seed.js';
import { benchDir } from './generate.js';
import { startSandboxProcess } from './sandbox-process.js';
import { mkdir } from 'node:fs/promises';



async function createsCsv(rows: number, name: string): Promise<string> {
  await mkdir(benchDir, { recursive: true });
  const clients = Object.values(createSeedState().accounts).filter((a) => a.type === 'client').map((a) => a.uuid);
  const lines = ['Case Name,Case Value (£),Clients'];
  for (let i = 0; i < rows; i++) lines.push(`Bench case ${i},£${i}.50,${clients[i % clients.length]}`);
  const path = join(benchDir, name);
  await writeFile(path, `${lines.join('\r\n')}\r\n`);
  return path;
}

async function timedImport(file: string, url: string, rate: number, concurrency: number) {
  const started = performance.now();
  const result = await runImport({
    file,
    entity: 'cases',
    journal: `${file}.${Date.now()}.journal`,
    api: { baseUrl: url, token: SANDBOX_TOKEN, accountUuid: SANDBOX_ACCOUNT_UUID, timeoutMs: 30_000 },
    pool: { ratePerMinute: rate, concurrency },
    normalise: defaultNormaliseOptions,
  });
  return { seconds: (performance.now() - started) / 1000, result };
}

export interface RateLimitedFigures { rows: number; ratePerMinute: number; seconds: number; idealSeconds: number; ratio: number; sent: number; failed: number; got429: number }
export interface UnlimitedFigures { rows: number; concurrency: number; seconds: number; rowsPerSec: number; sent: number }

/** Import N creates with the sandbox enforcing R/min and the client told the same R. */
export async function measureRateLimited(rows: number, rate: number): Promise<RateLimitedFigures> {
  const sandbox = await startSandboxProcess(['--rate', String(rate)]);
  try {
    const file = await createsCsv(rows, `import-${rows}.csv`);
    const { seconds, result } = await timedImport(file, sandbox.url, rate, 8);
    const ideal = rows / (rate / 60);
    return {
      rows, ratePerMinute: rate, seconds: round(seconds), idealSeconds: round(ideal), ratio: Number((seconds / ideal).toFixed(3)),
      sent: result.counts.sent, failed: result.counts.failed, got429: result.pool?.rateLimited429 ?? 0,
    };
  } finally {
    sandbox.stop();
  }
}

/** With no rate limit anywhere: the rows per second the client drives on loopback. */
export async function measureUnlimited(rows: number, concurrency: number): Promise<UnlimitedFigures> {
  const sandbox = await startSandboxProcess(['--rate', '0']);
  try {
    const file = await createsCsv(rows, `import-free-${rows}.csv`);
    const { seconds, result } = await timedImport(file, sandbox.url, 0, concurrency);
    return { rows, concurrency, seconds: round(seconds), rowsPerSec: Math.round(rows / seconds), sent: result.counts.sent };
  } finally {
    sandbox.stop();
  }
}

const round = (n: number) => Number(n.toFixed(2));

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000' }, rate: { type: 'string', default: '3000' }, 'free-rows': { type: 'string', default: '3000' } } });
  console.log(JSON.stringify({ case: 'rate-limited', ...(await measureRateLimited(Number(values.rows), Number(values.rate))) }));
  for (const concurrency of [8, 32]) console.log(JSON.stringify({ case: 'no rate limit', ...(await measureUnlimited(Number(values['free-rows']), concurrency)) }));
}
