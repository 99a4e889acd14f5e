/**
 * validate with and without the report, as a user runs it (issue 14: with the report at most 2×
 * the time without, peak RSS under 250 MB at 1,000,000 case rows):
 *   npx tsx bench/validate.ts [--rows 200000,1000000] [--repeat 3] [--heap 192|off] [--cpu-prof DIR]
 * Each run is bench/measure.ts in its own process (its peak RSS is its own) on the built dist/,
 * under the heap limit the bin sets (src/cli/heap.ts) unless --heap off. Runs without and with
 * the report alternate, `--repeat` times each, and the medians are compared: on a shared 2-core
 * machine one run of either varies by a quarter or more. --cpu-prof writes V8 CPU profiles of
 * the runs with the report into DIR (open them in Chrome's DevTools).
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
  /** Runs of each (the seconds are medians, the peaks the highest). */
  readonly runs: number;
}

interface Measured { readonly rows: number; readonly ms: number; readonly peakRssMB: number }

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function measure(task: string, file: string, nodeArgs: readonly string[]): Measured {
  const out = execFileSync(process.execPath, [...nodeArgs, '--import', 'tsx', join(import.meta.dirname, 'measure.ts'), task, file, 'cases'], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').at(-1)!) as Measured;
}

export async function measureValidate(rows: number, heap = String(DEFAULT_HEAP_MB), cpuProfDir?: string, repeat = 3): Promise<ValidateFigures> {
  const file = await casesCsv(rows);
  const heapArgs = heap === 'off' ? [] : [`--max-old-space-size=${heap}`];
  const profile = cpuProfDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`];
  const without: Measured[] = [];
  const withReport: Measured[] = [];
  for (let run = 0; run < repeat; run += 1) {
    without.push(measure('validate-no-report', file, heapArgs));
    withReport.push(measure('validate', file, [...heapArgs, ...profile]));
  }
  const msWithout = median(without.map((m) => m.ms));
  const msWith = median(withReport.map((m) => m.ms));
  return {
    rows,
    secondsWithout: Math.round(msWithout / 100) / 10,
    secondsWith: Math.round(msWith / 100) / 10,
    ratio: Math.round((msWith / msWithout) * 100) / 100,
    peakRssWithoutMB: Math.max(...without.map((m) => m.peakRssMB)),
    peakRssWithMB: Math.max(...withReport.map((m) => m.peakRssMB)),
    heap: heap === 'off' ? 'V8 default' : `${heap} MB`,
    runs: repeat,
  };
}

if (import.meta.filename === process.argv[1]) {
  const { values } = parseArgs({
    options: { rows: { type: 'string', default: '200000,1000000' }, repeat: { type: 'string', default: '3' }, heap: { type: 'string', default: String(DEFAULT_HEAP_MB) }, 'cpu-prof': { type: 'string' } },
  });
  for (const rows of values.rows.split(',').map(Number)) console.log(JSON.stringify(await measureValidate(rows, values.heap, values['cpu-prof'], Number(values.repeat))));
}
