/**
 * The same workbook gives the same rows whatever order its zip parts are stored in, every time.
 * exceljs's streaming reader did not (upstream issue #683): with sheets stored before the shared
 * strings and styles (Windows Excel's order) it read the header row as empty, or dates as
 * serial numbers, in some runs; with Mac Excel's order (styles after the sheets) dates always.
 *
 * Workbooks written by LibreOffice (committed: test/fixtures/xlsx/, regenerated with
 * scripts/make-xlsx-fixtures.sh) and by exceljs (written here), each re-packed in LibreOffice's,
 * Windows Excel's and Mac Excel's part orders, each read ten times.
 */
import ExcelJS from 'exceljs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PART_ORDERS, partsOf, reorder, zipOf, type Part, type PartOrder } from './read-xlsx-helpers.js';
import { cellsOf, readAll, tempDir } from './read-test-helpers.js';

const temp = tempDir('xlsx-order');
afterAll(() => temp.cleanup());

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'xlsx');
const READS = 10;
const utc = (year: number, month: number, day: number, hour = 0, minute = 0) => new Date(Date.UTC(year, month - 1, day, hour, minute));
const HEADERS = ['Name', 'Amount', 'Joined', 'Balance', 'Active', 'Matches', 'Code', 'Note'];

/**
 * What the LibreOffice sources (libreoffice-*.fods) hold. LibreOffice saves a comparison
 * formula's result as a number (0 or 1) in a "TRUE"/"FALSE" number format, so Matches is 0/1
 * there; a plain boolean cell is t="b".
 */
const libreOfficeRows = [
  ['Smith & Co', 1234.56, utc(2024, 1, 15), 0, true, 0, 'AB', 'Flat 1\nHigh Street'],
  ['Jones _x000D_ Ltd', 0.1, utc(2025, 10, 26, 1, 30), 0, false, 1, 'Smith & Co', "O'Brien <ann@example.com>"],
  ['Smith & Co', -42, utc(1904, 1, 1), 7911123456, true, false, 'Zoë €5', 'Smith & Co'],
];

/** The exceljs workbook: the same cells, with boolean formula results stored as t="b". */
const exceljsRows = [
  ['Smith & Co', 1234.56, utc(2024, 1, 15), 0, true, false, 'AB', 'Flat 1\nHigh Street'],
  ['Jones Ltd', 0.1, utc(2025, 10, 26, 1, 30), 0, false, true, 'Smith & Co', "O'Brien <ann@example.com>"],
  ['Smith & Co', -42, utc(1904, 1, 1), 7911123456, true, false, 'Zoë €5', 'Smith & Co'],
];

async function exceljsWorkbook(date1904: boolean): Promise<string> {
  const workbook = new ExcelJS.Workbook();
  workbook.properties.date1904 = date1904;
  const sheet = workbook.addWorksheet('Clients');
  sheet.addRow(HEADERS);
  sheet.addRow(['Smith & Co', 1234.56, utc(2024, 1, 15), { formula: 'B2-B2', result: 0 }, true, { formula: 'B2=B3', result: false }, { formula: 'CONCATENATE("A","B")', result: 'AB' }, 'Flat 1\nHigh Street']);
  sheet.addRow(['Jones Ltd', 0.1, utc(2025, 10, 26, 1, 30), { formula: 'B3*0', result: 0 }, false, { formula: 'B3=B3', result: true }, 'Smith & Co', "O'Brien <ann@example.com>"]);
  sheet.addRow(['Smith & Co', -42, utc(1904, 1, 1), 7911123456, true, false, 'Zoë €5', 'Smith & Co']);
  sheet.getColumn(3).numFmt = 'dd/mm/yyyy hh:mm';
  workbook.addWorksheet('Lists', { state: 'hidden' }).addRow(['Choice']);
  const path = temp.path(`exceljs-${date1904 ? 1904 : 1900}.xlsx`);
  await workbook.xlsx.writeFile(path);
  return path;
}

interface Source {
  readonly label: string;
  readonly parts: Part[];
  readonly rows: unknown[][];
}

const sources: Source[] = [];
beforeAll(async () => {
  for (const system of [1900, 1904]) {
    sources.push({ label: `LibreOffice ${system}`, parts: await partsOf(join(FIXTURES, `libreoffice-${system}.xlsx`)), rows: libreOfficeRows });
    sources.push({ label: `exceljs ${system}`, parts: await partsOf(await exceljsWorkbook(system === 1904)), rows: exceljsRows });
  }
});

const orders = Object.keys(PART_ORDERS) as PartOrder[];

describe('the same rows whatever the part order, every time', () => {
  it.each(orders)('in %s part order', async (order) => {
    for (const source of sources) {
      const parts = reorder(source.parts, order);
      const names = parts.map(([name]) => name);
      const at = (prefix: string) => names.findIndex((name) => name.startsWith(prefix));
      // The orders that broke exceljs really are the ones tested.
      if (order === 'windowsExcel') expect(at('xl/worksheets/')).toBeLessThan(Math.min(at('xl/sharedStrings.xml'), at('xl/styles.xml')));
      if (order === 'macExcel') expect(at('xl/sharedStrings.xml')).toBeLessThan(at('xl/worksheets/'));
      if (order === 'macExcel') expect(at('xl/worksheets/')).toBeLessThan(at('xl/styles.xml'));
      const path = temp.write(`${source.label.replace(' ', '-')}-${order}.xlsx`, await zipOf(parts));
      for (let read = 0; read < READS; read++) {
        const { sheet, rows } = await readAll(path);
        expect(sheet.sheet, `${source.label}, read ${read + 1}`).toBe('Clients');
        expect(sheet.headers, `${source.label}, read ${read + 1}`).toEqual(HEADERS);
        expect(cellsOf(rows), `${source.label}, read ${read + 1}`).toEqual(source.rows);
        expect(rows.map((row) => row.position.row)).toEqual([2, 3, 4]);
      }
    }
  });
});
