import ExcelJS from 'exceljs';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { excelSerialToDate, isDateFormat } from '../../src/io/read-xlsx.js';
import { sharedStringTable } from '../../src/io/xlsx/shared-strings.js';
import { sheetRows } from '../../src/io/xlsx/sheet.js';
import { parseRelationships, parseWorkbookIndex } from '../../src/io/xlsx/workbook.js';
import { openSheet } from '../../src/io/read.js';
import { cellsOf, expectInputError, readAll, tempDir } from './read-test-helpers.js';

const temp = tempDir('xlsx');
afterAll(() => temp.cleanup());

const reviewDate = new Date(Date.UTC(2024, 0, 15, 9, 30)); // wall-clock 15/01/2024 09:30
const serial2024_01_15 = 45306;

/** The same rows through both exceljs writers: shared strings (as Excel saves) and inline strings. */
function fillClients(sheet: ExcelJS.Worksheet | ExcelJS.Worksheet): void {
  sheet.addRow(['Name', 'Phone', 'Amount', 'Active', 'Review Date', 'Doubled', 'Label']);
  sheet.addRow(['Ann Smith', 7911123456, 1234567.891234567, true, reviewDate, { formula: 'C2*2', result: 2469135.782469134 }, { richText: [{ text: 'Bold ', font: { bold: true } }, { text: 'and plain' }] }]);
  sheet.addRow(['Bob Jones', 447911123457, 0.1, false, null, { formula: 'C3*2' }, { text: 'Website', hyperlink: 'https://example.com' }]);
  sheet.addRow(['Cara Lee', '07911 123458', -42, null, null, { formula: 'TODAY()', result: serial2024_01_15 }, { error: '#N/A' }]);
  sheet.getColumn(5).numFmt = 'dd/mm/yyyy hh:mm';
  sheet.getCell('F4').numFmt = 'dd/mm/yyyy';
}

const expectedClients = [
  ['Ann Smith', 7911123456, 1234567.891234567, true, reviewDate, 2469135.782469134, 'Bold and plain'],
  ['Bob Jones', 447911123457, 0.1, false, null, null, 'Website'],
  ['Cara Lee', '07911 123458', -42, null, null, new Date(Date.UTC(2024, 0, 15)), '#N/A'],
];

let sharedStrings = '';
let inlineStrings = '';

beforeAll(async () => {
  const workbook = new ExcelJS.Workbook();
  fillClients(workbook.addWorksheet('Clients'));
  const notes = workbook.addWorksheet('Notes');
  notes.addRow(['Ref', 'Note']);
  notes.addRow(['N1', 'first note']);
  sharedStrings = temp.path('shared.xlsx');
  await workbook.xlsx.writeFile(sharedStrings);

  inlineStrings = temp.path('inline.xlsx');
  const streaming = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: inlineStrings, useSharedStrings: false, useStyles: true });
  const sheet = streaming.addWorksheet('Clients');
  sheet.getColumn(5).numFmt = 'dd/mm/yyyy hh:mm';
  const rows: ExcelJS.CellValue[][] = [
    ['Name', 'Phone', 'Amount', 'Active', 'Review Date', 'Doubled', 'Label'],
    ['Ann Smith', 7911123456, 1234567.891234567, true, reviewDate, { formula: 'C2*2', result: 2469135.782469134 }, { richText: [{ text: 'Bold ' }, { text: 'and plain' }] }],
    ['Bob Jones', 447911123457, 0.1, false, null, { formula: 'C3*2' }, { text: 'Website', hyperlink: 'https://example.com' }],
    ['Cara Lee', '07911 123458', -42, null, null, { formula: 'TODAY()', result: serial2024_01_15 }, { error: '#N/A' }],
  ];
  for (const [index, values] of rows.entries()) {
    const row = sheet.addRow(values);
    if (index === 3) row.getCell(6).numFmt = 'dd/mm/yyyy';
    row.commit();
  }
  sheet.commit();
  await streaming.commit();
});

