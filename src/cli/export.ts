import { resolveApiConfig } from '../api/config.js';
import { entityNames } from '../entities/index.js';
import { createLogger } from '../log.js';
import { runExport } from '../pipeline/export.js';
import type { CliCommand, CommandContext, ExitCode, ParsedFlags } from './command.js';
import { apiFlags, exportFlags, normaliseFlags, normaliseFrom, poolFlags, scopeFlags, scopeOf, valuesOf } from './flags.js';
import { createProgress } from './progress.js';

/** `plannr-bulk export ENTITY --out FILE`: every record, in the entity's import columns. */
export async function exportEntity(entity: string, parsed: ParsedFlags, context: CommandContext): Promise<ExitCode> {
  const { log, ...asked } = valuesOf(exportFlags, parsed);
  const api = resolveApiConfig(valuesOf(apiFlags, parsed), context.env);
  const progress = createProgress({ label: 'exporting' });
  try {
    const result = await runExport({
      ...asked,
      entity,
      scope: scopeOf(parsed),
      api,
      pool: valuesOf(poolFlags, parsed),
      normalise: normaliseFrom(parsed),
      signal: context.signal,
      log: createLogger(log, [api.token]),
      onProgress: (records) => progress.update({ done: records, problems: 0 }),
    });
    progress.stop();
    context.print(`${result.records} ${result.entity} records written to ${result.path} in ${Math.round(result.durationMs / 100) / 10} s (${result.pool.requests} requests)`);
    return 0;
  } finally {
    progress.stop();
  }
}

export const exportCommand: CliCommand = {
  arguments: [{ name: '<entity>', description: `what to export: ${entityNames.join(', ')}` }],
  flags: [exportFlags, scopeFlags, apiFlags, poolFlags, { timezone: normaliseFlags.timezone }],
  helpAfter: `
Money is written in pounds (a £ number cell in XLSX, 1234.56 in CSV) with the pennies exact; date-times as
Excel dates in --timezone (XLSX) or ISO 8601 with offset (CSV); lists joined with "; ". Cases get read-only
"Status Name" and "Type Name" columns. Import the edited XLSX with "plannr-bulk import FILE --entity E": only
changed cells are sent, and records changed in the CRM since the export are reported as conflicts.`,
  stoppable: true,
  stopping: 'no new page will be read; the file is not written',
  run: ([entity = ''], parsed, context) => exportEntity(entity, parsed, context),
};
