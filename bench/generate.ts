/**
 * Deterministic big inputs for benchmarks, written once to os.tmpdir()/plannr-bench and reused.
 */
import ExcelJS from 'exceljs';
import { once } from 'node:events';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const benchDir = join(tmpdir(), 'plannr-bench');

export const caseHeaders = ['Case ID', 'Case Name', 'Case Status', 'Status Position', 'Case Type', 'Case Value (£)', 'Review Date', 'Date Completed', 'Assigned To', 'Plans'];

const hex = (n: number, width: number) => (n >>> 0).toString(16).padStart(width, '0').slice(-width);
/** A distinct, well-formed v4-shaped uuid per index (no randomness: reruns are identical). */
export function uuidFor(index: number, salt = 0): string {
  const a = Math.imul(index + 1, 0x9e3779b1) ^ salt;
  const b = Math.imul(index ^ 0x5bd1e995, 0x85ebca6b) + salt;
  return `${hex(a, 8)}-${hex(b >>> 16, 4)}-4${hex(b, 3)}-a${hex(a >>> 8, 3)}-${hex(index, 8)}${hex(salt + 17, 4)}`;
}

export function caseRow(i: number): string[] {
  const day = 13 + (i % 15); // 13..27: day-first dates that cannot be read as month-first
  const month = 1 + (i % 12);
  return [
    uuidFor(i),
    `Annual review ${i}`,
    uuidFor(i % 7, 1),
    String(1 + (i % 9)),
    uuidFor(i % 5, 2),
    `£${(i % 100_000).toLocaleString('en-GB')}.${String(i % 100).padStart(2, '0')}`,
    `${day}/${String(month).padStart(2, '0')}/2026 ${String(9 + (i % 8)).padStart(2, '0')}:30`,
    i % 3 === 0 ? `${day}/${String(month).padStart(2, '0')}/2025` : '',
    `${uuidFor(i % 11, 3)}; ${uuidFor(i % 13, 4)}`,
    i % 4 === 0 ? uuidFor(i, 5) : '',
  ];
}

const csvCell = (text: string) => (/[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);

export async function casesCsv(rows: number): Promise<string> {
  await mkdir(benchDir, { recursive: true });
  const path = join(benchDir, `cases-${rows}.csv`);
  if (existsSync(path)) return path;
  const out = createWriteStream(`${path}.part`);
  const write = async (line: string) => {
    if (!out.write(line)) await once(out, 'drain');
  };
  await write(`${caseHeaders.join(',')}\r\n`);
  for (let i = 0; i < rows; i++) await write(`${caseRow(i).map(csvCell).join(',')}\r\n`);
  out.end();
  await once(out, 'finish');
  await rename(`${path}.part`, path);
  return path;
}

/**
 * Phones only: every row a GB mobile number in one of the forms legacy exports use, all distinct
 * up to 400,000 rows (07911 1xxxxx, 2xxxxx, 7xxxxx and 8xxxxx are allocated ranges). With
 * `invalidEvery` N, every Nth row is instead a number of the right length in an unallocated
 * range (07911 3xxxxx), which costs libphonenumber, and our error message, more.
 */
export async function phonesCsv(rows: number, options: { invalidEvery?: number } = {}): Promise<string> {
  await mkdir(benchDir, { recursive: true });
  const invalidEvery = options.invalidEvery ?? 0;
  const path = join(benchDir, invalidEvery > 0 ? `phones-${rows}-1in${invalidEvery}-invalid-distinct.csv` : `phones-${rows}.csv`);
  if (existsSync(path)) return path;
  const out = createWriteStream(`${path}.part`);
  const forms = [(n: string) => `07${n.slice(0, 3)} ${n.slice(3)}`, (n: string) => `+44 7${n}`, (n: string) => `0044 (0)7${n.slice(0, 3)} ${n.slice(3)}`, (n: string) => `7${n}`];
  const validBlock = (i: number) => {
    const n = i % 400_000;
    return n < 200_000 ? 100_000 + n : 700_000 + (n - 200_000);
  };
  out.write('UUID,Name,Mobile,Client Refs\r\n');
  for (let i = 0; i < rows; i++) {
    const invalid = invalidEvery > 0 && i % invalidEvery === invalidEvery - 1;
    // Distinct too (up to 100,000 of them): a repeat would be served from our cache, not parsed.
    const digits = `911${invalid ? 300_000 + (Math.floor(i / invalidEvery) % 100_000) : validBlock(i)}`;
    const line = `${uuidFor(i)},Mobile,${forms[i % forms.length]!(digits)},${uuidFor(i % 1000, 9)}\r\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  await rename(`${path}.part`, path);
  return path;
}

export async function casesXlsx(rows: number): Promise<string> {
  await mkdir(benchDir, { recursive: true });
  const path = join(benchDir, `cases-${rows}.xlsx`);
  if (existsSync(path)) return path;
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: `${path}.part`, useSharedStrings: false, useStyles: false });
  const sheet = workbook.addWorksheet('Cases');
  sheet.addRow(caseHeaders).commit();
  for (let i = 0; i < rows; i++) {
    sheet.addRow(caseRow(i)).commit();
    if (i % 2000 === 0) await new Promise((r) => setImmediate(r));
  }
  sheet.commit();
  await workbook.commit();
  await rename(`${path}.part`, path);
  return path;
}