describe('XLSX cell values', () => {
  it('reads a workbook saved with shared strings (as Excel saves) with typed cells', async () => {
    const { sheet, rows } = await readAll(sharedStrings);
    expect(sheet.format).toBe('xlsx');
    expect(sheet.sheet).toBe('Clients');
    expect(sheet.headers).toEqual(['Name', 'Phone', 'Amount', 'Active', 'Review Date', 'Doubled', 'Label']);
    expect(cellsOf(rows)).toEqual(expectedClients);
    expect(rows.map((r) => r.position)).toEqual([2, 3, 4].map((row) => ({ file: 'shared.xlsx', sheet: 'Clients', row })));
  });

  it('reads the same values from a streaming-written workbook with inline strings', async () => {
    const { rows } = await readAll(inlineStrings);
    // Inline rich text is written as runs in the cell itself; every run's text is kept.
    expect(cellsOf(rows)).toEqual(expectedClients);
  });

  it('keeps a phone stored as a number as the exact number 7911123456', async () => {
    const { rows } = await readAll(sharedStrings);
    expect(rows[0]?.cells[1]).toBe(7911123456);
  });

  it('gives a date cell as a Date whose UTC fields are the wall-clock time', async () => {
    const { rows } = await readAll(sharedStrings);
    const date = rows[0]?.cells[4];
    expect(date).toBeInstanceOf(Date);
    expect((date as Date).toISOString()).toBe('2024-01-15T09:30:00.000Z');
  });

  it('reads dates right in a 1904-based workbook', async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.properties.date1904 = true;
    const sheet = workbook.addWorksheet('Mac');
    sheet.addRow(['Name', 'Review Date', 'Formula Date']);
    sheet.addRow(['Ann', reviewDate, { formula: 'B2', result: serial2024_01_15 - 1462 }]);
    sheet.getColumn(2).numFmt = 'yyyy-mm-dd hh:mm';
    sheet.getColumn(3).numFmt = 'yyyy-mm-dd';
    const path = temp.path('1904.xlsx');
    await workbook.xlsx.writeFile(path);
    const { rows } = await readAll(path);
    expect(cellsOf(rows)).toEqual([['Ann', reviewDate, new Date(Date.UTC(2024, 0, 15))]]);
  });

  it('gives shared formulas their cached results', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('S');
    sheet.addRow(['A', 'Doubled']);
    sheet.getCell('A2').value = 5;
    sheet.getCell('A3').value = 7;
    // exceljs's types leave out shareType/ref, which make it write a real shared formula.
    const master = { formula: 'A2*2', result: 10, shareType: 'shared', ref: 'B2:B3' };
    sheet.getCell('B2').value = master as ExcelJS.CellFormulaValue;
    sheet.getCell('B3').value = { sharedFormula: 'B2', result: 14 };
    const path = temp.path('shared-formula.xlsx');
    await workbook.xlsx.writeFile(path);
    const { rows } = await readAll(path);
    expect(cellsOf(rows)).toEqual([
      [5, 10],
      [7, 14],
    ]);
  });

  it('reads merged cells as the top-left value and empty cells after it', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('M');
    sheet.addRow(['Name', 'Town', 'Phone']);
    sheet.addRow(['Ann', 'Leeds', '07911 123456']);
    sheet.mergeCells('A2:B2');
    const path = temp.path('merged.xlsx');
    await workbook.xlsx.writeFile(path);
    const { rows } = await readAll(path);
    expect(cellsOf(rows)).toEqual([['Ann', null, '07911 123456']]);
  });

  it('keeps multi-byte characters whole across zip chunk boundaries (shared and inline strings)', async () => {
    const text = (i: number) => `€‘’“”–é ${i} ${'€'.repeat(150 + (i % 7))}`;
    const shared = new ExcelJS.Workbook();
    const sharedSheet = shared.addWorksheet('S');
    sharedSheet.addRow(['Notes']);
    for (let i = 0; i < 1500; i++) sharedSheet.addRow([text(i)]);
    const sharedPath = temp.path('utf8-shared.xlsx');
    await shared.xlsx.writeFile(sharedPath);
    const inlinePath = temp.path('utf8-inline.xlsx');
    const inline = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: inlinePath, useSharedStrings: false });
    const inlineSheet = inline.addWorksheet('S');
    inlineSheet.addRow(['Notes']).commit();
    for (let i = 0; i < 1500; i++) inlineSheet.addRow([text(i)]).commit();
    inlineSheet.commit();
    await inline.commit();
    for (const path of [sharedPath, inlinePath]) {
      const { rows } = await readAll(path);
      expect(rows).toHaveLength(1500);
      const wrong = rows.filter((row, i) => row.cells[0] !== text(i));
      expect(wrong.map((row) => row.position.row)).toEqual([]);
    }
  });
});

