import { defaultOutputPath } from '../config/outputs.js';
import { sideEffectLines } from '../pipeline/side-effects.js';
import { runValidate, type ValidateResult } from '../pipeline/validate.js';
import type { CliCommand, CommandContext, ExitCode, ParsedFlags } from './command.js';
import { checkFlags, inputFlags, normaliseFlags, normaliseFrom, readMappingFile, validateFlags, valuesOf } from './flags.js';
import { createProgress } from './progress.js';

/** `plannr-bulk validate FILE`: read, map, check every row, write the report; send nothing. */
export async function validate(file: string, parsed: ParsedFlags, context: CommandContext): Promise<ExitCode> {
  const input = valuesOf(inputFlags, parsed);
  const report = valuesOf(validateFlags, parsed).report ?? defaultOutputPath(file, 'validation');
  const progress = createProgress({ label: 'validating' });
  let result: ValidateResult;
  try {
    result = await runValidate({
      ...input,
      ...valuesOf(checkFlags, parsed),
      file,
      report,
      mapping: await readMappingFile(input.mapping),
      normalise: normaliseFrom(parsed),
      onNotice: context.notice,
      onProgress: (c) => progress.update({ done: c.read, problems: c.invalid }),
    });
  } finally {
    progress.stop();
  }
  const { counts } = result;
  const lines = [
    `${counts.read} rows read: ${counts.valid} valid, ${counts.invalid} invalid` + (result.blankRows > 0 ? ` (${result.blankRows} blank rows ignored)` : ''),
  ];
  lines.push(...sideEffectLines(result.sideEffects));
  if (result.unknownHeaders.length > 0) lines.push(`ignored columns (not ${input.entity} fields): ${result.unknownHeaders.map((h) => `"${h}"`).join(', ')}`);
  lines.push(`report: ${report}`);
  context.print(lines.join('\n'));
  return result.exitCode;
}

export const validateCommand: CliCommand = {
  arguments: [{ name: '<file>', description: 'CSV or XLSX file to check' }],
  flags: [inputFlags, validateFlags, normaliseFlags, checkFlags],
  stoppable: false,
  run: ([file = ''], parsed, context) => validate(file, parsed, context),
};
