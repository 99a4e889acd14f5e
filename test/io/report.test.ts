import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { access, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReport } from '../../src/io/report.js';
import type { ReportLayout, RowOutcome } from '../../src/io/report-types.js';
import { noteText, readBack, rowsOf, sheetOf } from './write-test-helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'report-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const RED = 'FFFFC7CE';
const YELLOW = 'FFFFF2A8';

const layout: ReportLayout = {
  headers: ['Contact UUID', 'Mobile', 'Value', 'Review date', 'Notes'],
  fields: [
    { field: 'uuid', header: 'UUID', columnIndex: 0 },
    { field: 'value', header: 'Phone', columnIndex: 1 },
    { field: 'amount', header: 'Value', columnIndex: 2 },
    { field: 'review_at', header: 'Review at', columnIndex: 3 },
    { field: 'type', header: 'Type', columnIndex: -1 },
  ],
};

const uuid = '6ff8a1c2-0d3b-4c5e-9f10-123456789abc';
const reviewDate = new Date(Date.UTC(2025, 2, 4));

function outcome(row: number, overrides: Partial<RowOutcome>): RowOutcome {
  return {
    position: { file: 'clients.xlsx', sheet: 'Clients', row },
    key: uuid,
    action: 'update',
    status: 'sent',
    httpStatus: 200,
    message: '',
    original: [uuid, '07911 123456', '£1,234.50', reviewDate, '=cmd|calc'],
    normalised: { uuid, value: '+447911123456', amount: 123450, review_at: '2025-03-04', type: 'phone_number' },
    problems: [],
    ...overrides,
  };
}

const outcomes: RowOutcome[] = [
  outcome(2, {}),
  outcome(3, {
    status: 'invalid',
    action: 'update',
    httpStatus: undefined,
    message: '2 problems',
    original: [uuid, '07700 900123', '12.505', reviewDate, 'note'],
    normalised: { uuid, review_at: '2025-03-04', type: 'phone_number' },
    problems: [
      { columnIndex: 1, column: 'Mobile', message: 'not a valid phone number' },
      { columnIndex: 2, column: 'Value', message: 'more than two decimals' },
    ],
  }),
  outcome(4, { status: 'skipped', action: 'none', httpStatus: undefined, message: 'duplicate of row 2' }),
  outcome(5, {
    status: 'failed',
    action: 'create',
    key: '',
    httpStatus: 422,
    message: 'The name field is required.',
    original: [null, '+447911123456', -12.5, null, '@SUM(A1)'],
    normalised: { value: '+447911123456', amount: -1250, review_at: null, type: 'phone_number' },
    problems: [{ columnIndex: -1, column: 'type', message: 'rejected by the API' }],
  }),
];

async function writeSampleReport(path: string): Promise<void> {
  const report = await createReport(path, layout);
  for (const each of outcomes) await report.add(each);
  await report.close({
    title: 'Import of clients.xlsx',
    lines: [
      ['Rows read', 4],
      ['Sent ok', 1],
      ['Invalid', 1],
      ['Failed', 1],
      ['Skipped', 1],
      ['Check', '4 = 1 + 1 + 1 + 1'],
    ],
  });
}

