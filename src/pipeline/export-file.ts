/**
 * Writes an exported sheet (export, plan or revert file) and, for XLSX, its hidden `_meta`
 * sheet: per row the record's key, its `updated_at` when read, a hash and the values as the
 * import will read them back, plus the run's facts (entity, time, tool version, mapping).
 * A CSV gets the same in `<file>.meta.json` beside it (round-trip/csv-snapshot.ts).
 *
 * `_meta` is written as the rows are, beside the data sheet: the writer keeps both open (one
 * streams into the zip, the other waits in its temporary file until close), so memory stays flat
 * and nothing is encoded, spooled and read back a second time at the end.
 *
 * The file is written under a partial name and renamed over `path` by `close`; `discard`
 * removes the partial file, so a failed export, plan or revert never replaces the file that
 * was there with a broken one.
 */
import { USER_AGENT } from '../api/client.js';
import type { Entity } from '../entities/entity.js';
import { openCsvWriter } from '../io/write-csv.js';
import { EXCEL_MAX_CELL_CHARS, openXlsxWriter, type RowStyle, type SheetWriter } from '../io/write-xlsx.js';
import type { ExportCell, ExportColumn, ExportFormat } from './export-cells.js';
import { META_HEADERS, META_SHEET, type MetaInfo } from './round-trip.js';
import { openSnapshotWriter, removeSnapshot } from './round-trip/csv-snapshot.js';

/** What `_meta` keeps about one written row. */
export interface MetaEntry {
  /** The record's key (uuid, or the MPDX phone id). */
  readonly key: string;
  /** `updated_at` (MPDX: `updated_in_db_at`) as the API gave it when the row was written. */
  readonly updatedAt: string;
  readonly hash: string;
  /** The values as the import reads them back from this row's cells. */
  readonly values: Readonly<Record<string, unknown>>;
}

export interface ExportFileWriter {
  /** Await it: it waits when the file falls behind. */
  addRow(cells: readonly ExportCell[], meta?: MetaEntry, style?: RowStyle): Promise<void>;
  /** Data rows written so far. */
  readonly rows: number;
  /** `after`: XLSX sheets written after the data sheet, before the hidden `_meta` (e.g. a plan's Summary). */
  close(after?: ReadonlyArray<{ readonly name: string; readonly rows: ReadonlyArray<readonly ExportCell[]> }>): Promise<void>;
  /** Stop, remove the spool and the partial file: the file at `path` (if any) is left as it was. */
  discard(): Promise<void>;
}

export interface ExportFileOptions {
  readonly path: string;
  readonly format: ExportFormat;
  readonly entity: Entity;
  readonly layout: readonly ExportColumn[];
  /** Our own columns after the entity's (e.g. "Plan Action"); mapping ignores them on import. */
  readonly extraHeaders?: readonly string[] | undefined;
  readonly kind: MetaInfo['kind'];
  readonly timezone: string;
  /** Data sheet name (XLSX). */
  readonly sheetName?: string | undefined;
  /** Run facts added to `_meta` (e.g. the source of a plan). */
  readonly notes?: ReadonlyArray<readonly [string, string]> | undefined;
  /**
   * XLSX: names of the sheets `close(after)` will fill (e.g. a plan's Summary), so their tabs
   * come before the hidden `_meta`, which is written from the start. A sheet close() is given
   * that is not named here comes after `_meta`.
   */
  readonly laterSheets?: readonly string[] | undefined;
  /** XLSX: rows per sheet before the data and `_meta` go on in "Name (2)"...; default 250,000. */
  readonly maxRowsPerSheet?: number | undefined;
}

export function formatOf(path: string): ExportFormat {
  return path.toLowerCase().endsWith('.csv') ? 'csv' : 'xlsx';
}

export function toolVersion(): string {
  return USER_AGENT;
}

function metaInfoOf(options: ExportFileOptions): MetaInfo {
  return {
    kind: options.kind,
    entity: options.entity.name,
    writtenAt: new Date().toISOString(),
    toolVersion: toolVersion(),
    timezone: options.timezone,
    columns: options.layout.flatMap((c) => (c.kind === 'field' ? [`${c.header} → ${c.column.field}`] : [])).join('; '),
  };
}