describe('XLSX sheets, rows and headers', () => {
  it('picks a sheet by name, case-insensitively', async () => {
    const { sheet, rows } = await readAll(sharedStrings, { sheet: 'notes' });
    expect(sheet.sheet).toBe('Notes');
    expect(sheet.headers).toEqual(['Ref', 'Note']);
    expect(cellsOf(rows)).toEqual([['N1', 'first note']]);
    expect(rows[0]?.position).toEqual({ file: 'shared.xlsx', sheet: 'Notes', row: 2 });
  });

  it('lists the sheets that exist when the named one does not', async () => {
    await expectInputError(openSheet(sharedStrings, { sheet: 'Contacts' }), { file: 'shared.xlsx' }, /no sheet "Contacts"; the sheets are "Clients", "Notes"/);
  });

  it('defaults to the first visible worksheet', async () => {
    const workbook = new ExcelJS.Workbook();
    const lists = workbook.addWorksheet('Lists', { state: 'hidden' });
    lists.addRow(['Choice']);
    workbook.addWorksheet('Data').addRow(['Name']);
    workbook.getWorksheet('Data')?.addRow(['Ann']);
    const path = temp.path('hidden-first.xlsx');
    await workbook.xlsx.writeFile(path);
    const { sheet, rows } = await readAll(path);
    expect(sheet.sheet).toBe('Data');
    expect(cellsOf(rows)).toEqual([['Ann']]);
  });

  it('keeps worksheet row numbers across gaps and counts the gaps as blank rows', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Sparse');
    sheet.getCell('A1').value = 'Name';
    sheet.getCell('B1').value = 'Phone';
    sheet.getCell('A2').value = 'Ann';
    sheet.getCell('A6').value = 'Bob';
    sheet.getCell('B7').value = '   ';
    sheet.getCell('A8').value = 'Cara';
    sheet.getRow(9).getCell(1).fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFF0000' } }; // styled, empty
    const path = temp.path('sparse.xlsx');
    await workbook.xlsx.writeFile(path);
    const { sheet: opened, rows } = await readAll(path);
    expect(rows.map((r) => [r.position.row, r.cells[0]])).toEqual([
      [2, 'Ann'],
      [6, 'Bob'],
      [8, 'Cara'],
    ]);
    expect(opened.stats.blankRows).toBeGreaterThanOrEqual(4); // rows 3, 4, 5 and 7 (9 when stored)
    expect(opened.stats.blankRows).toBeLessThanOrEqual(5);
  });

  it('says the header row is empty when row 1 is blank', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('NoHeader');
    sheet.getCell('A3').value = 'Name';
    sheet.getCell('A4').value = 'Ann';
    const path = temp.path('no-header.xlsx');
    await workbook.xlsx.writeFile(path);
    await expectInputError(openSheet(path, {}), { file: 'no-header.xlsx', sheet: 'NoHeader', row: 1 }, /row 1 \(the header row\) is empty/);
  });

  it('names both columns of a duplicate header', async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('Dup').addRow(['Name', 'Phone', 'Email', 'PHONE ']);
    const path = temp.path('dup.xlsx');
    await workbook.xlsx.writeFile(path);
    await expectInputError(openSheet(path, {}), { sheet: 'Dup', row: 1 }, /columns 2 and 4 are both "Phone"/);
  });

  it('refuses data under a blank header, naming sheet, row and column', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Gap');
    sheet.addRow(['Name', null, 'Phone']);
    sheet.addRow(['Ann', null, '07911 123456']);
    sheet.addRow(['Bob', 'stray', '07911 123457']);
    const path = temp.path('blank-header.xlsx');
    await workbook.xlsx.writeFile(path);
    const opened = await openSheet(path, {});
    expect(opened.headers).toEqual(['Name', '', 'Phone']);
    await expectInputError(
      (async () => {
        for await (const _ of opened.rows);
      })(),
      { sheet: 'Gap', row: 3, column: 'column 2' },
      /column 2 has no header/,
    );
  });

  it('closes cleanly when the consumer stops after one row', async () => {
    const opened = await openSheet(sharedStrings, {});
    for await (const _ of opened.rows) break;
    expect((await readAll(sharedStrings)).rows).toHaveLength(3);
  });

  it('converts header cells that are not text to text', async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('H').addRow([' Name ', 2024, true]);
    const path = temp.path('header-types.xlsx');
    await workbook.xlsx.writeFile(path);
    expect((await openSheet(path, {})).headers).toEqual(['Name', '2024', 'true']);
  });
});

