/**
 * XLSX writers side by side on the same rows of the report's Results sheet (19 columns: the
 * report's 9 fixed columns, then original and sent value of 5 fields; three changed cells
 * highlighted and one money cell on every row, 1 row in 20 with a problem fill and a note),
 * all zipped at the same deflate level (zip-output.ts):
 *   floor    the simplest direct SpreadsheetML writer: strings into yazl, no styles, no notes
 *   ours     src/io/write-xlsx.ts, as the report uses it (styles, notes, filter, frozen header)
 *   exceljs  the writer before ours (bench/exceljs-writer.ts: exceljs's streaming writer)
 * Each runs in a fresh process (its peak RSS is its own, from getrusage). Prints seconds,
 * rows/s, peak RSS, file size, and ours / floor (goal: at most 1.2×).
 * With --rounds N the writers take turns N times and each figure is the median (a busy machine
 * makes single runs noisy).
 * Run: npx tsx bench/xlsx-writers.ts [rows=200000] [--only floor,ours,exceljs] [--rounds 1]
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { parseArgs } from 'node:util';
import yazl from 'yazl';
import { RESULT_FIXED_COLUMNS } from '../src/io/report.js';
import { ZIP_COMPRESSION_LEVEL } from '../src/io/zip-output.js';
import { openXlsxWriter as openOurWriter, type RowStyle, type SheetColumn, type XlsxCellValue } from '../src/io/write-xlsx.js';
import { openXlsxWriter as openExceljsWriter } from './exceljs-writer.js';

type WriterName = 'floor' | 'ours' | 'exceljs';
const WRITERS: readonly WriterName[] = ['floor', 'ours', 'exceljs'];

interface Measured {
  readonly writer: WriterName;
  readonly rows: number;
  readonly seconds: number;
  /** CPU time of the whole process (main thread and zlib's pool): steadier than wall time on a busy machine. */
  readonly cpuSeconds: number;
  readonly peakRssMB: number;
  readonly sizeMB: number;
}

const FIELDS = ['UUID', 'Name', 'Phone', 'Value', 'Review at'];
/** The report's own fixed Results columns, then the original and sent value of each field. */
const COLUMNS: readonly SheetColumn[] = [
  ...RESULT_FIXED_COLUMNS,
  ...FIELDS.flatMap((field) => [
    { header: `${field} (original)`, width: 18 },
    { header: `${field} (sent)`, width: 18 },
  ]),
];
const REVIEW_DATE = new Date(Date.UTC(2025, 2, 4));

/** The Results row for input row `row`, filled into `values` (reused, as report.ts does). */
function resultRow(row: number, values: XlsxCellValue[]): RowStyle {
  const failing = row % 20 === 0;
  const uuid = `6ff8a1c2-0d3b-4c5e-9f10-${String(row).padStart(12, '0')}`;
  const digits = String(row % 1_000_000).padStart(6, '0');
  values[0] = 'clients.xlsx';
  values[1] = 'Clients';
  values[2] = row;
  values[3] = uuid;
  values[4] = 'update';
  values[5] = failing ? 'invalid' : 'sent';
  values[6] = failing ? null : 200;
  values[7] = failing ? 'Phone: not a valid phone number' : null;
  values[8] = failing ? 'The phone number is invalid.' : null;
  values[9] = uuid;
  values[10] = uuid;
  values[11] = `Client ${row}`;
  values[12] = `Client ${row}`;
  values[13] = `07911 ${digits}`;
  values[14] = failing ? null : `+447911${digits}`;
  values[15] = '£1,234.50';
  values[16] = 123450;
  values[17] = REVIEW_DATE;
  values[18] = '2025-03-04';
  if (failing) return { highlight: [16, 18], problem: [13], notes: { 13: 'Phone: not a valid phone number' }, money: [16] };
  return { highlight: [14, 16, 18], money: [16] };
}

function escapeText(text: string): string {
  return /[&<>]/.test(text) ? text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;') : text;
}

function columnLetters(index: number): string {
  let letters = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
}

