/**
 * `runMigration`: a set of legacy files (clients, contact details, cases, MPDX phones) into
 * Plannr in dependency order, each through the import (its journal, read-back and resume), with
 * references between files turned from legacy ids into Plannr uuids by the id map.
 *
 * The state folder holds, per entity, each attempt ("generation") at its file: the resolved CSV
 * (`gen-N.csv`), what was decided for it (`gen-N.json`), its journal, report and revert workbook;
 * and the id map (`id-map.jsonl`, one run owns it: the journal lock), written out as
 * `id-map.xlsx`, and the migration report (`migration-report.xlsx`).
 *
 * Never twice (issue 12): a legacy id in the id map is never sent again; the id map is filled from
 * each generation's journal before anything else, so a create confirmed just before a kill is
 * mapped on the rerun. A generation left unfinished (killed, interrupted, unknown outcomes) is
 * resumed with its own resolved file, so its unknown rows are read back, never re-created
 * blindly. If the legacy file changed since, an unfinished generation with no row in doubt is
 * left (its done rows are matched by legacy id) and a new one made; one with rows in doubt is a
 * refusal: sending the new file could create them twice.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { getEntity } from '../entities/index.js';
import { UsageError } from '../errors.js';
import { atomicFile } from '../io/atomic-file.js';
import { emptyCounts, type RowCounts } from '../pipeline/counts.js';
import { runImport, type ImportConfig, type ImportResult } from '../pipeline/import.js';
import { openInput } from '../pipeline/input/open-input.js';
import { acquireJournalLock } from '../pipeline/journal-lock.js';
import { fingerprintFile, readJournal } from '../pipeline/journal.js';
import { runValidate } from '../pipeline/validate.js';
import { openIdMap, type IdMap, type IdMapEntry } from './id-map.js';
import { resolveFile, type HeldRow, type ResolvedFile } from './resolve-file.js';
import { writeIdMapWorkbook, writeMigrationReport } from './report.js';
import { fileEquation, inMigrationOrder, REFERENCES, type MigrationEntity, type MigrationFile, type TargetState } from './set.js';

export const DEFAULT_LEGACY_ID_COLUMN = 'Legacy ID';
export const DEFAULT_CLIENT_ID_COLUMN = 'Client ID';
/** Stands in, in a dry run, for the uuid of a record the real run creates first. */
export const DRY_RUN_PLACEHOLDER_UUID = '00000000-0000-4000-8000-000000000000';

/** The settings every file's import runs with, as the migration was given them (each is ImportConfig's). */
type PassedToEachImport = Pick<ImportConfig, 'api' | 'pool' | 'normalise' | 'readBackWindowMs' | 'signal' | 'onNotice' | 'log'>;

export interface MigrationConfig extends PassedToEachImport {
  readonly files: readonly MigrationFile[];
  /** The migration's state folder (id map, journals, reports). */
  readonly state: string;
  readonly legacyIdColumn?: string | undefined;
  readonly clientIdColumn?: string | undefined;
  /** Check every file and every reference between them; send nothing. */
  readonly dryRun?: boolean | undefined;
  /** Each file's summary as it finishes. */
  readonly onFile?: ((summary: FileSummary) => void) | undefined;
}

function passedToEachImport({ api, pool, normalise, readBackWindowMs, signal, onNotice, log }: MigrationConfig): PassedToEachImport {
  return { api, pool, normalise, readBackWindowMs, signal, onNotice, log };
}

export interface FileSummary {
  readonly entity: MigrationEntity;
  readonly file: string;
  readonly rows: number;
  readonly alreadyInPlannr: number;
  readonly held: readonly HeldRow[];
  readonly imported: Readonly<RowCounts>;
  readonly equation: string;
  /** The file's own report (import or validation); undefined when nothing was left to import. */
  readonly reportPath: string | undefined;
  readonly journalPath: string | undefined;
  /** This run resumed an unfinished attempt instead of starting one. */
  readonly resumed: boolean;
  /** Rows `--resume`-like reruns will look at again (unknown, retryable, not sent). */
  readonly unfinished: number;
  /** Legacy ids the journals say were created as another uuid than the id map holds: two records in Plannr. */
  readonly conflicts: readonly IdMapEntry[];
  readonly exitCode: 0 | 1 | 2;
}

