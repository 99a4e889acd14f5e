import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { createSeedState, SANDBOX_ACCOUNT_UUID, SANDBOX_TOKEN } from '../../src/sandbox/seed.js';
import { startSandbox } from '../../src/sandbox/server.js';

const SAMPLES = join(import.meta.dirname, '..', '..', 'samples');
const state = createSeedState();
/** The deliberately unknown uuids the README lists (404/422 online). */
const DELIBERATELY_UNKNOWN = new Set([
  '3f2a9c1e-7b4d-4e6f-9a8b-1c2d3e4f5a6b',
  '6b5a4f3e-2d1c-4b0a-9f8e-7d6c5b4a3f2e',
  '8d7c6b5a-4f3e-4d2c-8b1a-0f9e8d7c6b5a',
]);
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

const allSeedIds = new Set<string>([
  ...Object.keys(state.accounts),
  ...Object.keys(state.cases),
  ...Object.keys(state.caseStatuses),
  ...Object.keys(state.caseTypes),
  ...Object.keys(state.groups),
  ...Object.keys(state.plans),
  ...Object.keys(state.contactDetails),
  ...Object.keys(state.mpdxContacts),
  ...Object.keys(state.mpdxPeople),
  ...Object.keys(state.mpdxPhones),
]);

function unknownUuidsIn(text: string): string[] {
  return [...new Set(text.match(UUID) ?? [])].filter((uuid) => !allSeedIds.has(uuid) && !DELIBERATELY_UNKNOWN.has(uuid));
}

function parseCsv(text: string, delimiter: string): string[][] {
  return Papa.parse<string[]>(text, { delimiter, skipEmptyLines: true }).data;
}

async function xlsxText(file: string, sheetName: string): Promise<{ sheet: ExcelJS.Worksheet; text: string }> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(join(SAMPLES, file));
  const sheet = workbook.getWorksheet(sheetName);
  if (sheet === undefined) throw new Error(`no sheet ${sheetName}`);
  const cells: string[] = [];
  sheet.eachRow((row) => row.eachCell((cell) => cells.push(cell.text)));
  return { sheet, text: cells.join('\n') };
}