/** The floor: one sheet of inline strings and numbers straight into a yazl entry, the fewest parts Excel opens. */
async function writeFloor(path: string, rows: number): Promise<void> {
  const zip = new yazl.ZipFile();
  // The same deflate level as ours: the floor differs in what it writes, not in how hard it zips.
  const entry = { compressionLevel: ZIP_COMPRESSION_LEVEL };
  const output = createWriteStream(path);
  zip.outputStream.pipe(output);
  const sheet = new PassThrough({ highWaterMark: 256 * 1024 });
  zip.addReadStream(sheet, 'xl/worksheets/sheet1.xml', entry);
  const letters = COLUMNS.map((_, index) => columnLetters(index));
  const cell = (value: XlsxCellValue, ref: string): string => {
    if (value === null) return '';
    if (typeof value === 'string') return `<c r="${ref}" t="inlineStr"><is><t>${escapeText(value)}</t></is></c>`;
    if (value instanceof Date) return `<c r="${ref}"><v>${value.getTime() / 86_400_000 + 25_569}</v></c>`;
    if (typeof value === 'boolean') return `<c r="${ref}" t="b"><v>${value ? 1 : 0}</v></c>`;
    return `<c r="${ref}"><v>${value}</v></c>`;
  };
  let pending = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>';
  pending += `<row r="1">${COLUMNS.map((column, index) => cell(column.header, `${letters[index]}1`)).join('')}</row>`;
  const values: XlsxCellValue[] = new Array<XlsxCellValue>(COLUMNS.length).fill(null);
  for (let row = 2; row <= rows + 1; row += 1) {
    resultRow(row, values);
    let xml = `<row r="${row}">`;
    for (let index = 0; index < values.length; index += 1) xml += cell(values[index] ?? null, `${letters[index]}${row}`);
    pending += `${xml}</row>`;
    if (pending.length >= 64 * 1024) {
      const ok = sheet.write(pending);
      pending = '';
      if (!ok) await once(sheet, 'drain');
    }
  }
  sheet.end(`${pending}</sheetData></worksheet>`);
  const ns = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
  zip.addBuffer(
    Buffer.from(`<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="${ns}"><sheets><sheet name="Results" sheetId="1" r:id="rId1"/></sheets></workbook>`),
    'xl/workbook.xml',
  );
  zip.addBuffer(Buffer.from(`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${ns}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`), 'xl/_rels/workbook.xml.rels');
  zip.addBuffer(Buffer.from(`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${ns}/officeDocument" Target="xl/workbook.xml"/></Relationships>`), '_rels/.rels');
  const type = 'application/vnd.openxmlformats-officedocument.spreadsheetml';
  zip.addBuffer(
    Buffer.from(
      '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>' +
        `<Override PartName="/xl/workbook.xml" ContentType="${type}.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="${type}.worksheet+xml"/></Types>`,
    ),
    '[Content_Types].xml',
  );
  zip.end();
  await once(output, 'close');
}

/** Ours or exceljs's, through the same writer API the report uses. */
/** Seconds the last writeThroughApi spent in close() (the zip's tail, fsync and rename of the atomic write). */
let closeSeconds = 0;

async function writeThroughApi(open: typeof openOurWriter, path: string, rows: number): Promise<void> {
  const workbook = open(path);
  const sheet = workbook.addSheet('Results', { columns: COLUMNS, frozenHeader: true, autoFilter: true });
  const values: XlsxCellValue[] = new Array<XlsxCellValue>(COLUMNS.length).fill(null);
  for (let row = 2; row <= rows + 1; row += 1) {
    const style = resultRow(row, values);
    await sheet.addRow(values, style);
  }
  await sheet.commit();
  const closing = performance.now();
  await workbook.close();
  closeSeconds = (performance.now() - closing) / 1000;
}

async function runOne(writer: WriterName, rows: number): Promise<Measured> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-xlsx-writers-'));
  const path = join(dir, `${writer}.xlsx`);
  try {
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    if (writer === 'floor') await writeFloor(path, rows);
    else await writeThroughApi(writer === 'ours' ? openOurWriter : (openExceljsWriter as typeof openOurWriter), path, rows);
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuSeconds = Number(((cpu.user + cpu.system) / 1e6).toFixed(2));
    const size = (await stat(path)).size;
    return { writer, rows, seconds: Number(seconds.toFixed(2)), cpuSeconds, peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024), sizeMB: Number((size / 1_048_576).toFixed(1)) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: { only: { type: 'string', default: WRITERS.join(',') }, rounds: { type: 'string', default: '1' }, child: { type: 'string' } },
});
const rows = Number(positionals[0] ?? 200_000);

if (flags.child !== undefined) {
  const measured = await runOne(flags.child as WriterName, rows);
  console.log(JSON.stringify(flags.child === 'floor' ? measured : { ...measured, closeSeconds: Number(closeSeconds.toFixed(2)) }));
} else {
  const runs = new Map<WriterName, Measured[]>();
  const writers = flags.only.split(',') as WriterName[];
  for (let round = 0; round < Number(flags.rounds); round += 1) {
    for (const writer of writers) {
      const out = execFileSync(process.execPath, ['--import', 'tsx', import.meta.filename, String(rows), '--child', writer], { encoding: 'utf8' });
      const measured = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Measured;
      runs.set(writer, [...(runs.get(writer) ?? []), measured]);
      console.log(JSON.stringify(measured));
    }
  }
  const median = (numbers: readonly number[]): number => {
    const sorted = [...numbers].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[middle]! : Number((((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2).toFixed(2));
  };
  const results = new Map<WriterName, Measured>();
  for (const [writer, measured] of runs) {
    results.set(writer, {
      writer,
      rows,
      seconds: median(measured.map((m) => m.seconds)),
      cpuSeconds: median(measured.map((m) => m.cpuSeconds)),
      peakRssMB: median(measured.map((m) => m.peakRssMB)),
      sizeMB: median(measured.map((m) => m.sizeMB)),
    });
  }
  const floor = results.get('floor');
  console.log(`\n| writer | rows | seconds | rows/s | CPU seconds | peak RSS (MB) | file (MB) | time ÷ floor | CPU ÷ floor |\n|---|---|---|---|---|---|---|---|---|`);
  for (const measured of results.values()) {
    const ratio = (value: number, base: number | undefined): string => (base === undefined ? '' : `${(value / base).toFixed(2)} ×`);
    console.log(
      `| ${measured.writer} | ${measured.rows} | ${measured.seconds} | ${Math.round(measured.rows / measured.seconds)} | ${measured.cpuSeconds} | ${measured.peakRssMB} | ${measured.sizeMB} | ${ratio(measured.seconds, floor?.seconds)} | ${ratio(measured.cpuSeconds, floor?.cpuSeconds)} |`,
    );
  }
}
