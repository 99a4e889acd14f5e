import { Command, Option } from '@commander-js/extra-typings';
import { resolveApiConfig } from '../api/config.js';
import { DEFAULT_POOL_OPTIONS } from '../api/pool.js';
import { UsageError } from '../errors.js';
import { createLogger } from '../log.js';
import { settled } from '../pipeline/counts.js';
import { runImport, type ImportResult } from '../pipeline/import.js';
import { DEFAULT_READ_BACK_WINDOW_MS } from '../pipeline/read-back.js';
import { inputFlags, normaliseFlags, normaliseOptionsFrom, readMappingFile, threadsFlag, threadsFrom } from './options.js';
import { createProgress } from './progress.js';
import { defaultReportPath } from './validate.js';

/** '500/min', '500', '10/s', '0' or 'off' (no client-side limit) → requests per minute. */
export function parseRate(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(s|sec|second|m|min|minute))?\s*$/i.exec(text);
  if (text.trim().toLowerCase() === 'off') return 0;
  if (match === null) throw new UsageError(`--rate "${text}": expected e.g. 500/min, 10/s, or off`);
  const n = Number(match[1]);
  return /^s/i.test(match[2] ?? 'min') ? n * 60 : n;
}

function positiveInt(name: string) {
  return (text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`${name} "${text}": expected a whole number`);
    return n;
  };
}

export const apiFlags = {
  baseUrl: new Option('--base-url <url>', 'API base URL (env PLANNR_BASE_URL; default https://api.plannrcrm.com)'),
  accountUuid: new Option('--account-uuid <uuid>', 'account to act as (env PLANNR_ACCOUNT_UUID)'),
  timeoutMs: new Option('--timeout <ms>', 'per-request timeout in ms (default 30000)').argParser(positiveInt('--timeout')),
};

export const poolFlags = {
  concurrency: new Option('--concurrency <n>', `requests in flight at once (default ${DEFAULT_POOL_OPTIONS.concurrency})`).argParser(positiveInt('--concurrency')),
  ratePerMinute: new Option('--rate <rate>', `client-side rate limit, e.g. 500/min, 10/s, off (default ${DEFAULT_POOL_OPTIONS.ratePerMinute}/min, the API's limit)`).argParser(parseRate),
  maxRetries: new Option('--max-retries <n>', `retries for 5xx, timeouts and network errors (default ${DEFAULT_POOL_OPTIONS.maxRetries})`).argParser(positiveInt('--max-retries')),
};

/** `--read-back-window 60` (seconds, decimals allowed) → milliseconds. */
export function parseSeconds(name: string) {
  return (text: string): number => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`${name} "${text}": expected a number of seconds, e.g. 60`);
    return Math.round(n * 1000);
  };
}

export const readBackWindowFlag = new Option(
  '--read-back-window <seconds>',
  `after a write whose answer was lost, how long to keep reading the record back before calling the row unknown (default ${DEFAULT_READ_BACK_WINDOW_MS / 1000})`,
).argParser(parseSeconds('--read-back-window'));

