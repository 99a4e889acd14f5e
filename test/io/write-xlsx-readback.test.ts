/**
 * What our XLSX writer produces, read back by our own reader (src/io/xlsx), by an independent
 * one (SheetJS), by LibreOffice headless when it is installed, and part by part against
 * ECMA-376 (styles, comments, relationships, content types).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SaxesParser } from 'saxes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import XLSX from 'xlsx';
import { openXlsx } from '../../src/io/read-xlsx.js';
import { DEFAULT_ROWS_PER_SHEET, EXCEL_MAX_ROWS, openXlsxWriter, type XlsxCellValue } from '../../src/io/write-xlsx.js';
import { partsOf } from './read-xlsx-helpers.js';

const run = promisify(execFile);
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'write-xlsx-readback-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every row of one sheet through our reader: headers, then the data rows' cells. */
async function ourRows(path: string, sheet?: string): Promise<unknown[][]> {
  const opened = await openXlsx({ path, displayName: 'out.xlsx', sheet });
  const rows: unknown[][] = [[...opened.headers]];
  for await (const row of opened.rows) rows.push([...row.cells]);
  return rows;
}

function sheetJs(path: string, bytes: Buffer): XLSX.WorkBook {
  return XLSX.read(bytes, { type: 'buffer', cellDates: true, cellStyles: true });
}

function sheetJsRows(workbook: XLSX.WorkBook, name: string): unknown[][] {
  const sheet = workbook.Sheets[name];
  if (sheet === undefined) throw new Error(`SheetJS found no sheet ${name}`);
  return XLSX.utils.sheet_to_json<unknown[]>(sheet, { header: 1, raw: true, defval: null });
}

async function partText(path: string, name: string): Promise<string> {
  const part = (await partsOf(path)).find(([partName]) => partName === name);
  if (part === undefined) throw new Error(`no part ${name}`);
  return part[1].toString('utf8');
}

/** Attributes of every `<tag .../>` or `<tag ...>` in `xml`, in order. */
function elements(xml: string, tag: string): Record<string, string>[] {
  const found: Record<string, string>[] = [];
  for (const match of xml.matchAll(new RegExp(`<${tag}(\\s[^>]*?)?/?>`, 'g'))) {
    const attributes: Record<string, string> = {};
    for (const [, key, value] of (match[1] ?? '').matchAll(/([\w:]+)="([^"]*)"/g)) attributes[key!] = value!;
    found.push(attributes);
  }
  return found;
}

function section(xml: string, tag: string): string {
  const start = xml.indexOf(`<${tag}`);
  const end = xml.indexOf(`</${tag}>`);
  if (start < 0 || end < 0) throw new Error(`no <${tag}> section`);
  return xml.slice(start, end);
}

const tricky: readonly string[] = [
  '=1+1',
  '+447911123456',
  '-12.50',
  '@SUM(A1)',
  '\r=1+1',
  'line one\r\nline two',
  '  leading and trailing  ',
  'Smith & Co <ltd>',
  'bell\u0007 and null\u0000 and escape\u001B',
  '_x0041_ stays as typed',
  '_x0041_x0042_',
  'emoji 👍 and ünïcödé',
];

