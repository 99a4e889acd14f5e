/**
 * Import: validate each row, send the valid ones through the dispatch pool, journal every
 * outcome, and write the report. `runImport(config)` is what the CLI and the tests call.
 *
 * The flow, top down (each step in its own module, none calling back into an earlier one):
 *   scanInput (input/scan-input.ts)   the one pass before sending: rows counted, bytes fingerprinted
 *   openRun                           input opened, outputs probed, journal locked, credentials checked
 *   sendRows (send/send-rows.ts)      each row checked (check/), then settled at once or given its
 *     sendCheckedRow (send/row-task.ts) task: names → round trip (prepare) → send-row.ts
 *   finishRun                         revert workbook, report, result; then the lock is released
 *
 * Safety rules this file keeps (issue 9; the decisions per row are in send-row.ts):
 * - outputs (journal, report, revert) are probed for writing before the first request;
 * - one run owns the journal (a lock); a row's intent, and an update's before-image, is on
 *   disk before its request leaves; its outcome before it counts as done;
 * - a write whose answer was lost is read back, never guessed; if that cannot tell, the row
 *   ends `unknown` (exit 1) and `--resume` reads it back again first;
 * - after a 401/403 nothing more is sent; the journal and report are written; exit 2;
 * - the revert workbook is built from the journal: it undoes every update of every run;
 * - every row read ends in exactly one bucket, and the counts must add up.
 */
import { tmpdir } from 'node:os';
import { basename } from 'node:path';
import { createApiClient } from '../api/client.js';
import { linkAbort } from '../api/signals.js';
import type { ApiConfig } from '../api/config.js';
import { describeApiError } from '../api/errors.js';
import { createDispatchPool, type DispatchPool, type DispatchPoolOptions, type PoolStats } from '../api/pool.js';
import type { Entity } from '../entities/entity.js';
import { ApiUnavailableError, InputError, UsageError } from '../errors.js';
import { createReport, type ReportWriter } from '../io/report.js';
import { createRunRecorder, type RunRecorder } from '../audit/run-record.js';
import { writeRunAudit } from '../audit/write.js';
import type { RowOutcome } from '../outcome/row-outcome.js';
import type { Logger } from '../log.js';
import { assertAccountedFor, emptyCounts, equationOf, settled, type RowCounts } from './counts.js';
import { openJournal, type Journal } from './journal.js';
import { openInput, type InputConfig, type OpenedInput } from './input/open-input.js';
import { scanInput } from './input/scan-input.js';
import { startPhase, type OnPhase } from './progress.js';
import { sendRows } from './send/send-rows.js';
import { probeOutputs } from './outputs.js';
import { importOutputs, type ImportOutputs, type OutputChoice } from '../config/outputs.js';
import { createClaims, DEFAULT_READ_BACK_WINDOW_MS } from './read-back.js';
import { writeRevertFromJournal } from './revert.js';
import type { SendContext } from './send-row.js';
import { runValidate, type ValidateResult } from './validate.js';
import { openRoundTrip, type RoundTrip } from './round-trip-import.js';
import { apiDirectory, createNameResolver, type NameResolver } from './send/names.js';
import type { GuardStop } from './send/guard.js';
import { countPlannedRows, estimateRun, type RunEstimate } from './estimate.js';
import { duplicateCheck } from './outcome.js';
import { DEFAULT_POOL_OPTIONS } from '../config/defaults.js';

