/**
 * npm run bench [-- --rows N] [-- --xlsx-rows N] [-- --only csv,xlsx,phones,import,validate,writers,export,first-request,client,keys]
 * Throughput and peak memory of each stage against a bare-library baseline on the same file.
 * A benchmark, not a test: it reports figures, it does not pass or fail.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { casesCsv, casesXlsx, phonesCsv, sharedStringsXlsx } from './generate.js';
import { measureRateLimited, measureUnlimited } from './import.js';
import { measureValidate } from './validate.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    'xlsx-rows': { type: 'string', default: '1000000' },
    'phone-rows': { type: 'string', default: '200000' },
    'import-rows': { type: 'string', default: '1000' },
    'import-rate': { type: 'string', default: '3000' },
    'validate-rows': { type: 'string', default: '200000,1000000' },
    only: { type: 'string', default: 'csv,xlsx,phones,import,validate,writers,export,first-request,client,keys' },
    'writer-rows': { type: 'string', default: '200000' },
    'export-cases': { type: 'string', default: '100000' },
  },
});
const only = new Set(values.only.split(','));

interface Measured { task: string; rows: number; ms: number; rowsPerSec: number; peakRssMB: number; heapPerSharedStringBytes?: number; sharedStringsHeapMB?: number }

/** Runs bench/measure.ts in a fresh process (its peak RSS is its own); it measures dist/, built above. */
function measure(task: string, file: string, entity = 'cases'): Measured {
  const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(import.meta.dirname, 'measure.ts'), task, file, entity], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').at(-1)!) as Measured;
}

const table: Array<Measured & { vs: string }> = [];
/** A row of the table, with its throughput as a ratio to each baseline given (none: it is one). */
const add = (m: Measured, ...baselines: Measured[]) => {
  const vs = baselines.map((b) => `${(m.rowsPerSec / b.rowsPerSec).toFixed(2)} × ${b.task}`).join('; ');
  table.push({ ...m, vs: vs === '' ? 'baseline' : vs });
  console.log(JSON.stringify(table.at(-1)));
};

if (only.has('csv')) {
  const csv = await casesCsv(Number(values.rows));
  const bare = measure('papaparse', csv);
  add(bare);
  // papaparse's other ways over the same file, for scale: its step callback, and its Parser
  // fed chunks by hand (the floor any papaparse-based reader can reach).
  const step = measure('papaparse-step', csv);
  add(step, bare);
  const floor = measure('papaparse-parser', csv);
  add(floor, bare);
  add(measure('read', csv), bare, floor);
  add(measure('validate-no-report', csv), bare, step, floor);
  add(measure('validate', csv), bare);
}
if (only.has('phones')) {
  const phones = await phonesCsv(Number(values['phone-rows']));
  const bare = measure('libphonenumber', phones);
  add(bare);
  add(measure('validate-no-report', phones, 'contact-details'), bare);
  // Real files have wrong numbers, which cost more to reject and to explain: one in five here (five, so the wrong numbers come in every written form).
  const mixed = await phonesCsv(Number(values['phone-rows']), { invalidEvery: 5 });
  const bareMixed = measure('libphonenumber', mixed);
  add({ ...bareMixed, task: 'libphonenumber (1 in 5 invalid)' });
  add({ ...measure('validate-no-report', mixed, 'contact-details'), task: 'validate-no-report (1 in 5 invalid)' }, { ...bareMixed, task: 'libphonenumber (1 in 5 invalid)' });
}
if (only.has('xlsx')) {
  const xlsx = await casesXlsx(Number(values['xlsx-rows']));
  const bare = measure('exceljs-read', xlsx);
  add(bare);
  add({ ...measure('read', xlsx), task: 'read (inline strings)' }, bare);
  add(measure('validate', xlsx), bare);
  // As Excel saves text: every cell a shared string, all distinct (the table is held in memory).
  const shared = await sharedStringsXlsx(Number(values['xlsx-rows']));
  const bareShared = { ...measure('exceljs-read', shared), task: 'exceljs-read (shared strings)' };
  add(bareShared);
  add({ ...measure('read', shared), task: 'read (shared strings)' }, bareShared);
  const heap = measure('shared-strings-heap', shared);
  console.log(`shared strings: ${heap.heapPerSharedStringBytes} bytes of heap per distinct value (${heap.sharedStringsHeapMB} MB for ${heap.rows}; each text ~45 characters)`);
}

const importLines: string[] = [];
if (only.has('import')) {
  const limited = await measureRateLimited(Number(values['import-rows']), Number(values['import-rate']));
  console.log(JSON.stringify(limited));
  importLines.push(`| import, rate limit ${limited.ratePerMinute}/min | ${limited.rows} | ${limited.seconds} | ${Math.round(limited.rows / limited.seconds)} | ${limited.ratio} × N/R (N/R = ${limited.idealSeconds} s); ${limited.got429} × 429, ${limited.failed} failed | |`);
  const free = await measureUnlimited(Number(values['import-rows']) * 2, 16);
  console.log(JSON.stringify(free));
  importLines.push(`| import, no rate limit (client overhead) | ${free.rows} | ${free.seconds} | ${free.rowsPerSec} | concurrency ${free.concurrency}, sandbox in its own process | |`);
}

// validate with the report against without it, under the bin's heap limit (issue 14: ≤ 2×, < 250 MB).
const validateLines: string[] = [];
if (only.has('validate')) {
  for (const rows of values['validate-rows'].split(',').map(Number)) {
    const figures = await measureValidate(rows);
    console.log(JSON.stringify(figures));
    validateLines.push(`| validate with report vs without, heap ${figures.heap} | ${rows} | ${figures.secondsWith} (without: ${figures.secondsWithout}) | ${Math.round(rows / figures.secondsWith)} | ${figures.ratio} × without | ${figures.peakRssWithMB} (without: ${figures.peakRssWithoutMB}) |`);
  }
}

/** The benches that are scripts of their own (issue 14's other figures): their output as they print it. */
function runScript(script: string, args: readonly string[]): void {
  console.log(`\n## npx tsx bench/${script} ${args.join(' ')}`);
  execFileSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, script), ...args], { stdio: 'inherit' });
}
// Our report writer against the floor (goal ≤ 1.2×) and exceljs's writer (before).
if (only.has('writers')) runScript('xlsx-writers.ts', [values['writer-rows'], '--rounds', '3']);
// 100,000 cases exported to XLSX from a sandbox in its own process (goal: 3× faster than before, < 250 MB).
if (only.has('export')) runScript('export.ts', ['--cases', values['export-cases']]);
// import's start to its first request and first write, 10,000 rows (goal < 1 s).
if (only.has('first-request')) runScript('first-request.ts', ['--rows', '10000', '--runs', '3']);
// The HTTP client's CPU per request at concurrency 32 against a 50 ms server (goal < 1 ms).
if (only.has('client')) runScript('pool.ts', []);
// Checking on keys that once piled into one slot of the duplicate-key set (goal: 4× the rows in ≤ 5.5× the time).
if (only.has('keys')) runScript('structured-keys.ts', []);

console.log('\n| task | rows | seconds | rows/s | ratio | peak RSS (MB) |\n|---|---|---|---|---|---|');
for (const m of table) console.log(`| ${m.task} | ${m.rows} | ${(m.ms / 1000).toFixed(1)} | ${m.rowsPerSec} | ${m.vs} | ${m.peakRssMB} |`);
for (const line of importLines) console.log(line);
for (const line of validateLines) console.log(line);
