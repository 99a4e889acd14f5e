/**
 * Export of many records to XLSX against a sandbox process (so its memory is not ours):
 *   npx tsx bench/export.ts [--cases 100000] [--csv] [--concurrency 8] [--cpu-prof DIR]
 * Builds a sandbox state with N cases in code, starts `plannr-bulk sandbox --seed` on it, exports
 * all cases (per_page 500, no rate limit, --concurrency as the CLI's) and reports seconds,
 * records/s and the exporting process's peak RSS (target < 250 MB at 100,000 records: the export
 * streams, it never holds the records). The exporting process runs under the bin's heap limit
 * (src/cli/heap.ts), as `plannr-bulk export` does. On 2 cores the sandbox's CPU competes with
 * the exporter's, so both processes' CPU seconds are reported; `--cpu-prof DIR` writes a V8 CPU
 * profile of each (DIR/exporter, DIR/sandbox; open them in Chrome DevTools or speedscope).
 */
import { startSandboxProcess } from './sandbox-process.js';
import { DEFAULT_HEAP_MB } from '../src/cli/heap.js';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runExport } from '../src/pipeline/export.js';
import { defaultNormaliseOptions } from '../src/normalise/result.js';
import { createSeedState, SANDBOX_ACCOUNT_UUID, SANDBOX_TOKEN } from '../src/sandbox/seed.js';
import { dumpState, type CaseRecord } from '../src/sandbox/state.js';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '100000' },
    csv: { type: 'boolean', default: false },
    concurrency: { type: 'string', default: '8' },
    'cpu-prof': { type: 'string' },
    // Internal: the phases run in their own processes, so building 100,000 records (or the
    // sandbox serving them) never counts towards the exporter's memory.
    'write-seed': { type: 'string' },
    url: { type: 'string' },
    out: { type: 'string' },
  },
});
const count = Number(values.cases);

/** The seed's 300 cases repeated (new uuids, same shapes) up to `count`. */
function stateWithCases(n: number) {
  const state = createSeedState();
  const templates = Object.values(state.cases);
  const cases: Record<string, CaseRecord> = {};
  for (let i = 0; i < n; i++) {
    const template = templates[i % templates.length]!;
    const uuid = `${(0x10000000 + i).toString(16)}-0000-4000-8000-${String(i).padStart(12, '0')}`;
    cases[uuid] = { ...template, uuid, slug: `${template.slug}-${i}`, name: `${template.name} #${i}` };
  }
  return { ...state, cases };
}


function runChild(args: string[], nodeArgs: string[] = []): Promise<string> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', import.meta.filename, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let text = '';
  child.stdout.on('data', (d: Buffer) => (text += d.toString()));
  return new Promise((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`bench child failed (${code}): ${text}`)))));
}

async function measureExport(url: string, out: string): Promise<void> {
  // memoryUsage.rss() only: memoryUsage() walks the heap's spaces, which costs CPU every 50 ms.
  const rssBefore = process.memoryUsage.rss();
  let peakRss = rssBefore;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 50);
  const started = performance.now();
  const result = await runExport({
    entity: 'cases',
    out,
    api: { baseUrl: url, token: SANDBOX_TOKEN, accountUuid: SANDBOX_ACCOUNT_UUID, timeoutMs: 120_000 },
    pool: { ratePerMinute: 0, concurrency: Number(values.concurrency) },
    normalise: defaultNormaliseOptions,
  });
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
  console.log(JSON.stringify({
    records: result.records,
    format: result.format,
    seconds: Math.round(seconds * 10) / 10,
    recordsPerSecond: Math.round(result.records / seconds),
    // CPU the exporting process used: on a busy machine wall time says more about the neighbours.
    cpuSeconds: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 100_000) / 10,
    requests: result.pool.requests,
    fileMB: mb((await stat(out)).size),
    rssBeforeMB: mb(rssBefore),
    peakRssMB: mb(Math.max(peakRss, process.memoryUsage.rss())),
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    concurrency: Number(values.concurrency),
    target: 'peak RSS < 250 MB',
  }));
}

if (values['write-seed'] !== undefined) {
  await writeFile(values['write-seed'], JSON.stringify(dumpState(stateWithCases(count))));
} else if (values.url !== undefined && values.out !== undefined) {
  await measureExport(values.url, values.out);
} else {
  const dir = await mkdtemp(join(tmpdir(), 'plannr-bench-export-'));
  try {
    const seed = join(dir, 'state.json');
    await runChild(['--write-seed', seed, '--cases', String(count)]);
    const profileDir = values['cpu-prof'];
    const profile = (name: string): string[] => (profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', join(profileDir, name)]);
    const sandbox = await startSandboxProcess(['--rate', '0', '--seed', seed], ['--max-old-space-size=2048', ...profile('sandbox')]);
    try {
      const out = join(dir, values.csv ? 'cases.csv' : 'cases.xlsx');
      // Loading the seed is not part of the export: count only the sandbox's CPU while serving it.
      const sandboxCpuBefore = sandbox.cpuSeconds();
      const line = await runChild(['--url', sandbox.url, '--out', out, '--concurrency', String(values.concurrency)], [`--max-old-space-size=${DEFAULT_HEAP_MB}`, ...profile('exporter')]);
      const sandboxCpu = sandbox.cpuSeconds();
      const figures = JSON.parse(line) as Record<string, unknown>;
      const sandboxCpuSeconds = sandboxCpu === undefined || sandboxCpuBefore === undefined ? undefined : Math.round((sandboxCpu - sandboxCpuBefore) * 10) / 10;
      console.log(JSON.stringify({ ...figures, sandboxCpuSeconds, loadAverage: loadavg().map((l) => Math.round(l * 100) / 100) }));
    } finally {
      await sandbox.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
