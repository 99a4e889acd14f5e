import { resolveApiConfig, type ApiConfig } from '../api/config.js';
import { settled } from '../pipeline/counts.js';
import { runImport, type ImportResult } from '../pipeline/import.js';
import type { CliCommand, CommandContext, ExitCode, ParsedFlags } from './command.js';
import { estimateLines, LARGE_RUN_WRITES, type RunEstimate } from '../pipeline/estimate.js';
import { createInterface } from 'node:readline/promises';
import { apiFlags, checkFlags, confirmFlags, importFlags, inputFlags, normaliseFlags, poolFlags, sendingRunFrom, valuesOf } from './flags.js';
import { createProgress } from './progress.js';

/** A dry run sends nothing, so it needs no credentials. */
const NO_API: ApiConfig = { baseUrl: '', token: '', accountUuid: '', timeoutMs: 0 };

/** `plannr-bulk import FILE`: check every row, send the valid ones, journal each outcome, write the report and the revert workbook. */
export async function importFile(file: string, parsed: ParsedFlags, context: CommandContext): Promise<ExitCode> {
  const input = valuesOf(inputFlags, parsed);
  const { log, ...run } = valuesOf(importFlags, parsed);
  const api = run.dryRun ? NO_API : resolveApiConfig(valuesOf(apiFlags, parsed), context.env);
  const { yes = false } = valuesOf(confirmFlags, parsed);
  let progress = createProgress({ label: run.dryRun ? 'validating' : 'reading' });
  let total: number | undefined;
  let failures = '';
  let result: ImportResult;
  try {
    result = await runImport({
      ...input,
      ...run,
      ...valuesOf(checkFlags, parsed),
      ...(await sendingRunFrom(parsed, context, api, log)),
      file,
      onStart: ({ rows }) => {
        progress.stop();
        total = rows;
        progress = createProgress({ label: 'importing', total: rows });
      },
      onEstimate: async (estimate) => {
        progress.stop();
        context.print(estimateLines(estimate).join('\n'));
        const goOn = await confirmLargeRun(estimate, yes, context.signal);
        progress = createProgress({ label: 'importing', total });
        return goOn;
      },
      onFailures: (byReason) => {
        failures = byReason.map((f) => `${f.reason} ×${f.rows}`).join('; ');
      },
      onProgress: ({ counts }) => progress.update({ done: settled(counts), problems: counts.invalid + counts.failed + counts.unknown, failures }),
    });
  } finally {
    progress.stop();
  }
  context.print(summaryOf(result, { file, entity: input.entity, journal: run.journal, dryRun: run.dryRun ?? false }).join('\n'));
  return result.exitCode;
}

/**
 * A run over LARGE_RUN_WRITES writes asks to go on, on a terminal only (stdin and stderr both
 * TTYs): without one (a script, CI) there is nobody to ask, and the run goes on as before.
 */
async function confirmLargeRun(estimate: RunEstimate, yes: boolean, signal: AbortSignal): Promise<boolean> {
  if (yes || estimate.writes <= LARGE_RUN_WRITES || process.stdin.isTTY !== true || process.stderr.isTTY !== true) return true;
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await prompt.question(`${estimate.writes.toLocaleString('en-GB')} writes: go on? [y/N] `, { signal });
    return /^\s*y(es)?\s*$/i.test(answer);
  } catch {
    return false; // Ctrl-C at the question
  } finally {
    prompt.close();
  }
}

/** What the run did and what to do next, a line each. */
function summaryOf(result: ImportResult, asked: { file: string; entity: string; journal: string | undefined; dryRun: boolean }): string[] {
  const { counts } = result;
  if (result.declined === true) return ['not started: nothing was sent (run again, with --yes to skip the question)'];
  const lines = [
    `${counts.read} rows read: ${counts.sent} sent, ${counts.invalid} invalid, ${counts.failed} failed, ${counts.skipped} skipped` +
      (counts.unknown > 0 ? `, ${counts.unknown} unknown` : '') +
      (asked.dryRun ? ` (dry run: ${counts.valid} valid, nothing sent)` : ''),
  ];
  if (result.pool) lines.push(`${result.pool.requests} requests, ${result.pool.retries} retries, ${result.pool.rateLimited429} rate-limited (429)`);
  if (result.unknownHeaders.length > 0) lines.push(`ignored columns: ${result.unknownHeaders.map((h) => `"${h}"`).join(', ')}`);
  if (result.reportPath !== undefined) lines.push(`report: ${result.reportPath}`);
  if (result.unchanged) lines.push(`${rowsOf(result.unchanged)} unchanged since the export (skipped)`);
  if (result.revertPath !== undefined) lines.push(`to undo the updates: plannr-bulk import ${result.revertPath} --entity ${asked.entity}`);
  if (result.revertError !== undefined) lines.push(`warning: ${result.revertError}`);
  const resume = `plannr-bulk import ${asked.file} --entity ${asked.entity} --resume` + (asked.journal ? ` --journal ${asked.journal}` : '');
  if (result.stopped !== undefined) {
    lines.push(`stopped: the API refused the token (HTTP ${result.stopped.status}) after the run started, so nothing more was sent`);
    lines.push(`fix the token, then run the same command with --resume: ${resume}`);
  }
  if (result.guardStop !== undefined) {
    lines.push(`stopped by the ${result.guardStop.by}: ${result.guardStop.message}`);
    lines.push(`failures by reason: ${result.guardStop.reasons.map((r) => `${r.reason} (${rowsOf(r.rows)})`).join('; ')}`);
    lines.push(`fix the cause, then run the same command with --resume: ${resume}`);
  }
  if (counts.unknown > 0) {
    lines.push(
      `${rowsOf(counts.unknown)} ${counts.unknown === 1 ? 'has' : 'have'} an unknown outcome (the API's answer was lost and reading back did not settle it): the report's Results sheet says what to check for each; --resume reads them back again first and never sends them blindly`,
    );
  }
  const retryable = result.retryable ?? 0;
  if (result.stopped === undefined && result.guardStop === undefined && (result.interrupted || retryable > 0 || counts.unknown > 0)) {
    const what = result.interrupted ? 'finish' : retryable > 0 ? `retry the ${rowsOf(retryable)} that failed for a passing cause` : 'read back the unknown rows';
    lines.push(`to ${what}: ${resume}`);
  }
  return lines;
}

/** "1 row", "3 rows". */
function rowsOf(count: number): string {
  return `${count} row${count === 1 ? '' : 's'}`;
}

export const importCommand: CliCommand = {
  arguments: [{ name: '<file>', description: 'CSV or XLSX file to import' }],
  flags: [inputFlags, importFlags, confirmFlags, apiFlags, poolFlags, normaliseFlags, checkFlags],
  helpAfter: `
Before the first write the run prints an estimate: rows to create, update and skip, the requests
(writes, before-image reads, name lookups) and the time at the rate limit. On a terminal a run
of more than ${LARGE_RUN_WRITES.toLocaleString('en-GB')} writes asks to go on (--yes skips the question); without a terminal
it goes on. A stop by the canary or the error budget exits 2, as a refused token does; the rows
not sent are sent by --resume.
The token is read from PLANNR_TOKEN only (a flag would show in the process list and shell history).`,
  stoppable: true,
  run: ([file = ''], parsed, context) => importFile(file, parsed, context),
};
