/**
 * A validation whose report is too big for one sheet (issue 14: a 1,100,000-row validation
 * splits at 250,000 rows a sheet so that Excel and common readers open it), at a small split
 * size: every row once, in order, across "Results", "Results (2)"..., the Errors sheet split
 * the same way, each part saying where it goes on. Read back by SheetJS and by our reader.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import XLSX from 'xlsx';
import { openXlsx } from '../../src/io/read-xlsx.js';
import { defaultNormaliseOptions } from '../../src/normalise/result.js';
import { runValidate } from '../../src/pipeline/validate.js';

const ROWS = 2_500;
/** Header included, as Excel counts rows: 399 data rows a sheet. */
const ROWS_PER_SHEET = 400;
/** Every 7th phone is not a number at all: invalid, so it is on the Errors sheet too. */
const isInvalid = (index: number): boolean => index % 7 === 3;
const uuidOf = (index: number): string => `6ff8a1c2-0d3b-4c5e-9f10-${String(index).padStart(12, '0')}`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'validate-split-test-'));
  const lines = ['uuid,name,Tel,account ids'];
  for (let index = 0; index < ROWS; index += 1) {
    const phone = isInvalid(index) ? 'not a phone' : `07911 ${String(100_000 + index)}`;
    lines.push(`${uuidOf(index)},Mobile,${phone},8f9c64d9-1e41-4aac-9404-9f5f57272261`);
  }
  await writeFile(join(dir, 'phones.csv'), `${lines.join('\r\n')}\r\n`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function sheetRows(book: XLSX.WorkBook, name: string): unknown[][] {
  const sheet = book.Sheets[name];
  if (sheet === undefined) throw new Error(`no sheet ${name}`);
  return XLSX.utils.sheet_to_json<unknown[]>(sheet, { header: 1, defval: null });
}

const parts = (base: string, count: number): string[] => Array.from({ length: count }, (_, n) => (n === 0 ? base : `${base} (${n + 1})`));

describe.each([
  { how: 'on this thread', threads: 0 },
  { how: 'written on a thread of its own, checks on a worker', threads: 1 },
])('a report split across sheets, $how', ({ threads }) => {
  let report: string;
  let book: XLSX.WorkBook;
  const invalid = Array.from({ length: ROWS }, (_, index) => index).filter(isInvalid).length;
  const resultParts = Math.ceil(ROWS / (ROWS_PER_SHEET - 1));
  const errorParts = Math.ceil(invalid / (ROWS_PER_SHEET - 1));

  beforeAll(async () => {
    report = join(dir, `report-${threads}.xlsx`);
    const result = await runValidate({
      file: join(dir, 'phones.csv'),
      entity: 'contact-details',
      report,
      normalise: defaultNormaliseOptions,
      threads,
      maxRowsPerSheet: ROWS_PER_SHEET,
    });
    expect(result.counts).toMatchObject({ read: ROWS, valid: ROWS - invalid, invalid });
    book = XLSX.read(await readFile(report));
  });

  it('names the parts in order after Summary: Results, Results (2)..., then Errors, Errors (2)...', () => {
    expect(book.SheetNames).toEqual(['Summary', ...parts('Results', resultParts), ...parts('Errors', errorParts)]);
  });

  it('has every input row once, in order, each part starting with the header', () => {
    const rowNumbers: number[] = [];
    for (const name of parts('Results', resultParts)) {
      const [header, ...rows] = sheetRows(book, name);
      expect(header?.slice(0, 3)).toEqual(['File', 'Sheet', 'Row']);
      expect(rows.length).toBeLessThanOrEqual(ROWS_PER_SHEET - 1);
      for (const row of rows) rowNumbers.push(row[2] as number);
    }
    // The header is row 1 of the file, so input row i is file row i + 2.
    expect(rowNumbers).toEqual(Array.from({ length: ROWS }, (_, index) => index + 2));
  });

  it('lists every invalid row on the Errors parts, with its source row', () => {
    const sourceRows: number[] = [];
    for (const name of parts('Errors', errorParts)) {
      const [header, ...rows] = sheetRows(book, name);
      expect(header).toEqual(['uuid', 'name', 'Tel', 'account ids', 'Source row', 'Error']);
      for (const row of rows) {
        expect(row[2]).toBe('not a phone');
        sourceRows.push(row[4] as number);
      }
    }
    const expected = Array.from({ length: ROWS }, (_, index) => index).filter(isInvalid).map((index) => index + 2);
    expect(sourceRows).toEqual(expected);
  });

  it('says on A1 of each part where the sheet goes on and where it came from', () => {
    const names = parts('Results', resultParts);
    const noteOf = (name: string): string => (book.Sheets[name]?.['A1'] as XLSX.CellObject | undefined)?.c?.map((comment) => comment.t).join('\n') ?? '';
    expect(noteOf(names[0]!)).toContain(`Continues on sheet "${names[1]}"`);
    expect(noteOf(names[1]!)).toContain(`Continued from sheet "${names[0]}"`);
    expect(noteOf(names.at(-1)!)).not.toContain('Continues on');
  });

  it('reads back through our own reader, part by part, as the same rows', async () => {
    let keys = 0;
    for (const name of parts('Results', resultParts)) {
      const opened = await openXlsx({ path: report, displayName: 'report.xlsx', sheet: name });
      for await (const row of opened.rows) {
        expect(row.cells[3]).toBe(uuidOf(keys));
        keys += 1;
      }
    }
    expect(keys).toBe(ROWS);
  });
});
