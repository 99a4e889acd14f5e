/**
 * One source row → normalised values, the request action, and every problem with the column
 * it came from. This is the per-row hot path: everything that can be worked out once per run
 * is worked out in `makeRowChecker`, not per row.
 */
import { CLEAR_TOKEN, type Entity } from '../../entities/entity.js';
import type { CellProblem, DisplayValue, RowAction } from '../../outcome/row-outcome.js';
import type { CellValue, SourceRow } from '../../io/rows.js';
import type { NormaliseOptions } from '../../normalise/result.js';
import type { FieldSource, HeaderMapping } from '../input/mapping.js';

export type { DisplayValue };

export interface RowCheck {
  /** The record key, or '' for a create. */
  readonly key: string;
  readonly action: RowAction;
  /** field → normalised value; null means "clear"; blank fields are absent. */
  readonly values: Record<string, unknown>;
  /** field → what is shown in the report (what was or would be sent). */
  readonly display: Record<string, DisplayValue>;
  readonly problems: CellProblem[];
}

const clearKey = CLEAR_TOKEN.toLowerCase();

/** `(clear)` in any case, spaces around it allowed; the length test spares most cells a lower-cased copy. */
function isClearToken(value: string): boolean {
  if (value.length < clearKey.length) return false;
  const trimmed = value.trim();
  return trimmed.length === clearKey.length && trimmed.toLowerCase() === clearKey;
}

function isBlank(value: CellValue | undefined): value is null | undefined | '' {
  return value === null || value === undefined || (typeof value === 'string' && value.trim() === '');
}

export function makeRowChecker(
  entity: Entity,
  mapping: HeaderMapping,
  headers: readonly string[],
  options: NormaliseOptions,
): (row: SourceRow) => RowCheck {
  const regionSource = mapping.sources.find((s) => s.column.isPhoneRegion);
  const sources = mapping.sources;
  const keyField = entity.keyField;
  const keyRequiredAlways = entity.columns.some((c) => c.field === keyField && c.required === 'always');
  const requiredAlways = entity.columns.filter((c) => c.required === 'always');
  const requiredOnCreate = entity.columns.filter((c) => c.required === 'on-create');
  const sourceByField = new Map(sources.map((s) => [s.column.field, s] as const));
  const problemAt = (source: FieldSource | undefined, field: string, message: string): CellProblem => ({
    columnIndex: source?.columnIndex ?? -1,
    column: source?.header ?? entity.columns.find((c) => c.field === field)?.header ?? field,
    message,
  });

  return (row) => {
    const cells = row.cells;
    const values: Record<string, unknown> = {};
    const display: Record<string, DisplayValue> = {};
    const problems: CellProblem[] = [];

    if (cells.length > headers.length) {
      let width = cells.length;
      while (width > headers.length && isBlank(cells[width - 1])) width--; // trailing empty cells are harmless
      if (width > headers.length) {
        problems.push({
          columnIndex: -1,
          column: '(row)',
          message: `the row has ${width} values but the header has ${headers.length} columns: ` +
            `probably an unquoted delimiter inside a value; nothing in this row was read`,
        });
        return { key: '', action: 'none', values, display, problems };
      }
    }

    let rowOptions = options;
    if (regionSource !== undefined) {
      const region = regionSource.constant ?? cells[regionSource.columnIndex];
      if (!isBlank(region)) {
        const code = String(region).trim().toUpperCase();
        if (/^[A-Z]{2}$/.test(code)) rowOptions = { ...options, defaultCountry: code };
        else problems.push(problemAt(regionSource, regionSource.column.field, `"${String(region)}" is not a two-letter country code (e.g. GB, AU)`));
      }
    }

    for (const source of sources) {
      const raw = source.constant ?? cells[source.columnIndex];
      if (isBlank(raw)) continue; // blank = leave unchanged: never sent
      const column = source.column;
      if (typeof raw === 'string' && isClearToken(raw)) {
        if (column.clearable) {
          values[column.field] = null;
          display[column.field] = CLEAR_TOKEN;
        } else {
          problems.push(problemAt(source, column.field, `${column.header} cannot be cleared`));
        }
        continue;
      }
      const result = column.type.normalise(raw, rowOptions);
      if (result.ok) {
        values[column.field] = result.value;
        display[column.field] = column.type.display(result.value);
      } else {
        problems.push(problemAt(source, column.field, result.error));
      }
    }

    const key = typeof values[keyField] === 'string' ? (values[keyField] as string) : '';
    const hadKeyProblem = problems.some((p) => p.columnIndex === sourceByField.get(keyField)?.columnIndex);
    const isCreate = key === '' && !hadKeyProblem;
    if (isCreate && !entity.canCreate && !keyRequiredAlways) {
      problems.push(problemAt(sourceByField.get(keyField), keyField, `a ${entity.noun} cannot be created here: give the ${sourceByField.get(keyField)?.header ?? keyField} of the record to update`));
    }
    for (const column of requiredAlways) {
      if (values[column.field] === undefined && !problems.some((p) => p.column === (sourceByField.get(column.field)?.header ?? column.header))) {
        problems.push(problemAt(sourceByField.get(column.field), column.field, `${column.header} is required`));
      }
    }
    if (isCreate && entity.canCreate) {
      for (const column of requiredOnCreate) {
        if (values[column.field] === undefined && !problems.some((p) => p.column === (sourceByField.get(column.field)?.header ?? column.header))) {
          problems.push(problemAt(sourceByField.get(column.field), column.field, `${column.header} is required to create a ${entity.noun}`));
        }
      }
    }
    if (problems.length === 0) {
      for (const problem of entity.check(values)) {
        problems.push(problemAt(sourceByField.get(problem.field), problem.field, problem.message));
      }
    }
    // Left to right, as the user reads the row; row-level problems (-1) first.
    if (problems.length > 1) problems.sort((a, b) => a.columnIndex - b.columnIndex);
    const action: RowAction = problems.length > 0 ? 'none' : key === '' ? 'create' : 'update';
    return { key, action, values, display, problems };
  };
}
