/**
 * The dry run: read, map, validate and normalise every row, write the report, send nothing.
 * `runValidate(config)` is the programmatic entry the CLI and the tests both call.
 */
import { InputError } from '../errors.js';
import { createReport, type ReportWriter } from '../io/report.js';
import { assertAccountedFor, emptyCounts, equationOf, type RowCounts } from './counts.js';
import { openInput, type InputConfig } from './input/open-input.js';
import { duplicateCheck } from './outcome.js';
import { outcomeOf } from '../outcome/row-outcome.js';
import { checkRows, threadsFor } from './check/parallel-check.js';
import { countSideEffects } from './side-effects.js';
import { startPhase, type OnPhase } from './progress.js';

export interface ValidateConfig extends InputConfig {
  /** Where to write the report workbook; undefined writes none (programmatic use, benchmarks). */
  readonly report?: string | undefined;
  /** Called every `progressEvery` rows and once at the end. */
  readonly onProgress?: ((counts: Readonly<RowCounts>) => void) | undefined;
  /** Default 1000. */
  readonly progressEvery?: number | undefined;
  /**
   * Worker threads that check rows (0: none, all on this thread). Default: cores minus one
   * (at least one) for files over 2 MB, none for smaller ones, and only once the first rows
   * show checking costs well over reading (see parallel-check.ts). The report is written on a
   * thread of its own for files over 2 MB, or when this asks for one or more threads.
   */
  readonly threads?: number | undefined;
  /** Which phase the run is in (checking, writing-report), with counts for a rate: see progress.ts. */
  readonly onPhase?: OnPhase | undefined;
  /** Rows per report sheet before Results and Errors go on in "Results (2)"...; default 250,000. */
  readonly maxRowsPerSheet?: number | undefined;
}

export interface ValidateResult {
  readonly counts: Readonly<RowCounts>;
  readonly blankRows: number;
  readonly unknownHeaders: readonly string[];
  readonly reportPath: string | undefined;
  readonly durationMs: number;
  /** What the valid rows would make the API do besides storing them, by label (clients: welcome emails). */
  readonly sideEffects: Readonly<Record<string, number>>;
  /** 0 every row valid; 1 some rows invalid. */
  readonly exitCode: 0 | 1;
}

export async function runValidate(config: ValidateConfig): Promise<ValidateResult> {
  const started = Date.now();
  const input = await openInput(config);
  const counts = emptyCounts();
  const progressEvery = config.progressEvery ?? 1000;
  const markDuplicates = duplicateCheck();
  const effects = countSideEffects(input.entity);
  let report: ReportWriter | undefined;
  if (config.report !== undefined) {
    // The report is written on a thread of its own while this one checks: for a big file, or
    // when --threads asks for worker threads (--threads 0 keeps everything on this thread).
    const thread = (await threadsFor(config.threads, config.file)) > 0;
    report = await createReport(config.report, input.layout, { thread, maxRowsPerSheet: config.maxRowsPerSheet });
  }
  // Read and checked in one pass: how many rows there are is known only at the end.
  const checking = startPhase(config.onPhase, 'checking', undefined);
  try {
    const threads = await threadsFor(config.threads, config.file);
    const setup = { entity: config.entity, headers: input.sheet.headers, mapping: config.mapping, normalise: input.normalise, file: input.sheet.file, sheet: input.sheet.sheet, fields: input.mapping.sources.map((s) => s.column.field) };
    // Calibrated as without a report: sending every row's cells to a worker cost this thread
    // about what checking them here does (200,000 case rows with the report: 9.4-9.9 s of CPU
    // and 272-280 MB with checks on a worker, 8.0-8.4 s and 215-221 MB without).
    const adaptive = config.threads === undefined;
    for await (const checked of checkRows(input.sheet.rows, input.check, { threads, setup, adaptive })) {
      for (let i = 0; i < checked.rows.length; i++) {
        const row = checked.rows[i]!;
        counts.read++;
        const check = markDuplicates(row, checked.checks[i]!);
        const valid = check.problems.length === 0;
        if (valid) counts.valid++;
        if (valid) effects.note(check.values);
        else counts.invalid++;
        // Written as it is checked; a promise only when the disk falls behind.
        const written = report?.add(outcomeOf(row, check, valid ? 'valid' : 'invalid'));
        if (written !== undefined) await written;
        if (config.onProgress !== undefined && counts.read % progressEvery === 0) config.onProgress(counts);
      }
      checking.update(counts.read);
    }
    if (counts.read === 0) {
      throw new InputError({ file: input.sheet.file, sheet: input.sheet.sheet }, 'the file has a header row but no data rows');
    }
    assertAccountedFor(counts);
    checking.finish(counts.read);
  } catch (error) {
    await report?.discard();
    throw error;
  }
  config.onProgress?.(counts);
  const durationMs = Date.now() - started;
  const writing = report === undefined ? undefined : startPhase(config.onPhase, 'writing-report', counts.read);
  await report?.close({
    title: `Validation report: ${input.sheet.file} as ${input.entity.name}`,
    timeZone: config.normalise.timezone,
    lines: [
      ['File', input.sheet.file],
      ...(input.sheet.sheet !== undefined ? [['Sheet', input.sheet.sheet] as const] : []),
      ...(input.sheet.encoding !== undefined ? [['Encoding', input.sheet.encoding] as const] : []),
      ['Entity', input.entity.name],
      ['Mode', 'dry run (validate): nothing was sent'],
      ['Started', new Date(started)],
      ['Finished', new Date()],
      ['Duration (s)', Math.round(durationMs / 100) / 10],
      ['Rows read', counts.read],
      ['Valid', counts.valid],
      ['Invalid', counts.invalid],
      ...effects.lines(),
      ['Rows add up', `${equationOf(counts)} ✓`],
      ['Blank rows ignored', input.sheet.stats.blankRows],
      ['Columns mapped', input.mapping.sources.map((s) => `${s.header} → ${s.column.field}`).join('; ')],
      ['Columns ignored (unknown)', input.mapping.unknownHeaders.join('; ') || '(none)'],
      ['Options', `default country ${config.normalise.defaultCountry}, time zone ${config.normalise.timezone}, date order ${config.normalise.dateOrder ?? 'unambiguous only'}`],
    ],
  });
  writing?.finish(counts.read);
  return {
    counts,
    blankRows: input.sheet.stats.blankRows,
    unknownHeaders: input.mapping.unknownHeaders,
    reportPath: config.report,
    durationMs,
    sideEffects: effects.counts(),
    exitCode: counts.invalid > 0 ? 1 : 0,
  };
}