describe('the writer read back by two readers', () => {
  let path: string;
  const day = new Date(Date.UTC(2025, 0, 31));
  const moment = new Date(Date.UTC(2025, 0, 31, 9, 30, 15));
  beforeAll(async () => {
    path = join(dir, 'values.xlsx');
    const writer = openXlsxWriter(path);
    const sheet = writer.addSheet('Data', { columns: [{ header: 'Text' }, { header: 'Number' }, { header: 'Flag' }, { header: 'When' }, { header: 'Blank' }] });
    for (const [index, text] of tricky.entries()) {
      const row: XlsxCellValue[] = [text, index === 0 ? -1250.5 : index, index % 2 === 0, index % 2 === 0 ? day : moment, null];
      await sheet.addRow(row);
    }
    await writer.close();
  });

  it('our reader gets every value back exactly: text (control characters, CR, _x escapes), numbers, booleans, dates', async () => {
    const rows = await ourRows(path);
    expect(rows[0]).toEqual(['Text', 'Number', 'Flag', 'When', 'Blank']);
    // (Our reader ends a row at its last non-blank cell: the blank fifth cell is not there.)
    expect(rows.slice(1)).toEqual(tricky.map((text, index) => [text, index === 0 ? -1250.5 : index, index % 2 === 0, index % 2 === 0 ? day : moment]));
  });

  it('SheetJS gets the same values, every text a string cell, no formula anywhere', async () => {
    const workbook = sheetJs(path, await readFile(path));
    expect(workbook.SheetNames).toEqual(['Data']);
    const rows = sheetJsRows(workbook, 'Data');
    expect(rows.slice(1).map((row) => row[0])).toEqual(tricky);
    expect(rows.slice(1).map((row) => row[1])).toEqual(tricky.map((_, index) => (index === 0 ? -1250.5 : index)));
    expect(rows[1]?.[2]).toBe(true);
    expect(rows[2]?.[2]).toBe(false);
    const sheet = workbook.Sheets.Data!;
    for (const [address, cell] of Object.entries(sheet)) {
      if (address.startsWith('!')) continue;
      expect((cell as XLSX.CellObject).f, `${address} is a formula`).toBeUndefined();
    }
    expect((sheet.A3 as XLSX.CellObject).t).toBe('s');
    // SheetJS shifts dates by the local time zone offset; compare the serial days instead.
    expect((sheet.D2 as XLSX.CellObject).z).toBe('yyyy-mm-dd');
    expect((sheet.D3 as XLSX.CellObject).z).toBe('yyyy-mm-dd hh:mm:ss');
  });

  it('every XML part is well-formed (a strict parser reads each without error)', async () => {
    for (const [name, content] of await partsOf(path)) {
      const parser = new SaxesParser();
      let failure: Error | undefined;
      parser.on('error', (error) => {
        failure ??= error;
      });
      parser.write(content.toString('utf8')).close();
      expect(failure, name).toBeUndefined();
    }
  });
});

