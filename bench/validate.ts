/**
 * validate with and without the report, as a user runs it (issue 14: with the report at most 2×
 * the time without, peak RSS under 250 MB at 1,000,000 case rows):
 *   npx tsx bench/validate.ts [--rows 200000,1000000] [--heap 192|off] [--cpu-prof DIR]
 * Each run is bench/measure.ts in its own process (its peak RSS is its own) on the built dist/,
 * under the heap limit the bin sets (src/cli/heap.ts) unless --heap off. --cpu-prof writes V8
 * CPU profiles of the runs with the report into DIR (open them in Chrome's DevTools).
 * A benchmark, not a test: it prints figures, it does not pass or fail.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_HEAP_MB } from '../src/cli/heap.js';
import { casesCsv } from './generate.js';

export interface ValidateFigures {
  readonly rows: number;
  readonly secondsWithout: number;
  readonly secondsWith: number;
  /** With the report ÷ without (goal ≤ 2). */
  readonly ratio: number;
  readonly peakRssWithoutMB: number;
  /** Goal < 250. */
  readonly peakRssWithMB: number;
  readonly heap: string;
}

interface Measured { readonly rows: number; readonly ms: number; readonly peakRssMB: number }

function measure(task: string, file: string, nodeArgs: readonly string[]): Measured {
  const out = execFileSync(process.execPath, [...nodeArgs, '--import', 'tsx', join(import.meta.dirname, 'measure.ts'), task, file, 'cases'], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').at(-1)!) as Measured;
}

export async function measureValidate(rows: number, heap = String(DEFAULT_HEAP_MB), cpuProfDir?: string): Promise<ValidateFigures> {
  const file = await casesCsv(rows);
  const heapArgs = heap === 'off' ? [] : [`--max-old-space-size=${heap}`];
  const without = measure('validate-no-report', file, heapArgs);
  const profile = cpuProfDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`];
  const withReport = measure('validate', file, [...heapArgs, ...profile]);
  return {
    rows,
    secondsWithout: Math.round(without.ms / 100) / 10,
    secondsWith: Math.round(withReport.ms / 100) / 10,
    ratio: Math.round((withReport.ms / without.ms) * 100) / 100,
    peakRssWithoutMB: without.peakRssMB,
    peakRssWithMB: withReport.peakRssMB,
    heap: heap === 'off' ? 'V8 default' : `${heap} MB`,
  };
}

if (import.meta.filename === process.argv[1]) {
  const { values } = parseArgs({
    options: { rows: { type: 'string', default: '200000,1000000' }, heap: { type: 'string', default: String(DEFAULT_HEAP_MB) }, 'cpu-prof': { type: 'string' } },
  });
  for (const rows of values.rows.split(',').map(Number)) console.log(JSON.stringify(await measureValidate(rows, values.heap, values['cpu-prof'])));
}
