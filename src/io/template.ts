/**
 * Template files a person fills in: one per entity, XLSX (notes, dropdowns, a Help sheet) or
 * CSV (header and example row only), chosen by the file extension. Written by our own XLSX
 * writer like every other workbook (write-xlsx.ts), so exceljs is not needed at run time.
 */
import { extname } from 'node:path';
import { UsageError } from '../errors.js';
import { CLEAR_TOKEN, type Column, type Entity, type Requirement } from '../entities/entity.js';
import { openCsvWriter } from './write-csv.js';
import { openXlsxWriter, safeSheetName } from './write-xlsx.js';

export type TemplateEntity = Pick<Entity, 'name' | 'noun' | 'columns'>;

/**
 * Dropdowns cover this many rows below the header. Excel would take the whole column, but
 * exceljs's document reader (which people's own scripts, and our tests, read templates with)
 * expands a validation range into one entry per cell: about 7 s a column for a million rows.
 */
export const TEMPLATE_DROPDOWN_ROWS = 20_000;

const HELP_SHEET_NAME = 'Help';

export function requirementLabel(requirement: Requirement): string {
  switch (requirement) {
    case 'always':
      return 'Required';
    case 'on-create':
      return 'Required when creating';
    case 'optional':
      return 'Optional';
  }
}

/** The note on a header cell: what to put in the column and how. */
export function headerNote(column: Column): string {
  const lines = [column.help, `Format: ${column.type.format}`, `Example: ${column.example}`, requirementLabel(column.required)];
  if (column.clearable) lines.push(`${CLEAR_TOKEN} empties the field; a blank cell leaves it unchanged.`);
  return lines.filter((line) => line !== '').join('\n');
}

/** Wide enough for the header and the example, within reason. */
function columnWidth(column: Column): number {
  return Math.min(Math.max(column.header.length, column.example.length, 10) + 2, 50);
}

async function writeXlsxTemplate(path: string, entity: TemplateEntity): Promise<void> {
  const { columns } = entity;
  const workbook = openXlsxWriter(path);
  const sheet = workbook.addSheet(safeSheetName(entity.name), { widths: columns.map(columnWidth), frozenHeader: true });
  columns.forEach((column, index) => {
    if (column.type.choices !== undefined && column.type.choices.length > 0) {
      sheet.addDropdown(index, column.type.choices, { firstRow: 2, lastRow: TEMPLATE_DROPDOWN_ROWS + 1 });
    }
  });
  const notes: Record<number, string> = {};
  columns.forEach((column, index) => {
    notes[index] = headerNote(column);
  });
  await sheet.addRow(
    columns.map((column) => column.header),
    { bold: true, notes },
  );
  await sheet.addRow(columns.map((column) => column.example));

  const help = workbook.addSheet(HELP_SHEET_NAME, {
    columns: [
      { header: 'Column', width: 24 },
      { header: 'Required', width: 22 },
      { header: 'Format', width: 40 },
      { header: 'Choices', width: 30 },
      { header: 'Example', width: 24 },
      { header: `Can be emptied with ${CLEAR_TOKEN}`, width: 16 },
      { header: 'Also accepted as', width: 36 },
      { header: 'Help', width: 80 },
    ],
    frozenHeader: true,
  });
  for (const column of columns) {
    await help.addRow([
      column.header,
      requirementLabel(column.required),
      column.type.format,
      column.type.choices?.join(', ') ?? null,
      column.example,
      column.clearable ? 'Yes' : 'No',
      column.aliases.join(', '),
      column.help,
    ]);
  }
  await workbook.close();
}

async function writeCsvTemplate(path: string, entity: TemplateEntity): Promise<void> {
  const writer = openCsvWriter(
    path,
    entity.columns.map((column) => column.header),
  );
  await writer.addRow(entity.columns.map((column) => column.example));
  await writer.close();
}

/** Writes an XLSX or CSV template for the entity, by the extension of `path`. */
export async function writeTemplate(path: string, entity: TemplateEntity): Promise<void> {
  const extension = extname(path).toLowerCase();
  if (extension === '.xlsx') return writeXlsxTemplate(path, entity);
  if (extension === '.csv') return writeCsvTemplate(path, entity);
  throw new UsageError(`Template file must end in .xlsx or .csv: ${path}`);
}
