import { Command } from '@commander-js/extra-typings';
import { resolveApiConfig } from '../api/config.js';
import { createLogger } from '../log.js';
import { PLAN_ACTIONS } from '../outcome/row-outcome.js';
import { runPlan } from '../pipeline/plan.js';
import { apiFlags, poolFlags } from './import.js';
import { inputFlags, normaliseFlags, normaliseOptionsFrom, readMappingFile } from './options.js';
import { createProgress } from './progress.js';
import { defaultReportPath } from './validate.js';

export function planCommand(): Command<[string], Record<string, unknown>> {
  return new Command('plan')
    .description('read the records a file would change and write a plan workbook: per row the action and per field before → after; sends nothing')
    .argument('<file>', 'CSV or XLSX file to plan (an export, an edited export, or any import file)')
    .addOption(inputFlags.entity)
    .option('--report <file>', 'plan workbook to write, .xlsx (default: <file>.plan.xlsx in the current folder)')
    .option('--log <file>', 'write JSON logs here (token and personal data redacted)')
    .addOption(apiFlags.baseUrl)
    .addOption(apiFlags.accountUuid)
    .addOption(apiFlags.timeoutMs)
    .addOption(poolFlags.concurrency)
    .addOption(poolFlags.ratePerMinute)
    .addOption(poolFlags.maxRetries)
    .addOption(inputFlags.sheet)
    .addOption(inputFlags.encoding)
    .addOption(inputFlags.delimiter)
    .addOption(inputFlags.mapping)
    .addOption(normaliseFlags.defaultCountry)
    .addOption(normaliseFlags.timezone)
    .addOption(normaliseFlags.dateOrder)
    .addHelpText('after', `
Actions: create, update, no change, conflict (changed in the CRM since the export), invalid.
Status and Type (cases) may be names, and account columns emails: the plan resolves them to uuids.
The plan's first sheet imports as it is and applies exactly what it shows:
  plannr-bulk import FILE.plan.xlsx --entity E
Records changed after the plan are held back as conflicts (--overwrite to write them anyway).
The token is read from PLANNR_TOKEN only.`)
    .action(async (file, flags) => {
      const out = flags.report ?? defaultReportPath(file, 'plan');
      const api = resolveApiConfig({ baseUrl: flags.baseUrl, accountUuid: flags.accountUuid, timeoutMs: flags.timeout }, process.env);
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.on('SIGINT', onSignal);
      const progress = createProgress({ label: 'planning' });
      try {
        const result = await runPlan({
          file,
          entity: flags.entity,
          out,
          api,
          pool: { concurrency: flags.concurrency, ratePerMinute: flags.rate, maxRetries: flags.maxRetries },
          sheet: flags.sheet,
          encoding: flags.encoding,
          delimiter: flags.delimiter,
          mapping: await readMappingFile(flags.mapping),
          normalise: normaliseOptionsFrom(flags),
          onNotice: (message) => process.stderr.write(`plannr-bulk: ${message}\n`),
          signal: stop.signal,
          log: createLogger(flags.log, [api.token]),
          onProgress: (rows) => progress.update({ done: rows, problems: 0 }),
        });
        progress.stop();
        const lines = [
          `${result.rows} rows planned: ${PLAN_ACTIONS.map((a) => `${result.actions[a]} ${a}`).join(', ')} (nothing was written)`,
          `plan: ${result.path}`,
          `to apply it: plannr-bulk import ${result.path} --entity ${flags.entity}`,
        ];
        if (result.unknownHeaders.length > 0) lines.push(`ignored columns: ${result.unknownHeaders.map((h) => `"${h}"`).join(', ')}`);
        process.stdout.write(`${lines.join('\n')}\n`);
        process.exitCode = result.exitCode;
      } finally {
        progress.stop();
        process.off('SIGINT', onSignal);
      }
    });
}
