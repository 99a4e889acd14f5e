import { Command } from '@commander-js/extra-typings';
import { basename, extname } from 'node:path';
import { runValidate, type ValidateResult } from '../pipeline/validate.js';
import { inputFlags, normaliseFlags, normaliseOptionsFrom, readMappingFile, threadsFlag, threadsFrom } from './options.js';
import { createProgress } from './progress.js';

export function defaultReportPath(file: string, suffix: string): string {
  return `${basename(file, extname(file))}.${suffix}.xlsx`;
}

export function validateCommand(): Command<[string], Record<string, unknown>> {
  return new Command('validate')
    .description('dry run: read, map, validate and normalise every row, write a report; sends nothing')
    .argument('<file>', 'CSV or XLSX file to check')
    .addOption(inputFlags.entity)
    .option('--report <file>', 'report workbook to write (default: <file>.validation.xlsx in the current folder)')
    .addOption(inputFlags.sheet)
    .addOption(inputFlags.encoding)
    .addOption(inputFlags.delimiter)
    .addOption(inputFlags.mapping)
    .addOption(normaliseFlags.defaultCountry)
    .addOption(normaliseFlags.timezone)
    .addOption(normaliseFlags.dateOrder)
    .addOption(threadsFlag)
    .action(async (file, flags) => {
      const progress = createProgress({ label: 'validating' });
      const report = flags.report ?? defaultReportPath(file, 'validation');
      let result: ValidateResult;
      try {
        result = await runValidate({
          file,
          entity: flags.entity,
          report,
          sheet: flags.sheet,
          encoding: flags.encoding,
          delimiter: flags.delimiter,
          mapping: await readMappingFile(flags.mapping),
          normalise: normaliseOptionsFrom(flags),
          onNotice: (message) => process.stderr.write(`plannr-bulk: ${message}\n`),
          threads: threadsFrom(flags.threads),
          onProgress: (c) => progress.update({ done: c.read, problems: c.invalid }),
        });
      } finally {
        progress.stop();
      }
      const { counts } = result;
      const lines = [
        `${counts.read} rows read: ${counts.valid} valid, ${counts.invalid} invalid` +
          (result.blankRows > 0 ? ` (${result.blankRows} blank rows ignored)` : ''),
      ];
      if (result.unknownHeaders.length > 0) lines.push(`ignored columns (not ${flags.entity} fields): ${result.unknownHeaders.map((h) => `"${h}"`).join(', ')}`);
      lines.push(`report: ${report}`);
      process.stdout.write(`${lines.join('\n')}\n`);
      process.exitCode = result.exitCode;
    });
}
