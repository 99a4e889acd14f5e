/**
 * Every sample validated end to end, the report read back with exceljs. The expected invalid
 * rows are the deliberate errors listed in samples/README.md (rows that are only refused by the
 * API online are valid here).
 */
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { samplesDir } from '../../src/cli/demo.js';
import { runValidate } from '../../src/pipeline/validate.js';
import { column, normalise, readSheet, runCli, tempDir } from './helpers.js';

const samples = [
  { file: 'cases-legacy.csv', entity: 'cases', rows: 200, invalid: [8, 21, 29, 43, 60, 75, 90, 99, 128, 153, 169, 185] },
  { file: 'cases-legacy.xlsx', entity: 'cases', rows: 100, invalid: [25, 39, 68, 83] },
  { file: 'contact-details-legacy.xlsx', entity: 'contact-details', rows: 200, invalid: [6, 23, 40, 57, 74, 91, 125, 142, 159, 176] },
  { file: 'contact-details.csv', entity: 'contact-details', rows: 100, invalid: [16, 39, 83] },
  { file: 'mpdx-phones.csv', entity: 'mpdx-phones', rows: 50, invalid: [35, 43, 47] },
] as const;

describe.each(samples)('validating samples/$file', ({ file, entity, rows, invalid }) => {
  it('flags exactly the deliberate errors and writes a report that says so', async () => {
    const dir = await tempDir();
    const report = join(dir, 'report.xlsx');
    const result = await runValidate({ file: join(samplesDir, file), entity, report, normalise });

    expect(result.counts).toMatchObject({ read: rows, invalid: invalid.length, valid: rows - invalid.length });
    expect(result.exitCode).toBe(1);

    const summary = await readSheet(report, 'Summary');
    const summaryText = summary.map((r) => r.join(' ')).join('\n');
    expect(summaryText).toContain(`${rows} read = ${rows - invalid.length} valid + ${invalid.length} invalid`);

    const results = await readSheet(report, 'Results');
    expect(results).toHaveLength(rows + 1);
    const statuses = column(results, 'Outcome');
    const rowNumbers = column(results, 'Row').map(Number);
    const invalidRows = rowNumbers.filter((_, i) => statuses[i] === 'invalid');
    expect(invalidRows).toEqual([...invalid]);

    const errors = await readSheet(report, 'Errors');
    expect(errors).toHaveLength(invalid.length + 1);
    expect(errors[0]?.at(-1)).toBe('Error');
    for (const row of errors.slice(1)) expect(row.at(-1)).not.toBe('');
  });
});

describe('what the reports show', () => {
  it('the cases CSV report shows originals beside normalised values (Windows-1252 £ read right)', async () => {
    const dir = await tempDir();
    const report = join(dir, 'report.xlsx');
    await runValidate({ file: join(samplesDir, 'cases-legacy.csv'), entity: 'cases', report, normalise });
    const results = await readSheet(report, 'Results');
    const header = results[0]!;
    const original = header.indexOf('Case Value (£)');
    expect(original).toBeGreaterThan(0);
    const sent = header.findIndex((h, i) => i > original && h.startsWith('Case Value (£)') && h !== 'Case Value (£)');
    expect(sent).toBeGreaterThan(original);
    const money = results.slice(1).find((r) => /^£\d{1,3}(,\d{3})*\.\d\d$/.test(r[original] ?? ''));
    expect(money).toBeDefined();
    // Sent as pennies, shown to people as pounds and pence: the way this export already writes it.
    expect(money![sent]).toBe(money![original]);
  });

  it('an ambiguous date becomes valid once a date order is given', async () => {
    const result = await runValidate({
      file: join(samplesDir, 'cases-legacy.csv'),
      entity: 'cases',
      normalise: { ...normalise, dateOrder: 'dmy' },
    });
    expect(result.counts.invalid).toBe(10); // rows 43 and 185 now read as 3 April and 11 December
  });

  it('mangled phones in the contacts workbook come out in E.164', async () => {
    const dir = await tempDir();
    const report = join(dir, 'report.xlsx');
    await runValidate({ file: join(samplesDir, 'contact-details-legacy.xlsx'), entity: 'contact-details', report, normalise });
    const results = await readSheet(report, 'Results');
    const sentHeader = results[0]!.find((h) => h.startsWith('Mobile') && h !== 'Mobile')!;
    const sent = column(results, sentHeader).filter((v, i) => column(results, 'Outcome')[i] === 'valid' && !v.includes('@'));
    expect(sent.length).toBeGreaterThan(100);
    for (const phone of sent) expect(phone).toMatch(/^\+\d{8,15}(x\d+)?$/);
  });

  it('a CSV saved under a .xlsx name is read as CSV, and the user is told so', async () => {
    const dir = await tempDir();
    const misnamed = join(dir, 'cases.xlsx');
    await copyFile(join(samplesDir, 'cases-legacy.csv'), misnamed);
    const run = await runCli(['validate', misnamed, '--entity', 'cases', '--report', join(dir, 'report.xlsx')], {});
    expect(run.code).toBe(1); // the sample's deliberate errors, read exactly as from the .csv
    expect(run.stderr).toMatch(/cases\.xlsx is a text file, not an Excel workbook.*read as CSV/);
    expect(run.stdout + run.stderr).toContain('200 rows read');
  });
});
