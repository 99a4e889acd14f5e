// Regenerates templates/ from the entity definitions (npm run templates). Committed output.
import { execFileSync } from 'node:child_process';
const entities = ['contact-details', 'cases', 'mpdx-phones', 'accounts', 'clients'];
for (const entity of entities) {
  for (const ext of ['xlsx', 'csv']) {
    execFileSync(process.execPath, ['dist/cli/main.js', 'template', entity, '--out', `templates/${entity}.${ext}`], { stdio: 'inherit' });
  }
}