describe('styles, notes and parts as ECMA-376 lays them out', () => {
  let path: string;
  beforeAll(async () => {
    path = join(dir, 'styled.xlsx');
    const writer = openXlsxWriter(path);
    const sheet = writer.addSheet('Results', {
      columns: [{ header: 'Name', width: 30 }, { header: 'Amount' }, { header: 'Due' }, { header: 'Phone' }],
      frozenHeader: true,
      autoFilter: true,
    });
    await sheet.addRow(['Ann', 1234.5, new Date(Date.UTC(2025, 2, 4)), '+447911123456'], { money: [1], highlight: [0], problem: [3], notes: { 3: 'Phone: not a valid phone number' } });
    await sheet.addRow(['Bob', 12, new Date(Date.UTC(2025, 2, 4, 13, 5)), null], { money: [1], problem: [3], notes: { 3: 'Phone: required' } });
    await writer.close();
  });

  /** The cellXfs entry and its parts for the cell at `reference`. */
  async function styleOf(reference: string): Promise<{ numFmt: string | undefined; numFmtId: string; fill: string | undefined; bold: boolean }> {
    const sheetXml = await partText(path, 'xl/worksheets/sheet1.xml');
    const styles = await partText(path, 'xl/styles.xml');
    const cell = elements(sheetXml, 'c').find((attributes) => attributes.r === reference);
    if (cell === undefined) throw new Error(`no cell ${reference}`);
    const xf = elements(section(styles, 'cellXfs'), 'xf')[Number(cell.s ?? 0)];
    if (xf === undefined) throw new Error(`no xf ${cell.s}`);
    const numFmt = elements(section(styles, 'numFmts'), 'numFmt').find((format) => format.numFmtId === xf.numFmtId)?.formatCode;
    const fills = section(styles, 'fills').split('<fill>').slice(1);
    const fill = /<fgColor rgb="(\w+)"/.exec(fills[Number(xf.fillId)] ?? '')?.[1];
    const fonts = section(styles, 'fonts').split('<font>').slice(1);
    return { numFmt, numFmtId: xf.numFmtId ?? '0', fill, bold: (fonts[Number(xf.fontId)] ?? '').includes('<b/>') };
  }

  it('money, dates and text-that-looks-like-a-formula carry their number formats', async () => {
    expect((await styleOf('B2')).numFmt).toBe('&quot;£&quot;#,##0.00;-&quot;£&quot;#,##0.00');
    expect((await styleOf('C2')).numFmt).toBe('yyyy-mm-dd');
    expect((await styleOf('C3')).numFmt).toBe('yyyy-mm-dd hh:mm:ss');
    // 49 is the built-in Text format "@" (ECMA-376 Part 1 §18.8.30).
    expect((await styleOf('D2')).numFmtId).toBe('49');
  });

  it('changed cells are yellow, problem cells red (even when blank), headers bold', async () => {
    expect((await styleOf('A2')).fill).toBe('FFFFF2A8');
    expect((await styleOf('D2')).fill).toBe('FFFFC7CE');
    expect((await styleOf('D3')).fill).toBe('FFFFC7CE');
    expect((await styleOf('B2')).fill).toBeUndefined();
    expect((await styleOf('A1')).bold).toBe(true);
    expect((await styleOf('A2')).bold).toBe(false);
  });

  it('the styles part starts with the two fills Excel reserves (none, gray125)', async () => {
    const fills = section(await partText(path, 'xl/styles.xml'), 'fills');
    expect(elements(fills, 'patternFill').slice(0, 2)).toEqual([{ patternType: 'none' }, { patternType: 'gray125' }]);
  });

  it('notes are a comments part and a VML drawing, both related from the sheet and typed', async () => {
    const comments = await partText(path, 'xl/comments1.xml');
    expect(elements(comments, 'comment').map((comment) => comment.ref)).toEqual(['D2', 'D3']);
    expect(comments).toContain('Phone: not a valid phone number');
    const vml = await partText(path, 'xl/drawings/vmlDrawing1.vml');
    expect(vml.match(/ObjectType="Note"/g)).toHaveLength(2);
    expect(vml).toContain('<x:Row>1</x:Row><x:Column>3</x:Column>');
    const rels = elements(await partText(path, 'xl/worksheets/_rels/sheet1.xml.rels'), 'Relationship');
    expect(rels.map((rel) => [rel.Type?.split('/').at(-1), rel.Target])).toEqual([
      ['vmlDrawing', '../drawings/vmlDrawing1.vml'],
      ['comments', '../comments1.xml'],
    ]);
    const sheetXml = await partText(path, 'xl/worksheets/sheet1.xml');
    expect(sheetXml).toMatch(/<legacyDrawing r:id="rId1"\/><\/worksheet>$/);
    const types = await partText(path, '[Content_Types].xml');
    expect(types).toContain('<Override PartName="/xl/comments1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"/>');
    expect(types).toContain('<Default Extension="vml" ContentType="application/vnd.openxmlformats-officedocument.vmlDrawing"/>');
  });

  it('the header is frozen, widths set, and the filter covers the written rows (with its hidden name)', async () => {
    const sheetXml = await partText(path, 'xl/worksheets/sheet1.xml');
    expect(elements(sheetXml, 'pane')).toEqual([{ ySplit: '1', topLeftCell: 'A2', activePane: 'bottomLeft', state: 'frozen' }]);
    expect(elements(sheetXml, 'col')).toEqual([{ min: '1', max: '1', width: '30', customWidth: '1' }]);
    expect(elements(sheetXml, 'autoFilter')).toEqual([{ ref: 'A1:D3' }]);
    const workbookXml = await partText(path, 'xl/workbook.xml');
    expect(workbookXml).toContain(`<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'Results'!$A$1:$D$3</definedName>`);
  });

  it('SheetJS sees the notes on the problem cells', async () => {
    const workbook = sheetJs(path, await readFile(path));
    const sheet = workbook.Sheets.Results!;
    expect((sheet.D2 as XLSX.CellObject).c?.map((comment) => comment.t)).toEqual(['Phone: not a valid phone number']);
    expect((sheet.A2 as XLSX.CellObject).c).toBeUndefined();
  });
});

