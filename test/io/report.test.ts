import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { access, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReport, timeWithOffset, type ReportLayout } from '../../src/io/report.js';
import type { RowOutcome } from '../../src/outcome/row-outcome.js';
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
    message: 'Plannr refused a value (HTTP 422)',
    apiMessage: 'The type field is required.',
    original: [null, '+447911123456', -12.5, null, '@SUM(A1)'],
    normalised: { value: '+447911123456', amount: -1250, review_at: null, type: 'phone_number' },
    problems: [{ columnIndex: -1, column: 'type', message: 'The type field is required.' }],
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
      'File', 'Sheet', 'Row', 'Key', 'Action', 'Outcome', 'HTTP status', 'Message', 'API message',
      'Contact UUID', 'Contact UUID → sent', 'Mobile', 'Mobile → sent', 'Value', 'Value → sent',
      'Review date', 'Review date → sent', 'Type', 'Type → sent',
    ]);
    expect(rows).toHaveLength(1 + outcomes.length);
    expect(rows.slice(1).map((row) => row.slice(0, 9))).toEqual([
      ['clients.xlsx', 'Clients', 2, uuid, 'update', 'sent', 200, null, null],
      ['clients.xlsx', 'Clients', 3, uuid, 'update', 'invalid', null, '2 problems', null],
      ['clients.xlsx', 'Clients', 4, uuid, 'none', 'skipped', null, 'duplicate of row 2', null],
      ['clients.xlsx', 'Clients', 5, null, 'create', 'failed', 422, 'Plannr refused a value (HTTP 422)', 'The type field is required.'],
    ]);
    expect(rows[1]?.slice(9)).toEqual([
      uuid, uuid, '07911 123456', '+447911123456', '£1,234.50', 123450, reviewDate, '2025-03-04', null, 'phone_number',
    ]);
    // A field cleared on purpose shows the clear token; a field not sent stays blank.
    expect(rows[4]?.[16]).toBe('(clear)');
    expect(rows[2]?.[12]).toBeNull();
    expect(results.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    // The filter spans every column; Excel writes the header row alone or the whole table (ECMA-376 18.3.1.2).
    expect(results.autoFilter).toMatch(/^A1:S(1|5)$/);
  });

  it('highlights sent values that differ from the original, not those that match', () => {
    const results = sheetOf(workbook, 'Results');
    expect(results.getCell('M2').fill).toMatchObject({ fgColor: { argb: YELLOW } }); // phone reformatted
    expect(results.getCell('O2').fill).toMatchObject({ fgColor: { argb: YELLOW } }); // money to pennies
    expect(results.getCell('K2').fill).toBeUndefined(); // uuid unchanged
    expect(results.getCell('Q2').fill).toBeUndefined(); // the date is the same day
    expect(results.getCell('S2').fill).toBeUndefined(); // a constant has no original to differ from
  });

  it('marks problem cells red with the problem as a note, in Results', () => {
    const results = sheetOf(workbook, 'Results');
    expect(results.getCell('L3').fill).toMatchObject({ fgColor: { argb: RED } });
    expect(noteText(results.getCell('L3').note)).toBe('Mobile: not a valid phone number');
    expect(noteText(results.getCell('N3').note)).toBe('Value: more than two decimals');
    expect(results.getCell('J3').note).toBeUndefined();
    // A problem with no source column lands on the field it names (a constant: its sent cell).
    expect(results.getCell('S5').fill).toMatchObject({ fgColor: { argb: RED } });
    expect(noteText(results.getCell('S5').note)).toBe('type: The type field is required.');
  });

  it('keeps Dates as dates and formula-looking text as plain strings', () => {
    const results = sheetOf(workbook, 'Results');
    expect(results.getCell('P2').value).toEqual(reviewDate);
    const errors = sheetOf(workbook, 'Errors');
    for (const address of ['E2', 'E3']) {
      expect(errors.getCell(address).type).toBe(ExcelJS.ValueType.String);
      expect(errors.getCell(address).formula).toBeUndefined();
    }
    expect(errors.getCell('E3').value).toBe('@SUM(A1)');
  });

  it('lists only invalid and failed rows in Errors, under the input headers plus Source row and Error', () => {
    const rows = rowsOf(sheetOf(workbook, 'Errors'));
    expect(rows).toEqual([
      ['Contact UUID', 'Mobile', 'Value', 'Review date', 'Notes', 'Source row', 'Error'],
      [uuid, '07700 900123', '12.505', reviewDate, 'note', 3, '2 problems\nMobile: not a valid phone number\nValue: more than two decimals'],
      [null, '+447911123456', -12.5, null, '@SUM(A1)', 5, 'Plannr refused a value (HTTP 422)\ntype: The type field is required.'],
    ]);
  });

  it("says each error row's place in the file read: the same number as Results' Row, the header being row 1", () => {
    const errorRows = rowsOf(sheetOf(workbook, 'Errors')).slice(1);
    const resultRows = rowsOf(sheetOf(workbook, 'Results')).slice(1);
    const failedInResults = resultRows.filter((row) => row[5] === 'invalid' || row[5] === 'failed').map((row) => row[2]);
    expect(errorRows.map((row) => row[5])).toEqual(failedInResults);
    expect(failedInResults).toEqual([3, 5]);
  });

  it("shows an API refusal's text once in the Error cell, and the API's own words only in API message", () => {
    const errorCell = rowsOf(sheetOf(workbook, 'Errors'))[2]?.[6];
    expect(String(errorCell).split('The type field is required.')).toHaveLength(2);
    const results = rowsOf(sheetOf(workbook, 'Results'));
    expect(results[4]?.[7]).toBe('Plannr refused a value (HTTP 422)');
    expect(results[4]?.[8]).toBe('The type field is required.');
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

  it('reuses the Source row and Error columns when an Errors sheet is re-imported, so headers stay the same', async () => {
    const reimportPath = join(dir, 'reimport.xlsx');
    const reimportLayout: ReportLayout = { headers: ['Mobile', 'Source row', 'Error'], fields: [{ field: 'value', header: 'Phone', columnIndex: 0 }] };
    const report = await createReport(reimportPath, reimportLayout);
    await report.add({
      position: { file: 'errors.xlsx', sheet: 'Errors', row: 2 },
      key: '',
      action: 'create',
      status: 'invalid',
      message: 'still wrong',
      original: ['123', 17, 'old error text'],
      normalised: {},
      problems: [{ columnIndex: 0, column: 'Mobile', message: 'too short' }],
    });
    await report.close({ title: 'again', lines: [] });
    const rows = rowsOf(sheetOf(await readBack(reimportPath), 'Errors'));
    // Source row now says where the row is in the file this run read: row 2 of the Errors sheet.
    expect(rows).toEqual([
      ['Mobile', 'Source row', 'Error'],
      ['123', 2, 'still wrong\nMobile: too short'],
    ]);
  });

  it("names our verdict Outcome, so a re-imported export's own Status column is not a second Status", async () => {
    const casesPath = join(dir, 'cases.xlsx');
    const casesLayout: ReportLayout = {
      headers: ['UUID', 'Name', 'Status', 'Message'],
      fields: [
        { field: 'uuid', header: 'UUID', columnIndex: 0 },
        { field: 'status', header: 'Status', columnIndex: 2 },
        { field: 'note', header: 'Note', columnIndex: 3 },
      ],
    };
    const report = await createReport(casesPath, casesLayout);
    await report.add({
      position: { file: 'cases.xlsx', sheet: 'Cases', row: 2 },
      key: uuid,
      action: 'update',
      status: 'failed',
      httpStatus: 404,
      message: 'No case with this key exists in Plannr (it may have been deleted)',
      apiMessage: `No query results for model [App\\Models\\Case] ${uuid}`,
      original: [uuid, 'Pension review', 'Review booked', 'call first'],
      normalised: { uuid, status: 'Review booked', note: 'call first' },
      problems: [],
    });
    await report.close({ title: 'cases', lines: [] });
    const [header, row] = rowsOf(sheetOf(await readBack(casesPath), 'Results'));
    expect(header).toEqual([
      'File', 'Sheet', 'Row', 'Key', 'Action', 'Outcome', 'HTTP status', 'Message', 'API message',
      'UUID', 'UUID → sent', 'Status', 'Status → sent', 'Message (in file)', 'Message → sent',
    ]);
    expect(new Set(header).size).toBe(header?.length);
    expect(row?.slice(5, 9)).toEqual(['failed', 404, 'No case with this key exists in Plannr (it may have been deleted)', `No query results for model [App\\Models\\Case] ${uuid}`]);
    expect(row?.slice(11, 13)).toEqual(['Review booked', 'Review booked']);
  });

  it('writes an Errors sheet with just the headers when nothing failed', async () => {
    const cleanPath = join(dir, 'clean.xlsx');
    const report = await createReport(cleanPath, layout);
    await report.add(outcomes[0] as RowOutcome);
    await report.close({ title: 'clean', lines: [] });
    const rows = rowsOf(sheetOf(await readBack(cleanPath), 'Errors'));
    expect(rows).toEqual([[...layout.headers, 'Source row', 'Error']]);
  });

  /** Enough failing rows that Results and Errors both hand XML over while the other is open. */
  async function addFailingRows(report: Awaited<ReturnType<typeof createReport>>, count: number): Promise<void> {
    for (let row = 2; row < count + 2; row += 1) {
      await report.add(outcome(row, { status: 'failed', httpStatus: 500, message: `server error on row ${row}, which the gateway gave no reason for` }));
    }
  }

  it('keeps the sheet that is not streaming in a temporary file, removed on close and on discard; discard writes no workbook', async () => {
    const spoolsBefore = await spoolDirs();
    const discardedPath = join(dir, 'discarded.xlsx');
    const discarded = await createReport(discardedPath, layout);
    await addFailingRows(discarded, 2_000);
    expect((await spoolDirs()).length).toBe(spoolsBefore.length + 1);
    await discarded.discard();
    expect(await spoolDirs()).toEqual(spoolsBefore);
    await expect(access(discardedPath)).rejects.toThrow();
    expect(() => discarded.add(outcomes[0] as RowOutcome)).toThrow(/closed/);

    const closed = await createReport(join(dir, 'closed.xlsx'), layout);
    await addFailingRows(closed, 2_000);
    expect((await spoolDirs()).length).toBe(spoolsBefore.length + 1);
    await closed.close({ title: 'closed', lines: [] });
    expect(await spoolDirs()).toEqual(spoolsBefore);
    // The header, then every failing row.
    expect(rowsOf(sheetOf(await readBack(join(dir, 'closed.xlsx')), 'Errors'))).toHaveLength(2_001);
  });

  it('rejects when the workbook cannot be written, and still removes its temporary files', async () => {
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

  it('temporary folders carry the pid; a later report removes those of processes no longer running, never a live one', async () => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    await once(child, 'exit');
    const stale = join(tmpdir(), `plannr-bulk-xlsx-${child.pid}-abc123`);
    const living = join(tmpdir(), `plannr-bulk-xlsx-${process.ppid}-xyz789`);
    await mkdir(stale, { recursive: true });
    await mkdir(living, { recursive: true });
    try {
      const report = await createReport(join(dir, 'spools.xlsx'), layout);
      await addFailingRows(report, 2_000);
      const mine = (await spoolDirs()).filter((name) => name.startsWith(`plannr-bulk-xlsx-${process.pid}-`));
      expect(mine.length).toBeGreaterThanOrEqual(1);
      await expect(access(stale)).rejects.toThrow();
      await access(living);
      await report.discard();
    } finally {
      await rm(living, { recursive: true, force: true });
    }
  });

  it("shows an 'unknown' outcome in Results with its Outcome cell marked, and keeps it off the Errors sheet", async () => {
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

  it('streams thousands of outcomes in order', async () => {
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
    expect(errors.getCell(2, 6).value).toBe(10);
    expect(errors.getCell(2, 7).value).toBe('server error 10');
  });
});

describe('times in the Summary', () => {
  it('are local time with its offset, to the second: GMT in winter, BST (UTC+1) in summer', () => {
    expect(timeWithOffset(new Date('2026-12-01T09:15:02Z'), 'Europe/London')).toBe('2026-12-01T09:15:02+00:00');
    expect(timeWithOffset(new Date('2026-07-01T09:15:02.678Z'), 'Europe/London')).toBe('2026-07-01T10:15:02+01:00');
  });

  it('follow the UK clock change (01:00 UTC on the last Sunday of March)', () => {
    expect(timeWithOffset(new Date('2026-03-29T00:59:59Z'), 'Europe/London')).toBe('2026-03-29T00:59:59+00:00');
    expect(timeWithOffset(new Date('2026-03-29T01:00:00Z'), 'Europe/London')).toBe('2026-03-29T02:00:00+01:00');
  });

  it('use the zone the run names, Europe/London when it names none, and UTC for a zone that does not exist', () => {
    const instant = new Date('2026-12-01T09:15:02Z');
    expect(timeWithOffset(instant, 'America/New_York')).toBe('2026-12-01T04:15:02-05:00');
    expect(timeWithOffset(instant, 'Asia/Kolkata')).toBe('2026-12-01T14:45:02+05:30');
    expect(timeWithOffset(new Date('2026-07-01T09:15:02Z'))).toBe('2026-07-01T10:15:02+01:00');
    expect(timeWithOffset(instant, 'Not/AZone')).toBe('2026-12-01T09:15:02+00:00');
  });

  it('are written as text with the offset when a Summary line holds a Date', async () => {
    const path = join(dir, 'times.xlsx');
    const report = await createReport(path, layout);
    await report.close({
      title: 'times',
      timeZone: 'Europe/London',
      lines: [
        ['Started', new Date('2026-07-01T09:15:02Z')],
        ['Finished', new Date('2026-07-01T09:16:40Z')],
      ],
    });
    const summary = sheetOf(await readBack(path), 'Summary');
    expect(summary.getCell('B3').value).toBe('2026-07-01T10:15:02+01:00');
    expect(summary.getCell('B4').value).toBe('2026-07-01T10:16:40+01:00');
  });
});

async function spoolDirs(): Promise<string[]> {
  // This process's own: other test files running at the same time write reports too.
  return (await readdir(tmpdir())).filter((name) => name.startsWith(`plannr-bulk-xlsx-${process.pid}-`)).sort();
}