export interface MigrationResult {
  readonly files: readonly FileSummary[];
  readonly dryRun: boolean;
  readonly idMapPath: string;
  readonly idMapWorkbook: string | undefined;
  readonly reportPath: string;
  readonly interrupted: boolean;
  readonly exitCode: 0 | 1 | 2;
}

/** What `gen-N.json` records about one attempt at a file. */
interface Generation {
  readonly source: string;
  readonly sourceFingerprint: string;
  readonly createdAt: string;
  readonly rows: number;
  readonly alreadyInPlannr: number;
  readonly held: readonly HeldRow[];
  /** Row → legacy id of every row the attempt imports. */
  readonly legacyIds: Readonly<Record<string, string>>;
  readonly finished?: { readonly exitCode: 0 | 1 | 2; readonly interrupted: boolean; readonly retryable: number; readonly unknown: number; readonly stopped: boolean } | undefined;
}

interface GenerationPaths {
  readonly n: number;
  readonly csv: string;
  readonly meta: string;
  readonly journal: string;
  readonly report: string;
  readonly revert: string;
}

function generationPaths(dir: string, n: number): GenerationPaths {
  const base = join(dir, `gen-${n}`);
  return { n, csv: `${base}.csv`, meta: `${base}.json`, journal: `${base}.journal`, report: `${base}.import.xlsx`, revert: `${base}.revert.xlsx` };
}

async function generationsIn(dir: string): Promise<number[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.map((name) => /^gen-(\d+)\.json$/.exec(name)?.[1]).filter((n): n is string => n !== undefined).map(Number).sort((a, b) => a - b);
}

async function readGeneration(path: string): Promise<Generation> {
  return JSON.parse(await readFile(path, 'utf8')) as Generation;
}

async function writeGeneration(path: string, generation: Generation): Promise<void> {
  const file = atomicFile(path);
  await writeFile(file.partial, `${JSON.stringify(generation)}\n`);
  await file.commit();
}

async function journalStateOf(path: string) {
  try {
    return (await readJournal(path)).state;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || /ENOENT|no such file/i.test(String(error))) return undefined;
    throw error;
  }
}

export async function runMigration(config: MigrationConfig): Promise<MigrationResult> {
  const files = inMigrationOrder(config.files);
  if (files.length === 0) throw new UsageError('a migration needs at least one file (--clients, --contact-details, --cases, --mpdx-phones)');
  await mkdir(config.state, { recursive: true });
  const idMapPath = join(config.state, 'id-map.jsonl');
  // One run owns the migration: the id map's lock (the journals' own lock, on the map).
  const lock = await acquireJournalLock(idMapPath, config.onNotice);
  try {
    const idMap = await openIdMap(idMapPath);
    const summaries: FileSummary[] = [];
    const indexes = new Map<MigrationEntity, ResolvedFile['index']>();
    const validIn = new Map<MigrationEntity, ReadonlySet<string>>();
    let interrupted = false;
    for (const file of files) {
      if (config.signal?.aborted === true) {
        interrupted = true;
        break;
      }
      const targetState = targetStateFor(file, files, idMap, indexes, validIn, config.dryRun === true);
      const summary = config.dryRun === true
        ? await dryRunFile(config, file, idMap, targetState, indexes, validIn)
        : await migrateFile(config, file, idMap, targetState, indexes);
      summaries.push(summary);
      config.onFile?.(summary);
      if (summary.exitCode === 2) break;
    }
    const reportPath = join(config.state, config.dryRun === true ? 'migration-dry-run.xlsx' : 'migration-report.xlsx');
    const idMapWorkbook = config.dryRun === true ? undefined : join(config.state, 'id-map.xlsx');
    if (idMapWorkbook !== undefined) await writeIdMapWorkbook(idMapWorkbook, idMap.entries());
    await writeMigrationReport(reportPath, { summaries, dryRun: config.dryRun === true, idMapPath, idMapWorkbook, interrupted, state: config.state });
    const worst = summaries.reduce<0 | 1 | 2>((code, s) => (s.exitCode > code ? s.exitCode : code), 0);
    const skippedFiles = summaries.length < files.length;
    return { files: summaries, dryRun: config.dryRun === true, idMapPath, idMapWorkbook, reportPath, interrupted, exitCode: worst === 0 && skippedFiles ? 1 : worst };
  } finally {
    await lock.release();
  }
}

