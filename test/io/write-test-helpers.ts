/** Shared by the writer, report and template tests: read written workbooks back with exceljs. */
import ExcelJS from 'exceljs';

export async function readBack(path: string): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(path);
  return workbook;
}

export function sheetOf(workbook: ExcelJS.Workbook, name: string): ExcelJS.Worksheet {
  const sheet = workbook.getWorksheet(name);
  if (sheet === undefined) throw new Error(`no sheet ${name}`);
  return sheet;
}

/** exceljs reads a note back as a string or as rich text. */
export function noteText(note: string | ExcelJS.Comment | undefined): string | undefined {
  if (note === undefined || typeof note === 'string') return note;
  return note.texts?.map((part) => part.text).join('');
}

/** A sheet's rows as plain arrays of cell values (1-based columns flattened to 0-based). */
export function rowsOf(sheet: ExcelJS.Worksheet): unknown[][] {
  const rows: unknown[][] = [];
  sheet.eachRow({ includeEmpty: true }, (row) => {
    const values: unknown[] = [];
    for (let column = 1; column <= sheet.columnCount; column += 1) values.push(row.getCell(column).value);
    rows.push(values);
  });
  return rows;
}
