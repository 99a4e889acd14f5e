/**
 * One legacy file made ready for the import: each row decided (set.ts `decideRow`) and written to
 * a CSV in the migration's state folder, with every row on the same row number as in the legacy
 * file (a row already in Plannr or held back is written blank, so the import skips it and its
 * report's row numbers are the legacy file's). References become Plannr uuids.
 */
import { basename } from 'node:path';
import { getEntity } from '../entities/index.js';
import { InputError } from '../errors.js';
import { openSheet } from '../io/read.js';
import type { CellValue } from '../io/rows.js';
import { openCsvWriter } from '../io/write-csv.js';
import { headerKey } from '../pipeline/input/mapping.js';
import { columnIndexOf, decideRow, REFERENCES, type MigrationFile, type TargetState } from './set.js';

export interface HeldRow {
  readonly row: number;
  readonly legacyId: string;
  readonly message: string;
}

export interface ResolvedFile {
  /** Data rows of the legacy file. */
  readonly rows: number;
  readonly alreadyInPlannr: number;
  readonly held: readonly HeldRow[];
  /** Rows written to be imported: row number → legacy id. */
  readonly toSend: ReadonlyMap<number, string>;
  /** Every legacy id of the file with its row and fate, for the files that refer to it. */
  readonly index: ReadonlyMap<string, { readonly row: number; readonly fate: 'done' | 'held' | 'send' }>;
}

export interface ResolveOptions {
  readonly source: MigrationFile;
  readonly out: string;
  readonly legacyIdColumn: string;
  readonly clientIdColumn: string;
  readonly mappedUuid: (legacyId: string) => string | undefined;
  /** Where a referenced legacy id stands (the id map, and in a dry run the referenced file's check). */
  readonly targetState: (legacyId: string) => TargetState;
  readonly placeholder: string;
}

/** Where the uuids of a reference go: a column of the legacy file already holding that field, or a new last column. */
function outputColumn(headers: readonly string[], entityName: string, field: string): number {
  const column = getEntity(entityName).columns.find((c) => c.field === field);
  const keys = new Set([column?.header ?? field, ...(column?.aliases ?? [])].map(headerKey));
  return headers.findIndex((header) => keys.has(headerKey(header)));
}

export async function resolveFile(options: ResolveOptions): Promise<ResolvedFile> {
  const { source } = options;
  const fileName = basename(source.file);
  const sheet = await openSheet(source.file, { displayName: fileName });
  const legacyIdIndex = columnIndexOf(sheet.headers, options.legacyIdColumn);
  if (legacyIdIndex < 0) {
    throw new InputError({ file: fileName, sheet: sheet.sheet, row: 1 }, `no "${options.legacyIdColumn}" column: every file of a migration needs its legacy id column (--legacy-id-column names it)`);
  }
  const rule = REFERENCES[source.entity];
  let headers = [...sheet.headers];
  let reference: Parameters<typeof decideRow>[0]['reference'];
  if (rule !== undefined) {
    const index = columnIndexOf(sheet.headers, options.clientIdColumn);
    if (index < 0) {
      throw new InputError({ file: fileName, sheet: sheet.sheet, row: 1 }, `no "${options.clientIdColumn}" column: each ${getEntity(source.entity).noun} names its client by legacy id (--client-id-column names the column)`);
    }
    let outputIndex = outputColumn(headers, source.entity, rule.field);
    if (outputIndex < 0) {
      headers = [...headers, rule.header];
      outputIndex = headers.length - 1;
    }
    reference = { index, header: sheet.headers[index] ?? options.clientIdColumn, targetNoun: 'client', state: options.targetState, outputIndex, placeholder: options.placeholder };
  }
  const writer = openCsvWriter(options.out, headers);
  const blank: CellValue[] = headers.map(() => '');
  const seen = new Map<string, number>();
  const held: HeldRow[] = [];
  const toSend = new Map<number, string>();
  const index = new Map<string, { row: number; fate: 'done' | 'held' | 'send' }>();
  let rows = 0;
  let alreadyInPlannr = 0;
  let nextRow = 2;
  try {
    for await (const row of sheet.rows) {
      const at = row.position.row;
      // Blank rows of the legacy file (not yielded) keep their numbers as blank records.
      for (; nextRow < at; nextRow++) await writer.addRow(blank);
      nextRow = at + 1;
      rows++;
      const decision = decideRow({ fileName, row: at, cells: row.cells, legacyIdIndex, mappedUuid: options.mappedUuid, seen, reference });
      if (decision.legacyId !== '' && !index.has(decision.legacyId)) index.set(decision.legacyId, { row: at, fate: decision.kind });
      if (decision.kind === 'send') {
        toSend.set(at, decision.legacyId);
        const cells = [...decision.cells];
        while (cells.length < headers.length) cells.push(null);
        await writer.addRow(cells);
        continue;
      }
      if (decision.kind === 'done') alreadyInPlannr++;
      else held.push({ row: at, legacyId: decision.legacyId, message: decision.message });
      await writer.addRow(blank);
    }
    await writer.close();
  } catch (error) {
    await writer.discard();
    throw error;
  }
  return { rows, alreadyInPlannr, held, toSend, index };
}