/** How a reference to another file's legacy id resolves for this file. */
function targetStateFor(
  file: MigrationFile, files: readonly MigrationFile[], idMap: IdMap,
  indexes: ReadonlyMap<MigrationEntity, ResolvedFile['index']>, validIn: ReadonlyMap<MigrationEntity, ReadonlySet<string>>, dryRun: boolean,
): (legacyId: string) => TargetState {
  const rule = REFERENCES[file.entity];
  if (rule === undefined) return () => ({ kind: 'problem', message: 'this file refers to no other' });
  const targetFile = files.find((f) => f.entity === rule.to);
  const targetName = targetFile === undefined ? undefined : basename(targetFile.file);
  const noun = getEntity(rule.to).noun;
  return (legacyId) => {
    const uuid = idMap.uuidOf(rule.to, legacyId);
    if (uuid !== undefined) return { kind: 'mapped', uuid };
    const entry = indexes.get(rule.to)?.get(legacyId);
    if (targetName === undefined || entry === undefined) {
      return { kind: 'problem', message: targetName === undefined
        ? `no ${noun} with this legacy id was migrated earlier, and this migration has no ${rule.to} file`
        : `no ${noun} with this legacy id in ${targetName} (nor migrated earlier)` };
    }
    if (dryRun) {
      if (entry.fate === 'send' && validIn.get(rule.to)?.has(legacyId) === true) return { kind: 'will-create' };
      return { kind: 'problem', message: `its ${noun} (${targetName} row ${entry.row}) is invalid there, so it would not be created: fix that row first` };
    }
    return { kind: 'problem', message: `its ${noun} (${targetName} row ${entry.row}) is not in Plannr: it was not created (see ${targetName}'s Errors); fix it and run the migration again` };
  };
}

/** The journals of a file's attempts into the id map (creates confirmed before a kill included). */
async function reconcile(file: MigrationFile, paths: GenerationPaths, idMap: IdMap): Promise<IdMapEntry[]> {
  const generation = await readGeneration(paths.meta);
  const state = await journalStateOf(paths.journal);
  if (state === undefined) return [];
  const entries: IdMapEntry[] = [];
  for (const [row, done] of state.done) {
    const legacyId = generation.legacyIds[String(row)];
    if (done.status !== 'sent' || done.key === '' || legacyId === undefined) continue;
    entries.push({ entity: file.entity, legacyId, uuid: done.key, file: basename(file.file), row, at: new Date().toISOString() });
  }
  const { conflicts } = await idMap.add(entries);
  return [...conflicts];
}

