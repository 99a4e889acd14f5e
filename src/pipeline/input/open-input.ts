/**
 * The first half of every run: open the spreadsheet, map its headers, and build the row
 * checker. Shared by validate and import so both read a file the same way.
 */
import { basename } from 'node:path';
import { InputError } from '../../errors.js';
import { entities, getEntity } from '../../entities/index.js';
import type { Entity } from '../../entities/entity.js';
import { openSheet } from '../../io/read.js';
import type { ReportLayout } from '../../io/report.js';
import type { OpenedSheet } from '../../io/rows.js';
import type { NormaliseOptions } from '../../normalise/result.js';
import { makeRowChecker, type RowCheck } from '../check/check-row.js';
import { checkEntityFits, mapHeaders, type HeaderMapping, type MappingOverrides } from './mapping.js';
import type { SourceRow } from '../../io/rows.js';

export interface InputConfig {
  /** Path of the CSV or XLSX file. */
  readonly file: string;
  /** One of `entityNames` (src/entities/index.ts). */
  readonly entity: string;
  /** XLSX sheet name (default: the first sheet). */
  readonly sheet?: string | undefined;
  /** CSV encoding (default: detected). */
  readonly encoding?: string | undefined;
  /** CSV delimiter (default: detected). */
  readonly delimiter?: string | undefined;
  /** Header overrides, as read from --mapping. */
  readonly mapping?: MappingOverrides | undefined;
  readonly normalise: NormaliseOptions;
  /**
   * Things to tell the user that do not stop the run: how the file was read when that is not
   * what its name says (a text file named .xlsx read as CSV), a stale journal lock taken over,
   * a torn journal record cut off. Default: none are shown.
   */
  readonly onNotice?: ((message: string) => void) | undefined;
}

export interface OpenedInput {
  readonly entity: Entity;
  readonly sheet: OpenedSheet;
  readonly mapping: HeaderMapping;
  readonly layout: ReportLayout;
  readonly check: (row: SourceRow) => RowCheck;
  /**
   * The run's options completed with what the file itself says (its date system): what the
   * checker uses, and what worker threads must be given to check rows the same way.
   */
  readonly normalise: NormaliseOptions;
}

export async function openInput(config: InputConfig): Promise<OpenedInput> {
  const entity = getEntity(config.entity);
  const sheet = await openSheet(config.file, {
    displayName: basename(config.file),
    sheet: config.sheet,
    encoding: config.encoding,
    delimiter: config.delimiter,
  });
  const where = { file: sheet.file, sheet: sheet.sheet };
  for (const notice of sheet.notices ?? []) config.onNotice?.(notice);
  if (sheet.headers.every((h) => h === '')) throw new InputError({ ...where, row: 1 }, 'the header row is empty');
  // Before mapHeaders: a file of another entity is better told so than told its required columns are missing.
  checkEntityFits(sheet.headers, entity, importableEntities(), where, config.mapping);
  const mapping = mapHeaders(sheet.headers, entity, where, config.mapping);
  const layout: ReportLayout = {
    headers: sheet.headers,
    fields: mapping.sources.map((s) => ({ field: s.column.field, header: s.header, columnIndex: s.columnIndex })),
  };
  // The workbook's own date system (CSV: never 1904) decides how serial numbers read.
  const normalise: NormaliseOptions = { ...config.normalise, date1904: sheet.date1904 === true };
  return { entity, sheet, mapping, layout, normalise, check: makeRowChecker(entity, mapping, sheet.headers, normalise) };
}

function importableEntities(): Entity[] {
  return Object.values(entities).filter((e) => e.canImport);
}

