/**
 * Flag tables (flags.ts) → commander options. Apart from the tables, so program.ts can build the
 * command line without loading what the tables' help and parsers need (entities, defaults).
 */
import { Option } from 'commander';
import type { AnyTable, Flag } from './flags.js';

function describe(flag: Flag<unknown>): string {
  return flag.shownDefault === undefined ? flag.description : `${flag.description} (default: ${flag.shownDefault})`;
}

/** The commander options of a table's flags (nulls skipped). */
export function optionsOf(table: AnyTable): Option[] {
  const options: Option[] = [];
  for (const flag of Object.values(table) as Array<Flag<unknown> | null>) {
    if (flag === null) continue;
    const option = new Option(flag.flags, describe(flag));
    const parse = flag.parse;
    if (parse !== undefined) option.argParser((text: string, previous: unknown) => parse(text, previous));
    if (flag.choices !== undefined) option.choices(flag.choices);
    if (flag.required) option.makeOptionMandatory();
    options.push(option);
    if (flag.negation !== undefined) options.push(new Option(flag.negation.flags, flag.negation.description));
  }
  return options;
}
