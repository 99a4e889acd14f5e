/**
 * One measurement, in its own process so its peak RSS is its own:
 *   node --import tsx bench/measure.ts <task> <file> [entity]
 * Prints one JSON line: {task, rows, ms, rowsPerSec, peakRssMB}.
 */
import ExcelJS from 'exceljs';
import { createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { parsePhoneNumberWithError } from 'libphonenumber-js/max';
import { openSheet } from '../src/io/read.js';
import { defaultNormaliseOptions } from '../src/normalise/result.js';
import { runValidate } from '../src/pipeline/validate.js';

const [task = '', file = '', entity = 'cases'] = process.argv.slice(2);

async function bareCsv(): Promise<number> {
  let rows = 0;
  const parser = Papa.parse(Papa.NODE_STREAM_INPUT, {});
  createReadStream(file, { encoding: 'utf8' }).pipe(parser);
  for await (const _ of parser) rows++;
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
  const result = await runValidate({
    file,
    entity,
    normalise: defaultNormaliseOptions,
    report: report ? join(tmpdir(), `plannr-bench-report-${process.pid}.xlsx`) : undefined,
    threads,
  });
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

const tasks: Record<string, () => Promise<number>> = {
  'papaparse': bareCsv,
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
const rows = await run();
const ms = performance.now() - started;
const peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
process.stdout.write(`${JSON.stringify({ task, rows, ms: Math.round(ms), rowsPerSec: Math.round(rows / (ms / 1000)), peakRssMB })}\n`);
