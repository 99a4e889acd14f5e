/**
 * One measurement, in its own process so its peak RSS is its own:
 *   node --import tsx bench/measure.ts <task> <file> [entity]
 * Prints one JSON line: {task, rows, ms, rowsPerSec, peakRssMB}.
 *
 * Our code is measured as users run it: the built CLI's modules in dist/ (`npm run bench`
 * builds first). Under tsx every worker thread would load its own TypeScript loader, which
 * costs each one time and tens of MB that the product never pays.
 */
import ExcelJS from 'exceljs';
import { createReadStream, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { parsePhoneNumberWithError } from 'libphonenumber-js/max';

const built = (module: string): string => new URL(`../dist/${module}`, import.meta.url).href;
const { openSheet } = (await import(built('io/read.js'))) as typeof import('../src/io/read.js');
const { defaultNormaliseOptions } = (await import(built('normalise/result.js'))) as typeof import('../src/normalise/result.js');
const { runValidate } = (await import(built('pipeline/validate.js'))) as typeof import('../src/pipeline/validate.js');

const [task = '', file = '', entity = 'cases'] = process.argv.slice(2);

/** papaparse's Node stream (NODE_STREAM_INPUT) read with `for await`: the baseline issue #2 names. */
async function bareCsv(): Promise<number> {
  let rows = 0;
  const parser = Papa.parse(Papa.NODE_STREAM_INPUT, {});
  createReadStream(file, { encoding: 'utf8' }).pipe(parser);
  for await (const _ of parser) rows++;
  return rows - 1;
}

/** papaparse's callback streaming (`step`), its other documented way to stream a file in Node. */
async function bareCsvStep(): Promise<number> {
  let rows = 0;
  await new Promise<void>((resolve, reject) => {
    Papa.parse(createReadStream(file, { encoding: 'utf8' }), { step: () => { rows++; }, complete: () => resolve(), error: reject });
  });
  return rows - 1;
}

/** papaparse's Parser fed 64 KB chunks by hand (what our reader does, minus line-ending handling and row checks): its floor. */
async function bareCsvParser(): Promise<number> {
  let rows = 0;
  const parser = new Papa.Parser({ delimiter: ',', newline: '\n', quoteChar: '"' });
  let unfinished = '';
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 64 * 1024 }) as AsyncIterable<string>) {
    const input = unfinished + chunk;
    const parsed = parser.parse(input, 0, true) as { data: string[][]; meta: { cursor: number } };
    rows += parsed.data.length;
    unfinished = input.slice(parsed.meta.cursor);
  }
  if (unfinished !== '') rows += (parser.parse(unfinished, 0, false) as { data: string[][] }).data.length;
  return rows - 1;
}

async function bareXlsx(): Promise<number> {
  let rows = 0;
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, { worksheets: 'emit', sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', entries: 'emit' });
  for await (const sheet of reader) {
    for await (const _ of sheet) rows++;
    break;
  }
  return rows - 1;
}

async function ourReader(): Promise<number> {
  let rows = 0;
  const sheet = await openSheet(file, {});
  for await (const _ of sheet.rows) rows++;
  return rows;
}

/** `threads` undefined: the default (auto by file size); 0: everything on the main thread. */
async function validate(report: boolean, threads?: number): Promise<number> {
  const reportPath = report ? join(tmpdir(), `plannr-bench-report-${process.pid}.xlsx`) : undefined;
  // Hundreds of MB at a million rows: not left in the temp folder run after run (removed once timed).
  if (reportPath !== undefined) process.on('exit', () => rmSync(reportPath, { force: true }));
  const result = await runValidate({ file, entity, normalise: defaultNormaliseOptions, report: reportPath, threads });
  return result.counts.read;
}

/** The phone column parsed with libphonenumber-js alone: the floor for phone-heavy files. */
async function barePhones(): Promise<number> {
  let rows = 0;
  const parser = Papa.parse(Papa.NODE_STREAM_INPUT, {});
  createReadStream(file, { encoding: 'utf8' }).pipe(parser);
  let first = true;
  for await (const row of parser as AsyncIterable<string[]>) {
    if (first) { first = false; continue; }
    try { parsePhoneNumberWithError(row[2] ?? '', { defaultCountry: 'GB', extract: false }).isValid(); } catch { /* counted all the same */ }
    rows++;
  }
  return rows;
}

/**
 * What the shared string table costs in memory per distinct value: the heap after opening the
 * sheet (which reads the whole table) minus the heap before, both after a full GC, ÷ the
 * number of strings. Needs node --expose-gc (bench/run.ts passes it).
 */
const extra: Record<string, number> = {};
async function sharedStringsHeap(): Promise<number> {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined) throw new Error('run with node --expose-gc');
  collect();
  const before = process.memoryUsage().heapUsed;
  const sheet = await openSheet(file, {});
  collect();
  const after = process.memoryUsage().heapUsed;
  let rows = 0;
  for await (const _ of sheet.rows) rows++;
  extra.heapPerSharedStringBytes = Math.round((after - before) / rows);
  extra.sharedStringsHeapMB = Math.round((after - before) / 1_048_576);
  return rows;
}

const tasks: Record<string, () => Promise<number>> = {
  'shared-strings-heap': sharedStringsHeap,
  'papaparse': bareCsv,
  'papaparse-step': bareCsvStep,
  'papaparse-parser': bareCsvParser,
  'exceljs-read': bareXlsx,
  'read': ourReader,
  'validate': () => validate(true),
  'validate-no-report': () => validate(false),
  'validate-no-report-1-thread': () => validate(false, 0),
  'validate-no-report-2-workers': () => validate(false, 2),
  'libphonenumber': barePhones,
};

const run = tasks[task];
if (run === undefined) throw new Error(`unknown task ${task}; tasks: ${Object.keys(tasks).join(', ')}`);
const started = performance.now();
const cpuBefore = process.cpuUsage();
const rows = await run();
const ms = performance.now() - started;
// CPU time (user + system, every thread) as well as wall time: on a loaded machine it is the steadier figure.
const cpu = process.cpuUsage(cpuBefore);
extra.cpuMs = Math.round((cpu.user + cpu.system) / 1000);
const peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
process.stdout.write(`${JSON.stringify({ task, rows, ms: Math.round(ms), rowsPerSec: Math.round(rows / (ms / 1000)), peakRssMB, ...extra })}\n`);