export function importCommand(): Command<[string], Record<string, unknown>> {
  return new Command('import')
    .description('validate every row, send the valid ones to Plannr, journal each outcome, write a report')
    .argument('<file>', 'CSV or XLSX file to import')
    .addOption(inputFlags.entity)
    .option('--dry-run', 'validate and report only; send nothing (same as validate)')
    .option('--report <file>', 'report workbook (default: <file>.import.xlsx in the current folder)')
    .option('--journal <file>', 'journal of outcomes for --resume (default: <file>.journal beside the input)')
    .option('--resume', 'continue the run in the journal: rows already done are not sent again')
    .option('--overwrite', 're-import of an export or plan: write records changed in the CRM since then anyway (default: report them as conflicts)')
    .option('--revert <file>', 'revert workbook: the before-image of every field an update changed, importable as is (default: <file>.revert.xlsx in the current folder)')
    .option('--no-revert', 'write no revert workbook (the journal still keeps the before-image of every update)')
    .option('--log <file>', 'write JSON logs here (token and personal data redacted)')
    .addOption(apiFlags.baseUrl)
    .addOption(apiFlags.accountUuid)
    .addOption(apiFlags.timeoutMs)
    .addOption(poolFlags.concurrency)
    .addOption(poolFlags.ratePerMinute)
    .addOption(poolFlags.maxRetries)
    .addOption(readBackWindowFlag)
    .addOption(inputFlags.sheet)
    .addOption(inputFlags.encoding)
    .addOption(inputFlags.delimiter)
    .addOption(inputFlags.mapping)
    .addOption(normaliseFlags.defaultCountry)
    .addOption(normaliseFlags.timezone)
    .addOption(normaliseFlags.dateOrder)
    .addOption(threadsFlag)
    .addHelpText('after', '\nThe token is read from PLANNR_TOKEN only (a flag would show in the process list and shell history).')
    .action(async (file, flags) => {
      const report = flags.report ?? defaultReportPath(file, flags.dryRun ? 'validation' : 'import');
      const api = flags.dryRun
        ? { baseUrl: '', token: '', accountUuid: '', timeoutMs: 0 }
        : resolveApiConfig({ baseUrl: flags.baseUrl, accountUuid: flags.accountUuid, timeoutMs: flags.timeout }, process.env);
      const stop = new AbortController();
      const onSignal = () => {
        if (stop.signal.aborted) process.exit(130);
        process.stderr.write('\nstopping: no new rows will be sent; waiting for requests in flight (Ctrl-C again to quit at once)\n');
        stop.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      let progress = createProgress({ label: flags.dryRun ? 'validating' : 'reading' });
      let result: ImportResult;
      try {
        result = await runImport({
          file,
          entity: flags.entity,
          report,
          journal: flags.journal,
          resume: flags.resume ?? false,
          dryRun: flags.dryRun ?? false,
          threads: threadsFrom(flags.threads),
          overwrite: flags.overwrite ?? false,
          revert: flags.revert === false ? undefined : typeof flags.revert === 'string' ? flags.revert : defaultReportPath(file, 'revert'),
          api,
          pool: { concurrency: flags.concurrency, ratePerMinute: flags.rate, maxRetries: flags.maxRetries },
          readBackWindowMs: flags.readBackWindow,
          onNotice: (message) => process.stderr.write(`plannr-bulk: ${message}\n`),
          sheet: flags.sheet,
          encoding: flags.encoding,
          delimiter: flags.delimiter,
          mapping: await readMappingFile(flags.mapping),
          normalise: normaliseOptionsFrom(flags),
          signal: stop.signal,
          log: createLogger(flags.log, [api.token]),
          onStart: ({ rows }) => {
            progress.stop();
            progress = createProgress({ label: 'importing', total: rows });
          },
          onProgress: ({ counts }) => progress.update({ done: settled(counts), problems: counts.invalid + counts.failed + counts.unknown }),
        });
      } finally {
        progress.stop();
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
      const { counts } = result;
      const lines = [
        `${counts.read} rows read: ${counts.sent} sent, ${counts.invalid} invalid, ${counts.failed} failed, ${counts.skipped} skipped` +
          (counts.unknown > 0 ? `, ${counts.unknown} unknown` : '') +
          (flags.dryRun ? ` (dry run: ${counts.valid} valid, nothing sent)` : ''),
      ];
      if (result.pool) lines.push(`${result.pool.requests} requests, ${result.pool.retries} retries, ${result.pool.rateLimited429} rate-limited (429)`);
      if (result.unknownHeaders.length > 0) lines.push(`ignored columns: ${result.unknownHeaders.map((h) => `"${h}"`).join(', ')}`);
      lines.push(`report: ${report}`);
      if (result.unchanged) lines.push(`${rowsOf(result.unchanged)} unchanged since the export (skipped)`);
      if (result.revertPath !== undefined) lines.push(`to undo the updates: plannr-bulk import ${result.revertPath} --entity ${flags.entity}`);
      if (result.revertError !== undefined) lines.push(`warning: ${result.revertError}`);
      const resume = `plannr-bulk import ${file} --entity ${flags.entity} --resume` + (flags.journal ? ` --journal ${flags.journal}` : '');
      if (result.stopped !== undefined) {
        lines.push(`stopped: the API refused the token (HTTP ${result.stopped.status}) after the run started, so nothing more was sent`);
        lines.push(`fix the token, then run the same command with --resume: ${resume}`);
      }
      if (counts.unknown > 0) {
        lines.push(`${rowsOf(counts.unknown)} ${counts.unknown === 1 ? 'has' : 'have'} an unknown outcome (the API's answer was lost and reading back did not settle it): the report's Results sheet says what to check for each; --resume reads them back again first and never sends them blindly`);
      }
      const retryable = result.retryable ?? 0;
      if (result.stopped === undefined && (result.interrupted || retryable > 0 || counts.unknown > 0)) {
        const what = result.interrupted ? 'finish' : retryable > 0 ? `retry the ${rowsOf(retryable)} that failed for a passing cause` : 'read back the unknown rows';
        lines.push(`to ${what}: ${resume}`);
      }
      process.stdout.write(`${lines.join('\n')}\n`);
      process.exitCode = result.exitCode;
    });
}

/** "1 row", "3 rows". */
function rowsOf(count: number): string {
  return `${count} row${count === 1 ? '' : 's'}`;
}
