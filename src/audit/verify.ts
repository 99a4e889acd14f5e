/**
 * `plannr-bulk verify MANIFEST`: does the audit file still hold what the run left?
 *
 * Recomputed from the files, never taken from the manifest's own word:
 * - input    the input file's size and SHA-256;
 * - journal  the SHA-256 of the journal's first `journal.size` bytes (a later --resume appends
 *            after them, so it still verifies), and the input fingerprint every run in it
 *            recorded;
 * - outcomes the outcome digest (outcome-digest.ts) over the report's Results sheet, and its
 *            row count;
 * - report   the workbook's size and SHA-256;
 * - journal agrees with the report: every row the report calls sent is recorded sent in the
 *            journal, with the same action and key.
 * A file that cannot be found or read is a VerifyError (verify could not run: exit 2).
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { PlannrBulkError } from '../errors.js';
import { openSheet } from '../io/read.js';
import type { CellValue } from '../io/rows.js';
import { parseJournal } from '../pipeline/journal.js';
import { hashFile, hashingReader } from './files.js';
import { runManifestSchema, type RunManifest } from './manifest.js';
import { digestOutcomes, type OutcomeFields } from './outcome-digest.js';

/** verify could not check (a file missing or unreadable, a manifest that is not one): exit 2. */
export class VerifyError extends PlannrBulkError {
  readonly exitCode = 2 as const;
}

export interface VerifyCheck {
  readonly name: 'input' | 'journal' | 'outcomes' | 'report' | 'journal agrees with report';
  readonly ok: boolean;
  /** What was found, and what the manifest says when they differ. */
  readonly detail: string;
}

export interface VerifyResult {
  readonly manifestPath: string;
  readonly ok: boolean;
  readonly checks: readonly VerifyCheck[];
}

export interface VerifyOptions {
  /** Where the files are now, when not where the manifest says (relative to the manifest's folder). */
  readonly input?: string | undefined;
  readonly report?: string | undefined;
  readonly journal?: string | undefined;
}

/** The Results columns the digest reads, each by its header (a report before 0.2 called Outcome "Status"). */
const RESULT_HEADERS: ReadonlyArray<readonly string[]> = [['Row'], ['Outcome', 'Status'], ['Action'], ['Key']];

