/**
 * Import: validate each row, send the valid ones through the dispatch pool, journal every
 * outcome, and write the report. `runImport(config)` is what the CLI and the tests call.
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
import type { ApiConfig } from '../api/config.js';
import { describeApiError } from '../api/errors.js';
import { createDispatchPool, type DispatchPool, type DispatchPoolOptions, type PoolStats } from '../api/pool.js';
import type { Entity } from '../entities/entity.js';
import { ApiUnavailableError, InputError, UsageError } from '../errors.js';
import { createReport } from '../io/report.js';
import { outcomeOf, type RowOutcome } from '../outcome/row-outcome.js';
import type { Logger } from '../log.js';
import { assertAccountedFor, emptyCounts, equationOf, type RowCounts } from './counts.js';
import { fingerprintFile, openJournal } from './journal.js';
import { openInput, type InputConfig } from './input/open-input.js';
import { inSequence } from './ordered.js';
import { duplicateCheck } from './outcome.js';
import { probeOutputs } from './outputs.js';
import { createClaims, DEFAULT_READ_BACK_WINDOW_MS } from './read-back.js';
import { writeRevertFromJournal } from './revert.js';
import { beforeImageOf, refusedMessage, sendRow, type SendContext } from './send-row.js';
import { runValidate, type ValidateResult } from './validate.js';
import { openRoundTrip } from './round-trip-import.js';
import { apiDirectory, createNameResolver } from './names.js';

export interface ImportConfig extends InputConfig {
  /** Report workbook path; undefined writes none. */
  readonly report?: string | undefined;
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
  /** Called once the file has been read through (before anything is sent), with its row count. */
  readonly onStart?: ((info: { rows: number }) => void) | undefined;
  readonly log?: Logger | undefined;
  /** Re-import of an export: write records changed in the CRM since the export anyway. Default false. */
  readonly overwrite?: boolean | undefined;
  /** Revert workbook (before-image of every field an update changed, from the journal); undefined writes none. */
  readonly revert?: string | undefined;
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
}

const INTERRUPTED = 'not sent: the run was interrupted; run again with --resume to send it';