export interface ImportConfig extends InputConfig {
  /** Report workbook path; false writes none. Default: `<file>.import.xlsx` (`.validation.xlsx` for a dry run) beside the input, as the CLI's. */
  readonly report?: OutputChoice;
  /** Journal path. Default: `<file>.journal` beside the input. */
  readonly journal?: string | undefined;
  /** Continue the run recorded in the journal (same file). Default false. */
  readonly resume?: boolean | undefined;
  /** Validate and report only; send nothing. Default false. */
  readonly dryRun?: boolean | undefined;
  /** With dryRun: worker threads for row checks (see ValidateConfig.threads). Sending is rate-bound and uses none. */
  readonly threads?: number | undefined;
  readonly api: ApiConfig;
  /** Concurrency, rate, retries: see DispatchPoolOptions for each default. */
  readonly pool?: Omit<DispatchPoolOptions, 'signal'> | undefined;
  /**
   * How long after a write whose answer was lost its record is read back before the row is
   * called unknown (or, shown absent, sent again). Default 60,000 ms.
   */
  readonly readBackWindowMs?: number | undefined;
  /** Aborting stops sending new rows; rows in flight finish; the report and journal are written. */
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((progress: ImportProgress) => void) | undefined;
  /** Which phase the run is in (reading, sending, writing-report), with counts and totals for an ETA: see progress.ts. */
  readonly onPhase?: OnPhase | undefined;
  /** Called once the file has been read through (before anything is sent), with its row count. */
  readonly onStart?: ((info: { rows: number }) => void) | undefined;
  readonly log?: Logger | undefined;
  /** Re-import of an export: write records changed in the CRM since the export anyway. Default false. */
  readonly overwrite?: boolean | undefined;
  /** Revert workbook (before-image of every field an update changed, from the journal); false writes none. Default: `<file>.revert.xlsx` beside the input, as the CLI's. */
  readonly revert?: OutputChoice;
  /** Rows sent alone first; if more than half of them fail, the run stops (send/guard.ts). Default 20; 0 = none. */
  readonly canary?: number | undefined;
  /** Share (0..1) of the last `failureWindow` finished rows that may fail before the run stops. Default 0.05; 1 = no budget. */
  readonly maxFailures?: number | undefined;
  /** Finished rows the error budget looks back over. Default 100. */
  readonly failureWindow?: number | undefined;
  /**
   * Called before the first write with what the run will do and cost (estimate.ts); resolving
   * false ends the run there, nothing sent (exit 2, the journal left as it was).
   */
  readonly onEstimate?: ((estimate: RunEstimate) => Promise<boolean> | boolean) | undefined;
  /** As each sent row finishes: failures so far by reason (for the progress display). */
  readonly onFailures?: ((failures: ReadonlyArray<{ readonly reason: string; readonly rows: number }>) => void) | undefined;
}

export interface ImportProgress {
  readonly counts: Readonly<RowCounts>;
  readonly pool: PoolStats;
}

export interface ImportResult {
  readonly counts: Readonly<RowCounts>;
  readonly pool: PoolStats | undefined;
  readonly interrupted: boolean;
  readonly journalPath: string | undefined;
  readonly reportPath: string | undefined;
  readonly unknownHeaders: readonly string[];
  readonly durationMs: number;
  /**
   * 0 every row sent (or already done); 1 some rows invalid, failed, unknown or not sent;
   * 2 the API refused the token after the run started, so it could not go on.
   */
  readonly exitCode: 0 | 1 | 2;
  /** The revert workbook, when updates landed (in any run of the journal) and one was asked for. */
  readonly revertPath?: string | undefined;
  /** Why the revert workbook could not be written (the before-images are still in the journal). */
  readonly revertError?: string | undefined;
  /** Rows of an exported workbook skipped because nothing in them was edited (part of `skipped`). */
  readonly unchanged?: number | undefined;
  /** Rows `--resume` will send again (failed for a passing cause, or not sent). */
  readonly retryable?: number | undefined;
  /** Set when a 401/403 stopped the run. */
  readonly stopped?: { readonly status: number; readonly message: string } | undefined;
  /** Set when the canary or the error budget stopped the run (exit 2; --resume sends the rest). */
  readonly guardStop?: GuardStop | undefined;
  /** What the run was estimated to do and cost before its first write. */
  readonly estimate?: RunEstimate | undefined;
  /** The estimate was declined (onEstimate resolved false): nothing was sent. */
  readonly declined?: boolean | undefined;
}

