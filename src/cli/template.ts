import { entityNames, getEntity } from '../entities/index.js';
import { UsageError } from '../errors.js';
import { writeTemplate } from '../io/template.js';
import type { CliCommand, CommandContext, ExitCode, ParsedFlags } from './command.js';
import { templateFlags, valuesOf } from './flags.js';

/** `plannr-bulk template ENTITY`: headers with notes, dropdowns, an example row. */
export async function template(name: string, parsed: ParsedFlags, context: CommandContext): Promise<ExitCode> {
  const entity = getEntity(name);
  const out = valuesOf(templateFlags, parsed).out ?? `${entity.name}-template.xlsx`;
  if (!/\.(xlsx|csv)$/i.test(out)) throw new UsageError(`--out ${out}: the template must be .xlsx or .csv`);
  await writeTemplate(out, entity);
  context.print(`template for ${entity.name}: ${out}`);
  return 0;
}

export const templateCommand: CliCommand = {
  arguments: [{ name: '<entity>', description: entityNames.join(', ') }],
  flags: [templateFlags],
  stoppable: false,
  run: ([name = ''], parsed, context) => template(name, parsed, context),
};
