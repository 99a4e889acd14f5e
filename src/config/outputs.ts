/**
 * Where a run's files go when the config does not say. The CLI and the library both call these,
 * so `runImport(config)` writes what `plannr-bulk import` writes. Every file of a run sits beside
 * its input, as the journal always has: one place to look for a run's report, undo file and
 * journal, and a library call never writes into whatever folder its process happens to run in.
 */
import { basename, dirname, extname, join } from 'node:path';

/** The workbooks a run writes, by what they hold. */
export type OutputKind = 'validation' | 'import' | 'plan' | 'revert';

/** `<input name without extension>.<kind>.xlsx` beside the input: data/clients.csv → data/clients.import.xlsx. */
export function defaultOutputPath(file: string, kind: OutputKind): string {
  return join(dirname(file), `${basename(file, extname(file))}.${kind}.xlsx`);
}

/** `<input>.journal` beside the input: --resume finds it from the same command line. */
export function defaultJournalPath(file: string): string {
  return `${file}.journal`;
}

/** An output as a config gives it: a path, false for none, undefined for the default. */
export type OutputChoice = string | false | undefined;

export interface ImportOutputs {
  /** The report workbook, or undefined when the caller asked for none. */
  readonly report: string | undefined;
  /** The revert workbook, or undefined when the caller asked for none (the journal still keeps every before-image). */
  readonly revert: string | undefined;
  readonly journal: string;
}

/**
 * An import's outputs with the defaults filled in. A dry run's report is a validation report,
 * and a dry run changes nothing, so it has no revert workbook.
 */
export function importOutputs(config: {
  readonly file: string;
  readonly report?: OutputChoice;
  readonly revert?: OutputChoice;
  readonly journal?: string | undefined;
  readonly dryRun?: boolean | undefined;
}): ImportOutputs {
  const chosen = (choice: OutputChoice, kind: OutputKind): string | undefined =>
    choice === false ? undefined : choice ?? defaultOutputPath(config.file, kind);
  return {
    report: chosen(config.report, config.dryRun ? 'validation' : 'import'),
    revert: config.dryRun ? undefined : chosen(config.revert, 'revert'),
    journal: config.journal ?? defaultJournalPath(config.file),
  };
}