/** The config with its default output paths filled in (config/outputs.ts). */
type RunConfig = Omit<ImportConfig, keyof ImportOutputs> & ImportOutputs;

export async function runImport(options: ImportConfig): Promise<ImportResult> {
  // Default paths come from config/outputs.ts, shared with the CLI: no update without its undo file.
  const config: RunConfig = { ...options, ...importOutputs(options) };
  if (config.dryRun) return fromValidate(await runValidate({ ...config, onProgress: undefined }));
  const started = Date.now();
  // The one pass before sending: every row read to the end (a file that cannot be read through
  // stops here, before a single request, never as a partial import), counted and fingerprinted.
  const reading = startPhase(config.onPhase, 'reading', undefined);
  const scanned = await scanInput(config, (rows) => reading.update(rows));
  reading.finish(scanned.rows);
  config.onStart?.({ rows: scanned.rows });
  const run = await openRun(config, scanned.fingerprint, started);
  // The lock is held until the revert workbook and the report are written: a --resume started
  // meanwhile would otherwise write its fuller revert file first and see it replaced by ours.
  try {
    const estimate = config.onEstimate === undefined ? undefined : await estimateOf(run);
    if (estimate !== undefined && !(await config.onEstimate?.(estimate))) return declinedResult(run, estimate);
    const tally = await sendEveryRow(run, scanned.rows);
    return { ...(await finishRun(run, tally)), estimate };
  } finally {
    run.releaseSignal();
    await run.journal.close();
  }
}

/** What the run will do and cost (estimate.ts): the rows checked once more, no request made. */
async function estimateOf(run: ImportRun): Promise<RunEstimate> {
  const input = await openInput({ ...run.config, onNotice: undefined });
  const markDuplicates = duplicateCheck();
  const planned = await countPlannedRows(run.entity, input.sheet.rows, (row) => markDuplicates(row, input.check(row)), run.journal.previous);
  return estimateRun(planned, run.config.pool?.ratePerMinute ?? DEFAULT_POOL_OPTIONS.ratePerMinute);
}

/** The estimate was declined: nothing was sent, the journal records no row, no report is written. */
function declinedResult(run: ImportRun, estimate: RunEstimate): ImportResult {
  return {
    counts: emptyCounts(),
    pool: run.pool.stats(),
    interrupted: false,
    journalPath: run.journalPath,
    reportPath: undefined,
    unknownHeaders: run.input.mapping.unknownHeaders,
    durationMs: Date.now() - run.started,
    exitCode: 2,
    estimate,
    declined: true,
  };
}

/** Everything a run holds once it may send, all opened before the first row's request. */
interface ImportRun {
  readonly config: RunConfig;
  readonly started: number;
  readonly input: OpenedInput;
  readonly entity: Entity;
  readonly journal: Journal;
  readonly journalPath: string;
  readonly readBackWindowMs: number;
  readonly pool: DispatchPool;
  readonly roundTrip: RoundTrip;
  readonly names: NameResolver;
  readonly send: SendContext;
  /** Figures for the HTML report and the manifest's outcome digest (src/audit). */
  readonly recorder: RunRecorder;
  readonly log: Logger | undefined;
  /** The caller's signal joined with the run's own stop (the canary and the error budget). */
  readonly signal: AbortSignal;
  readonly stopRun: () => void;
  /** Detaches the run's signal from the caller's (which may outlive this run). */
  readonly releaseSignal: () => void;
}

/** What the rows came to. */
interface Tally {
  readonly counts: RowCounts;
  readonly retryable: number;
  readonly interrupted: boolean;
  readonly report: ReportWriter | undefined;
  readonly guardStop: GuardStop | undefined;
}

/**
 * Opens the input for the run, probes the outputs, takes the journal (its lock), checks the
 * credentials and reads an export's `_meta`: everything that can refuse the run does so here,
 * before a single row is sent.
 */
