import { access, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutputError } from '../../src/errors.js';
import { openXlsxWriter, type XlsxCellValue } from '../../src/io/write-xlsx.js';
import { openXlsxWriterOnThread } from '../../src/io/xlsx-thread.js';
import { partsOf } from './read-xlsx-helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xlsx-thread-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The same calls either way, as a report makes them: a sheet written last but shown first, two sheets at once, splits, notes, dropdowns. */
async function writeSample(path: string, open: typeof openXlsxWriter): Promise<void> {
  const writer = open(path, { maxRowsPerSheet: 700 });
  const summary = writer.addSheet('Summary', { widths: [30, 20] });
  const results = writer.addSheet('Results', { columns: [{ header: 'Row' }, { header: 'Text', width: 30 }, { header: 'When' }, { header: 'Pennies' }, { header: 'Other' }], frozenHeader: true, autoFilter: true });
  const errors = writer.addSheet('Errors', { columns: [{ header: 'Row' }, { header: 'Error' }] });
  errors.addDropdown(1, ['fix', 'skip']);
  const values: XlsxCellValue[] = [];
  for (let row = 1; row <= 2_000; row += 1) {
    values[0] = row;
    values[1] = row % 7 === 0 ? `=HYPERLINK("x") & <tag> _x0041_ \r row ${row}` : `row ${row}`;
    values[2] = row % 5 === 0 ? null : new Date(Date.UTC(2026, 0, 1 + (row % 300), row % 24));
    values[3] = row % 3 === 0 ? true : row * 101;
    // What JSON cannot hold as it is: written as text by both.
    values[4] = row % 13 === 0 ? Number.NaN : row % 17 === 0 ? Number.NEGATIVE_INFINITY : row % 19 === 0 ? null : `plain "quoted" \\ ${row}`;
    // Callers reuse one array: what is written is what the row held when it was added.
    const written = results.addRow(values, row % 11 === 0 ? { problem: [1], notes: { 1: `Text: bad on row ${row}` }, money: [3] } : { highlight: [2], money: [3] });
    if (written !== undefined) await written;
    if (row % 4 === 0) await errors.addRow([row, `error ${row}`], { problem: [0], notes: { 0: 'see Error' } });
  }
  await summary.addRow(['Rows', 2_000], { bold: [0] });
  await writer.close();
}

describe('the workbook written on a thread of its own', () => {
  it('holds the same parts, byte for byte, as the workbook written on the calling thread', async () => {
    const here = join(dir, 'here.xlsx');
    const there = join(dir, 'there.xlsx');
    await writeSample(here, openXlsxWriter);
    await writeSample(there, openXlsxWriterOnThread);
    const byName = (parts: Awaited<ReturnType<typeof partsOf>>) => new Map(parts.map(([name, content]) => [name, content.toString()]));
    const expected = byName(await partsOf(here));
    const actual = byName(await partsOf(there));
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [name, content] of expected) expect(actual.get(name), name).toBe(content);
    // The split and the order of tabs came through: Results went on in "Results (2)" and "Results (3)".
    expect(expected.get('xl/workbook.xml')).toMatch(/name="Summary".*name="Results".*name="Results \(2\)".*name="Results \(3\)".*name="Errors"/);
  });

  it("fails close with the writer's message when the file cannot be written, and leaves nothing behind", async () => {
    const path = join(dir, 'no-such-folder', 'report.xlsx');
    const writer = openXlsxWriterOnThread(path);
    const sheet = writer.addSheet('Data');
    for (let row = 0; row < 100; row += 1) await sheet.addRow([row, 'text']);
    const closing = writer.close();
    await expect(closing).rejects.toThrow(OutputError);
    await expect(closing).rejects.toThrow(/cannot write .*no-such-folder.*report\.xlsx/);
  });

  it.each([
    ['on the calling thread', openXlsxWriter],
    ['on its own thread', openXlsxWriterOnThread],
  ])('rows added after the output failed are refused with an OutputError naming the workbook (%s)', async (_how, open) => {
    const writer = open(join(dir, 'no-such-folder', 'big.xlsx'));
    const sheet = writer.addSheet('Data');
    let refused: unknown;
    try {
      for (let row = 0; row < 20_000; row += 1) {
        const written = sheet.addRow([row, 'x'.repeat(200)]);
        if (written !== undefined) await written;
      }
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(OutputError);
    expect((refused as Error).message).toMatch(/cannot write .*big\.xlsx/);
    await expect(writer.close()).rejects.toThrow(/no-such-folder/);
  });

  it("refuses at once, as on the calling thread, what Excel cannot take and a sheet already committed", async () => {
    const writer = openXlsxWriterOnThread(join(dir, 'refused.xlsx'));
    const sheet = writer.addSheet('Data');
    expect(() => sheet.addRow(new Array(16_385).fill(1))).toThrow(/16384 columns/);
    expect(() => writer.addSheet('Other', { columns: [{ header: 'A' }], maxRowsPerSheet: 1 })).toThrow(/maxRowsPerSheet/);
    await sheet.addRow(['kept']);
    await sheet.commit();
    expect(() => sheet.addRow(['late'])).toThrow(/already committed/);
    await writer.close();
    const [, sheetXml] = (await partsOf(join(dir, 'refused.xlsx'))).find(([name]) => name === 'xl/worksheets/sheet1.xml')!;
    expect(sheetXml.toString()).toContain('<t>kept</t>');
    expect(sheetXml.toString()).not.toContain('late');
  });

  it('a discarded workbook leaves neither the file nor its partial file', async () => {
    const path = join(dir, 'discarded.xlsx');
    const writer = openXlsxWriterOnThread(path);
    const sheet = writer.addSheet('Data');
    for (let row = 0; row < 20_000; row += 1) {
      const written = sheet.addRow([row, `text ${row}`]);
      if (written !== undefined) await written;
    }
    await writer.discard();
    await expect(access(path)).rejects.toThrow();
    expect((await readdir(dir)).filter((name) => name.includes('discarded'))).toEqual([]);
  });
});