async function readManifest(path: string): Promise<RunManifest> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new VerifyError(`cannot read the manifest ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new VerifyError(`${path} is not valid JSON (${(error as Error).message}), so not a run manifest`);
  }
  const parsed = runManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new VerifyError(`${path} is not a plannr-bulk run manifest (${issue?.path.join('.') || 'top level'}: ${issue?.message ?? 'bad shape'})`);
  }
  return parsed.data;
}

async function mustHash(what: string, path: string, limit?: number) {
  try {
    return await hashFile(path, limit);
  } catch (error) {
    throw new VerifyError(`cannot read the ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

function cellText(value: CellValue | undefined): string {
  if (value === null || value === undefined) return '';
  return value instanceof Date ? value.toISOString() : String(value);
}

/** The Results sheet's rows as outcome fields, in sheet order. */
async function* resultsOf(reportPath: string): AsyncGenerator<OutcomeFields> {
  let sheet;
  try {
    sheet = await openSheet(reportPath, { sheet: 'Results' });
  } catch (error) {
    throw new VerifyError(`cannot read the Results sheet of ${reportPath}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const at = RESULT_HEADERS.map((names) => sheet.headers.findIndex((header) => names.includes(header)));
  const missing = RESULT_HEADERS.filter((_, i) => (at[i] as number) < 0).map((names) => names[0]);
  if (missing.length > 0) throw new VerifyError(`${reportPath}: the Results sheet has no ${missing.join(', ')} column: not a plannr-bulk report`);
  const [rowAt, statusAt, actionAt, keyAt] = at as [number, number, number, number];
  for await (const row of sheet.rows) {
    const rowCell = row.cells[rowAt];
    yield {
      row: typeof rowCell === 'number' ? rowCell : Number(cellText(rowCell)),
      status: cellText(row.cells[statusAt]),
      action: cellText(row.cells[actionAt]),
      key: cellText(row.cells[keyAt]),
    };
  }
}

function located(manifestFolder: string, given: string | undefined, recorded: string): string {
  if (given !== undefined) return resolve(given);
  return isAbsolute(recorded) ? recorded : resolve(manifestFolder, recorded);
}

function differs(what: string, found: { size: number; sha256: string }, recorded: { size: number; sha256: string }): string {
  return `${what} differs: now ${found.size} bytes, SHA-256 ${found.sha256}; the manifest says ${recorded.size} bytes, SHA-256 ${recorded.sha256}`;
}

export async function verifyManifest(manifestPath: string, options: VerifyOptions = {}): Promise<VerifyResult> {
  const manifest = await readManifest(manifestPath);
  const folder = dirname(resolve(manifestPath));
  const inputPath = located(folder, options.input, manifest.input.path);
  const reportPath = located(folder, options.report, manifest.report.path);
  const journalPath = located(folder, options.journal, manifest.journal.path);
  const checks: VerifyCheck[] = [];

  const input = await mustHash('input file', inputPath);
  const inputOk = input.size === manifest.input.size && input.sha256 === manifest.input.sha256;
  checks.push({ name: 'input', ok: inputOk, detail: inputOk ? `${inputPath}: ${input.size} bytes, SHA-256 ${input.sha256}` : differs(`the input file ${inputPath}`, input, manifest.input) });

  // The journal as it stood at the end of the run: its first journal.size bytes, parsed as they are hashed.
  const journalSize = (await mustHash('journal', journalPath)).size;
  let journalCheck: VerifyCheck;
  let sentInJournal: ReadonlyMap<number, { status: string; action: string; key: string }> | undefined;
  if (journalSize < manifest.journal.size) {
    journalCheck = { name: 'journal', ok: false, detail: `the journal ${journalPath} is shorter than at the end of the run (${journalSize} bytes; the manifest says ${manifest.journal.size}): it was cut or replaced` };
  } else {
    const prefix = await mustHash('journal', journalPath, manifest.journal.size);
    // Parsed only when its bytes are the run's: a journal edited since has nothing to say about rows.
    const parsed = prefix.sha256 === manifest.journal.sha256 ? await parseJournal(hashingReader(journalPath, manifest.journal.size).chunks, journalPath) : undefined;
    const hashOk = prefix.sha256 === manifest.journal.sha256;
    const expected = `${manifest.input.size}:${manifest.input.sha256}`;
    const otherRuns = parsed?.runs.filter((run) => run.fingerprint !== expected) ?? [];
    const grown = journalSize > manifest.journal.size ? ` (${journalSize - manifest.journal.size} bytes were appended since, e.g. by a --resume)` : '';
    journalCheck = !hashOk
      ? { name: 'journal', ok: false, detail: differs(`the journal ${journalPath} (its first ${manifest.journal.size} bytes)`, prefix, manifest.journal) }
      : otherRuns.length > 0
        ? { name: 'journal', ok: false, detail: `the journal ${journalPath} records a run of another file (fingerprint ${otherRuns[0]?.fingerprint}), not the input of this manifest` }
        : { name: 'journal', ok: true, detail: `${journalPath}: first ${manifest.journal.size} bytes match${grown}` };
    sentInJournal = parsed?.state.done;
  }
  checks.push(journalCheck);

  const report = await mustHash('report', reportPath);
  const reportOk = report.size === manifest.report.size && report.sha256 === manifest.report.sha256;
  checks.push({ name: 'report', ok: reportOk, detail: reportOk ? `${reportPath}: ${report.size} bytes, SHA-256 ${report.sha256}` : differs(`the report ${reportPath}`, report, manifest.report) });

  // One pass over Results: the digest, and each sent row against the journal.
  const disagreements: string[] = [];
  let disagreeing = 0;
  async function* checkedAgainstJournal(): AsyncGenerator<OutcomeFields> {
    for await (const outcome of resultsOf(reportPath)) {
      if (sentInJournal !== undefined && outcome.status === 'sent') {
        const recorded = sentInJournal.get(outcome.row);
        const same = recorded !== undefined && recorded.status === 'sent' && recorded.action === outcome.action && recorded.key.toLowerCase() === outcome.key.toLowerCase();
        if (!same) {
          disagreeing += 1;
          if (disagreements.length < 5) {
            disagreements.push(`row ${outcome.row}: the report says sent (${outcome.action} ${outcome.key || '(no key)'}), the journal ${recorded === undefined ? 'has no outcome for it' : `says ${recorded.status} (${recorded.action} ${recorded.key || '(no key)'})`}`);
          }
        }
      }
      yield outcome;
    }
  }
  const digest = await digestOutcomes(checkedAgainstJournal());
  const digestOk = digest.hex === manifest.outcomes.sha256 && digest.rows === manifest.outcomes.rows;
  checks.push({
    name: 'outcomes',
    ok: digestOk,
    detail: digestOk
      ? `${digest.rows} rows of the Results sheet give the digest ${digest.hex}`
      : `the Results sheet's ${digest.rows} rows give the digest ${digest.hex}; the manifest says ${manifest.outcomes.rows} rows, ${manifest.outcomes.sha256}`,
  });
  if (sentInJournal !== undefined) {
    checks.push({
      name: 'journal agrees with report',
      ok: disagreeing === 0,
      detail: disagreeing === 0 ? 'every row the report calls sent is recorded sent in the journal, with the same action and key' : `${disagreeing} rows differ: ${disagreements.join('; ')}`,
    });
  }
  return { manifestPath, ok: checks.every((c) => c.ok), checks };
}