async function openRun(config: RunConfig, fingerprint: string, started: number): Promise<ImportRun> {
  const input = await openInput(config);
  const { entity } = input;
  if (!entity.canImport) throw new UsageError(`${entity.name} cannot be imported (export only)`);
  const log = config.log;
  const journalPath = config.journal;
  const readBackWindowMs = config.readBackWindowMs ?? DEFAULT_READ_BACK_WINDOW_MS;
  if (!Number.isFinite(readBackWindowMs) || readBackWindowMs < 0) throw new UsageError(`the read-back window must be a number of seconds ≥ 0 (got ${readBackWindowMs / 1000})`);
  // Rule 6: a folder we cannot write to stops the run here, before any request, naming it.
  await probeOutputs({ journal: journalPath, report: config.report, revert: config.revert, spoolDir: tmpdir() });
  const journal = await openJournal(journalPath, {
    fingerprint,
    entity: entity.name,
    file: basename(config.file),
    resume: config.resume ?? false,
    onNotice: (message) => {
      log?.warn({ journal: journalPath }, message);
      config.onNotice?.(message);
    },
  });
  const recorder = createRunRecorder(started);
  // The run's own stop (the canary or the error budget) ends it as Ctrl-C does: resumable.
  const guardStop = new AbortController();
  // linkAbort, not AbortSignal.any: a migration runs several imports on one long-lived signal,
  // and each run's listener must go when the run ends (dispose in runImport's finally).
  const linked = linkAbort([config.signal, guardStop.signal]);
  const signal = linked.signal;
  const pool = createDispatchPool(createApiClient(config.api), {
    ...config.pool,
    signal,
    onEvent: (event) => log?.info({ event }, 'pool'),
    onRequest: recorder.onRequest,
  });
  let roundTrip: RoundTrip;
  try {
    await checkCredentials(entity, pool);
    roundTrip = await openRoundTrip({ file: config.file, entity, pool, normalise: config.normalise, overwrite: config.overwrite, read: { encoding: config.encoding, delimiter: config.delimiter } });
  } catch (error) {
    linked.dispose();
    await journal.close();
    throw error;
  }
  log?.info({ file: basename(config.file), entity: entity.name, resume: config.resume ?? false }, 'import started');
  const send: SendContext = {
    entity,
    pool,
    journal,
    claims: createClaims(journal.previous.claimed),
    readBackWindowMs,
    normalise: config.normalise,
    sources: input.mapping.sources,
    signal,
    log,
  };
  // Names and emails in reference columns become uuids before a row's request is built.
  const names = createNameResolver(entity, apiDirectory(pool, signal), input.mapping.sources);
  return { config, started, input, entity, journal, journalPath, readBackWindowMs, pool, roundTrip, names, send, recorder, log, signal, stopRun: () => guardStop.abort(), releaseSignal: linked.dispose };
}

