// Regenerates templates/ from the entity definitions (npm run templates). Committed output.
// The entities are the registry's (src/entities/index.ts, built to dist/), so a new resource
// gets its templates without a list here to keep in step.
import { execFileSync } from 'node:child_process';
import { entityNames } from '../dist/entities/index.js';

for (const entity of entityNames) {
  for (const ext of ['xlsx', 'csv']) {
    execFileSync(process.execPath, ['dist/cli/main.js', 'template', entity, '--out', `templates/${entity}.${ext}`], { stdio: 'inherit' });
  }
}
