/**
 * Report writer throughput and memory: 1,000,000 outcomes (1 in 20 failing, with problems)
 * written to a Summary/Results/Errors workbook as they are added (Results into the zip, Errors
 * in a temporary file), then finished by close (Summary, Errors into the zip, the zip's end).
 * Run: npx tsx bench/report.ts [rows] [--thread]   Prints rows/s for each phase and peak RSS.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createReport } from '../src/io/report.js';
import type { ReportLayout } from '../src/io/report.js';
import type { RowOutcome } from '../src/outcome/row-outcome.js';

const rows = Number(process.argv.slice(2).find((arg) => /^\d+$/.test(arg)) ?? 1_000_000);
const thread = process.argv.includes('--thread');
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

let peakRss = process.memoryUsage().rss;
let peakHeap = 0;
let peakExternal = 0;
const sampler = setInterval(() => {
  const usage = process.memoryUsage();
  peakRss = Math.max(peakRss, usage.rss);
  peakHeap = Math.max(peakHeap, usage.heapUsed);
  peakExternal = Math.max(peakExternal, usage.external + usage.arrayBuffers);
}, 50);

const layout: ReportLayout = {
  headers: ['Contact UUID', 'Name', 'Mobile', 'Value', 'Review date', 'Notes'],
  fields: [
    { field: 'uuid', header: 'UUID', columnIndex: 0 },
    { field: 'name', header: 'Name', columnIndex: 1 },
    { field: 'value', header: 'Phone', columnIndex: 2 },
    { field: 'amount', header: 'Value', columnIndex: 3 },
    { field: 'review_at', header: 'Review at', columnIndex: 4 },
  ],
};

function outcomeFor(row: number): RowOutcome {
  const failing = row % 20 === 0;
  const uuid = `6ff8a1c2-0d3b-4c5e-9f10-${String(row).padStart(12, '0')}`;
  return {
    position: { file: 'clients.xlsx', sheet: 'Clients', row },
    key: uuid,
    action: 'update',
    status: failing ? 'invalid' : 'sent',
    httpStatus: failing ? undefined : 200,
    message: failing ? 'not a valid phone number' : '',
    original: [uuid, `Client ${row}`, `07911 ${String(row % 1_000_000).padStart(6, '0')}`, '£1,234.50', new Date(Date.UTC(2025, 2, 4)), `note ${row}`],
    normalised: failing
      ? { uuid, name: `Client ${row}`, amount: 123450, review_at: '2025-03-04' }
      : { uuid, name: `Client ${row}`, value: `+447911${String(row % 1_000_000).padStart(6, '0')}`, amount: 123450, review_at: '2025-03-04' },
    problems: failing ? [{ columnIndex: 2, column: 'Mobile', message: 'not a valid phone number' }] : [],
  };
}

const dir = await mkdtemp(join(tmpdir(), 'bench-report-'));
const path = join(dir, 'report.xlsx');
try {
  const baseRss = process.memoryUsage().rss;
  const report = await createReport(path, layout, { thread });
  const started = performance.now();
  for (let row = 2; row < rows + 2; row += 1) await report.add(outcomeFor(row));
  const added = performance.now();
  const addPeakRss = peakRss;
  await report.close({ title: 'Bench', lines: [['Rows read', rows]] });
  const finished = performance.now();
  clearInterval(sampler);
  const size = (await stat(path)).size;
  const perSecond = (count: number, ms: number): string => `${Math.round(count / (ms / 1000)).toLocaleString('en-GB')} rows/s`;
  console.log(`rows:              ${rows.toLocaleString('en-GB')} (${(rows / 20).toLocaleString('en-GB')} failing)`);
  console.log(`writer:            ${thread ? 'on its own thread' : 'on this thread'}`);
  console.log(`add (rows written): ${((added - started) / 1000).toFixed(1)} s, ${perSecond(rows, added - started)}`);
  console.log(`close (the rest):  ${((finished - added) / 1000).toFixed(1)} s`);
  console.log(`overall:           ${((finished - started) / 1000).toFixed(1)} s, ${perSecond(rows, finished - started)}`);
  console.log(`workbook size:     ${mb(size)}`);
  console.log(`RSS at start:      ${mb(baseRss)}, peak ${mb(peakRss)} (growth ${mb(peakRss - baseRss)})`);
  console.log(`peak RSS by phase: adding ${mb(addPeakRss)}, overall ${mb(peakRss)}`);
  console.log(`peak heap used:    ${mb(peakHeap)}, peak external+buffers ${mb(peakExternal)}`);
} finally {
  clearInterval(sampler);
  await rm(dir, { recursive: true, force: true });
}
