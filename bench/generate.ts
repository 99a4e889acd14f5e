/**
 * Deterministic big inputs for benchmarks, written once to os.tmpdir()/plannr-bench and reused.
 */
import ExcelJS from 'exceljs';
import { once } from 'node:events';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import yazl from 'yazl';

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

/** A distinct text per index, ~45 characters: what an Excel-saved column of references looks like. */
export const sharedTextFor = (i: number): string => `Client reference ${i} ${uuidFor(i, 7)}`;

/**
 * An XLSX as Excel saves text: every text cell a shared string (`t="s"`), here `rows` distinct
 * ones (column A) beside a number (column B). Written straight as SpreadsheetML with yazl:
 * exceljs's writer needs over a GB of memory to build a shared string table this size.
 */
export async function sharedStringsXlsx(rows: number): Promise<string> {
  await mkdir(benchDir, { recursive: true });
  const path = join(benchDir, `shared-strings-${rows}.xlsx`);
  if (existsSync(path)) return path;
  const main = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
  const rel = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
  const batches = function* (make: (i: number) => string, head: string, tail: string): Generator<string> {
    yield head;
    for (let start = 0; start < rows; start += 1000) {
      let text = '';
      for (let i = start; i < Math.min(rows, start + 1000); i++) text += make(i);
      yield text;
    }
    yield tail;
  };
  const zip = new yazl.ZipFile();
  zip.addBuffer(Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>`), '[Content_Types].xml');
  zip.addBuffer(Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>`), '_rels/.rels');
  zip.addBuffer(Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="${main}" xmlns:r="${rel}"><sheets><sheet name="References" sheetId="1" r:id="rId1"/></sheets></workbook>`), 'xl/workbook.xml');
  zip.addBuffer(Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${rel}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="${rel}/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="${rel}/styles" Target="styles.xml"/></Relationships>`), 'xl/_rels/workbook.xml.rels');
  // Windows Excel's order: the sheet before the shared strings and styles.
  zip.addReadStream(Readable.from(batches((i) => `<row r="${i + 2}"><c r="A${i + 2}" t="s"><v>${i}</v></c><c r="B${i + 2}"><v>${i % 100_000}.${i % 100}</v></c></row>`, `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="${main}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Reference</t></is></c><c r="B1" t="inlineStr"><is><t>Amount</t></is></c></row>`, '</sheetData></worksheet>')), 'xl/worksheets/sheet1.xml');
  zip.addReadStream(Readable.from(batches((i) => `<si><t>${sharedTextFor(i)}</t></si>`, `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="${main}" count="${rows}" uniqueCount="${rows}">`, '</sst>')), 'xl/sharedStrings.xml');
  zip.addBuffer(Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="${main}"><cellXfs count="1"><xf numFmtId="0"/></cellXfs></styleSheet>`), 'xl/styles.xml');
  zip.end();
  const out = createWriteStream(`${path}.part`);
  zip.outputStream.pipe(out);
  await once(out, 'finish');
  await rename(`${path}.part`, path);
  return path;
}
