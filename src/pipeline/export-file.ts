/**
 * Writes an exported sheet (export, plan or revert file) and, for XLSX, its hidden `_meta`
 * sheet: per row the record's key, its `updated_at` when read, a hash and the values as the
 * import will read them back, plus the run's facts (entity, time, tool version, mapping).
 * A CSV gets the same in `<file>.meta.json` beside it (round-trip/csv-snapshot.ts).
 *
 * The streaming writer has one open sheet at a time, so meta rows are spooled to a temp file
 * while the data sheet streams, then copied into `_meta` after it: memory stays flat. The spool
 * folder carries the pid, so a later run removes it if this one is killed (io/atomic-file.ts).
 *
 * The file is written under a partial name and renamed over `path` by `close`; `discard`
 * removes the partial file, so a failed export, plan or revert never replaces the file that
 * was there with a broken one.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { USER_AGENT } from '../api/client.js';
import type { Entity } from '../entities/entity.js';
import { createSpoolFolder } from '../io/atomic-file.js';
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

  const xlsx = openXlsxWriter(options.path);
  const data: SheetWriter = xlsx.addSheet(options.sheetName ?? options.entity.name, {
    columns: headers.map((header) => ({ header, width: Math.max(12, Math.min(40, header.length + 4)) })),
    frozenHeader: true,
    autoFilter: true,
  });
  let spoolFolder;
  try {
    spoolFolder = await createSpoolFolder('plannr-bulk-meta-');
  } catch (error) {
    await xlsx.discard();
    throw error;
  }
  const spoolDir = spoolFolder;
  const spoolPath = join(spoolDir.path, 'meta.tsv');
  const spool = createWriteStream(spoolPath);
  let rows = 0;
  // Meta lines are written straight into a buffer (no string built up per 64 KB and encoded again).
  let spooled = Buffer.allocUnsafe(SPOOL_BUFFER_BYTES);
  let spooledBytes = 0;

  /** Hands the buffered lines to the file stream, in order (addRow waits for it to drain when it asks to). */
  function pushSpooled(): void {
    if (spooledBytes === 0) return;
    spool.write(spooled.subarray(0, spooledBytes));
    spooled = Buffer.allocUnsafe(SPOOL_BUFFER_BYTES);
    spooledBytes = 0;
  }

  function spoolLine(line: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit: with that much room the line fits.
    if (line.length * 3 > spooled.length - spooledBytes) pushSpooled();
    if (line.length * 3 <= spooled.length) spooledBytes += spooled.write(line, spooledBytes, 'utf8');
    else spool.write(line, 'utf8');
  }

  const info = metaInfoOf(options);

  return {
    async addRow(cells, meta, style) {
      // Everything up to the first await is synchronous, so concurrent callers cannot interleave.
      rows += 1;
      const sheetRow = rows + 1;
      const written = data.addRow(cells, style);
      if (meta !== undefined) spoolLine(metaLine(sheetRow, meta));
      await written;
      if (spooled.length - spooledBytes < SPOOL_FLUSH_ROOM) pushSpooled();
      if (spool.writableNeedDrain) await once(spool, 'drain');
    },
    get rows() {
      return rows;
    },
    async close(after) {
      try {
        pushSpooled();
        spool.end();
        await once(spool, 'close');
        await data.commit();
        for (const sheet of after ?? []) {
          const writer = xlsx.addSheet(sheet.name, { widths: [36, 60] });
          for (const cells of sheet.rows) await writer.addRow(cells);
          await writer.commit();
        }
        const metaSheet = xlsx.addSheet(META_SHEET, { hidden: true, columns: META_HEADERS.map((header) => ({ header })) });
        const facts = factsOf(info, options.notes);
        for (const [name, value] of facts) await metaSheet.addRow(['#', name, value, '', '']);
        for await (const line of spoolLines(spoolPath)) await metaSheet.addRow(metaCells(line));
        await metaSheet.commit();
        await xlsx.close();
      } catch (error) {
        await xlsx.discard();
        throw error;
      } finally {
        await spoolDir.remove();
      }
    },
    async discard() {
      spool.destroy();
      await xlsx.discard();
      await spoolDir.remove();
    },
  };
}

/** The spool's buffer, and the room left below which it is handed to the file after a row. */
const SPOOL_BUFFER_BYTES = 256 * 1024;
const SPOOL_FLUSH_ROOM = 16 * 1024;

/**
 * One `_meta` row as a spool line: row, key, updated_at and hash as JSON (so no tab or line
 * break of theirs can split the line), then the values' JSON as is, which goes into its cell
 * as text: it is never parsed and written out again.
 */
function metaLine(sheetRow: number, meta: MetaEntry): string {
  let values = JSON.stringify(meta.values);
  // A longer cell would be cut short by the writer: better no values than broken JSON.
  if (values.length > EXCEL_MAX_CELL_CHARS) values = '';
  return `${sheetRow}\t${JSON.stringify(meta.key)}\t${JSON.stringify(meta.updatedAt)}\t${JSON.stringify(meta.hash)}\t${values}\n`;
}

/** The `_meta` cells of a spool line (as metaLine wrote it). */
function metaCells(line: string): [number, string, string, string, string] {
  const tabs: number[] = [];
  for (let at = line.indexOf('\t'); at !== -1 && tabs.length < 4; at = line.indexOf('\t', at + 1)) tabs.push(at);
  const [a, b, c, d] = tabs;
  if (d === undefined || a === undefined || b === undefined || c === undefined) throw new Error(`the _meta spool has a broken line: ${line.slice(0, 80)}`);
  const text = (from: number, to: number): string => JSON.parse(line.slice(from, to)) as string;
  return [Number(line.slice(0, a)), text(a + 1, b), text(b + 1, c), text(c + 1, d), line.slice(d + 1)];
}

/** The spool's lines, read in big chunks (readline's per-line events cost more than the lines). */
async function* spoolLines(path: string): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: SPOOL_BUFFER_BYTES })) {
    const text = rest + (chunk as string);
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      yield text.slice(start, end);
      start = end + 1;
    }
    rest = text.slice(start);
  }
  if (rest !== '') yield rest;
}