describe('XLSX damage', () => {
  it('says a truncated workbook is damaged', async () => {
    const bytes = readFileSync(sharedStrings);
    const path = temp.write('truncated.xlsx', bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expectInputError(openSheet(path, {}), { file: 'truncated.xlsx' }, /^the workbook is damaged \(.*cut short/);
  });

  it('rejects, never hangs, when the compressed sheet data is corrupt', async () => {
    const bigPath = temp.path('big.xlsx');
    const writer = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: bigPath, useSharedStrings: false });
    const sheet = writer.addWorksheet('Big');
    sheet.addRow(['Id', 'Name']).commit();
    for (let i = 0; i < 20_000; i++) sheet.addRow([i, `Client number ${i} ${(i * 7919) % 10007}`]).commit();
    sheet.commit();
    await writer.commit();
    const bytes = Buffer.from(readFileSync(bigPath));
    // Scribble over the middle of the sheet's deflate stream; the zip directory stays intact.
    for (let i = 0; i < 64; i++) bytes[Math.floor(bytes.length / 2) + i] = (i * 37) & 0xff;
    const path = temp.write('corrupt.xlsx', bytes);
    const outcome = (async () => {
      for await (const _ of (await openSheet(path, {})).rows);
      return 'finished';
    })().catch((error: unknown) => error);
    // A hang fails on the test's own timeout.
    const result = await outcome;
    expect(result).not.toBe('finished');
    expect(String(result)).toMatch(/corrupt\.xlsx, sheet "Big", row \d+: the workbook is damaged/);
  });

  it('says a zip that is not a workbook is not a spreadsheet', async () => {
    const path = temp.write('archive.xlsx', storedZip('readme.txt', 'hello'));
    await expectInputError(openSheet(path, {}), { file: 'archive.xlsx' }, /not a spreadsheet: it is a zip archive but not an Excel workbook/);
  });
});

