/**
 * Writing the run manifest and the HTML report beside the report workbook, once the workbook
 * is written. import.ts calls writeRunAudit at the end of a run; the pieces are pure
 * (manifest.ts, run-record.ts, report-html/render.ts) and this file does the I/O.
 */
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, resolve } from 'node:path';
import { DEFAULT_POOL_OPTIONS, type PoolStats } from '../api/pool.js';
import { OutputError } from '../errors.js';
import { atomicFile } from '../io/atomic-file.js';
import { parseJournal } from '../pipeline/journal.js';
import { renderHtmlReport } from '../report-html/render.js';
import { hashFile, hashingReader, type FileHash } from './files.js';
import { buildRunManifest, htmlPathFor, manifestPathFor, type ManifestConfigSource, type RunManifest } from './manifest.js';
import type { RunRecord } from './run-record.js';

const { name: toolName, version: toolVersion } = createRequire(import.meta.url)('../../package.json') as { name: string; version: string };

export interface RunAuditInput {
  /** The report workbook, already written: the manifest and the HTML report go beside it. */
  readonly reportPath: string;
  /** The input file as imported. */
  readonly file: string;
  readonly sheet?: string | undefined;
  /** The import's configuration (ImportConfig fits): recorded without the token. */
  readonly config: ManifestConfigSource;
  /** The read-back window the run used, default applied. */
  readonly readBackWindowMs: number;
  /** Mapped fields in column order (the report layout's fields). */
  readonly mapping: ReadonlyArray<{ readonly field: string; readonly header: string; readonly columnIndex: number }>;
  readonly ignoredColumns: readonly string[];
  readonly journalPath: string;
  /** Epoch ms. */
  readonly startedAt: number;
  /** Epoch ms; default now. */
  readonly endedAt?: number | undefined;
  /** The Summary's counts and its equation (counts.ts). */
  readonly counts: Readonly<Record<string, number>>;
  readonly equation: string;
  /** The run recorder's snapshot, taken after the last outcome. */
  readonly record: RunRecord;
  readonly pool: PoolStats;
  /** The process's arguments; default process.argv. */
  readonly argv?: readonly string[] | undefined;
  /** Title of the HTML page; default "Import report: <file> as <entity>". */
  readonly title?: string | undefined;
}

export interface RunAuditPaths {
  readonly manifestPath: string;
  readonly htmlPath: string;
}

/**
 * The journal as it stands (its size and SHA-256), and the input fingerprint its latest run
 * recorded: the input as this run read it at its start, whatever happened to the file since.
 */
async function journalFacts(path: string): Promise<{ hash: FileHash; fingerprint: string | undefined }> {
  const reader = hashingReader(path);
  const parsed = await parseJournal(reader.chunks, path);
  return { hash: reader.hashed(), fingerprint: parsed.runs.at(-1)?.fingerprint };
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const file = atomicFile(path);
  try {
    await writeFile(file.partial, text, 'utf8');
    await file.commit();
  } catch (error) {
    await file.discard().catch(() => undefined);
    throw error;
  }
}

/** The manifest for a finished run (nothing written). */
export async function runManifestOf(input: RunAuditInput, htmlPath?: string): Promise<RunManifest> {
  const manifestPath = resolve(manifestPathFor(input.reportPath));
  const journal = await journalFacts(input.journalPath);
  const fingerprint = /^(\d+):([0-9a-f]{64})$/.exec(journal.fingerprint ?? '');
  const inputHash = fingerprint !== null ? { size: Number(fingerprint[1]), sha256: fingerprint[2] as string } : await hashFile(input.file);
  const report = await hashFile(input.reportPath);
  const endedAt = input.endedAt ?? Date.now();
  return buildRunManifest({
    tool: { name: toolName, version: toolVersion, node: process.version },
    argv: input.argv ?? process.argv,
    config: input.config,
    defaults: { pool: DEFAULT_POOL_OPTIONS, readBackWindowMs: input.readBackWindowMs },
    mapping: input.mapping,
    ignoredColumns: input.ignoredColumns,
    manifestFolder: dirname(manifestPath),
    input: { path: resolve(input.file), sheet: input.sheet, ...inputHash },
    report: { path: resolve(input.reportPath), ...report },
    journal: { path: resolve(input.journalPath), ...journal.hash },
    htmlReport: htmlPath !== undefined ? resolve(htmlPath) : undefined,
    startedAt: input.startedAt,
    endedAt,
    utcOffsetMinutes: -new Date(endedAt).getTimezoneOffset(),
    equation: input.equation,
    counts: input.counts,
    outcomes: { rows: input.record.digest.rows, sha256: input.record.digest.hex },
  });
}

/** Writes `<report>.manifest.json` beside the workbook. */
export async function writeRunManifest(input: RunAuditInput, htmlPath?: string): Promise<{ path: string; manifest: RunManifest }> {
  const path = manifestPathFor(input.reportPath);
  const manifest = await runManifestOf(input, htmlPath);
  await writeAtomically(path, `${JSON.stringify(manifest, null, 2)}\n`);
  return { path, manifest };
}

/**
 * Writes the HTML report and then the manifest (which names the HTML report) beside the
 * workbook. A failure is an OutputError naming the file; the journal and workbook are untouched.
 */
export async function writeRunAudit(input: RunAuditInput): Promise<RunAuditPaths> {
  const htmlPath = htmlPathFor(input.reportPath);
  const manifestPath = manifestPathFor(input.reportPath);
  let step = htmlPath;
  try {
    const manifest = await runManifestOf(input, htmlPath);
    const title = input.title ?? `Import report: ${basename(input.file)} as ${input.config.entity}`;
    await writeAtomically(htmlPath, renderHtmlReport({ title, manifest, record: input.record, pool: input.pool, workbookName: basename(input.reportPath) }));
    step = manifestPath;
    await writeAtomically(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  } catch (error) {
    throw new OutputError(`cannot write ${step}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { manifestPath, htmlPath };
}
