/** Regenerates docs/columns.md from the entity definitions (npx tsx scripts/make-docs.ts). */
import { writeFile } from 'node:fs/promises';
import { entities } from '../src/entities/index.js';

const requirement = { always: 'always', 'on-create': 'to create', optional: 'no' } as const;
const lines = [
  '# Columns by entity',
  '',
  'Generated from `src/entities/` by `npx tsx scripts/make-docs.ts`. Headers match ignoring case,',
  'spaces and punctuation; any alias works as well as the header. `(clear)` empties a field only',
  'where "clearable" says yes; a blank cell never changes anything.',
];
for (const entity of Object.values(entities)) {
  lines.push('', `## ${entity.name}`, '', '| header | API field | required | format | clearable | aliases | notes |', '|---|---|---|---|---|---|---|');
  for (const c of entity.columns) {
    const cell = (t: string) => t.replaceAll('|', '\\|');
    lines.push(`| ${c.header} | \`${c.field}\` | ${requirement[c.required]} | ${cell(c.type.format)} | ${c.clearable ? 'yes' : 'no'} | ${cell(c.aliases.join(', '))} | ${cell(c.help)} |`);
  }
}
await writeFile('docs/columns.md', `${lines.join('\n')}\n`);
