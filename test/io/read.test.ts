import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { openSheet } from '../../src/io/read.js';
import { expectInputError, readAll, tempDir } from './read-test-helpers.js';

const temp = tempDir('sniff');
afterAll(() => temp.cleanup());

const OLE2_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

/** An OLE2 compound file whose first directory sector names the given streams. */
function ole2With(streams: string[]): Buffer {
  const file = Buffer.alloc(512 * 3);
  Buffer.from(OLE2_MAGIC).copy(file, 0);
  file.writeUInt16LE(9, 0x1e); // 512-byte sectors
  file.writeUInt32LE(0, 0x30); // directory starts in sector 0, just after the header
  ['Root Entry', ...streams].forEach((name, i) => Buffer.from(name, 'utf16le').copy(file, 512 + i * 128));
  return file;
}

describe('openSheet sniffs the format from the content', () => {
  it('reads a zip as XLSX whatever its name', async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('Data').addRow(['Name']);
    workbook.getWorksheet('Data')?.addRow(['Ann']);
    const path = temp.path('export.csv');
    await workbook.xlsx.writeFile(path);
    const { sheet, rows } = await readAll(path);
    expect(sheet.format).toBe('xlsx');
    expect(rows[0]?.cells).toEqual(['Ann']);
  });

  it('says a password-protected workbook must be saved without a password', async () => {
    const path = temp.write('locked.xlsx', ole2With(['EncryptionInfo', 'EncryptedPackage']));
    await expectInputError(openSheet(path, {}), { file: 'locked.xlsx' }, /^the workbook is password protected: save a copy without a password$/);
  });

  it('says an old .xls workbook must be saved as .xlsx or CSV', async () => {
    const path = temp.write('old.xls', ole2With(['Workbook', 'SummaryInformation']));
    await expectInputError(openSheet(path, {}), { file: 'old.xls' }, /old \.xls format: save it as \.xlsx or CSV/);
  });

  it('names both causes for an OLE2 file it cannot look inside (magic + junk)', async () => {
    const junk = Buffer.concat([Buffer.from(OLE2_MAGIC), Buffer.from('junk that is not a compound file')]);
    const path = temp.write('mystery.xlsx', junk);
    await expectInputError(openSheet(path, {}), { file: 'mystery.xlsx' }, /password protected or in the old \.xls format/);
  });

  it.each([
    ['report.pdf', Buffer.concat([Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1'), Buffer.alloc(64)]), /not a spreadsheet \(it is a PDF document\)/],
    ['logo.csv', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]), /not a spreadsheet \(it is an image\)/],
    ['download.xlsx', Buffer.from('\n<!DOCTYPE html>\n<html><head><title>403 Forbidden</title></head></html>\n'), /not a spreadsheet \(it is a web page/],
    ['export.xml', Buffer.from('<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>\n'), /XML Spreadsheet 2003/],
    ['data.csv', Buffer.concat([Buffer.from('Name,Phone\n'), Buffer.from([0, 1, 2, 3, 0, 0])]), /not a spreadsheet \(binary data/],
  ])('refuses %s as not a spreadsheet', async (name, bytes, problem) => {
    const path = temp.write(name, bytes);
    await expectInputError(openSheet(path, {}), { file: name }, problem);
  });

  it('reads UTF-16 without a BOM when --encoding says so', async () => {
    const path = temp.write('no-bom-utf16.csv', Buffer.from('Name,Phone\r\nAnn,07911 123456\r\n', 'utf16le'));
    await expectInputError(openSheet(path, {}), {}, /--encoding utf-16le/);
    const { rows } = await readAll(path, { encoding: 'utf-16le' });
    expect(rows[0]?.cells).toEqual(['Ann', '07911 123456']);
  });

  it('says so when the file is missing or is a folder, without a stack trace', async () => {
    const missing = await openSheet(temp.path('nope.csv'), {}).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(InputError);
    expect((missing as InputError).message).toBe('nope.csv: file not found');
    mkdirSync(temp.path('folder.csv'));
    await expectInputError(openSheet(temp.path('folder.csv'), {}), { file: 'folder.csv' }, /is a folder/);
  });

  it('uses the display name in every message', async () => {
    const path = temp.write('x.pdf', '%PDF-1.4\n\0');
    const error = await expectInputError(openSheet(path, { displayName: 'Client list (final).pdf' }), { file: 'Client list (final).pdf' }, /PDF/);
    expect(error.message.startsWith('Client list (final).pdf: ')).toBe(true);
  });

  it('names an OpenDocument spreadsheet (.ods) and says to save it as .xlsx or CSV, whatever its name', async () => {
    const ods = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'xlsx', 'libreoffice-1900.ods'));
    for (const name of ['clients.ods', 'clients.xlsx']) {
      await expectInputError(openSheet(temp.write(name, ods), {}), { file: name }, /OpenDocument spreadsheet \(\.ods.*save it as \.xlsx or CSV/);
    }
  });

  it('reads a text file named .xlsx as CSV and says so in a notice', async () => {
    const path = temp.write('clients.xlsx', 'Name;Phone\r\nAnn;07911 123456\r\n');
    const { sheet, rows } = await readAll(path);
    expect(sheet.format).toBe('csv');
    expect(rows[0]?.cells).toEqual(['Ann', '07911 123456']);
    expect(sheet.notices).toEqual([expect.stringMatching(/^clients\.xlsx is a text file, not an Excel workbook.*read as CSV/)]);
  });

  it('gives no notice for a CSV named .csv', async () => {
    const { sheet } = await readAll(temp.write('clients.csv', 'Name\r\nAnn\r\n'));
    expect(sheet.notices ?? []).toEqual([]);
  });
});