describe('samples reference the seed', () => {
  it('cases-legacy.csv is Windows-1252 without BOM, CRLF, exact headers, seed uuids only', async () => {
    const bytes = await readFile(join(SAMPLES, 'cases-legacy.csv'));
    expect([...bytes.subarray(0, 3)]).not.toEqual([0xef, 0xbb, 0xbf]);
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow(); // £ and – are single cp1252 bytes
    const text = iconv.decode(bytes, 'win1252');
    expect(text.split('\r\n')[0]).toBe(
      'Case ID,Case Name,Case Status,Status Position,Case Type,Case Value (£),Review Date,Date Completed,Assigned To,Groups,Plans,Clients',
    );
    expect(text).toContain('“');
    expect(text).toContain('–');
    const records = parseCsv(text, ',');
    expect(records).toHaveLength(201);
    // The deliberately wide row (row 128) has one cell more than the header.
    expect(records.filter((r) => r.length !== 12).map((r) => records.indexOf(r) + 1)).toEqual([128]);
    expect(records.some((r) => r[1]?.includes('\n'))).toBe(true);
    expect(unknownUuidsIn(text)).toEqual([]);
    // Every non-error review date is unambiguous (day > 12).
    const dates = records.slice(1).map((r) => r[6] ?? '').filter((d) => /^\d\d\/\d\d\/\d{4}/.test(d));
    const ambiguous = dates.filter((d) => Number(d.slice(0, 2)) <= 12);
    expect(ambiguous.sort()).toEqual(['03/04/2026', '11/12/2026 10:00']);
  });

  it('cases-legacy.xlsx holds real date cells, a formula with a cached result and rich text', async () => {
    const { sheet, text } = await xlsxText('cases-legacy.xlsx', 'Cases');
    expect(unknownUuidsIn(text)).toEqual([]);
    const dateCells: unknown[] = [];
    sheet.eachRow((row, n) => {
      if (n > 1 && row.getCell(7).value instanceof Date) dateCells.push(row.getCell(7).value);
    });
    expect(dateCells.length).toBeGreaterThan(50);
    expect(sheet.getRow(10).getCell(2).value).toMatchObject({ formula: 'B2', result: sheet.getRow(2).getCell(2).text });
    expect(sheet.getRow(17).getCell(2).text).toBe('Pension Review – Patel');
    expect(typeof sheet.getRow(3).getCell(6).value === 'number' || sheet.getRow(3).getCell(6).value === null).toBe(true);
  });

  it('contact-details-legacy.xlsx uses shared strings and Excel-mangled phones on seed details', async () => {
    const bytes = await readFile(join(SAMPLES, 'contact-details-legacy.xlsx'));
    expect(bytes.includes(Buffer.from('xl/sharedStrings.xml'))).toBe(true);
    const { sheet, text } = await xlsxText('contact-details-legacy.xlsx', 'Contacts');
    expect(sheet.getRow(1).values).toEqual([undefined, 'Detail Ref', 'Label', 'Mobile', 'Client Refs', 'Primary For']);
    expect(unknownUuidsIn(text)).toEqual([]);
    const mobiles: unknown[] = [];
    sheet.eachRow((row, n) => {
      if (n > 1) mobiles.push(row.getCell(3).value);
    });
    expect(mobiles).toContain('4.47911E+11');
    expect(mobiles).toContain('07700 900123');
    expect(mobiles.some((m) => typeof m === 'number' && String(m).startsWith('7911'))).toBe(true);
    expect(mobiles.some((m) => typeof m === 'number' && String(m).startsWith('447911'))).toBe(true);
  });

  it('contact-details.csv is UTF-8 with a BOM and semicolons; its valid rows all land on the sandbox', async () => {
    const bytes = await readFile(join(SAMPLES, 'contact-details.csv'));
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const records = parseCsv(bytes.toString('utf8').slice(1), ';');
    expect(records[0]).toEqual(['uuid', 'name', 'Tel', 'account ids', 'primary account ids']);
    expect(unknownUuidsIn(bytes.toString('utf8'))).toEqual([]);

    const sandbox = await startSandbox({ ratePerMinute: 0 });
    try {
      const statuses = new Map<number, number>();
      for (const [index, [uuid, name, tel, owners, primaries]] of records.slice(1).entries()) {
        const response = await fetch(`${sandbox.url}/api/v2/contact-details/${uuid}`, {
          method: 'PUT',
          headers: {
            Authorization: `Bearer ${SANDBOX_TOKEN}`,
            'X-PLANNR-ACCOUNT-UUID': SANDBOX_ACCOUNT_UUID,
            'Content-Type': 'application/json',
          },
          body: JSON.stringify({
            name,
            value: tel,
            account_uuids: owners?.split(',').filter(Boolean),
            primary_account_uuids: primaries?.split(',').filter(Boolean),
          }),
        });
        await response.arrayBuffer();
        statuses.set(index + 2, response.status);
      }
      const refused = [...statuses].filter(([, status]) => status !== 200).map(([row, status]) => [row, status]);
      // Exactly the README's deliberate errors are refused.
      expect(refused).toEqual([[16, 422], [39, 422], [61, 422], [83, 422]]);
    } finally {
      await sandbox.close();
    }
  });

  it('mpdx-phones.csv references seed contacts, people and phones', async () => {
    const text = await readFile(join(SAMPLES, 'mpdx-phones.csv'), 'utf8');
    const records = parseCsv(text, ',');
    expect(records[0]).toEqual([
      'Contact ID', 'Person ID', 'Phone ID', 'Number', 'Country Code', 'Location', 'Primary', 'Historic', 'Valid', 'Updated In DB At', 'Overwrite',
    ]);
    expect(records).toHaveLength(51);
    expect(unknownUuidsIn(text)).toEqual([]);
    for (const [contact, person, phone] of records.slice(1)) {
      expect(state.mpdxPeople[person ?? '']?.contact_id).toBe(contact);
      if (!DELIBERATELY_UNKNOWN.has(phone ?? '')) expect(state.mpdxPhones[phone ?? '']?.person_id).toBe(person);
    }
  });
});