async function migrateFile(
  config: MigrationConfig, file: MigrationFile, idMap: IdMap, targetState: (legacyId: string) => TargetState,
  indexes: Map<MigrationEntity, ResolvedFile['index']>,
): Promise<FileSummary> {
  const dir = join(config.state, file.entity);
  await mkdir(dir, { recursive: true });
  const generations = await generationsIn(dir);
  const conflicts: IdMapEntry[] = [];
  for (const n of generations) conflicts.push(...await reconcile(file, generationPaths(dir, n), idMap));
  const sourceFingerprint = await fingerprintFile(file.file);
  const latestN = generations.at(-1);
  if (latestN !== undefined) {
    const latest = generationPaths(dir, latestN);
    const generation = await readGeneration(latest.meta);
    const state = await journalStateOf(latest.journal);
    const inDoubt = state === undefined ? [] : [...state.inFlight.keys()];
    const finished = generation.finished;
    const complete = finished !== undefined && !finished.interrupted && finished.retryable === 0 && finished.unknown === 0 && !finished.stopped && inDoubt.length === 0;
    if (!complete) {
      if (generation.sourceFingerprint === sourceFingerprint) {
        // The same legacy file: finish the attempt with its own resolved file (unknown rows are read back first).
        await indexFile(config, file, idMap, targetState, indexes);
        return importGeneration(config, file, latest, generation, idMap, conflicts, state !== undefined);
      }
      if (inDoubt.length > 0) {
        const ids = inDoubt.slice(0, 10).map((row) => `${generation.legacyIds[String(row)] ?? '?'} (row ${row})`).join(', ');
        throw new UsageError(
          `${basename(file.file)} has changed since its migration run of ${generation.createdAt}, and ${inDoubt.length} row${inDoubt.length === 1 ? '' : 's'} of that run ${inDoubt.length === 1 ? 'has' : 'have'} an unknown outcome (legacy ids ${ids}${inDoubt.length > 10 ? ', ...' : ''}): ` +
          `sending the changed file could create ${inDoubt.length === 1 ? 'it' : 'them'} twice. Put the file back as it was and run the migration again (it reads those rows back first), or check them in Plannr`,
        );
      }
      config.onNotice?.(`${basename(file.file)} changed since its unfinished run of ${generation.createdAt}; its rows already in Plannr are matched by legacy id and the rest are sent from the new file`);
    }
  }
  const paths = generationPaths(dir, (latestN ?? 0) + 1);
  const resolved = await resolveFile({
    source: file, out: paths.csv, legacyIdColumn: config.legacyIdColumn ?? DEFAULT_LEGACY_ID_COLUMN, clientIdColumn: config.clientIdColumn ?? DEFAULT_CLIENT_ID_COLUMN,
    mappedUuid: (legacyId) => idMap.uuidOf(file.entity, legacyId), targetState, placeholder: DRY_RUN_PLACEHOLDER_UUID,
  });
  indexes.set(file.entity, resolved.index);
  if (resolved.toSend.size === 0) {
    await rm(paths.csv, { force: true });
    return summaryOf(file, resolved.rows, resolved.alreadyInPlannr, resolved.held, emptyCounts(), undefined, undefined, false, 0, conflicts, 0);
  }
  const generation: Generation = {
    source: basename(file.file), sourceFingerprint, createdAt: new Date().toISOString(), rows: resolved.rows, alreadyInPlannr: resolved.alreadyInPlannr,
    held: resolved.held, legacyIds: Object.fromEntries([...resolved.toSend].map(([row, id]) => [String(row), id])),
  };
  await writeGeneration(paths.meta, generation);
  return importGeneration(config, file, paths, generation, idMap, conflicts, false);
}

/** Sends (or resumes) one attempt, then maps what it created and records that it finished. */
async function importGeneration(
  config: MigrationConfig, file: MigrationFile, paths: GenerationPaths, generation: Generation, idMap: IdMap, conflicts: IdMapEntry[], resume: boolean,
): Promise<FileSummary> {
  let result: ImportResult;
  try {
    result = await runImport({
      ...passedToEachImport(config),
      file: paths.csv, entity: file.entity, journal: paths.journal, report: paths.report, revert: paths.revert, resume,
    });
  } finally {
    // Whatever happened, what the journal confirmed is mapped now.
    conflicts.push(...await reconcile(file, paths, idMap));
  }
  await writeGeneration(paths.meta, {
    ...generation,
    finished: { exitCode: result.exitCode, interrupted: result.interrupted, retryable: result.retryable ?? 0, unknown: result.counts.unknown, stopped: result.stopped !== undefined },
  });
  const unfinished = (result.retryable ?? 0) + result.counts.unknown;
  return summaryOf(file, generation.rows, generation.alreadyInPlannr, generation.held, result.counts, paths.report, paths.journal, resume, unfinished, conflicts, result.exitCode);
}