describe('XLSX helpers', () => {
  it('refuses a cell whose text inflates past 8 MB, naming the row, whatever the zip declared', async () => {
    const chunk = 'x'.repeat(1_048_576);
    async function* bomb(): AsyncGenerator<string> {
      yield '<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>';
      for (let i = 0; i < 20; i++) yield chunk;
    }
    const drain = async () => {
      for await (const _ of sheetRows(bomb(), { sharedStrings: sharedStringTable(), dateStyles: new Uint8Array(0), date1904: false }));
    };
    await expect(drain()).rejects.toThrow(/inflates to more than 8 MB of text uncompressed/);
  });

  it('refuses a DOCTYPE as soon as its first characters arrive, wherever "<!DOCTYPE" is cut, never buffering the rest', async () => {
    const head = '\uFEFF<?xml version="1.0"?>\n<!-- made by hand -->\n<!DOCTYPE worksheet [\n';
    for (let cut = 1; cut < head.length; cut++) {
      let given = 0;
      async function* chunks(): AsyncGenerator<string> {
        given++;
        yield head.slice(0, cut);
        given++;
        yield head.slice(cut);
        for (let i = 0; i < 5000; i++) {
          given++;
          yield `<!ENTITY a${i} "${'x'.repeat(1000)}">\n`;
        }
        yield ']><worksheet/>';
      }
      const drain = async () => {
        for await (const _ of sheetRows(chunks(), { sharedStrings: sharedStringTable(), dateStyles: new Uint8Array(0), date1904: false }));
      };
      await expect(drain()).rejects.toThrow(/declares a DOCTYPE/);
      // Refused in the chunk that completes "<!DOCTYPE": no entity declaration is ever asked for.
      expect(given, `cut at ${cut}`).toBe(cut >= head.indexOf('<!DOCTYPE') + '<!DOCTYPE'.length ? 1 : 2);
    }
  });

  it('holds a row with a cell at column XFD as the header\'s width plus that cell, not 16,384 cells', async () => {
    const rowsXml = Array.from({ length: 2900 }, (_, i) => `<row r="${i + 2}"><c r="XFD${i + 2}"><v>1</v></c></row>`).join('');
    const xml = `<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c><c r="B1" t="inlineStr"><is><t>Phone</t></is></c></row>${rowsXml}</sheetData></worksheet>`;
    const widths = new Set<number>();
    let count = 0;
    for await (const row of sheetRows(toAsync([xml]), { sharedStrings: sharedStringTable(), dateStyles: new Uint8Array(0), date1904: false })) {
      if (row.number === 1) continue;
      count++;
      widths.add(row.cells.length);
      expect(row.cells[2]).toBe(1);
    }
    expect(count).toBe(2900);
    expect([...widths]).toEqual([3]);
  });

  it('joins inline rich-text runs wherever the XML is cut into chunks', async () => {
    const xml = '<worksheet><sheetData><row r="2"><c r="A2" t="inlineStr"><is><r><rPr><b/></rPr><t xml:space="preserve">Bold </t></r><r><t>and plain</t></r></is></c><c r="B2" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>';
    for (let cut = 1; cut < xml.length; cut++) {
      const rows = [];
      for await (const row of sheetRows(toAsync([xml.slice(0, cut), xml.slice(cut)]), { sharedStrings: sharedStringTable(), dateStyles: new Uint8Array(0), date1904: false })) rows.push(row);
      expect(rows).toEqual([{ number: 2, cells: ['Bold and plain', 'x'] }]);
    }
  });

  it('reads the sheet index and a 1904 date system written as "true"', () => {
    const workbook = Buffer.from(`<workbook xmlns:r="r"><workbookPr date1904="true"/><sheets><sheet name="A &amp; B" sheetId="1" r:id="rId2"/><sheet state="hidden" name="L" sheetId="2" r:id="rId1"/></sheets></workbook>`);
    const rels = Buffer.from(`<Relationships><Relationship Id="rId1" Type="x/worksheet" Target="/xl/worksheets/sheet2.xml"/><Relationship Id="rId2" Type="x/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`);
    expect(parseWorkbookIndex(workbook, parseRelationships(rels, 'xl/workbook.xml'))).toEqual({
      date1904: true,
      sheets: [
        { name: 'A & B', part: 'xl/worksheets/sheet1.xml', hidden: false, isWorksheet: true },
        { name: 'L', part: 'xl/worksheets/sheet2.xml', hidden: true, isWorksheet: true },
      ],
    });
  });

  it('turns a serial into the same wall-clock date in either date system', () => {
    expect(excelSerialToDate(serial2024_01_15, false)).toEqual(new Date(Date.UTC(2024, 0, 15)));
    expect(excelSerialToDate(serial2024_01_15 - 1462, true)).toEqual(new Date(Date.UTC(2024, 0, 15)));
  });

  it('keeps every shared string whole and in place across the table\'s internal blocks', () => {
    const entries = ['', 'a', 'x'.repeat(700_000), 'y'.repeat(700_000), '', 'z'.repeat(2_500_000), 'Zoë €5', '東京'];
    const table = sharedStringTable();
    for (const entry of entries) table.add(entry);
    table.finish();
    expect(table.count).toBe(entries.length);
    entries.forEach((entry, index) => expect(table.get(index) === entry, `entry ${index}`).toBe(true));
    expect([table.get(-1), table.get(entries.length), table.get(1.5)]).toEqual([undefined, undefined, undefined]);
  });

  it('recognises date number formats but not plain number formats', () => {
    expect(isDateFormat('dd/mm/yyyy')).toBe(true);
    expect(isDateFormat('[$-809]d mmmm yyyy')).toBe(true);
    expect(isDateFormat('#,##0.00')).toBe(false);
    expect(isDateFormat('"£"#,##0.00')).toBe(false);
    // m is minutes directly after h or directly before s, whatever separates them; a month otherwise.
    expect(isDateFormat('h"h"mm')).toBe(false);
    expect(isDateFormat('mm"m "ss"s"')).toBe(false);
    expect(isDateFormat('[m]')).toBe(false);
    expect(isDateFormat('[ss]')).toBe(false);
    expect(isDateFormat('yyyy-mm-dd hh:mm:ss')).toBe(true);
    expect(isDateFormat('hh:mm dd/mm')).toBe(true);
    expect(isDateFormat('m "min"')).toBe(true); // no h or s beside it: a month
    expect(isDateFormat('0.00E+00')).toBe(false);
    expect(isDateFormat('General')).toBe(false);
    expect(isDateFormat('"day "0')).toBe(false);
    expect(isDateFormat('[Red][<=0]0;[Blue]0')).toBe(false);
  });
});

