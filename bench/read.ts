/**
 * npx tsx bench/read.ts [--csv-rows N] [--xlsx-rows N]
 * The readers against bare papaparse and bare exceljs on the same files (a 1,000,000-row
 * cases-like CSV with 10 columns and a 200,000-row XLSX, generated once in os.tmpdir()).
 * Each measurement runs in its own process so its peak RSS is its own. Reports, never fails.
 */
import ExcelJS from 'exceljs';
import { execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { parseArgs } from 'node:util';
import Papa from 'papaparse';
import { openSheet } from '../src/io/read.js';
import { casesCsv, casesXlsx } from './generate.js';

type Task = 'papaparse' | 'read-csv' | 'exceljs' | 'read-xlsx';

async function barePapaparse(file: string): Promise<number> {
  let rows = 0;
  const parser = Papa.parse(Papa.NODE_STREAM_INPUT, {});
  createReadStream(file, { encoding: 'utf8' }).pipe(parser);
  for await (const _ of parser as AsyncIterable<string[]>) rows++;
  return rows - 1;
}

async function bareExceljs(file: string): Promise<number> {
  let rows = 0;
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, { worksheets: 'emit', sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', entries: 'emit' });
  for await (const sheet of reader) {
    for await (const _ of sheet) rows++;
    break;
  }
  return rows - 1;
}

async function ours(file: string): Promise<number> {
  let rows = 0;
  const sheet = await openSheet(file, {});
  for await (const _ of sheet.rows) rows++;
  return rows;
}

const tasks: Record<Task, (file: string) => Promise<number>> = {
  papaparse: barePapaparse,
  'read-csv': ours,
  exceljs: bareExceljs,
  'read-xlsx': ours,
};

interface Measured {
  readonly task: string;
  readonly rows: number;
  readonly seconds: number;
  readonly rowsPerSec: number;
  readonly peakRssMB: number;
}

async function runOne(task: Task, file: string): Promise<void> {
  const started = performance.now();
  const rows = await tasks[task](file);
  const seconds = (performance.now() - started) / 1000;
  const measured: Measured = { task, rows, seconds: Number(seconds.toFixed(2)), rowsPerSec: Math.round(rows / seconds), peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024) };
  process.stdout.write(`${JSON.stringify(measured)}\n`);
}

function measureInChild(task: Task, file: string): Measured {
  const out = execFileSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--task', task, '--file', file], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Measured;
}

const { values } = parseArgs({
  options: {
    task: { type: 'string' },
    file: { type: 'string' },
    'csv-rows': { type: 'string', default: '1000000' },
    'xlsx-rows': { type: 'string', default: '200000' },
  },
});

if (values.task !== undefined && values.file !== undefined) {
  await runOne(values.task as Task, values.file);
} else {
  const csv = await casesCsv(Number(values['csv-rows']));
  const xlsx = await casesXlsx(Number(values['xlsx-rows']));
  const print = (m: Measured, baseline?: Measured) =>
    console.log(
      `${m.task.padEnd(10)} ${String(m.rows).padStart(8)} rows  ${m.seconds.toFixed(2).padStart(6)} s  ${String(m.rowsPerSec).padStart(7)} rows/s  peak RSS ${String(m.peakRssMB).padStart(4)} MB` +
        (baseline ? `  (${(m.rowsPerSec / baseline.rowsPerSec).toFixed(2)} × ${baseline.task} speed)` : ''),
    );
  console.log(`CSV  ${csv}`);
  const papa = measureInChild('papaparse', csv);
  print(papa);
  print(measureInChild('read-csv', csv), papa);
  console.log(`XLSX ${xlsx}`);
  const bare = measureInChild('exceljs', xlsx);
  print(bare);
  print(measureInChild('read-xlsx', xlsx), bare);
}