/** Every row through send/send-rows.ts, each outcome into the counts and the report, in file order. */
async function sendEveryRow(run: ImportRun, total: number): Promise<Tally> {
  const { config, pool, recorder } = run;
  const counts = emptyCounts();
  let retryable = 0;
  const report = config.report !== undefined ? await createReport(config.report, run.input.layout) : undefined;
  const sending = startPhase(config.onPhase, 'sending', total);
  let lastProgress = 0;
  const onOutcome = async (outcome: RowOutcome) => {
    counts[outcome.status]++;
    if (outcome.retry === true) retryable++;
    recorder.add(outcome);
    await report?.add(outcome);
    sending.update(settled(counts));
    if (config.onProgress !== undefined && Date.now() - lastProgress > 200) {
      lastProgress = Date.now();
      config.onProgress({ counts, pool: pool.stats() });
    }
  };
  try {
    const { interrupted, guardStop } = await sendRows({
      rows: run.input.sheet.rows,
      check: run.input.check,
      previous: run.journal.previous,
      pool,
      task: { send: run.send, names: run.names, roundTrip: run.roundTrip },
      signal: run.signal,
      guard: { canary: config.canary, maxFailureShare: config.maxFailures, window: config.failureWindow },
      onGuardStop: (stop) => {
        run.log?.warn({ by: stop.by, reasons: stop.reasons }, stop.message);
        run.stopRun();
      },
      onSentRow: config.onFailures === undefined ? undefined : (guard) => config.onFailures?.(guard.failuresByReason()),
      maxPending: Math.max(16, (config.pool?.concurrency ?? 8) * 4),
      onOutcome,
      onRead: () => counts.read++,
      inRowContext: (row, task) => recorder.forRow(row, task),
    });
    if (counts.read === 0) throw new InputError({ file: run.input.sheet.file, sheet: run.input.sheet.sheet }, 'the file has a header row but no data rows');
    assertAccountedFor(counts);
    sending.finish(settled(counts));
    return { counts, retryable, interrupted, report, guardStop };
  } catch (error) {
    await report?.discard();
    throw error;
  }
}

