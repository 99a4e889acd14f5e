/**
 * The round-trip snapshot of a CSV export: `<file>.meta.json` beside the CSV (`cases.csv` →
 * `cases.csv.meta.json`). A CSV has no hidden sheet, so what an XLSX export keeps in `_meta`
 * (the run's facts, and per row the record's key, its `updated_at`, a hash and the values as the
 * import reads them back) is written here instead, plus the CSV's own name, SHA-256 and size
 * exactly as exported, and the header of its key column.
 *
 * Which CSV a snapshot belongs to. The person edits the CSV, so its hash on import is, as a rule,
 * not the export's: the hash proves an untouched file, never an edited one. A snapshot is applied
 * to the CSV at `<file>` only when all of these hold, and otherwise the import is refused (exit 2)
 * rather than run without it, because a CSV imported as an ordinary file would send whole rows
 * with no conflict check, which is not what a person re-importing an export expects:
 *  1. it is a snapshot we wrote (its marker and a version we read);
 *  2. it was written for the entity being imported;
 *  3. the CSV is byte for byte the export (same SHA-256 and size): it belongs, nothing else is
 *     checked; or else, the CSV was edited since and:
 *     a. its file name is the one the snapshot recorded (a snapshot copied or renamed beside
 *        another file is not trusted: export that file again instead);
 *     b. it still has the exported key column (same header);
 *     c. every key in that column is one of the exported records' keys. Rows may be deleted,
 *        reordered, or added with a blank key (creates), but a key the export never wrote
 *        means the rows come from somewhere else.
 * What this cannot tell apart: an edited copy of the same export kept under the same name (its
 * rows are the export's rows, so the snapshot's values are the right "before" for them). For a
 * CSV of another export of the same entity under the same name with a subset of its keys, the
 * per-record conflict check (updated_at and hash against the CRM now) still holds back any
 * record changed since this snapshot was taken.
 *
 * Without a snapshot beside it a CSV imports as an ordinary file, as before.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { InputError } from '../../errors.js';
import { atomicFile } from '../../io/atomic-file.js';
import { openSheet } from '../../io/read.js';
import type { CellValue, ReadOptions } from '../../io/rows.js';
import type { MetaEntry } from '../export-file.js';
import type { ExportMeta, MetaRow } from '../round-trip.js';

export const SNAPSHOT_SUFFIX = '.meta.json';
/** The value of `snapshot` in every snapshot we write. */
export const SNAPSHOT_MARKER = 'plannr-bulk export snapshot';
export const SNAPSHOT_VERSION = 1;

export function snapshotPathOf(csvPath: string): string {
  return `${csvPath}${SNAPSHOT_SUFFIX}`;
}

/** The CSV's SHA-256 (hex) and size in bytes, as it is on disk. */
export async function fingerprintOf(path: string): Promise<{ readonly sha256: string; readonly bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    const buffer = chunk as Buffer;
    hash.update(buffer);
    bytes += buffer.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

export interface SnapshotWriter {
  /** `row`: the CSV line number the record was written on (the header is line 1). */
  addRow(row: number, entry: MetaEntry): Promise<void>;
  /**
   * Call once the CSV is in place at `csvPath`: records its name, hash and size, and renames the
   * snapshot into place.
   */
  commit(): Promise<void>;
  /** Removes the partial snapshot; a snapshot already beside the CSV is left as it was. */
  discard(): Promise<void>;
}

export interface SnapshotOptions {
  readonly csvPath: string;
  /** The run's facts, as the `_meta` sheet's `#` rows (kind, entity, written_at, ...). */
  readonly facts: ReadonlyArray<readonly [string, string]>;
  /** Header of the column holding the record's key. */
  readonly keyHeader: string;
}

/**
 * Destroys the stream and waits until its file is closed: a stream destroyed before its file
 * was open still opens (creates) it, so removing the partial file before then left it behind.
 */
async function closed(stream: WriteStream): Promise<void> {
  if (stream.closed) return;
  const done = new Promise<void>((resolve) => stream.once('close', () => resolve()));
  stream.destroy();
  await done;
}

/**
 * Streams the snapshot to a partial file while the CSV is written: rows first (one per line),
 * then, at `commit`, the facts and the CSV's fingerprint, so memory stays flat.
 */
export function openSnapshotWriter(options: SnapshotOptions): SnapshotWriter {
  const target = snapshotPathOf(options.csvPath);
  const file = atomicFile(target);
  const stream = createWriteStream(file.partial, { encoding: 'utf8' });
  let failure: Error | undefined;
  stream.on('error', (error) => {
    failure ??= error;
  });
  let pending = `{"snapshot":${JSON.stringify(SNAPSHOT_MARKER)},"version":${SNAPSHOT_VERSION},"rows":[`;
  let first = true;

  async function flush(): Promise<void> {
    const chunk = pending;
    pending = '';
    if (failure !== undefined) throw failure;
    if (chunk !== '' && !stream.write(chunk)) await once(stream, 'drain');
  }

  return {
    async addRow(row, entry) {
      pending += `${first ? '\n' : ',\n'}${JSON.stringify([row, entry.key, entry.updatedAt, entry.hash, entry.values])}`;
      first = false;
      if (pending.length >= 64 * 1024) await flush();
    },
    async commit() {
      try {
        const { sha256, bytes } = await fingerprintOf(options.csvPath);
        const info = Object.fromEntries(options.facts);
        pending += `\n],\n"info":${JSON.stringify(info)},\n"key_header":${JSON.stringify(options.keyHeader)},\n"file":${JSON.stringify(basename(options.csvPath))},\n"sha256":${JSON.stringify(sha256)},\n"bytes":${bytes}\n}\n`;
        await flush();
        stream.end();
        await once(stream, 'close');
        if (failure !== undefined) throw failure;
        await file.commit();
      } catch (error) {
        await closed(stream);
        await file.discard();
        throw error;
      }
    },
    async discard() {
      await closed(stream);
      await file.discard();
    },
  };
}

/**
 * Removes the snapshot beside `csvPath`, if any: done before a new CSV replaces the old one, so a
 * run stopped between the two never leaves the old export's snapshot beside the new file.
 */
export async function removeSnapshot(csvPath: string): Promise<void> {
  await rm(snapshotPathOf(csvPath), { force: true });
}

/** A snapshot as parsed, before deciding whether it belongs to the CSV. */
export interface ParsedSnapshot {
  readonly info: Readonly<Record<string, string>>;
  readonly keyHeader: string;
  readonly file: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly rows: ReadonlyMap<string, MetaRow>;
}

/** The snapshot's content, or a reason it is not one we can read. Pure. */
export function parseSnapshot(text: string): ParsedSnapshot | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'it is not valid JSON';
  }
  if (!isObject(parsed) || parsed.snapshot !== SNAPSHOT_MARKER) return 'it is not a plannr-bulk export snapshot';
  if (parsed.version !== SNAPSHOT_VERSION) return `it is a snapshot of version ${String(parsed.version)}, which this version of plannr-bulk does not read`;
  const { info, key_header: keyHeader, file, sha256, bytes, rows } = parsed;
  if (!isObject(info) || typeof keyHeader !== 'string' || typeof file !== 'string' || typeof sha256 !== 'string' || typeof bytes !== 'number' || !Array.isArray(rows)) {
    return 'it is incomplete (the export that wrote it may have been stopped)';
  }
  const byKey = new Map<string, MetaRow>();
  for (const entry of rows) {
    if (!Array.isArray(entry) || entry.length !== 5) return 'a row of it is damaged';
    const [row, key, updatedAt, hash, values] = entry as unknown[];
    if (typeof row !== 'number' || typeof key !== 'string' || typeof updatedAt !== 'string' || typeof hash !== 'string') return 'a row of it is damaged';
    byKey.set(key, { row, updatedAt, hash, values: isObject(values) ? values : undefined });
  }
  const facts: Record<string, string> = {};
  for (const [name, value] of Object.entries(info)) if (typeof value === 'string') facts[name] = value;
  return { info: facts, keyHeader, file, sha256, bytes, rows: byKey };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function cellKey(cell: CellValue | undefined): string {
  if (cell === null || cell === undefined) return '';
  if (cell instanceof Date) return cell.toISOString();
  return String(cell).trim();
}