export async function runImport(config: ImportConfig): Promise<ImportResult> {
  if (config.dryRun) return fromValidate(await runValidate({ ...config, onProgress: undefined }));
  const started = Date.now();
  // First pass, read-only: a file that cannot be read to the end (an unclosed quote at row
  // 50,000, a damaged zip) stops here, before a single request, never as a partial import.
  const total = await countRows(config);
  config.onStart?.({ rows: total });
  const input = await openInput(config);
  const { entity } = input;
  if (!entity.canImport) throw new UsageError(`${entity.name} cannot be imported (export only)`);
  const log = config.log;
  const journalPath = config.journal ?? `${config.file}.journal`;
  const readBackWindowMs = config.readBackWindowMs ?? DEFAULT_READ_BACK_WINDOW_MS;
  if (!Number.isFinite(readBackWindowMs) || readBackWindowMs < 0) throw new UsageError(`the read-back window must be a number of seconds ≥ 0 (got ${readBackWindowMs / 1000})`);
  // Rule 6: a folder we cannot write to stops the run here, before any request, naming it.
  await probeOutputs({ journal: journalPath, report: config.report, revert: config.revert, spoolDir: tmpdir() });
  const journal = await openJournal(journalPath, {
    fingerprint: await fingerprintFile(config.file),
    entity: entity.name,
    file: basename(config.file),
    resume: config.resume ?? false,
    onNotice: (message) => {
      log?.warn({ journal: journalPath }, message);
      config.onNotice?.(message);
    },
  });
  const pool = createDispatchPool(createApiClient(config.api), {
    ...config.pool,
    signal: config.signal,
    onEvent: (event) => log?.info({ event }, 'pool'),
  });
  let roundTrip: Awaited<ReturnType<typeof openRoundTrip>>;
  try {
    await checkCredentials(entity, pool);
    roundTrip = await openRoundTrip({ file: config.file, entity, pool, normalise: config.normalise, overwrite: config.overwrite });
  } catch (error) {
    await journal.close();
    throw error;
  }
  log?.info({ file: basename(config.file), entity: entity.name, resume: config.resume ?? false }, 'import started');
  // Names and emails in reference columns become uuids before a row's request is built.
  const names = createNameResolver(entity, apiDirectory(pool, config.signal), input.mapping.sources);
  const context: SendContext = {
    entity,
    pool,
    journal,
    claims: createClaims(journal.previous.claimed),
    readBackWindowMs,
    normalise: config.normalise,
    sources: input.mapping.sources,
    signal: config.signal,
    log,
  };

  const counts = emptyCounts();
  let retryable = 0;
  const report = config.report !== undefined ? await createReport(config.report, input.layout) : undefined;
  let lastProgress = 0;
  const ordered = inSequence<RowOutcome>(async (outcome) => {
    counts[outcome.status]++;
    if (outcome.retry === true) retryable++;
    await report?.add(outcome);
    if (config.onProgress !== undefined && Date.now() - lastProgress > 200) {
      lastProgress = Date.now();
      config.onProgress({ counts, pool: pool.stats() });
    }
  });
  const markDuplicates = duplicateCheck();
  const maxPending = Math.max(16, (config.pool?.concurrency ?? 8) * 4);
  const pending = new Set<Promise<void>>();
  let interrupted = false;
  let seq = 0;
  /** A row that will not be sent because the API refused the token: --resume sends it. */
  const notSentRefused = (outcome: RowOutcome, stop: { status: number; message: string }): RowOutcome =>
    unconfirmedEarlier(outcome) ?? { ...outcome, status: 'failed', message: refusedMessage(stop, false), problems: [], retry: true };
  /**
   * A row this run did not get to, whose earlier attempt is still unconfirmed in the journal, is
   * not "not sent": it may have landed. It stays unknown (the journal keeps it in flight, and
   * --resume reads it back first).
   */
  const unconfirmedEarlier = (outcome: RowOutcome): RowOutcome | undefined =>
    journal.previous.inFlight.has(outcome.position.row)
      ? { ...outcome, status: 'unknown', problems: [], retry: undefined,
          message: "an earlier run's attempt at this row is still unconfirmed (its answer was lost) and this run stopped before reading it back; --resume reads it back first" }
      : undefined;

  try {
    for await (const row of input.sheet.rows) {
      counts.read++;
      const mySeq = seq++;
      const check = markDuplicates(row, input.check(row));
      const rowNo = row.position.row;
      const earlier = journal.previous.done.get(rowNo);
      const stop = pool.stopped();
      if (check.problems.length > 0) {
        await ordered.put(mySeq, outcomeOf(row, check, 'invalid'));
      } else if (earlier !== undefined && earlier.retry !== true) {
        await ordered.put(mySeq, {
          ...outcomeOf(row, { ...check, key: earlier.key || check.key }, earlier.status, `${earlier.msg || earlier.status} (in an earlier run)`),
          httpStatus: earlier.http,
          apiMessage: earlier.api,
        });
      } else if (stop !== undefined) {
        await ordered.put(mySeq, notSentRefused(outcomeOf(row, check, 'failed'), stop));
      } else if (config.signal?.aborted) {
        interrupted = true;
        const notSent: RowOutcome = { ...outcomeOf(row, check, 'skipped', INTERRUPTED), retry: true };
        await ordered.put(mySeq, unconfirmedEarlier(notSent) ?? notSent);
      } else {
        while (pending.size >= maxPending) await Promise.race(pending);
        const inFlight = journal.previous.inFlight.get(rowNo);
        const earlierAttempt = inFlight === undefined ? undefined : { at: inFlight.at, before: beforeImageOf(journal.previous.befores.get(rowNo)) };
        const task = names.resolveNames(check)
          .then((resolved) => {
            const stopped = pool.stopped();
            // A name lookup refused after the stop says nothing about the row itself.
            if (stopped !== undefined) return notSentRefused(outcomeOf(row, resolved, 'failed'), stopped);
            if (resolved.problems.length > 0) return outcomeOf(row, resolved, 'invalid');
            return roundTrip.send(
              row,
              resolved,
              (toSend, before) => sendRow(context, { row, check: toSend, before, earlier: earlierAttempt }),
              earlierAttempt?.before,
            );
          })
          .then((outcome) => {
            // Only a stop skips a row here by accident; unchanged rows of an export or plan are skipped on purpose.
            if (outcome.status === 'skipped' && config.signal?.aborted === true) {
              interrupted = true;
              return ordered.put(mySeq, { ...outcome, retry: true });
            }
            return ordered.put(mySeq, outcome);
          })
          .finally(() => pending.delete(task));
        pending.add(task);
      }
    }
    await Promise.all(pending);
    if (counts.read === 0) throw new InputError({ file: input.sheet.file, sheet: input.sheet.sheet }, 'the file has a header row but no data rows');
    assertAccountedFor(counts);
  } catch (error) {
    await Promise.allSettled(pending);
    await journal.close();
    await report?.discard();
    throw error;
  }
  // The lock is held until the revert workbook and the report are written: a --resume started
  // meanwhile would otherwise write its fuller revert file first and see it replaced by ours.
  try {
    return await finishRun();
  } finally {
    await journal.close();
  }

  async function finishRun(): Promise<ImportResult> {
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
        ['Interrupted', interrupted ? 'yes: run the same command with --resume to finish' : 'no'],
        ['Journal', journalPath],
        ['Blank rows ignored', input.sheet.stats.blankRows],
        ['Columns ignored (unknown)', input.mapping.unknownHeaders.join('; ') || '(none)'],
      ],
    });
    const notOk = counts.invalid + counts.failed + counts.unknown + counts.skipped - roundTrip.unchanged;
    return {
      counts,
      pool: stats,
      interrupted,
      journalPath,
      reportPath: config.report,
      unknownHeaders: input.mapping.unknownHeaders,
      durationMs,
      exitCode: stopped !== undefined ? 2 : notOk > 0 || revertError !== undefined ? 1 : 0,
      revertPath,
      revertError,
      unchanged: roundTrip.unchanged,
      retryable,
      stopped,
    };
  }
}

async function countRows(config: InputConfig): Promise<number> {
  // The run's own open says what it has to say about the file; this first pass stays quiet.
  const input = await openInput({ ...config, onNotice: undefined });
  let rows = 0;
  for await (const _ of input.sheet.rows) rows++;
  if (rows === 0) throw new InputError({ file: input.sheet.file, sheet: input.sheet.sheet }, 'the file has a header row but no data rows');
  return rows;
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