/** The revert workbook, the report and the result, written while the journal's lock is still held. */
async function finishRun(run: ImportRun, tally: Tally): Promise<ImportResult> {
  const { config, journalPath, entity, log, pool, started, input, readBackWindowMs, roundTrip, recorder } = run;
  const { counts, retryable, interrupted, report, guardStop } = tally;
  // Rule 5: the revert workbook comes from the journal, so it covers every run of it. Written
  // before the report, and a failure to write it never loses the report: the journal keeps the
  // before-images and --resume writes the workbook again.
  let revertPath: string | undefined;
  let revertError: string | undefined;
  let withoutBefore: readonly number[] = [];
  let unknownInRevert = 0;
  if (config.revert !== undefined) {
    try {
      const written = await writeRevertFromJournal({ journal: journalPath, path: config.revert, entity, file: config.file, normalise: config.normalise });
      if (written !== undefined) {
        revertPath = config.revert;
        withoutBefore = written.withoutBefore;
        unknownInRevert = written.unknown;
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      revertError = `the revert workbook ${config.revert} could not be written (${reason}); the before-image of every update is in the journal ${journalPath}: run the same command with --resume to write it again`;
      log?.error({ revert: config.revert, reason }, 'revert workbook not written');
    }
  }
  const stopped = pool.stopped();
  const stats = pool.stats();
  config.onProgress?.({ counts, pool: stats });
  const durationMs = Date.now() - started;
  log?.info({ counts, stats, durationMs }, 'import finished');
  const writing = report === undefined ? undefined : startPhase(config.onPhase, 'writing-report', counts.read);
  await report?.close({
    title: `Import report: ${input.sheet.file} as ${entity.name}`,
    timeZone: config.normalise.timezone,
    lines: [
      ['File', input.sheet.file],
      ...(input.sheet.sheet !== undefined ? [['Sheet', input.sheet.sheet] as const] : []),
      ['Entity', entity.name],
      ['API', config.api.baseUrl],
      ['Mode', config.resume ? 'import (resumed: rows done in earlier runs are included)' : 'import'],
      ['Started', new Date(started)],
      ['Finished', new Date()],
      ['Duration (s)', Math.round(durationMs / 100) / 10],
      ['Rows read', counts.read],
      ['Sent', counts.sent],
      ['Invalid (not sent)', counts.invalid],
      ['Failed', counts.failed],
      ['Skipped', counts.skipped],
      ['Unknown (answer lost: check these in Plannr)', counts.unknown],
      ['Unchanged since the export (skipped)', roundTrip.unchanged],
      ['Rows --resume sends again', retryable],
      ['Revert file', revertPath ?? revertError ?? (config.revert === undefined ? '(none asked for)' : '(none: no update landed)')],
      ...(unknownInRevert > 0 ? [['Updates of unknown outcome in the revert file', `${unknownInRevert} (each with a note: check the record in Plannr before importing its row)`] as const] : []),
      ...(withoutBefore.length > 0 ? [['Updates the revert file cannot undo', `rows ${withoutBefore.join(', ')} (journal written by an older version, without before-images)`] as const] : []),
      ['Rows add up', `${equationOf(counts)} ✓`],
      ['Requests', stats.requests],
      ['Retries', stats.retries],
      ['429 Too Many Requests', stats.rateLimited429],
      ['Network errors', stats.transportErrors],
      ['Server errors (5xx)', stats.serverErrors],
      ['Read-back window (s)', readBackWindowMs / 1000],
      ['Stopped by the API', stopped !== undefined ? `yes: HTTP ${stopped.status} (${stopped.message}); fix the token, then run the same command with --resume` : 'no'],
      ['Stopped by the canary or error budget', guardStop !== undefined ? `yes: ${guardStop.message}; failures by reason: ${guardStop.reasons.map((r) => `${r.reason} (${r.rows})`).join('; ')}; fix the cause, then run the same command with --resume` : 'no'],
      ['Interrupted', interrupted ? 'yes: run the same command with --resume to finish' : 'no'],
      ['Journal', journalPath],
      ['Blank rows ignored', input.sheet.stats.blankRows],
      ['Columns ignored (unknown)', input.mapping.unknownHeaders.join('; ') || '(none)'],
    ],
  });
  writing?.finish(counts.read);
  // The run manifest and the HTML report beside the workbook (src/audit): a failure to write them is told, and loses nothing else.
  if (config.report !== undefined) {
    await writeRunAudit({
      reportPath: config.report, file: config.file, sheet: input.sheet.sheet, config, readBackWindowMs,
      mapping: input.layout.fields, ignoredColumns: input.mapping.unknownHeaders, journalPath, startedAt: started,
      counts, equation: equationOf(counts), record: recorder.snapshot(), pool: stats,
    }).catch((error: unknown) => {
      log?.error({ reason: String(error) }, 'run manifest not written');
      config.onNotice?.(`${error instanceof Error ? error.message : String(error)} (the report, journal and revert workbook are written)`);
    });
  }
  const notOk = counts.invalid + counts.failed + counts.unknown + counts.skipped - roundTrip.unchanged;
  return {
    counts,
    pool: stats,
    interrupted,
    journalPath,
    reportPath: config.report,
    unknownHeaders: input.mapping.unknownHeaders,
    durationMs,
    // A stop by the canary or the error budget exits 2 as a 401/403 stop does: the run could not go on.
    exitCode: stopped !== undefined || guardStop !== undefined ? 2 : notOk > 0 || revertError !== undefined ? 1 : 0,
    revertPath,
    revertError,
    unchanged: roundTrip.unchanged,
    retryable,
    stopped,
    guardStop,
  };
}

function fromValidate(result: ValidateResult): ImportResult {
  return { ...result, pool: undefined, interrupted: false, journalPath: undefined };
}

/** Fail fast (exit 2) on bad credentials rather than failing every row. */
export async function checkCredentials(entity: Entity, pool: DispatchPool): Promise<void> {
  const probe = entity.system.credentialCheck;
  if (probe === undefined) return; // a system with no such read (MPDX): each row reports its own 401
  const result = await pool.run({ method: 'GET', path: probe.path, query: probe.query }, { idempotent: true });
  if (result.kind === 'response' && (result.response.status === 401 || result.response.status === 403)) {
    throw new ApiUnavailableError(`the API refused the credentials (HTTP ${result.response.status}): ${describeApiError(result.response.status, result.response.body).message}`);
  }
  if (result.kind === 'failed' || result.kind === 'unknown') throw new ApiUnavailableError(`cannot reach the API: ${result.error}`);
  if (result.kind === 'stopped') throw new ApiUnavailableError(`the API refused the credentials: ${result.reason}`);
}
