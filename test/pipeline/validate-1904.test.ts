/**
 * The workbook's 1904 date system must reach the worker threads that check rows, or a
 * parallel run would read serial numbers 4 years and a day early while a single-threaded
 * one reads them right.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultNormaliseOptions } from '../../src/normalise/result.js';
import { runValidate } from '../../src/pipeline/validate.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'validate-1904-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** 600 case updates whose Review Date is the serial 0: 1904-01-01 in the 1904 system, no date in the 1900 one. */
async function workbookWithSerialZero(date1904: boolean): Promise<string> {
  const workbook = new ExcelJS.Workbook();
  workbook.properties.date1904 = date1904;
  const sheet = workbook.addWorksheet('Cases');
  sheet.addRow(['Case ID', 'Case Name', 'Review Date']);
  for (let i = 0; i < 600; i++) sheet.addRow([`6ff8b2f4-1c3a-4e5b-9d7e-${String(i).padStart(12, '0')}`, `Case ${i}`, 0]);
  const file = join(dir, `serial-zero-${date1904}.xlsx`);
  await workbook.xlsx.writeFile(file);
  return file;
}

describe('validate on worker threads, 1904 workbook', () => {
  it.each([0, 2])('with %d worker threads reads serial 0 as 1904-01-01 in a 1904 workbook and refuses it in a 1900 one', async (threads) => {
    const counts = async (date1904: boolean) =>
      (await runValidate({ file: await workbookWithSerialZero(date1904), entity: 'cases', normalise: defaultNormaliseOptions, threads })).counts;
    expect(await counts(true)).toMatchObject({ read: 600, valid: 600, invalid: 0 });
    expect(await counts(false)).toMatchObject({ read: 600, valid: 0, invalid: 600 });
  });
});
