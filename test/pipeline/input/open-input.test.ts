import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactDetails } from '../../../src/entities/contact-details.js';
import { MappingError } from '../../../src/errors.js';
import { defaultNormaliseOptions } from '../../../src/normalise/result.js';
import { openInput } from '../../../src/pipeline/input/open-input.js';

const root = join(import.meta.dirname, '..', '..', '..');
const importable = ['contact-details', 'cases', 'mpdx-phones'] as const;
/** Every committed file that users are told to validate, with the entity it holds. */
const committed: ReadonlyArray<readonly [string, (typeof importable)[number]]> = [
  ['samples/cases-legacy.csv', 'cases'],
  ['samples/cases-legacy.xlsx', 'cases'],
  ['samples/contact-details.csv', 'contact-details'],
  ['samples/contact-details-legacy.xlsx', 'contact-details'],
  ['samples/mpdx-phones.csv', 'mpdx-phones'],
  ['templates/cases.csv', 'cases'],
  ['templates/cases.xlsx', 'cases'],
  ['templates/contact-details.csv', 'contact-details'],
  ['templates/contact-details.xlsx', 'contact-details'],
  ['templates/mpdx-phones.csv', 'mpdx-phones'],
  ['templates/mpdx-phones.xlsx', 'mpdx-phones'],
];

async function open(file: string, entity: string, mapping?: Record<string, string | null>) {
  return openInput({ file, entity, mapping, normalise: defaultNormaliseOptions });
}

describe('openInput: the wrong --entity guard', () => {
  it.each(committed)('opens %s as %s', async (file, entity) => {
    const input = await open(join(root, file), entity);
    expect(input.entity.name).toBe(entity);
  });

  it.each(committed.flatMap(([file, own]) => importable.filter((other) => other !== own).map((other) => [file, other, own] as const)))(
    'refuses %s as %s, saying it looks like %s',
    async (file, entity, own) => {
      const opening = open(join(root, file), entity);
      await expect(opening).rejects.toThrow(MappingError);
      await expect(open(join(root, file), entity)).rejects.toThrow(`its headers look like ${own} (`);
      await expect(open(join(root, file), entity)).rejects.toThrow(`: use --entity ${own}`);
    },
  );

  describe('with files written here', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'open-input-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('opens an export re-imported with its bookkeeping columns (export-only, plan and error columns)', async () => {
      const headers = [...contactDetails.columns.map((c) => c.header), ...(contactDetails.exportOnly ?? []).map((c) => c.header), 'Plan Action', 'Plan Changes', 'Error'];
      const file = join(dir, 'export.csv');
      await writeFile(file, `${headers.join(',')}\n`);
      await expect(open(file, 'contact-details')).resolves.toMatchObject({ entity: { name: 'contact-details' } });
    });

    it('opens a file of unusual headers once --mapping says what they are', async () => {
      const file = join(dir, 'odd.csv');
      await writeFile(file, 'Ref,Matter,Colour,Shoe Size\n');
      await expect(open(file, 'cases')).rejects.toThrow('only 0 of 4 columns match cases');
      await expect(open(file, 'cases', { Ref: 'uuid', Matter: 'name', Colour: null, 'Shoe Size': null })).resolves.toMatchObject({ entity: { name: 'cases' } });
    });
  });
});

describe('openInput: a workbook in the 1904 date system', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'open-input-1904-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    [true, '2025-01-01T00:00:00+00:00'], // 1904 system: 0 = 1904-01-01, so 44196 = 2025-01-01
    [false, '2020-12-31T00:00:00+00:00'], // 1900 system: 45658 = 2025-01-01, so 44196 = 2020-12-31
  ])('with date1904 %s reads the serial number 44196 in a General cell as %s', async (date1904, expected) => {
    const workbook = new ExcelJS.Workbook();
    workbook.properties.date1904 = date1904;
    const sheet = workbook.addWorksheet('Cases');
    sheet.addRow(['Case ID', 'Case Name', 'Review Date']);
    sheet.addRow(['', 'A case', 44196]);
    const file = join(dir, `serial-${date1904}.xlsx`);
    await workbook.xlsx.writeFile(file);

    const input = await open(file, 'cases');
    expect(input.normalise.date1904).toBe(date1904);
    const reviewDates: unknown[] = [];
    for await (const row of input.sheet.rows) reviewDates.push(input.check(row).values['review_at']);
    expect(reviewDates).toEqual([expected]);
  });
});