/** The run's facts as `_meta`'s `#` rows (and a CSV snapshot's `info`) hold them. */
function factsOf(info: MetaInfo, notes: ExportFileOptions['notes']): Array<readonly [string, string]> {
  return [
    ['kind', info.kind],
    ['entity', info.entity],
    ['written_at', info.writtenAt],
    ['tool_version', info.toolVersion],
    ['timezone', info.timezone],
    ['columns', info.columns],
    ...(notes ?? []),
  ];
}

function metaFacts(options: ExportFileOptions): Array<readonly [string, string]> {
  return factsOf(metaInfoOf(options), options.notes);
}

export async function openExportFile(options: ExportFileOptions): Promise<ExportFileWriter> {
  const headers = [...options.layout.map((c) => c.header), ...(options.extraHeaders ?? [])];
  if (options.format === 'csv') {
    const csv = openCsvWriter(options.path, headers);
    // The snapshot (`<file>.meta.json`) carries for CSV what `_meta` carries in a workbook.
    const keyHeader = options.layout.find((c) => c.kind === 'field' && c.column.field === options.entity.keyField)?.header;
    const snapshot = keyHeader === undefined ? undefined : openSnapshotWriter({ csvPath: options.path, facts: metaFacts(options), keyHeader });
    let rows = 0;
    return {
      async addRow(cells, meta) {
        rows += 1;
        const line = rows + 1;
        await csv.addRow(cells);
        if (meta !== undefined) await snapshot?.addRow(line, meta);
      },
      get rows() {
        return rows;
      },
      async close() {
        try {
          // The old export's snapshot goes before the new CSV replaces the old one: a run stopped
          // in between leaves a CSV with no snapshot (an ordinary file), never a mismatched pair.
          await removeSnapshot(options.path);
          await csv.close();
        } catch (error) {
          await snapshot?.discard();
          throw error;
        }
        await snapshot?.commit();
      },
      async discard() {
        await snapshot?.discard();
        await csv.discard();
      },
    };
  }

  const xlsx = openXlsxWriter(options.path, { maxRowsPerSheet: options.maxRowsPerSheet });
  const data: SheetWriter = xlsx.addSheet(options.sheetName ?? options.entity.name, {
    columns: headers.map((header) => ({ header, width: Math.max(12, Math.min(40, header.length + 4)) })),
    frozenHeader: true,
    autoFilter: true,
  });
  // Tabs keep the order sheets were added: the sheets close() fills come before the hidden _meta.
  const later = new Map((options.laterSheets ?? []).map((name) => [name, xlsx.addSheet(name, { widths: LATER_SHEET_WIDTHS })]));
  const metaSheet = xlsx.addSheet(META_SHEET, { hidden: true, columns: META_HEADERS.map((header) => ({ header })) });
  let rows = 0;
  try {
    for (const [name, value] of metaFacts(options)) await metaSheet.addRow(['#', name, value, '', '']);
  } catch (error) {
    await xlsx.discard();
    throw error;
  }

  return {
    async addRow(cells, meta, style) {
      // Everything up to the first await is synchronous, so concurrent callers cannot interleave.
      rows += 1;
      const written = data.addRow(cells, style);
      const metaWritten = meta === undefined ? undefined : metaSheet.addRow(metaCells(rows + 1, meta));
      await written;
      await metaWritten;
    },
    get rows() {
      return rows;
    },
    async close(after) {
      try {
        await data.commit();
        for (const sheet of after ?? []) {
          const writer = later.get(sheet.name) ?? xlsx.addSheet(sheet.name, { widths: LATER_SHEET_WIDTHS });
          later.delete(sheet.name);
          for (const cells of sheet.rows) await writer.addRow(cells);
          await writer.commit();
        }
        for (const unused of later.values()) await unused.commit();
        await metaSheet.commit();
        await xlsx.close();
      } catch (error) {
        await xlsx.discard();
        throw error;
      }
    },
    async discard() {
      await xlsx.discard();
    },
  };
}

/** Column widths of the sheets close() adds (e.g. a plan's Summary: a label and its value). */
const LATER_SHEET_WIDTHS = [36, 60];

/** One row's `_meta` cells: its sheet row, key, updated_at, hash and the values' JSON. */
function metaCells(sheetRow: number, meta: MetaEntry): [number, string, string, string, string] {
  let values = JSON.stringify(meta.values);
  // A longer cell would be cut short by the writer: better no values than broken JSON.
  if (values.length > EXCEL_MAX_CELL_CHARS) values = '';
  return [sheetRow, meta.key, meta.updatedAt, meta.hash, values];
}