describe('sheets split at a size common readers handle', () => {
  const count = 11;
  let path: string;
  beforeAll(async () => {
    path = join(dir, 'split.xlsx');
    const writer = openXlsxWriter(path, { maxRowsPerSheet: 5 });
    const summary = writer.addSheet('Summary');
    await summary.addRow(['Rows', count]);
    const results = writer.addSheet('Results', { columns: [{ header: 'N' }, { header: 'Name' }], frozenHeader: true, autoFilter: true });
    for (let n = 1; n <= count; n += 1) await results.addRow([n, `row ${n}`], n === 6 ? { problem: [1], notes: { 1: 'sixth' } } : undefined);
    await writer.close();
  });

  it('continues on "Results (2)", "Results (3)" with the header repeated, every row once, in order (our reader)', async () => {
    const parts = [await ourRows(path, 'Results'), await ourRows(path, 'Results (2)'), await ourRows(path, 'Results (3)')];
    // 5 rows a sheet, header included: 4 data rows on each but the last.
    expect(parts.map((rows) => rows.length)).toEqual([5, 5, 4]);
    for (const rows of parts) expect(rows[0]).toEqual(['N', 'Name']);
    expect(parts.flatMap((rows) => rows.slice(1).map((row) => row[0]))).toEqual(Array.from({ length: count }, (_, index) => index + 1));
  });

  it('SheetJS sees the same sheets and rows, and the notes saying where each part goes on', async () => {
    const workbook = sheetJs(path, await readFile(path));
    expect(workbook.SheetNames).toEqual(['Summary', 'Results', 'Results (2)', 'Results (3)']);
    const data = ['Results', 'Results (2)', 'Results (3)'].flatMap((name) => sheetJsRows(workbook, name).slice(1));
    expect(data).toEqual(Array.from({ length: count }, (_, index) => [index + 1, `row ${index + 1}`]));
    const noteOf = (sheet: string, address: string): string[] | undefined =>
      (workbook.Sheets[sheet]?.[address] as XLSX.CellObject | undefined)?.c?.map((comment) => comment.t);
    expect(noteOf('Results', 'A1')).toEqual(['Continues on sheet "Results (2)".']);
    expect(noteOf('Results (2)', 'A1')).toEqual(['Continued from sheet "Results".\n\nContinues on sheet "Results (3)".']);
    expect(noteOf('Results (3)', 'A1')).toEqual(['Continued from sheet "Results (2)".']);
    // Row 6 is the second data row of "Results (2)": its note moved with it.
    expect(noteOf('Results (2)', 'B3')).toEqual(['sixth']);
  });

  it('gives each part its own filter over its own rows', async () => {
    const workbookXml = await partText(path, 'xl/workbook.xml');
    expect(elements(workbookXml, 'definedName').map((name) => name.localSheetId)).toEqual(['1', '2', '3']);
    expect(workbookXml).toContain(`'Results (3)'!$A$1:$B$4`);
  });

  it('splits at 250,000 rows unless told otherwise, and never past Excel\'s 1,048,576', async () => {
    expect(DEFAULT_ROWS_PER_SHEET).toBe(250_000);
    expect(EXCEL_MAX_ROWS).toBe(1_048_576);
    expect(() => openXlsxWriter(join(dir, 'bad.xlsx'), { maxRowsPerSheet: 0 })).toThrow(/maxRowsPerSheet/);
    const writer = openXlsxWriter(join(dir, 'header-only.xlsx'));
    expect(() => writer.addSheet('Data', { columns: [{ header: 'A' }], maxRowsPerSheet: 1 })).toThrow(/at least 2/);
    await writer.discard();
  });
});

async function hasSoffice(): Promise<boolean> {
  try {
    await run('which', ['soffice']);
    return true;
  } catch {
    return false;
  }
}

/** LibreOffice's CSV filter: comma, double quote, UTF-8, from row 1, ..., cells saved as shown (token 9). */
const AS_SHOWN_CSV = 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true';

describe.runIf(await hasSoffice())('LibreOffice headless', () => {
  it('opens the workbook and shows the values as written (text stays text, dates as dates)', async () => {
    const folder = await mkdtemp(join(dir, 'soffice-'));
    const path = join(folder, 'book.xlsx');
    const writer = openXlsxWriter(path);
    const sheet = writer.addSheet('Data', { columns: [{ header: 'Text' }, { header: 'Amount' }, { header: 'Due' }], frozenHeader: true, autoFilter: true });
    await sheet.addRow(['=1+1', 1234.5, new Date(Date.UTC(2025, 2, 4))], { money: [1], problem: [0], notes: { 0: 'looks like a formula' } });
    await sheet.addRow(['Smith & Co', 12, new Date(Date.UTC(2025, 2, 5))]);
    await writer.close();
    // A profile of its own, so a LibreOffice already running elsewhere does not take the job.
    await run('soffice', [`-env:UserInstallation=file://${join(folder, 'profile')}`, '--headless', '--convert-to', AS_SHOWN_CSV, '--outdir', folder, path], { timeout: 170_000 });
    expect(await readdir(folder)).toContain('book.csv');
    const csv = (await readFile(join(folder, 'book.csv'), 'utf8')).trim().split(/\r?\n/);
    // As displayed: the formula-looking text not evaluated (it would show 2), money and dates in their formats.
    expect(csv).toEqual(['Text,Amount,Due', '=1+1,"£1,234.50",2025-03-04', 'Smith & Co,12,2025-03-05']);
  }, 180_000);
});
