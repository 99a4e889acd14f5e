/**
 * A report too big for one sheet, at a small split size: Results and Errors go on in
 * "Results (2)"..., every outcome once and in order, read back by our reader and SheetJS.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import XLSX from 'xlsx';
import { openXlsx } from '../../src/io/read-xlsx.js';
import { createReport, type ReportLayout } from '../../src/io/report.js';
import type { RowOutcome } from '../../src/outcome/row-outcome.js';

const layout: ReportLayout = {
  headers: ['Contact UUID', 'Mobile'],
  fields: [
    { field: 'uuid', header: 'UUID', columnIndex: 0 },
    { field: 'value', header: 'Phone', columnIndex: 1 },
  ],
};

const ROWS = 10;
const keyOf = (row: number): string => `6ff8a1c2-0d3b-4c5e-9f10-${String(row).padStart(12, '0')}`;
/** Every third row is invalid, with a problem on its Mobile cell. */
const isInvalid = (row: number): boolean => row % 3 === 0;

function outcome(row: number): RowOutcome {
  const key = keyOf(row);
  return {
    position: { file: 'clients.xlsx', sheet: 'Clients', row },
    key,
    action: 'update',
    status: isInvalid(row) ? 'invalid' : 'sent',
    httpStatus: isInvalid(row) ? undefined : 200,
    message: isInvalid(row) ? '1 problem' : '',
    original: [key, '07911 123456'],
    normalised: isInvalid(row) ? { uuid: key } : { uuid: key, value: '+447911123456' },
    problems: isInvalid(row) ? [{ columnIndex: 1, column: 'Mobile', message: 'not a valid phone number' }] : [],
  };
}

let dir: string;
let path: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'report-split-test-'));
  path = join(dir, 'report.xlsx');
  const report = await createReport(path, layout, { maxRowsPerSheet: 4 });
  for (let row = 2; row < ROWS + 2; row += 1) await report.add(outcome(row));
  await report.close({ title: 'Split', lines: [['Rows read', ROWS]] });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The keys found on each data row of a sheet, through our reader. */
async function keysOn(sheet: string): Promise<string[]> {
  const opened = await openXlsx({ path, displayName: 'report.xlsx', sheet });
  const keys: string[] = [];
  for await (const row of opened.rows) {
    const key = row.cells.find((cell) => typeof cell === 'string' && cell.startsWith('6ff8a1c2-'));
    keys.push(String(key));
  }
  return keys;
}

describe('a report split across sheets', () => {
  it('names the parts "Results (2)"... and "Errors (2)"..., in order after Summary', async () => {
    const workbook = XLSX.read(await readFile(path), { type: 'buffer' });
    // 4 rows a sheet, header included: 3 outcomes a sheet; 10 outcomes, 3 of them invalid.
    expect(workbook.SheetNames).toEqual(['Summary', 'Results', 'Results (2)', 'Results (3)', 'Results (4)', 'Errors']);
  });

  it('holds every outcome once, in order, across the Results parts (our reader)', async () => {
    const keys = [...(await keysOn('Results')), ...(await keysOn('Results (2)')), ...(await keysOn('Results (3)')), ...(await keysOn('Results (4)'))];
    expect(keys).toEqual(Array.from({ length: ROWS }, (_, index) => keyOf(index + 2)));
  });

  it('keeps the invalid rows on Errors, its header the input headers plus Error', async () => {
    const opened = await openXlsx({ path, displayName: 'report.xlsx', sheet: 'Errors' });
    expect(opened.headers.slice(0, 2)).toEqual(['Contact UUID', 'Mobile']);
    expect(opened.headers).toContain('Error');
    expect(await keysOn('Errors')).toEqual([3, 6, 9].map(keyOf));
  });
});