describe('createReport', () => {
  let workbook: ExcelJS.Workbook;
  const path = () => join(dir, 'report.xlsx');
  beforeAll(async () => {
    await writeSampleReport(path());
    workbook = await readBack(path());
  });

  it('writes the sheets Summary, Results, Errors in that order', () => {
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['Summary', 'Results', 'Errors']);
  });

  it('puts the title first and the summary lines with bold labels', () => {
    const summary = sheetOf(workbook, 'Summary');
    expect(summary.getCell('A1').value).toBe('Import of clients.xlsx');
    expect(summary.getCell('A1').font?.bold).toBe(true);
    expect(summary.getCell('A3').value).toBe('Rows read');
    expect(summary.getCell('A3').font?.bold).toBe(true);
    expect(summary.getCell('B3').value).toBe(4);
    expect(summary.getCell('B8').value).toBe('4 = 1 + 1 + 1 + 1');
    expect(summary.getColumn(1).width).toBeGreaterThan(30);
  });

  it('has one Results row per outcome, header frozen, original and sent values side by side', () => {
    const results = sheetOf(workbook, 'Results');
    const rows = rowsOf(results);
    expect(rows[0]).toEqual([
      'File', 'Sheet', 'Row', 'Key', 'Action', 'Status', 'HTTP status', 'Message',
      'Contact UUID', 'Contact UUID → sent', 'Mobile', 'Mobile → sent', 'Value', 'Value → sent',
      'Review date', 'Review date → sent', 'Type', 'Type → sent',
    ]);
    expect(rows).toHaveLength(1 + outcomes.length);
    expect(rows.slice(1).map((row) => row.slice(0, 8))).toEqual([
      ['clients.xlsx', 'Clients', 2, uuid, 'update', 'sent', 200, null],
      ['clients.xlsx', 'Clients', 3, uuid, 'update', 'invalid', null, '2 problems'],
      ['clients.xlsx', 'Clients', 4, uuid, 'none', 'skipped', null, 'duplicate of row 2'],
      ['clients.xlsx', 'Clients', 5, null, 'create', 'failed', 422, 'The name field is required.'],
    ]);
    expect(rows[1]?.slice(8)).toEqual([
      uuid, uuid, '07911 123456', '+447911123456', '£1,234.50', 123450, reviewDate, '2025-03-04', null, 'phone_number',
    ]);
    // A field cleared on purpose shows the clear token; a field not sent stays blank.
    expect(rows[4]?.[15]).toBe('(clear)');
    expect(rows[2]?.[11]).toBeNull();
    expect(results.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(results.autoFilter).toBe('A1:R1');
  });

  it('highlights sent values that differ from the original, not those that match', () => {
    const results = sheetOf(workbook, 'Results');
    expect(results.getCell('L2').fill).toMatchObject({ fgColor: { argb: YELLOW } }); // phone reformatted
    expect(results.getCell('N2').fill).toMatchObject({ fgColor: { argb: YELLOW } }); // money to pennies
    expect(results.getCell('J2').fill).toBeUndefined(); // uuid unchanged
    expect(results.getCell('P2').fill).toBeUndefined(); // the date is the same day
    expect(results.getCell('R2').fill).toBeUndefined(); // a constant has no original to differ from
  });

  it('marks problem cells red with the problem as a note, in Results', () => {
    const results = sheetOf(workbook, 'Results');
    expect(results.getCell('K3').fill).toMatchObject({ fgColor: { argb: RED } });
    expect(noteText(results.getCell('K3').note)).toBe('Mobile: not a valid phone number');
    expect(noteText(results.getCell('M3').note)).toBe('Value: more than two decimals');
    expect(results.getCell('I3').note).toBeUndefined();
    // A problem with no source column lands on the field it names (a constant: its sent cell).
    expect(results.getCell('R5').fill).toMatchObject({ fgColor: { argb: RED } });
    expect(noteText(results.getCell('R5').note)).toBe('type: rejected by the API');
  });

  it('keeps Dates as dates and formula-looking text as plain strings', () => {
    const results = sheetOf(workbook, 'Results');
    expect(results.getCell('O2').value).toEqual(reviewDate);
    const errors = sheetOf(workbook, 'Errors');
    for (const address of ['E2', 'E3']) {
      expect(errors.getCell(address).type).toBe(ExcelJS.ValueType.String);
      expect(errors.getCell(address).formula).toBeUndefined();
    }
    expect(errors.getCell('E3').value).toBe('@SUM(A1)');
  });

  it('lists only invalid and failed rows in Errors, under the input headers plus Error', () => {
    const rows = rowsOf(sheetOf(workbook, 'Errors'));
    expect(rows).toEqual([
      ['Contact UUID', 'Mobile', 'Value', 'Review date', 'Notes', 'Error'],
      [uuid, '07700 900123', '12.505', reviewDate, 'note', '2 problems\nMobile: not a valid phone number\nValue: more than two decimals'],
      [null, '+447911123456', -12.5, null, '@SUM(A1)', 'The name field is required.\ntype: rejected by the API'],
    ]);
  });

  it('marks the bad cells of Errors red with a note', () => {
    const errors = sheetOf(workbook, 'Errors');
    expect(errors.getCell('B2').fill).toMatchObject({ fgColor: { argb: RED } });
    expect(noteText(errors.getCell('B2').note)).toBe('not a valid phone number');
    expect(noteText(errors.getCell('C2').note)).toBe('more than two decimals');
    expect(errors.getCell('A2').fill).toBeUndefined();
    expect(errors.getCell('D2').note).toBeUndefined();
  });

  it('gives an Errors sheet that reads back as a table with the input headers, ready to re-import', async () => {
    // Read it the way an importer would: header row, then records keyed by header.
    const errors = sheetOf(await readBack(path()), 'Errors');
    const [headerRow, ...dataRows] = rowsOf(errors);
    expect(headerRow?.slice(0, layout.headers.length)).toEqual(layout.headers);
    const records = dataRows.map((row) => Object.fromEntries((headerRow ?? []).map((header, index) => [String(header), row[index]])));
    expect(records.map((record) => record['Mobile'])).toEqual(['07700 900123', '+447911123456']);
  });

  it('reuses an existing Error column when an Errors sheet is re-imported, so headers stay the same', async () => {
    const reimportPath = join(dir, 'reimport.xlsx');
    const reimportLayout: ReportLayout = { headers: ['Mobile', 'Error'], fields: [{ field: 'value', header: 'Phone', columnIndex: 0 }] };
    const report = await createReport(reimportPath, reimportLayout);
    await report.add({
      position: { file: 'errors.xlsx', row: 2 },
      key: '',
      action: 'create',
      status: 'invalid',
      message: 'still wrong',
      original: ['123', 'old error text'],
      normalised: {},
      problems: [{ columnIndex: 0, column: 'Mobile', message: 'too short' }],
    });
    await report.close({ title: 'again', lines: [] });
    const rows = rowsOf(sheetOf(await readBack(reimportPath), 'Errors'));
    expect(rows).toEqual([
      ['Mobile', 'Error'],
      ['123', 'still wrong\nMobile: too short'],
    ]);
  });

  it('writes an Errors sheet with just the headers when nothing failed', async () => {
    const cleanPath = join(dir, 'clean.xlsx');
    const report = await createReport(cleanPath, layout);
    await report.add(outcomes[0] as RowOutcome);
    await report.close({ title: 'clean', lines: [] });
    const rows = rowsOf(sheetOf(await readBack(cleanPath), 'Errors'));
    expect(rows).toEqual([[...layout.headers, 'Error']]);
  });

  it('deletes its spool files on close and on discard, and discard writes no workbook', async () => {
    const spoolsBefore = await spoolDirs();
    const discardedPath = join(dir, 'discarded.xlsx');
    const report = await createReport(discardedPath, layout);
    await report.add(outcomes[1] as RowOutcome);
    expect((await spoolDirs()).length).toBe(spoolsBefore.length + 1);
    await report.discard();
    expect(await spoolDirs()).toEqual(spoolsBefore);
    await expect(access(discardedPath)).rejects.toThrow();
    await expect(report.add(outcomes[0] as RowOutcome)).rejects.toThrow(/closed/);
  });

  it('rejects when the workbook cannot be written, and still removes its spools', async () => {
    const spoolsBefore = await spoolDirs();
    const report = await createReport(join(dir, 'no-such-folder', 'report.xlsx'), layout);
    await report.add(outcomes[0] as RowOutcome);
    await expect(report.close({ title: 'x', lines: [] })).rejects.toThrow(/ENOENT/);
    expect(await spoolDirs()).toEqual(spoolsBefore);
  });

  it('a discarded or failed report leaves the earlier report at its path as it was', async () => {
    const path = join(dir, 'kept.xlsx');
    const earlier = await createReport(path, layout);
    await earlier.add(outcomes[0] as RowOutcome);
    await earlier.close({ title: 'earlier', lines: [] });
    const earlierBytes = await readFile(path);
    const interrupted = await createReport(path, layout);
    await interrupted.add(outcomes[1] as RowOutcome);
    await interrupted.discard();
    expect((await readFile(path)).equals(earlierBytes)).toBe(true);
    expect((await readdir(dir)).filter((name) => name.startsWith('.kept.xlsx.'))).toEqual([]);
  });

  it('spool folders carry the pid; a later report removes those of processes no longer running, never a live one', async () => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    await once(child, 'exit');
    const stale = join(tmpdir(), `plannr-bulk-report-${child.pid}-abc123`);
    const living = join(tmpdir(), `plannr-bulk-report-${process.ppid}-xyz789`);
    await mkdir(stale, { recursive: true });
    await mkdir(living, { recursive: true });
    try {
      const report = await createReport(join(dir, 'spools.xlsx'), layout);
      const mine = (await spoolDirs()).filter((name) => name.startsWith(`plannr-bulk-report-${process.pid}-`));
      expect(mine.length).toBeGreaterThanOrEqual(1);
      await expect(access(stale)).rejects.toThrow();
      await access(living);
      await report.discard();
    } finally {
      await rm(living, { recursive: true, force: true });
    }
  });

  it("shows an 'unknown' outcome in Results with its Status cell marked, and keeps it off the Errors sheet", async () => {
    const path = join(dir, 'unknown.xlsx');
    const report = await createReport(path, layout);
    const unknown = {
      ...outcome(2, { action: 'create', key: '', httpStatus: 504, message: 'outcome unknown: the gateway timed out; check Plannr for this client, or run --resume' }),
      status: 'unknown',
    } as RowOutcome;
    await report.add(unknown);
    await report.close({ title: 'unknown', lines: [['unknown', 1]] });
    const workbook = await readBack(path);
    const results = sheetOf(workbook, 'Results');
    expect(results.getCell(2, 6).value).toBe('unknown');
    expect(results.getCell(2, 8).value).toBe(unknown.message);
    expect((results.getCell(2, 6).fill as ExcelJS.FillPattern | undefined)?.fgColor?.argb).toBe(RED);
    expect(rowsOf(sheetOf(workbook, 'Errors'))).toHaveLength(1);
  });

  it('streams thousands of outcomes through the spools in order', async () => {
    const bigPath = join(dir, 'big.xlsx');
    const report = await createReport(bigPath, layout);
    const count = 5_000;
    for (let row = 2; row < count + 2; row += 1) {
      await report.add(outcome(row, row % 10 === 0 ? { status: 'failed', httpStatus: 500, message: `server error ${row}` } : {}));
    }
    await report.close({ title: 'big', lines: [['Rows read', count]] });
    const big = await readBack(bigPath);
    const results = sheetOf(big, 'Results');
    expect(results.rowCount).toBe(count + 1);
    expect(results.getCell(count + 1, 3).value).toBe(count + 1);
    const errors = sheetOf(big, 'Errors');
    expect(errors.rowCount).toBe(count / 10 + 1);
    expect(errors.getCell(2, 4).value).toEqual(reviewDate);
    expect(errors.getCell(2, 6).value).toBe('server error 10');
  });
});

async function spoolDirs(): Promise<string[]> {
  return (await readdir(tmpdir())).filter((name) => name.startsWith('plannr-bulk-report-')).sort();
}
