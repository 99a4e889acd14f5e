import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Column, FieldType } from '../../src/entities/entity.js';
import { UsageError } from '../../src/errors.js';
import { TEMPLATE_DROPDOWN_ROWS, writeTemplate, type TemplateEntity } from '../../src/io/template.js';
import { noteText, readBack, rowsOf, sheetOf } from './write-test-helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'template-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function textType(name: string, format: string, choices?: readonly string[]): FieldType {
  return {
    name,
    format,
    choices,
    normalise: (value) => ({ ok: true, value: String(value) }),
    display: (value) => String(value),
  };
}

const columns: Column[] = [
  {
    field: 'uuid',
    header: 'UUID',
    aliases: ['Contact ID'],
    help: 'The contact detail to update; leave blank to create one.',
    example: '6ff8a1c2-0d3b-4c5e-9f10-123456789abc',
    required: 'optional',
    type: textType('uuid', '36-character UUID'),
    clearable: false,
  },
  {
    field: 'type',
    header: 'Type',
    aliases: ['Kind'],
    help: 'What the value is.',
    example: 'phone_number',
    required: 'on-create',
    type: textType('choice', 'one of the listed values', ['email', 'phone_number']),
    clearable: false,
  },
  {
    field: 'value',
    header: 'Value',
    aliases: ['Phone', 'Email address'],
    help: 'The phone number or email address.',
    example: '+447911123456',
    required: 'always',
    type: textType('phone or email', 'UK or international phone number, or an email address'),
    clearable: false,
  },
  {
    field: 'name',
    header: 'Label',
    aliases: [],
    help: 'A label such as Mobile or Work.',
    example: 'Mobile',
    required: 'optional',
    type: textType('text', 'up to 255 characters'),
    clearable: true,
  },
];
const entity: TemplateEntity = { name: 'contact-details', noun: 'contact detail', columns };

describe('writeTemplate (xlsx)', () => {
  let workbook: ExcelJS.Workbook;
  beforeAll(async () => {
    const path = join(dir, 'contact-details.xlsx');
    await writeTemplate(path, entity);
    workbook = await readBack(path);
  });

  it('has a sheet named after the entity, then Help', () => {
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['contact-details', 'Help']);
  });

  it('has a bold, frozen header row and one example row', () => {
    const sheet = sheetOf(workbook, 'contact-details');
    expect(rowsOf(sheet)).toEqual([
      ['UUID', 'Type', 'Value', 'Label'],
      ['6ff8a1c2-0d3b-4c5e-9f10-123456789abc', 'phone_number', '+447911123456', 'Mobile'],
    ]);
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.getCell('A1').font?.bold).toBe(true);
    // The example phone stays an exact string, not a formula or number.
    expect(sheet.getCell('C2').type).toBe(ExcelJS.ValueType.String);
    expect(sheet.getColumn(1).width).toBeGreaterThanOrEqual(36);
  });

  it('puts help, format, example and requirement in a note on each header', () => {
    const sheet = sheetOf(workbook, 'contact-details');
    const typeNote = noteText(sheet.getCell('B1').note) ?? '';
    expect(typeNote).toContain('What the value is.');
    expect(typeNote).toContain('Format: one of the listed values');
    expect(typeNote).toContain('Example: phone_number');
    expect(typeNote).toContain('Required when creating');
    expect(noteText(sheet.getCell('C1').note)).toContain('Required');
    expect(noteText(sheet.getCell('A1').note)).toContain('Optional');
    expect(noteText(sheet.getCell('D1').note)).toContain('(clear) empties the field');
    expect(noteText(sheet.getCell('A1').note)).not.toContain('(clear)');
  });

  it('adds a dropdown only on the column with choices, below the header', () => {
    const sheet = sheetOf(workbook, 'contact-details');
    expect(sheet.getCell('B2').dataValidation).toMatchObject({ type: 'list', formulae: ['"email,phone_number"'] });
    expect(sheet.getCell(`B${TEMPLATE_DROPDOWN_ROWS + 1}`).dataValidation?.type).toBe('list');
    expect(sheet.getCell('B1').dataValidation).toBeUndefined();
    expect(sheet.getCell('A2').dataValidation).toBeUndefined();
  });

  it('lists every column on the Help sheet with requirement, format and aliases', () => {
    const rows = rowsOf(sheetOf(workbook, 'Help'));
    expect(rows[0]?.slice(0, 3)).toEqual(['Column', 'Required', 'Format']);
    expect(rows.slice(1).map((row) => row[0])).toEqual(['UUID', 'Type', 'Value', 'Label']);
    expect(rows[2]).toEqual([
      'Type',
      'Required when creating',
      'one of the listed values',
      'email, phone_number',
      'phone_number',
      'No',
      'Kind',
      'What the value is.',
    ]);
    expect(rows[3]?.[6]).toBe('Phone, Email address');
  });
});

describe('writeTemplate (csv)', () => {
  it('writes the header and the example row, neutralising formula-looking examples', async () => {
    const path = join(dir, 'contact-details.csv');
    await writeTemplate(path, entity);
    const text = await readFile(path, 'utf8');
    expect(text).toBe(
      "\uFEFFUUID,Type,Value,Label\r\n6ff8a1c2-0d3b-4c5e-9f10-123456789abc,phone_number,'+447911123456,Mobile\r\n",
    );
  });

  it('refuses other extensions', async () => {
    await expect(writeTemplate(join(dir, 'template.xls'), entity)).rejects.toBeInstanceOf(UsageError);
  });
});
