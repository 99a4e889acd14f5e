import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { columnLetter, openXlsxWriter } from '../../src/io/write-xlsx.js';
import { openXlsxWriterOnThread } from '../../src/io/xlsx-thread.js';
import { partsOf } from './read-xlsx-helpers.js';
import { noteText, readBack, sheetOf } from './write-test-helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'write-xlsx-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const dangerous = ['=1+1', '=HYPERLINK("http://evil","x")', '+447911123456', '-12.50', '@SUM(A1)', '\t=1+1', '\r=1+1', '\tplain'];

describe('openXlsxWriter', () => {
  it('writes formula-looking text as string cells, exactly, never as formulas', async () => {
    const path = join(dir, 'formulae.xlsx');
    const writer = openXlsxWriter(path);
    const sheet = writer.addSheet('Data', { columns: [{ header: 'Value' }] });
    for (const text of dangerous) await sheet.addRow([text]);
    await writer.close();

    const data = sheetOf(await readBack(path), 'Data');
    dangerous.forEach((text, index) => {
      const cell = data.getCell(index + 2, 1);
      expect(cell.type).toBe(ExcelJS.ValueType.String);
      expect(cell.formula).toBeUndefined();
      // Exact, carriage return included (XML readers turn a literal CR into LF: it is written as &#13;).
      expect(cell.value).toBe(text);
    });
    // Text format so that editing the cell in Excel does not turn it into a formula (or number).
    expect(data.getCell(2, 1).numFmt).toBe('@');
    expect(data.getCell(4, 1).numFmt).toBe('@');
  });

  it('keeps numbers, booleans and dates typed, dates with a date format', async () => {
    const path = join(dir, 'types.xlsx');
    const writer = openXlsxWriter(path);
    const sheet = writer.addSheet('Data');
    const day = new Date(Date.UTC(2025, 0, 31));
    const moment = new Date(Date.UTC(2025, 0, 31, 9, 30, 15));
    await sheet.addRow([-1250, true, day, moment, null, 'text']);
    await writer.close();

    const data = sheetOf(await readBack(path), 'Data');
    const row = data.getRow(1);
    expect(row.getCell(1).value).toBe(-1250);
    expect(row.getCell(2).value).toBe(true);
    expect(row.getCell(3).value).toEqual(day);
    expect(row.getCell(3).numFmt).toBe('yyyy-mm-dd');
    expect(row.getCell(4).value).toEqual(moment);
    expect(row.getCell(4).numFmt).toBe('yyyy-mm-dd hh:mm:ss');
    expect(row.getCell(5).value).toBeNull();
    expect(row.getCell(6).value).toBe('text');
  });

  it('writes a bold frozen header with widths and autofilter, fills and notes on the named cells', async () => {
    const path = join(dir, 'styles.xlsx');
    const writer = openXlsxWriter(path);
    const sheet = writer.addSheet('Styled', {
      columns: [
        { header: 'A', width: 30 },
        { header: 'B', width: 12 },
        { header: 'C' },
      ],
      frozenHeader: true,
      autoFilter: true,
    });
    await sheet.addRow(['one', 'two', 'three'], { highlight: [1], problem: [2], notes: { 2: 'bad value' } });
    await writer.close();

    const styled = sheetOf(await readBack(path), 'Styled');
    expect(styled.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(styled.getColumn(1).width).toBe(30);
    expect(styled.getCell('A1').font?.bold).toBe(true);
    // The filter covers the header and the rows under it (ECMA-376 §18.3.1.2: ref is the filtered range).
    expect(styled.autoFilter).toBe('A1:C2');
    expect(styled.getCell('A2').fill).toBeUndefined();
    expect(styled.getCell('B2').fill).toMatchObject({ pattern: 'solid', fgColor: { argb: 'FFFFF2A8' } });
    expect(styled.getCell('C2').fill).toMatchObject({ pattern: 'solid', fgColor: { argb: 'FFFFC7CE' } });
    expect(noteText(styled.getCell('C2').note)).toBe('bad value');
    expect(styled.getCell('B2').note).toBeUndefined();
  });

  it('adds one dropdown per column range: inline when short, from a hidden Lists sheet when long', async () => {
    const path = join(dir, 'dropdowns.xlsx');
    const longChoices = Array.from({ length: 60 }, (_, index) => `Choice number ${index}`);
    const writer = openXlsxWriter(path);
    const sheet = writer.addSheet('Data', { columns: [{ header: 'Short' }, { header: 'Long' }, { header: 'Comma' }] });
    // Small ranges: exceljs's document reader expands a range into one entry per cell.
    const range = { firstRow: 2, lastRow: 1000 };
    sheet.addDropdown(0, ['email', 'phone_number'], range);
    sheet.addDropdown(1, longChoices, range);
    sheet.addDropdown(2, ['a, b', 'c'], range);
    await sheet.addRow(['email', 'Choice number 3', 'c']);
    await writer.close();

    const workbook = await readBack(path);
    const data = sheetOf(workbook, 'Data');
    expect(data.getCell('A2').dataValidation).toMatchObject({ type: 'list', formulae: ['"email,phone_number"'] });
    expect(data.getCell('A1000').dataValidation?.type).toBe('list');
    expect(data.getCell('A1001').dataValidation).toBeUndefined();
    expect(data.getCell('A1').dataValidation).toBeUndefined();
    expect(data.getCell('B2').dataValidation).toMatchObject({ type: 'list', formulae: ['Lists!$A$1:$A$60'] });
    expect(data.getCell('C2').dataValidation).toMatchObject({ type: 'list', formulae: ['Lists!$B$1:$B$2'] });
    const lists = sheetOf(workbook, 'Lists');
    expect(lists.state).toBe('hidden');
    expect(lists.getCell('A60').value).toBe('Choice number 59');
    expect(lists.getCell('B1').value).toBe('a, b');
  });

  it('keeps long dropdown lists on their own sheet even when the workbook has a sheet called Lists', async () => {
    const path = join(dir, 'lists-taken.xlsx');
    const writer = openXlsxWriter(path);
    await writer.addSheet('Lists').addRow(['a sheet of the user']);
    const sheet = writer.addSheet('Data', { columns: [{ header: 'Long' }] });
    sheet.addDropdown(0, Array.from({ length: 60 }, (_, index) => `Choice number ${index}`), { firstRow: 2, lastRow: 10 });
    await writer.close();

    const workbook = await readBack(path);
    expect(workbook.worksheets.map((each) => each.name)).toEqual(['Lists', 'Data', 'Lists (2)']);
    expect(sheetOf(workbook, 'Data').getCell('A2').dataValidation).toMatchObject({ type: 'list', formulae: ["'Lists (2)'!$A$1:$A$60"] });
    expect(sheetOf(workbook, 'Lists').getCell('A1').value).toBe('a sheet of the user');
    expect(sheetOf(workbook, 'Lists (2)').getCell('A60').value).toBe('Choice number 59');
  });

  it('writes sheets at the same time, each row where it belongs, tabs in the order added', async () => {
    const path = join(dir, 'together.xlsx');
    const writer = openXlsxWriter(path);
    // Added first, written last (as a report's Summary is).
    const summary = writer.addSheet('Summary');
    const results = writer.addSheet('Results', { columns: [{ header: 'N' }, { header: 'Text' }] });
    const errors = writer.addSheet('Errors', { columns: [{ header: 'N' }] });
    // Enough rows that both sheets hand XML over while the other is still open: one streams
    // into the zip, the other waits in a temporary file.
    const rows = 6_000;
    for (let n = 1; n <= rows; n += 1) {
      await results.addRow([n, `row ${n} `.repeat(4)]);
      if (n % 3 === 0) await errors.addRow([n]);
    }
    await summary.addRow(['Rows', rows]);
    await writer.close();

    const workbook = await readBack(path);
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['Summary', 'Results', 'Errors']);
    expect(sheetOf(workbook, 'Summary').getCell('B1').value).toBe(rows);
    const resultsSheet = sheetOf(workbook, 'Results');
    expect(resultsSheet.rowCount).toBe(rows + 1);
    expect(resultsSheet.getCell(rows + 1, 1).value).toBe(rows);
    expect(resultsSheet.getCell(2, 2).value).toBe('row 1 row 1 row 1 row 1 ');
    const errorsSheet = sheetOf(workbook, 'Errors');
    expect(errorsSheet.rowCount).toBe(rows / 3 + 1);
    expect(errorsSheet.getCell(2, 1).value).toBe(3);
    expect(errorsSheet.getCell(rows / 3 + 1, 1).value).toBe(rows);
    // The temporary file is gone with the writer.
    const left = (await readdir(tmpdir())).filter((name) => name.startsWith(`plannr-bulk-xlsx-${process.pid}-`));
    expect(left).toEqual([]);
  });

  it("a sheet's next part streams into the zip as soon as the part before it ends, not through a temporary file", async () => {
    const path = join(dir, 'continued.xlsx');
    const writer = openXlsxWriter(path, { maxRowsPerSheet: 3_000 });
    const summary = writer.addSheet('Summary');
    const results = writer.addSheet('Results', { columns: [{ header: 'N' }, { header: 'Text' }] });
    const errors = writer.addSheet('Errors', { columns: [{ header: 'N' }] });
    await errors.addRow([1]);
    // About a megabyte a part: the zip falls behind, so a part's last chunk is still draining when it ends.
    for (let n = 1; n <= 9_000; n += 1) {
      const written = results.addRow([n, `${n} `.repeat(60)]);
      if (written !== undefined) await written;
    }
    await summary.addRow(['Rows', 9_000]);
    await writer.close();

    const sheetParts = (await partsOf(path)).map(([name]) => name).filter((name) => /^xl\/worksheets\/sheet\d+\.xml$/.test(name));
    // Summary is part 1, Results 2, Errors 3, its continuations 4, 5 and 6 (three rows, kept
    // whole until close). Results and its full continuations go straight into the zip, one
    // after another, before anything written at the end.
    expect(sheetParts.slice(0, 3)).toEqual(['xl/worksheets/sheet2.xml', 'xl/worksheets/sheet4.xml', 'xl/worksheets/sheet5.xml']);
  });

  it('finishes when parts end while the zip is behind (an ending part never waits for a drain)', async () => {
    // The zip takes a part's last bytes while earlier ones are still queued: a stream being
    // ended never says "drain" again, and waiting for it hung close (found at 300,000 rows).
    for (const open of [openXlsxWriter, openXlsxWriterOnThread]) {
      const path = join(dir, `behind-${open.name}.xlsx`);
      const writer = open(path, { maxRowsPerSheet: 20_000 });
      const results = writer.addSheet('Results', { columns: [{ header: 'N' }, { header: 'Text' }] });
      const errors = writer.addSheet('Errors', { columns: [{ header: 'N' }, { header: 'Error' }] });
      for (let n = 1; n <= 100_000; n += 1) {
        const written = results.addRow([n, `${'x'.repeat(100)}${n}`]);
        if (written !== undefined) await written;
        if (n % 10 === 0) await errors.addRow([n, 'error']);
      }
      await writer.close();
      const parts = (await partsOf(path)).map(([name]) => name).filter((name) => name.startsWith('xl/worksheets/sheet'));
      // 100,000 rows at 19,999 a part (plus the header), and 10,000 Errors rows in one.
      expect(parts).toHaveLength(6 + 1);
    }
  }, 60_000);

  it('rows cannot be added to a committed sheet', async () => {
    const writer = openXlsxWriter(join(dir, 'committed.xlsx'));
    const first = writer.addSheet('First');
    await first.addRow([1]);
    await first.commit();
    expect(() => first.addRow([2])).toThrow(/committed/);
    await writer.discard();
  });

  it('a discarded workbook leaves neither the file nor temporary files', async () => {
    const path = join(dir, 'discarded.xlsx');
    const writer = openXlsxWriter(path);
    const a = writer.addSheet('A');
    const b = writer.addSheet('B');
    for (let n = 0; n < 5_000; n += 1) {
      await a.addRow([`a ${n} `.repeat(5)]);
      await b.addRow([`b ${n} `.repeat(5)]);
    }
    await writer.discard();
    expect((await readdir(dir)).filter((name) => name.startsWith('discarded'))).toEqual([]);
    const left = (await readdir(tmpdir())).filter((name) => name.startsWith(`plannr-bulk-xlsx-${process.pid}-`));
    expect(left).toEqual([]);
  });

  it('stops adding notes past maxNotes but keeps the fills', async () => {
    const path = join(dir, 'notes.xlsx');
    const writer = openXlsxWriter(path);
    const sheet = writer.addSheet('Data', { maxNotes: 2 });
    for (let index = 0; index < 4; index += 1) await sheet.addRow(['x'], { problem: [0], notes: { 0: `note ${index}` } });
    await writer.close();

    const data = sheetOf(await readBack(path), 'Data');
    expect(noteText(data.getCell('A2').note)).toBe('note 1');
    expect(data.getCell('A3').note).toBeUndefined();
    expect(data.getCell('A4').fill).toMatchObject({ fgColor: { argb: 'FFFFC7CE' } });
  });

  it('continues on "Name (2)" at the row limit, repeating the header', async () => {
    const path = join(dir, 'split.xlsx');
    const writer = openXlsxWriter(path);
    const sheet = writer.addSheet('Results', { columns: [{ header: 'N' }], frozenHeader: true, maxRowsPerSheet: 3 });
    for (let n = 1; n <= 5; n += 1) await sheet.addRow([n]);
    await writer.close();

    const workbook = await readBack(path);
    expect(workbook.worksheets.map((each) => each.name)).toEqual(['Results', 'Results (2)', 'Results (3)']);
    const values = workbook.worksheets.map((each) => each.getColumn(1).values.slice(1));
    expect(values).toEqual([['N', 1, 2], ['N', 3, 4], ['N', 5]]);
    expect(sheetOf(workbook, 'Results (2)').views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    // Where each part goes on and comes from, in a note on its first cell.
    expect(noteText(sheetOf(workbook, 'Results').getCell('A1').note)).toBe('Continues on sheet "Results (2)".');
    expect(noteText(sheetOf(workbook, 'Results (2)').getCell('A1').note)).toBe('Continued from sheet "Results".\n\nContinues on sheet "Results (3)".');
    expect(noteText(sheetOf(workbook, 'Results (3)').getCell('A1').note)).toBe('Continued from sheet "Results (2)".');
  });

  it('shortens text longer than Excel accepts in a cell, so the file opens without repair', async () => {
    const path = join(dir, 'long.xlsx');
    const writer = openXlsxWriter(path);
    const sheet = writer.addSheet('Data');
    await sheet.addRow(['x'.repeat(40_000), 'short']);
    await writer.close();
    const data = sheetOf(await readBack(path), 'Data');
    expect(String(data.getCell('A1').value)).toHaveLength(32_767);
    expect(data.getCell('B1').value).toBe('short');
  });

  it('rejects (never hangs) when the file cannot be written, even if the error came long before close', async () => {
    const writer = openXlsxWriter(join(dir, 'no-such-folder', 'x.xlsx'));
    const sheet = writer.addSheet('Data');
    await sheet.addRow(['x']);
    // Rows are taken until the failed open is known (a few event-loop turns; on a loaded machine, more), then refused.
    let refusal: unknown;
    for (let turn = 0; turn < 10_000 && refusal === undefined; turn++) {
      await new Promise((resolve) => setImmediate(resolve));
      try {
        await sheet.addRow(['y']);
      } catch (error) {
        refusal = error;
      }
    }
    expect(String(refusal)).toMatch(/ENOENT/);
    await expect(writer.close()).rejects.toThrow(/ENOENT/);
  });

  it('the workbook appears at its name only when complete, and leaves no partial file', async () => {
    const folder = await mkdtemp(join(dir, 'atomic-'));
    const path = join(folder, 'out.xlsx');
    const writer = openXlsxWriter(path);
    await writer.addSheet('Data').addRow(['x']);
    expect(await readdir(folder)).not.toContain('out.xlsx');
    await writer.close();
    expect(await readdir(folder)).toEqual(['out.xlsx']);
    expect(sheetOf(await readBack(path), 'Data').getCell(1, 1).value).toBe('x');
  });

  it('a discarded workbook leaves the file that was there byte for byte, and no partial file', async () => {
    const folder = await mkdtemp(join(dir, 'atomic-'));
    const path = join(folder, 'out.xlsx');
    const first = openXlsxWriter(path);
    await first.addSheet('Data').addRow(['first']);
    await first.close();
    const before = await readFile(path);
    const second = openXlsxWriter(path);
    await second.addSheet('Data').addRow(['second']);
    await second.discard();
    expect((await readFile(path)).equals(before)).toBe(true);
    expect(await readdir(folder)).toEqual(['out.xlsx']);
  });

  it('a workbook that cannot be put in place removes its partial file', async () => {
    const folder = await mkdtemp(join(dir, 'atomic-'));
    const path = join(folder, 'out.xlsx');
    await mkdir(join(path, 'in-the-way'), { recursive: true });
    const writer = openXlsxWriter(path);
    await writer.addSheet('Data').addRow(['x']);
    await expect(writer.close()).rejects.toThrow();
    expect(await readdir(folder)).toEqual(['out.xlsx']);
  });

  it('names columns past Z the way Excel does', () => {
    expect([1, 26, 27, 52, 703].map(columnLetter)).toEqual(['A', 'Z', 'AA', 'AZ', 'AAA']);
  });
});

