import { Command } from '@commander-js/extra-typings';
import { getEntity } from '../entities/index.js';
import { UsageError } from '../errors.js';
import { writeTemplate } from '../io/template.js';

export function templateCommand(): Command<[string], Record<string, unknown>> {
  return new Command('template')
    .description('write a template workbook (or CSV) for an entity: headers with notes, dropdowns, an example row')
    .argument('<entity>', 'contact-details, cases, mpdx-phones or accounts')
    .option('--out <file>', 'file to write, .xlsx or .csv (default: <entity>-template.xlsx)')
    .action(async (name, flags) => {
      const entity = getEntity(name);
      const out = flags.out ?? `${entity.name}-template.xlsx`;
      if (!/\.(xlsx|csv)$/i.test(out)) throw new UsageError(`--out ${out}: the template must be .xlsx or .csv`);
      await writeTemplate(out, entity);
      process.stdout.write(`template for ${entity.name}: ${out}\n`);
    });
}