async function* toAsync(parts: string[]): AsyncGenerator<string> {
  yield* parts;
}

/** A one-entry zip with no compression: enough to look like an archive to the sniffer. */
function storedZip(name: string, content: string): Buffer {
  const nameBytes = Buffer.from(name);
  const data = Buffer.from(content);
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(nameBytes.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(nameBytes.length, 28);
  const centralOffset = local.length + nameBytes.length + data.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + nameBytes.length, 12);
  end.writeUInt32LE(centralOffset, 16);
  return Buffer.concat([local, nameBytes, data, central, nameBytes, end]);
}

function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}


describe('reading a later sheet of a workbook exceljs streamed', () => {
  it('skipping the sheets before it never leaves a temp file to vanish under exceljs (no uncaught ENOENT)', async () => {
    const temp = tempDir('later-sheet-');
    const path = temp.path('streamed.xlsx');
    // The streaming writer puts the sheets before workbook.xml, so exceljs buffers them to temp files.
    const writer = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings: false });
    for (const name of ['First', 'Second', 'Third', 'Fourth', 'Fifth', 'Sixth']) {
      const sheet = writer.addWorksheet(name);
      sheet.addRow(['Name', 'Value']).commit();
      for (let i = 0; i < 200; i++) sheet.addRow([`${name} ${i}`, i]).commit();
      sheet.commit();
    }
    await writer.commit();
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      for (let round = 0; round < 25; round++) {
        const { rows } = await readAll(path, { sheet: 'Sixth' });
        expect(rows).toHaveLength(200);
        expect(rows[0]?.cells[0]).toBe('Sixth 0');
      }
      await new Promise((resolve) => setTimeout(resolve, 200)); // let any stray stream open fail
    } finally {
      process.off('uncaughtException', onUncaught);
      temp.cleanup();
    }
    expect(uncaught).toEqual([]);
  });
});
