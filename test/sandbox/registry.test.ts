/**
 * The sandbox serves every registered entity (src/entities/index.ts), so the demo and the
 * end-to-end tests can run against each: its routes are keyed by the registry's names, and the
 * tool's own export of each one finds the seeded records. Nothing here names a resource: it
 * walks the registry, so a new entity is checked as soon as it is registered.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Entity } from '../../src/entities/entity.js';
import { entities, entityNames } from '../../src/entities/index.js';
import { defaultNormaliseOptions } from '../../src/normalise/result.js';
import { runExport } from '../../src/pipeline/export.js';
import { routesByEntity, sandboxTables } from '../../src/sandbox/routes/index.js';
import { createSeedState } from '../../src/sandbox/seed.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/server.js';
import { apiFor, tempDir } from '../e2e/helpers.js';

// As the sandbox starts: with the seed records of the tables route files own.
const seed = createSeedState({ tables: sandboxTables });

/** Scope values (an export's `--contact ID`...) from a seeded record carrying every scope field. */
function seededScope(entity: Entity): Record<string, string> {
  const parameters = entity.list.scope ?? [];
  if (parameters.length === 0) return {};
  const { tables, ...builtIn } = seed;
  for (const collection of [...Object.values(builtIn), ...Object.values(tables)]) {
    if (typeof collection !== 'object' || collection === null || Array.isArray(collection)) continue;
    for (const record of Object.values(collection as Record<string, unknown>)) {
      const fields = (typeof record === 'object' && record !== null ? record : {}) as Record<string, unknown>;
      const values = parameters.map((parameter) => fields[parameter.field]);
      if (values.every((value) => typeof value === 'string')) {
        return Object.fromEntries(parameters.map((parameter, index) => [parameter.name, String(values[index])]));
      }
    }
  }
  throw new Error(`no seeded record carries ${entity.name}'s scope fields`);
}

describe('the sandbox and the entity registry', () => {
  let sandbox: RunningSandbox;
  let dir: string;
  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, ratePerMinute: 0 });
    dir = await tempDir('plannr-registry-');
  });
  afterAll(async () => {
    await sandbox.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('has routes for exactly the registered entities', () => {
    expect(Object.keys(routesByEntity).sort()).toEqual([...entityNames].sort());
  });

  it.each(Object.values(entities).map((entity) => [entity.name, entity] as const))('exports the seeded %s records through its own list route', async (name, entity) => {
    const result = await runExport({
      entity: name,
      out: join(dir, `${name}.csv`),
      scope: seededScope(entity),
      api: apiFor(sandbox),
      normalise: defaultNormaliseOptions,
    });
    expect(result.records).toBeGreaterThan(0);
  });
});
