import { Command, Option } from '@commander-js/extra-typings';
import { resolveApiConfig } from '../api/config.js';
import { UsageError } from '../errors.js';
import { entityNames } from '../entities/index.js';
import { createLogger } from '../log.js';
import { runExport } from '../pipeline/export.js';
import { apiFlags, poolFlags } from './import.js';
import { normaliseFlags, normaliseOptionsFrom } from './options.js';
import { createProgress } from './progress.js';

/** `--filter key=value`, repeatable, into a record. */
export function collectFilter(text: string, previous: Record<string, string> = {}): Record<string, string> {
  const at = text.indexOf('=');
  if (at <= 0) throw new UsageError(`--filter "${text}": expected key=value, e.g. --filter status=<uuid> or --filter sort=-updated_at`);
  return { ...previous, [text.slice(0, at).trim()]: text.slice(at + 1).trim() };
}

export function exportCommand(): Command<[string], Record<string, unknown>> {
  return new Command('export')
    .description('write every record of an entity to an XLSX or CSV file in its import columns, ready to edit and import again')
    .argument('<entity>', `what to export: ${entityNames.join(', ')}`)
    .requiredOption('--out <file>', 'file to write: .xlsx (with a hidden _meta sheet for re-import) or .csv')
    .addOption(new Option('--filter <key=value>', 'list filter, repeatable: --filter status=<uuid> → filter[status]=<uuid>; sort=-updated_at is passed as is').argParser(collectFilter))
    .option('--include <list>', 'related data to include, comma-separated (default: what the columns need)')
    .option('--contact <id>', 'mpdx-phones: the MPDX contact')
    .option('--person <id>', 'mpdx-phones: the person of that contact')
    .option('--log <file>', 'write JSON logs here (token redacted)')
    .addOption(apiFlags.baseUrl)
    .addOption(apiFlags.accountUuid)
    .addOption(apiFlags.timeoutMs)
    .addOption(poolFlags.concurrency)
    .addOption(poolFlags.ratePerMinute)
    .addOption(poolFlags.maxRetries)
    .addOption(normaliseFlags.timezone)
    .addHelpText('after', `
Money is written in pounds (a £ number cell in XLSX, 1234.56 in CSV) with the pennies exact; date-times as
Excel dates in --timezone (XLSX) or ISO 8601 with offset (CSV); lists joined with "; ". Cases get read-only
"Status Name" and "Type Name" columns. Import the edited XLSX with "plannr-bulk import FILE --entity E": only
changed cells are sent, and records changed in the CRM since the export are reported as conflicts.`)
    .action(async (entity, flags) => {
      const api = resolveApiConfig({ baseUrl: flags.baseUrl, accountUuid: flags.accountUuid, timeoutMs: flags.timeout }, process.env);
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.on('SIGINT', onSignal);
      const progress = createProgress({ label: 'exporting' });
      try {
        const result = await runExport({
          entity,
          out: flags.out,
          filters: flags.filter,
          include: flags.include?.split(',').map((s) => s.trim()).filter((s) => s !== ''),
          scope: { contact: flags.contact, person: flags.person },
          api,
          pool: { concurrency: flags.concurrency, ratePerMinute: flags.rate, maxRetries: flags.maxRetries },
          normalise: normaliseOptionsFrom({ defaultCountry: 'GB', timezone: flags.timezone }),
          signal: stop.signal,
          log: createLogger(flags.log, [api.token]),
          onProgress: (records) => progress.update({ done: records, problems: 0 }),
        });
        progress.stop();
        process.stdout.write(`${result.records} ${result.entity} records written to ${result.path} in ${Math.round(result.durationMs / 100) / 10} s (${result.pool.requests} requests)\n`);
      } finally {
        progress.stop();
        process.off('SIGINT', onSignal);
      }
    });
}
