import type { Column, NormalisedRow } from './entity.js';

/**
 * The JSON body a row becomes: every mapped, non-blank field except the key; a cleared field
 * (null in the row) is sent as the entity's "empty" for it. A blank cell never appears here,
 * so it can never erase data.
 */
export function bodyFrom(
  row: NormalisedRow,
  columns: readonly Column[],
  options: { isUpdate: boolean; keyFields?: readonly string[]; clearedAs?: Readonly<Record<string, unknown>> },
): Record<string, unknown> {
  const skip = new Set(options.keyFields ?? ['uuid']);
  const body: Record<string, unknown> = {};
  for (const column of columns) {
    const value = row[column.field];
    if (value === undefined || skip.has(column.field) || column.isPhoneRegion) continue;
    if (options.isUpdate && column.createOnly) continue;
    body[column.field] = value === null && options.clearedAs && column.field in options.clearedAs
      ? options.clearedAs[column.field]
      : value;
  }
  return body;
}