export interface CsvSnapshotOptions {
  /** The entity being imported: a snapshot of another entity is refused. */
  readonly entity?: string | undefined;
  /** How the import reads the CSV (encoding, delimiter), so its key column is read the same way. */
  readonly read?: ReadOptions | undefined;
}

/**
 * The export meta of the CSV at `csvPath` from the snapshot beside it, undefined when there is
 * none, or an InputError (exit 2) when there is one that does not belong to this CSV (the rule
 * is at the top of this file). `info.snapshot` names the snapshot; `info.snapshot_match` is
 * `exact` (the CSV is as exported) or `edited`.
 */
export async function readCsvSnapshot(csvPath: string, options: CsvSnapshotOptions = {}): Promise<ExportMeta | undefined> {
  const snapshotPath = snapshotPathOf(csvPath);
  const name = basename(csvPath);
  const snapshotName = basename(snapshotPath);
  let text: string;
  try {
    text = await readFile(snapshotPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new InputError({ file: snapshotName }, `the round-trip snapshot beside ${name} cannot be read (${(error as Error).message})`);
  }
  const refuse = (why: string): InputError =>
    new InputError(
      { file: name },
      `the round-trip snapshot ${snapshotName} beside it is not used: ${why}. Nothing was sent. Import the CSV of that export, or remove ${snapshotName} to import ${name} as an ordinary file (whole rows, no conflict check)`,
    );
  const snapshot = parseSnapshot(text);
  if (typeof snapshot === 'string') throw refuse(snapshot);
  const entity = snapshot.info.entity ?? '';
  if (options.entity !== undefined && entity !== options.entity) throw refuse(`it was written for ${entity === '' ? 'no entity' : entity}, and this import is of ${options.entity}`);
  const meta = (match: 'exact' | 'edited'): ExportMeta => ({ info: { ...snapshot.info, snapshot: snapshotName, snapshot_match: match }, rows: snapshot.rows });

  const fingerprint = await fingerprintOf(csvPath);
  if (fingerprint.sha256 === snapshot.sha256 && fingerprint.bytes === snapshot.bytes) return meta('exact');
  if (snapshot.file !== name) throw refuse(`it was written for ${snapshot.file}, and ${name} is not that file as exported`);

  const sheet = await openSheet(csvPath, { ...options.read, displayName: name });
  const keyColumn = sheet.headers.indexOf(snapshot.keyHeader);
  if (keyColumn < 0) throw refuse(`${name} has no "${snapshot.keyHeader}" column, which the export wrote`);
  let strangers = 0;
  let firstStranger: { key: string; row: number } | undefined;
  for await (const row of sheet.rows) {
    const key = cellKey(row.cells[keyColumn]);
    if (key === '' || snapshot.rows.has(key)) continue;
    strangers += 1;
    firstStranger ??= { key, row: row.position.row };
  }
  if (firstStranger !== undefined) {
    const more = strangers > 1 ? ` and ${strangers - 1} more` : '';
    throw refuse(`row ${firstStranger.row} of ${name} has ${snapshot.keyHeader} ${firstStranger.key}${more}, which the export it belongs to never wrote`);
  }
  return meta('edited');
}