/** A resumed attempt's file is not resolved again, but the files after it need its legacy ids. */
async function indexFile(
  config: MigrationConfig, file: MigrationFile, idMap: IdMap, targetState: (legacyId: string) => TargetState, indexes: Map<MigrationEntity, ResolvedFile['index']>,
): Promise<void> {
  const scratch = join(config.state, file.entity, 'index.csv');
  const resolved = await resolveFile({
    source: file, out: scratch, legacyIdColumn: config.legacyIdColumn ?? DEFAULT_LEGACY_ID_COLUMN, clientIdColumn: config.clientIdColumn ?? DEFAULT_CLIENT_ID_COLUMN,
    mappedUuid: (legacyId) => idMap.uuidOf(file.entity, legacyId), targetState, placeholder: DRY_RUN_PLACEHOLDER_UUID,
  });
  await rm(scratch, { force: true });
  indexes.set(file.entity, resolved.index);
}

async function dryRunFile(
  config: MigrationConfig, file: MigrationFile, idMap: IdMap, targetState: (legacyId: string) => TargetState,
  indexes: Map<MigrationEntity, ResolvedFile['index']>, validIn: Map<MigrationEntity, ReadonlySet<string>>,
): Promise<FileSummary> {
  const dir = join(config.state, 'dry-run');
  await mkdir(dir, { recursive: true });
  const csv = join(dir, `${file.entity}.csv`);
  const resolved = await resolveFile({
    source: file, out: csv, legacyIdColumn: config.legacyIdColumn ?? DEFAULT_LEGACY_ID_COLUMN, clientIdColumn: config.clientIdColumn ?? DEFAULT_CLIENT_ID_COLUMN,
    mappedUuid: (legacyId) => idMap.uuidOf(file.entity, legacyId), targetState, placeholder: DRY_RUN_PLACEHOLDER_UUID,
  });
  indexes.set(file.entity, resolved.index);
  if (resolved.toSend.size === 0) {
    await rm(csv, { force: true });
    validIn.set(file.entity, new Set());
    return summaryOf(file, resolved.rows, resolved.alreadyInPlannr, resolved.held, emptyCounts(), undefined, undefined, false, 0, [], resolved.held.length > 0 ? 1 : 0);
  }
  // Which rows the entity's own checks pass: a reference to a row they fail is an error too.
  const input = await openInput({ file: csv, entity: file.entity, normalise: config.normalise });
  const valid = new Set<string>();
  for await (const row of input.sheet.rows) {
    const legacyId = resolved.toSend.get(row.position.row);
    if (legacyId !== undefined && input.check(row).problems.length === 0) valid.add(legacyId);
  }
  validIn.set(file.entity, valid);
  const report = join(dir, `${file.entity}.validation.xlsx`);
  const result = await runValidate({ file: csv, entity: file.entity, normalise: config.normalise, report });
  const exitCode = result.exitCode === 0 && resolved.held.length === 0 ? 0 : 1;
  return summaryOf(file, resolved.rows, resolved.alreadyInPlannr, resolved.held, result.counts, report, undefined, false, 0, [], exitCode);
}

function summaryOf(
  file: MigrationFile, rows: number, alreadyInPlannr: number, held: readonly HeldRow[], imported: Readonly<RowCounts>,
  reportPath: string | undefined, journalPath: string | undefined, resumed: boolean, unfinished: number, conflicts: readonly IdMapEntry[], importExit: 0 | 1 | 2,
): FileSummary {
  const equation = fileEquation({ rows, alreadyInPlannr, heldBack: held.length, imported });
  const exitCode: 0 | 1 | 2 = importExit === 2 ? 2 : importExit === 1 || held.length > 0 || conflicts.length > 0 || !equation.holds ? 1 : 0;
  return {
    entity: file.entity, file: file.file, rows, alreadyInPlannr, held, imported, equation: `${equation.text}${equation.holds ? ' ✓' : ' ✗ (does not add up)'}`,
    reportPath, journalPath, resumed, unfinished, conflicts, exitCode,
  };
}
